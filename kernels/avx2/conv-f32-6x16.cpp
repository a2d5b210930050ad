// AVX2 convolution tile: up to 6 output pixels x 16 output channels.
//
// Why 6x16: Cb = 16 is two ymm per pixel. 6 pixels x 2 = 12 accumulators,
// plus 2 weight vectors and 1 broadcast input = 15 of the 16 ymm registers.
// Per input channel that is 2 weight loads + 6 broadcasts for 12 FMAs, which
// keeps both FMA ports busy within the 2-3 loads per cycle of current cores,
// and 12 independent chains cover the 4-5 cycle FMA latency.
#include <immintrin.h>

#include <cstddef>

#include "kernel_contract.h"
#include "vec.h"

namespace small::avx2 {

namespace {

constexpr size_t kCb = 16;

// STEP: floats between consecutive output pixels' inputs when known at
// compile time (stride 1 or 2), 0 for the runtime t->in_pixel_step.
//
// Narrow tiles (the clipped border columns, small images) would have too few
// independent FMA chains to hide the latency, so they split the input-channel
// sum over P partial accumulator sets (2 * W * P >= 8) added at the end.
template <int W, size_t STEP> void conv_tile(const small_window_tile *t) {
  constexpr int P = W >= 4 ? 1 : (W >= 2 ? 2 : 4);
  const size_t step = STEP != 0 ? STEP : t->in_pixel_step;
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
  for (size_t b = 0; b < t->in_blocks; ++b) {
    const size_t lanes =
        b + 1 == t->in_blocks ? t->in_last_channels : t->in_lanes;
    for (size_t r = 0; r < t->taps_h; ++r) {
      for (size_t s = 0; s < t->taps_w; ++s) {
        const float *in = t->in + b * t->in_block_step + r * t->in_tap_h_step +
                          s * t->in_tap_w_step;
        const float *w = t->weights + b * t->w_block_step +
                         r * t->w_tap_h_step + s * t->w_tap_w_step;
        size_t i = 0;
        for (; i + P <= lanes; i += P) {
#pragma GCC unroll 16
          for (int p = 0; p < P; ++p) {
            const __m256 w_lo = _mm256_loadu_ps(w + (i + p) * kCb);
            const __m256 w_hi = _mm256_loadu_ps(w + (i + p) * kCb + 8);
#pragma GCC unroll 16
            for (int j = 0; j < W; ++j) {
              const __m256 x = _mm256_broadcast_ss(in + j * step + i + p);
              lo[p][j] = _mm256_fmadd_ps(x, w_lo, lo[p][j]);
              hi[p][j] = _mm256_fmadd_ps(x, w_hi, hi[p][j]);
            }
          }
        }
        for (; i < lanes; ++i) {
          const __m256 w_lo = _mm256_loadu_ps(w + i * kCb);
          const __m256 w_hi = _mm256_loadu_ps(w + i * kCb + 8);
#pragma GCC unroll 16
          for (int j = 0; j < W; ++j) {
            const __m256 x = _mm256_broadcast_ss(in + j * step + i);
            lo[0][j] = _mm256_fmadd_ps(x, w_lo, lo[0][j]);
            hi[0][j] = _mm256_fmadd_ps(x, w_hi, hi[0][j]);
          }
        }
      }
    }
  }
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
#pragma GCC unroll 16
    for (int p = 1; p < P; ++p) {
      lo[0][j] = _mm256_add_ps(lo[0][j], lo[p][j]);
      hi[0][j] = _mm256_add_ps(hi[0][j], hi[p][j]);
    }
    _mm256_storeu_ps(t->out + j * t->out_pixel_step,
                     activate(lo[0][j], t->act));
    _mm256_storeu_ps(t->out + j * t->out_pixel_step + 8,
                     activate(hi[0][j], t->act));
  }
}

// Planar input (one channel per input block: a narrow network input such as
// RGB): every (block, row, column) tap is one lane, so the taps are the
// innermost loop and the weights of a row's taps are consecutive. For tiles
// with enough chains (W >= 4, no partial sets).
template <int W, size_t STEP>
void conv_tile_planar(const small_window_tile *t) {
  const size_t step = STEP != 0 ? STEP : t->in_pixel_step;
  __m256 lo[W], hi[W];
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
    lo[j] = _mm256_loadu_ps(t->bias);
    hi[j] = _mm256_loadu_ps(t->bias + 8);
  }
  for (size_t b = 0; b < t->in_blocks; ++b) {
    for (size_t r = 0; r < t->taps_h; ++r) {
      const float *in = t->in + b * t->in_block_step + r * t->in_tap_h_step;
      const float *w = t->weights + b * t->w_block_step + r * t->w_tap_h_step;
      for (size_t s = 0; s < t->taps_w;
           ++s, in += t->in_tap_w_step, w += t->w_tap_w_step) {
        const __m256 w_lo = _mm256_loadu_ps(w);
        const __m256 w_hi = _mm256_loadu_ps(w + 8);
#pragma GCC unroll 16
        for (int j = 0; j < W; ++j) {
          const __m256 x = _mm256_broadcast_ss(in + j * step);
          lo[j] = _mm256_fmadd_ps(x, w_lo, lo[j]);
          hi[j] = _mm256_fmadd_ps(x, w_hi, hi[j]);
        }
      }
    }
  }
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
    _mm256_storeu_ps(t->out + j * t->out_pixel_step, activate(lo[j], t->act));
    _mm256_storeu_ps(t->out + j * t->out_pixel_step + 8,
                     activate(hi[j], t->act));
  }
}

template <int W, size_t STEP> void tile(const small_window_tile *t) {
  if (W >= 4 && t->in_lanes == 1) {
    conv_tile_planar<W, STEP>(t);
  } else {
    conv_tile<W, STEP>(t);
  }
}

template <size_t STEP> void conv_any_width(const small_window_tile *t) {
  switch (t->width) {
  case 1:
    return tile<1, STEP>(t);
  case 2:
    return tile<2, STEP>(t);
  case 3:
    return tile<3, STEP>(t);
  case 4:
    return tile<4, STEP>(t);
  case 5:
    return tile<5, STEP>(t);
  default:
    return tile<6, STEP>(t);
  }
}

} // namespace

void conv_f32_6x16__avx2(const small_window_tile *t) {
  // Compile-time pixel steps let the broadcasts use immediate offsets: Cb
  // and 2 Cb (stride 1 and 2), and 1 and 2 for planar inputs.
  if (t->in_pixel_step == 1) {
    conv_any_width<1>(t);
  } else if (t->in_pixel_step == 2) {
    conv_any_width<2>(t);
  } else if (t->in_pixel_step == kCb) {
    conv_any_width<kCb>(t);
  } else if (t->in_pixel_step == 2 * kCb) {
    conv_any_width<2 * kCb>(t);
  } else {
    conv_any_width<0>(t);
  }
}

} // namespace small::avx2
