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
template <int W, size_t STEP> void conv_tile(const small_window_tile *t) {
  const size_t step = STEP != 0 ? STEP : t->in_pixel_step;
  __m256 lo[W], hi[W];
  const __m256 bias_lo = _mm256_loadu_ps(t->bias);
  const __m256 bias_hi = _mm256_loadu_ps(t->bias + 8);
  for (int j = 0; j < W; ++j) {
    lo[j] = bias_lo;
    hi[j] = bias_hi;
  }
  for (size_t b = 0; b < t->in_blocks; ++b) {
    const size_t lanes = b + 1 == t->in_blocks ? t->in_last_channels : kCb;
    for (size_t r = 0; r < t->taps_h; ++r) {
      for (size_t s = 0; s < t->taps_w; ++s) {
        const float *in = t->in + b * t->in_block_step + r * t->in_tap_h_step +
                          s * t->in_tap_w_step;
        const float *w = t->weights + b * t->w_block_step +
                         r * t->w_tap_h_step + s * t->w_tap_w_step;
        for (size_t i = 0; i < lanes; ++i) {
          const __m256 w_lo = _mm256_loadu_ps(w + i * kCb);
          const __m256 w_hi = _mm256_loadu_ps(w + i * kCb + 8);
          for (int j = 0; j < W; ++j) {
            const __m256 x = _mm256_broadcast_ss(in + j * step + i);
            lo[j] = _mm256_fmadd_ps(x, w_lo, lo[j]);
            hi[j] = _mm256_fmadd_ps(x, w_hi, hi[j]);
          }
        }
      }
    }
  }
  for (int j = 0; j < W; ++j) {
    _mm256_storeu_ps(t->out + j * kCb, activate(lo[j], t->act));
    _mm256_storeu_ps(t->out + j * kCb + 8, activate(hi[j], t->act));
  }
}

template <size_t STEP> void conv_any_width(const small_window_tile *t) {
  switch (t->width) {
  case 1:
    return conv_tile<1, STEP>(t);
  case 2:
    return conv_tile<2, STEP>(t);
  case 3:
    return conv_tile<3, STEP>(t);
  case 4:
    return conv_tile<4, STEP>(t);
  case 5:
    return conv_tile<5, STEP>(t);
  default:
    return conv_tile<6, STEP>(t);
  }
}

} // namespace

void conv_f32_6x16__avx2(const small_window_tile *t) {
  if (t->in_pixel_step == kCb) {
    conv_any_width<kCb>(t);
  } else if (t->in_pixel_step == 2 * kCb) {
    conv_any_width<2 * kCb>(t);
  } else {
    conv_any_width<0>(t);
  }
}

} // namespace small::avx2
