// AVX-512 depthwise tile: 16 channels (one zmm) x up to 16 pixels at a time.
// Each lane is its own channel, so a tap is one FMA per pixel with the tap's
// weight vector. Full 3x3 windows along a row (stride 1 or 2) and down a
// column (the engine's border columns) have fully unrolled kernels with
// compile-time offsets that load each input vector once for all the taps
// that read it. Other windows (clipped, dilated) split the tap sum over P
// partial accumulators per pixel (P * W >= 4) so the FMA latency stays
// hidden; tiles across channel blocks (small images) run pixel by pixel.
#include <immintrin.h>

#include <cstddef>

#include "kernel_contract.h"
#include "vec.h"

namespace small::avx512 {

namespace {

constexpr size_t kCb = 16;

// Full 3x3 windows along a row with stride S (1 or 2), dilation 1: all
// offsets are compile-time constants, so the pixel addresses need no
// registers, and each input vector of a filter row is loaded once and used
// by every tap that reads it ((W - 1) * S + 3 loads per filter row instead
// of 3 W).
template <int W, int S>
void depthwise_tile_3x3_row(const small_window_tile *t, const float *in,
                            float *out) {
  __m512 acc[W];
  const __m512 bias = _mm512_loadu_ps(t->bias);
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
    acc[j] = bias;
  }
  for (size_t r = 0; r < 3; ++r) {
    const float *x = in + r * t->in_tap_h_step;
    const float *w = t->weights + r * t->w_tap_h_step;
    const __m512 w0 = _mm512_loadu_ps(w);
    const __m512 w1 = _mm512_loadu_ps(w + t->w_tap_w_step);
    const __m512 w2 = _mm512_loadu_ps(w + 2 * t->w_tap_w_step);
    // Input column i feeds pixel j through tap s when i == j * S + s.
#pragma GCC unroll 64
    for (int i = 0; i < (W - 1) * S + 3; ++i) {
      const __m512 v = _mm512_loadu_ps(x + i * kCb);
      if (i % S == 0 && i / S < W) {
        acc[i / S] = _mm512_fmadd_ps(v, w0, acc[i / S]);
      }
      if (i >= 1 && (i - 1) % S == 0 && (i - 1) / S < W) {
        acc[(i - 1) / S] = _mm512_fmadd_ps(v, w1, acc[(i - 1) / S]);
      }
      if (i >= 2 && (i - 2) % S == 0 && (i - 2) / S < W) {
        acc[(i - 2) / S] = _mm512_fmadd_ps(v, w2, acc[(i - 2) / S]);
      }
    }
  }
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
    _mm512_storeu_ps(out + j * t->out_pixel_step, activate(acc[j], t->act));
  }
}

// Full 3x3 windows down a column (the engine's border columns) with stride
// 1 and dilation 1: pixel j reads input rows j..j+2, so each of the W + 2
// rows is loaded once (3 vectors) and feeds every pixel that needs it; the
// row pointer advances by one increment, so no per-pixel addresses.
template <int W>
void depthwise_tile_3x3_col(const small_window_tile *t, const float *in,
                            float *out) {
  __m512 acc[W];
  const __m512 bias = _mm512_loadu_ps(t->bias);
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
    acc[j] = bias;
  }
  __m512 w[3][3];
#pragma GCC unroll 3
  for (int r = 0; r < 3; ++r) {
#pragma GCC unroll 3
    for (int c = 0; c < 3; ++c) {
      w[r][c] = _mm512_loadu_ps(t->weights + r * t->w_tap_h_step +
                                c * t->w_tap_w_step);
    }
  }
  const float *x = in;
#pragma GCC unroll 32
  for (int i = 0; i < W + 2; ++i, x += t->in_pixel_step) {
#pragma GCC unroll 3
    for (int c = 0; c < 3; ++c) {
      const __m512 v = _mm512_loadu_ps(x + c * kCb);
#pragma GCC unroll 3
      for (int r = 0; r < 3; ++r) {
        if (i - r >= 0 && i - r < W) {
          acc[i - r] = _mm512_fmadd_ps(v, w[r][c], acc[i - r]);
        }
      }
    }
  }
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
    _mm512_storeu_ps(out + j * t->out_pixel_step, activate(acc[j], t->act));
  }
}

template <int W>
void depthwise_tile(const small_window_tile *t, const float *in, float *out) {
  constexpr int P = W >= 4 ? 1 : (W >= 2 ? 2 : 4);
  __m512 acc[P][W];
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
    acc[0][j] = _mm512_loadu_ps(t->bias);
#pragma GCC unroll 16
    for (int p = 1; p < P; ++p) {
      acc[p][j] = _mm512_setzero_ps();
    }
  }
  const size_t taps = t->taps_h * t->taps_w;
  size_t r = 0, s = 0, k = 0;
  auto tap = [&](__m512 *a) {
    const float *x = in + r * t->in_tap_h_step + s * t->in_tap_w_step;
    const __m512 w =
        _mm512_loadu_ps(t->weights + r * t->w_tap_h_step + s * t->w_tap_w_step);
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      a[j] =
          _mm512_fmadd_ps(_mm512_loadu_ps(x + j * t->in_pixel_step), w, a[j]);
    }
    if (++s == t->taps_w) {
      s = 0;
      ++r;
    }
  };
  for (; k + P <= taps; k += P) {
#pragma GCC unroll 16
    for (int p = 0; p < P; ++p) {
      tap(acc[p]);
    }
  }
  for (; k < taps; ++k) {
    tap(acc[0]);
  }
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
#pragma GCC unroll 16
    for (int p = 1; p < P; ++p) {
      acc[0][j] = _mm512_add_ps(acc[0][j], acc[p][j]);
    }
    _mm512_storeu_ps(out + j * t->out_pixel_step, activate(acc[0][j], t->act));
  }
}

// Pixels with their own weights and bias (one pixel in each of `width`
// channel blocks, small images). Pixel by pixel with pointer increments:
// the pixels are far apart, so per-pixel address registers would spill;
// out-of-order execution overlaps the pixels' independent FMA chains. Full
// 3x3 windows use three partial sums and constant tap offsets.
// A clipped window (border pixel) of one pixel-in-a-block: the taps split
// over two partial sums.
inline __m512 blocks_window(const small_window_tile *t, const float *in,
                            const float *w, __m512 acc) {
  __m512 other = _mm512_setzero_ps();
  for (size_t r = 0; r < t->taps_h; ++r) {
    const float *x = in + r * t->in_tap_h_step;
    const float *v = w + r * t->w_tap_h_step;
    size_t c = 0;
    for (; c + 2 <= t->taps_w; c += 2) {
      acc = _mm512_fmadd_ps(_mm512_loadu_ps(x + c * t->in_tap_w_step),
                            _mm512_loadu_ps(v + c * t->w_tap_w_step), acc);
      other = _mm512_fmadd_ps(_mm512_loadu_ps(x + (c + 1) * t->in_tap_w_step),
                              _mm512_loadu_ps(v + (c + 1) * t->w_tap_w_step),
                              other);
    }
    if (c < t->taps_w) {
      other = _mm512_fmadd_ps(_mm512_loadu_ps(x + c * t->in_tap_w_step),
                              _mm512_loadu_ps(v + c * t->w_tap_w_step), other);
    }
  }
  return _mm512_add_ps(acc, other);
}

void depthwise_blocks(const small_window_tile *t) {
  const float *in = t->in, *w = t->weights, *bias = t->bias;
  float *out = t->out;
  const size_t ih = t->in_tap_h_step, wh = t->w_tap_h_step;
  const bool full_3x3 = t->taps_h == 3 && t->taps_w == 3 &&
                        t->in_tap_w_step == kCb && t->w_tap_w_step == kCb;
  // ReLU/ReLU6/Clip, the usual epilogue, with its bounds kept in registers.
  const bool clip = t->act.op == SMALL_ACT_OP_CLIP;
  const __m512 lo = _mm512_set1_ps(t->act.lo), hi = _mm512_set1_ps(t->act.hi);
  for (size_t j = 0; j < t->width; ++j) {
    __m512 acc = _mm512_loadu_ps(bias);
    if (full_3x3) {
      __m512 acc1 = _mm512_setzero_ps(), acc2 = _mm512_setzero_ps();
#pragma GCC unroll 3
      for (size_t r = 0; r < 3; ++r) {
        const float *x = in + r * ih, *v = w + r * wh;
        acc = _mm512_fmadd_ps(_mm512_loadu_ps(x), _mm512_loadu_ps(v), acc);
        acc1 = _mm512_fmadd_ps(_mm512_loadu_ps(x + kCb),
                               _mm512_loadu_ps(v + kCb), acc1);
        acc2 = _mm512_fmadd_ps(_mm512_loadu_ps(x + 2 * kCb),
                               _mm512_loadu_ps(v + 2 * kCb), acc2);
      }
      acc = _mm512_add_ps(acc, _mm512_add_ps(acc1, acc2));
    } else {
      acc = blocks_window(t, in, w, acc);
    }
    _mm512_storeu_ps(out, clip ? _mm512_min_ps(_mm512_max_ps(acc, lo), hi)
                               : activate(acc, t->act));
    in += t->in_pixel_step;
    w += t->w_pixel_step;
    bias += t->bias_pixel_step;
    out += t->out_pixel_step;
  }
}

template <int W>
void run(const small_window_tile *t, const float *in, float *out) {
  if (t->taps_h == 3 && t->taps_w == 3 && t->in_tap_w_step == kCb &&
      t->in_pixel_step == kCb) {
    depthwise_tile_3x3_row<W, 1>(t, in, out);
  } else if (t->taps_h == 3 && t->taps_w == 3 && t->in_tap_w_step == kCb &&
             t->in_pixel_step == 2 * kCb) {
    depthwise_tile_3x3_row<W, 2>(t, in, out);
  } else if (t->taps_h == 3 && t->taps_w == 3 && t->in_tap_w_step == kCb &&
             t->in_pixel_step == t->in_tap_h_step) {
    depthwise_tile_3x3_col<W>(t, in, out);
  } else {
    depthwise_tile<W>(t, in, out);
  }
}

} // namespace

void depthwise_f32_16x16__avx512(const small_window_tile *t) {
  if (t->w_pixel_step != 0 || t->bias_pixel_step != 0) {
    depthwise_blocks(t);
    return;
  }
  using Fn = void (*)(const small_window_tile *, const float *, float *);
  static constexpr Fn by_width[17] = {
      nullptr, run<1>,  run<2>,  run<3>,  run<4>,  run<5>,
      run<6>,  run<7>,  run<8>,  run<9>,  run<10>, run<11>,
      run<12>, run<13>, run<14>, run<15>, run<16>};
  size_t j = 0;
  while (j < t->width) {
    const size_t n = t->width - j < 16 ? t->width - j : 16;
    by_width[n](t, t->in + j * t->in_pixel_step,
                t->out + j * t->out_pixel_step);
    j += n;
  }
}

} // namespace small::avx512
