// AVX2 depthwise tile: 16 channels (two ymm) x up to 6 pixels at a time:
// 12 accumulators + 2 weight vectors. Narrow tiles (border columns, small
// images) split the tap sum over P partial accumulator sets so that
// 2 * W * P >= 8 independent FMA chains hide the latency. Full 3x3 windows
// along a row (stride 1 or 2) and down a column (stride 1) take unrolled
// paths that load each input vector once for all the taps that read it.
#include <immintrin.h>

#include <cstddef>

#include "kernel_contract.h"
#include "vec.h"

namespace small::avx2 {

namespace {

constexpr size_t kCb = 16;

template <int W>
void depthwise_tile(const small_window_tile *t, const float *in, float *out) {
  constexpr int P = W >= 4 ? 1 : (W >= 2 ? 2 : 4);
  __m256 lo[P][W], hi[P][W];
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
    lo[0][j] = _mm256_loadu_ps(t->bias);
    hi[0][j] = _mm256_loadu_ps(t->bias + 8);
#pragma GCC unroll 16
    for (int p = 1; p < P; ++p) {
      lo[p][j] = _mm256_setzero_ps();
      hi[p][j] = _mm256_setzero_ps();
    }
  }
  const size_t taps = t->taps_h * t->taps_w;
  size_t r = 0, s = 0, k = 0;
  auto tap = [&](__m256 *a_lo, __m256 *a_hi) {
    const float *x = in + r * t->in_tap_h_step + s * t->in_tap_w_step;
    const float *w = t->weights + r * t->w_tap_h_step + s * t->w_tap_w_step;
    const __m256 w_lo = _mm256_loadu_ps(w);
    const __m256 w_hi = _mm256_loadu_ps(w + 8);
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      const float *p = x + j * t->in_pixel_step;
      a_lo[j] = _mm256_fmadd_ps(_mm256_loadu_ps(p), w_lo, a_lo[j]);
      a_hi[j] = _mm256_fmadd_ps(_mm256_loadu_ps(p + 8), w_hi, a_hi[j]);
    }
    if (++s == t->taps_w) {
      s = 0;
      ++r;
    }
  };
  for (; k + P <= taps; k += P) {
#pragma GCC unroll 16
    for (int p = 0; p < P; ++p) {
      tap(lo[p], hi[p]);
    }
  }
  for (; k < taps; ++k) {
    tap(lo[0], hi[0]);
  }
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
#pragma GCC unroll 16
    for (int p = 1; p < P; ++p) {
      lo[0][j] = _mm256_add_ps(lo[0][j], lo[p][j]);
      hi[0][j] = _mm256_add_ps(hi[0][j], hi[p][j]);
    }
    _mm256_storeu_ps(out + j * t->out_pixel_step, activate(lo[0][j], t->act));
    _mm256_storeu_ps(out + j * t->out_pixel_step + 8,
                     activate(hi[0][j], t->act));
  }
}

// Full 3x3 windows along a row with stride S (1 or 2), dilation 1, one
// 8-channel half of the block at a time (W accumulators + 3 weights + 1
// input of the 16 ymm): compile-time offsets, and each input vector of a
// filter row is loaded once for every tap that reads it.
template <int W, int S>
void depthwise_half_3x3_row(const small_window_tile *t, const float *in,
                            const float *w, const float *bias, float *out) {
  __m256 acc[W];
  const __m256 b = _mm256_loadu_ps(bias);
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
    acc[j] = b;
  }
  for (size_t r = 0; r < 3; ++r) {
    const float *x = in + r * t->in_tap_h_step;
    const float *wr = w + r * t->w_tap_h_step;
    const __m256 w0 = _mm256_loadu_ps(wr);
    const __m256 w1 = _mm256_loadu_ps(wr + t->w_tap_w_step);
    const __m256 w2 = _mm256_loadu_ps(wr + 2 * t->w_tap_w_step);
    // Input column i feeds pixel j through tap s when i == j * S + s.
#pragma GCC unroll 64
    for (int i = 0; i < (W - 1) * S + 3; ++i) {
      const __m256 v = _mm256_loadu_ps(x + i * kCb);
      if (i % S == 0 && i / S < W) {
        acc[i / S] = _mm256_fmadd_ps(v, w0, acc[i / S]);
      }
      if (i >= 1 && (i - 1) % S == 0 && (i - 1) / S < W) {
        acc[(i - 1) / S] = _mm256_fmadd_ps(v, w1, acc[(i - 1) / S]);
      }
      if (i >= 2 && (i - 2) % S == 0 && (i - 2) / S < W) {
        acc[(i - 2) / S] = _mm256_fmadd_ps(v, w2, acc[(i - 2) / S]);
      }
    }
  }
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
    _mm256_storeu_ps(out + j * t->out_pixel_step, activate(acc[j], t->act));
  }
}

template <int W, int S>
void depthwise_tile_3x3_row(const small_window_tile *t, const float *in,
                            float *out) {
  depthwise_half_3x3_row<W, S>(t, in, t->weights, t->bias, out);
  depthwise_half_3x3_row<W, S>(t, in + 8, t->weights + 8, t->bias + 8, out + 8);
}

// Full 3x3 windows down a column (the engine's border columns) with stride
// 1 and dilation 1, one 8-channel half at a time (W accumulators + 9
// weights + 1 input): pixel j reads input rows j..j+2, so each of the W + 2
// rows is loaded once and feeds every pixel that needs it.
template <int W>
void depthwise_half_3x3_col(const small_window_tile *t, const float *in,
                            const float *w, const float *bias, float *out) {
  __m256 acc[W];
  const __m256 b = _mm256_loadu_ps(bias);
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
    acc[j] = b;
  }
  __m256 wv[3][3];
#pragma GCC unroll 3
  for (int r = 0; r < 3; ++r) {
#pragma GCC unroll 3
    for (int c = 0; c < 3; ++c) {
      wv[r][c] = _mm256_loadu_ps(w + r * t->w_tap_h_step + c * t->w_tap_w_step);
    }
  }
  const float *x = in;
#pragma GCC unroll 16
  for (int i = 0; i < W + 2; ++i, x += t->in_pixel_step) {
#pragma GCC unroll 3
    for (int c = 0; c < 3; ++c) {
      const __m256 v = _mm256_loadu_ps(x + c * kCb);
#pragma GCC unroll 3
      for (int r = 0; r < 3; ++r) {
        if (i - r >= 0 && i - r < W) {
          acc[i - r] = _mm256_fmadd_ps(v, wv[r][c], acc[i - r]);
        }
      }
    }
  }
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
    _mm256_storeu_ps(out + j * t->out_pixel_step, activate(acc[j], t->act));
  }
}

template <int W>
void depthwise_tile_3x3_col(const small_window_tile *t, const float *in,
                            float *out) {
  depthwise_half_3x3_col<W>(t, in, t->weights, t->bias, out);
  depthwise_half_3x3_col<W>(t, in + 8, t->weights + 8, t->bias + 8, out + 8);
}

// Pixels with their own weights and bias (one pixel in W channel blocks):
// two weight loads per pixel and tap, 2 * W independent chains.
template <int W>
void depthwise_tile_blocks(const small_window_tile *t, const float *in,
                           const float *weights, const float *bias,
                           float *out) {
  __m256 lo[W], hi[W];
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
    lo[j] = _mm256_loadu_ps(bias + j * t->bias_pixel_step);
    hi[j] = _mm256_loadu_ps(bias + j * t->bias_pixel_step + 8);
  }
  for (size_t r = 0; r < t->taps_h; ++r) {
    for (size_t s = 0; s < t->taps_w; ++s) {
      const float *x = in + r * t->in_tap_h_step + s * t->in_tap_w_step;
      const float *w = weights + r * t->w_tap_h_step + s * t->w_tap_w_step;
#pragma GCC unroll 16
      for (int j = 0; j < W; ++j) {
        const float *p = x + j * t->in_pixel_step;
        const float *q = w + j * t->w_pixel_step;
        lo[j] = _mm256_fmadd_ps(_mm256_loadu_ps(p), _mm256_loadu_ps(q), lo[j]);
        hi[j] = _mm256_fmadd_ps(_mm256_loadu_ps(p + 8), _mm256_loadu_ps(q + 8),
                                hi[j]);
      }
    }
  }
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
    _mm256_storeu_ps(out + j * t->out_pixel_step, activate(lo[j], t->act));
    _mm256_storeu_ps(out + j * t->out_pixel_step + 8, activate(hi[j], t->act));
  }
}

template <int W>
void run(const small_window_tile *t, const float *in, float *out) {
  const bool rows_3x3 =
      t->taps_h == 3 && t->taps_w == 3 && t->in_tap_w_step == kCb;
  if (rows_3x3 && t->in_pixel_step == kCb) {
    depthwise_tile_3x3_row<W, 1>(t, in, out);
  } else if (rows_3x3 && t->in_pixel_step == 2 * kCb) {
    depthwise_tile_3x3_row<W, 2>(t, in, out);
  } else if (rows_3x3 && t->in_pixel_step == t->in_tap_h_step) {
    depthwise_tile_3x3_col<W>(t, in, out);
  } else {
    depthwise_tile<W>(t, in, out);
  }
}

} // namespace

void depthwise_f32_6x16__avx2(const small_window_tile *t) {
  if (t->w_pixel_step != 0 || t->bias_pixel_step != 0) {
    using BlocksFn = void (*)(const small_window_tile *, const float *,
                              const float *, const float *, float *);
    static constexpr BlocksFn by_width[7] = {nullptr,
                                             depthwise_tile_blocks<1>,
                                             depthwise_tile_blocks<2>,
                                             depthwise_tile_blocks<3>,
                                             depthwise_tile_blocks<4>,
                                             depthwise_tile_blocks<5>,
                                             depthwise_tile_blocks<6>};
    for (size_t j = 0; j < t->width; j += 6) {
      const size_t n = t->width - j < 6 ? t->width - j : 6;
      by_width[n](
          t, t->in + j * t->in_pixel_step, t->weights + j * t->w_pixel_step,
          t->bias + j * t->bias_pixel_step, t->out + j * t->out_pixel_step);
    }
    return;
  }
  using Fn = void (*)(const small_window_tile *, const float *, float *);
  static constexpr Fn by_width[7] = {nullptr, run<1>, run<2>, run<3>,
                                     run<4>,  run<5>, run<6>};
  size_t j = 0;
  while (j < t->width) {
    const size_t n = t->width - j < 6 ? t->width - j : 6;
    by_width[n](t, t->in + j * t->in_pixel_step,
                t->out + j * t->out_pixel_step);
    j += n;
  }
}

} // namespace small::avx2
