// AVX-512 convolution tile: up to 12 output pixels x 32 output channels (two
// blocks of Cb = 16; one block for an odd last block).
//
// Why 12x32: Cb = 16 is one zmm, so a pixel's block is one accumulator.
// 12 pixels x 2 blocks = 24 accumulators + 2 weight vectors + 1 broadcast
// input = 27 of 32 zmm. Per input channel that is 2 weight loads and 12
// broadcasts for 24 FMAs: 0.58 loads per FMA, well inside 2 loads per cycle
// at 2 FMAs per cycle, where a 12x16 tile (13 loads per 12 FMAs) is
// load-bound. 24 chains hide the 4-cycle FMA latency; 12 divides the
// MobileNet widths (48, 24, 12).
//
// Narrow tiles (clipped border columns, small images) split the input
// channel sum over P partial accumulator sets (P * W * OB >= 8) so they stay
// throughput-bound; the sets are added before the epilogue.
#include <immintrin.h>

#include <cstddef>

#include "kernel_contract.h"
#include "vec.h"

namespace small::avx512 {

namespace {

constexpr size_t kCb = 16;

constexpr int partial_sets(int chains) {
  return chains >= 8 ? 1 : (chains >= 4 ? 2 : (chains >= 2 ? 4 : 8));
}

// OB: output blocks (1 or 2). STEP: floats between consecutive pixels'
// inputs when known at compile time (stride 1 or 2), 0 for t->in_pixel_step.
template <int W, int OB, size_t STEP>
void conv_tile(const small_window_tile *t) {
  constexpr int P = partial_sets(W * OB);
  const size_t step = STEP != 0 ? STEP : t->in_pixel_step;
  __m512 acc[P][OB][W];
#pragma GCC unroll 16
  for (int k = 0; k < OB; ++k) {
    const __m512 bias = _mm512_loadu_ps(t->bias + k * kCb);
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      acc[0][k][j] = bias;
#pragma GCC unroll 16
      for (int p = 1; p < P; ++p) {
        acc[p][k][j] = _mm512_setzero_ps();
      }
    }
  }
  for (size_t b = 0; b < t->in_blocks; ++b) {
    const size_t lanes =
        b + 1 == t->in_blocks ? t->in_last_channels : t->in_lanes;
    for (size_t r = 0; r < t->taps_h; ++r) {
      for (size_t s = 0; s < t->taps_w; ++s) {
        const float *in = t->in + b * t->in_block_step + r * t->in_tap_h_step +
                          s * t->in_tap_w_step;
        const float *w = t->weights + b * t->w_block_step +
                         r * t->w_tap_h_step + s * t->w_tap_w_step;
        auto channel = [&](size_t i, __m512(*a)[W]) {
          __m512 wv[OB];
#pragma GCC unroll 16
          for (int k = 0; k < OB; ++k) {
            wv[k] = _mm512_loadu_ps(w + k * t->w_out_block_step + i * kCb);
          }
#pragma GCC unroll 16
          for (int j = 0; j < W; ++j) {
            const __m512 x = _mm512_set1_ps(in[j * step + i]);
#pragma GCC unroll 16
            for (int k = 0; k < OB; ++k) {
              a[k][j] = _mm512_fmadd_ps(x, wv[k], a[k][j]);
            }
          }
        };
        size_t i = 0;
        for (; i + P <= lanes; i += P) {
#pragma GCC unroll 16
          for (int p = 0; p < P; ++p) {
            channel(i + p, acc[p]);
          }
        }
        for (; i < lanes; ++i) {
          channel(i, acc[0]);
        }
      }
    }
  }
#pragma GCC unroll 16
  for (int k = 0; k < OB; ++k) {
    float *out = t->out + k * t->out_block_step;
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
#pragma GCC unroll 16
      for (int p = 1; p < P; ++p) {
        acc[0][k][j] = _mm512_add_ps(acc[0][k][j], acc[p][k][j]);
      }
      _mm512_storeu_ps(out + j * t->out_pixel_step,
                       activate(acc[0][k][j], t->act));
    }
  }
}

// Planar input (one channel per input block: a narrow network input, e.g.
// RGB): every (block, row, column) tap is a single lane, so the generic
// tile would spend its time on loop overhead around 1-lane reductions. Here
// the tap loop is the innermost one and the weights of consecutive taps of
// a row are consecutive Cb vectors. For tiles with enough chains (P == 1).
template <int W, int OB, size_t STEP>
void conv_tile_planar(const small_window_tile *t) {
  const size_t step = STEP != 0 ? STEP : t->in_pixel_step;
  __m512 acc[OB][W];
#pragma GCC unroll 16
  for (int k = 0; k < OB; ++k) {
    const __m512 bias = _mm512_loadu_ps(t->bias + k * kCb);
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      acc[k][j] = bias;
    }
  }
  for (size_t b = 0; b < t->in_blocks; ++b) {
    for (size_t r = 0; r < t->taps_h; ++r) {
      const float *in = t->in + b * t->in_block_step + r * t->in_tap_h_step;
      const float *w = t->weights + b * t->w_block_step + r * t->w_tap_h_step;
      for (size_t s = 0; s < t->taps_w;
           ++s, in += t->in_tap_w_step, w += t->w_tap_w_step) {
        __m512 wv[OB];
#pragma GCC unroll 16
        for (int k = 0; k < OB; ++k) {
          wv[k] = _mm512_loadu_ps(w + k * t->w_out_block_step);
        }
#pragma GCC unroll 16
        for (int j = 0; j < W; ++j) {
          const __m512 x = _mm512_set1_ps(in[j * step]);
#pragma GCC unroll 16
          for (int k = 0; k < OB; ++k) {
            acc[k][j] = _mm512_fmadd_ps(x, wv[k], acc[k][j]);
          }
        }
      }
    }
  }
#pragma GCC unroll 16
  for (int k = 0; k < OB; ++k) {
    float *out = t->out + k * t->out_block_step;
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      _mm512_storeu_ps(out + j * t->out_pixel_step,
                       activate(acc[k][j], t->act));
    }
  }
}

template <int W, int OB, size_t STEP> void tile(const small_window_tile *t) {
  if (partial_sets(W * OB) == 1 && t->in_lanes == 1) {
    conv_tile_planar<W, OB, STEP>(t);
  } else {
    conv_tile<W, OB, STEP>(t);
  }
}

template <int OB, size_t STEP> void conv_any_width(const small_window_tile *t) {
  switch (t->width) {
  case 1:
    return tile<1, OB, STEP>(t);
  case 2:
    return tile<2, OB, STEP>(t);
  case 3:
    return tile<3, OB, STEP>(t);
  case 4:
    return tile<4, OB, STEP>(t);
  case 5:
    return tile<5, OB, STEP>(t);
  case 6:
    return tile<6, OB, STEP>(t);
  case 7:
    return tile<7, OB, STEP>(t);
  case 8:
    return tile<8, OB, STEP>(t);
  case 9:
    return tile<9, OB, STEP>(t);
  case 10:
    return tile<10, OB, STEP>(t);
  case 11:
    return tile<11, OB, STEP>(t);
  default:
    return tile<12, OB, STEP>(t);
  }
}

template <int OB> void conv_any_step(const small_window_tile *t) {
  // Compile-time pixel steps let the broadcasts use immediate offsets: Cb
  // and 2 Cb (stride 1 and 2), and 1 and 2 for planar inputs.
  if (t->in_pixel_step == 1) {
    conv_any_width<OB, 1>(t);
  } else if (t->in_pixel_step == 2) {
    conv_any_width<OB, 2>(t);
  } else if (t->in_pixel_step == kCb) {
    conv_any_width<OB, kCb>(t);
  } else if (t->in_pixel_step == 2 * kCb) {
    conv_any_width<OB, 2 * kCb>(t);
  } else {
    conv_any_width<OB, 0>(t);
  }
}

} // namespace

void conv_f32_12x32__avx512(const small_window_tile *t) {
  if (t->out_blocks == 2) {
    conv_any_step<2>(t);
  } else {
    conv_any_step<1>(t);
  }
}

} // namespace small::avx512
