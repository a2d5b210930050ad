// Cortex-M4 int8 average pooling, bit for bit the scalar kernel's result.
//
// The window sum runs 4 lanes per word: SXTAB16 adds a word's even bytes,
// sign-extended, to the two 16-bit halves of one sum and, on the word
// rotated by 8, its odd bytes to another, so a tap of 4 lanes costs one load
// and two instructions where the scalar kernel takes a load, a subtraction
// and an add per lane. A 16-bit half holds the sum of up to 255 int8 values
// (|sum| <= 128 * 255 = 32640); larger windows take the scalar kernel. The
// input zero point is subtracted once per output (taps * zp), then the
// requantization and the division are the scalar kernel's (fixed_point.h),
// once per output: DS-CNN's mean over its 25x5 map has 64 outputs for 8000
// inputs.
#include <cstddef>
#include <cstdint>

#include "dsp.h"
#include "fixed_point.h"
#include "kernel_contract.h"
#include "kernels.h"
#include "scalar/scalar_kernels.h"

namespace small::cortex_m4 {

namespace {

constexpr size_t kMaxTaps = 255; // window sums that fit a 16-bit half

// The sum of x - zp for one lane, its window total `raw` taken over `taps`.
inline int32_t centered(int32_t raw, size_t taps, int32_t zero_point) {
  return raw - static_cast<int32_t>(taps) * zero_point;
}

void avg_pool_i8__cortex_m4(const small_window_tile_i8 *t) {
  const size_t taps = t->taps_h * t->taps_w;
  if (taps > kMaxTaps || t->cb % 4 != 0) {
    scalar::avg_pool_i8__scalar(t);
    return;
  }
  const int32_t multiplier = t->multiplier[0], shift = t->shift[0];
  const bool single = t->single_rounding != 0;
  for (size_t j = 0; j < t->width; ++j) {
    const int8_t *pixel = t->in + j * t->in_pixel_step;
    int8_t *out = t->out + j * t->out_pixel_step;
    for (size_t lane = 0; lane < t->cb; lane += 4) {
      int32_t even = 0, odd = 0; // lanes 0 and 2, 1 and 3, in 16-bit halves
      for (size_t r = 0; r < t->taps_h; ++r) {
        const int8_t *x = pixel + lane + r * t->in_tap_h_step;
        for (size_t s = 0; s < t->taps_w; ++s, x += t->in_tap_w_step) {
          const int32_t v = load_word(x);
          even = offset_even_bytes(even, v);
          odd = offset_odd_bytes(odd, v);
        }
      }
      const int32_t raw[4] = {static_cast<int16_t>(even),
                              static_cast<int16_t>(odd), even >> 16, odd >> 16};
      for (size_t l = 0; l < 4; ++l) {
        const int32_t scaled = fixed::multiply_by_quantized_multiplier(
            centered(raw[l], taps, t->in_zero_point), multiplier, shift,
            single);
        const int32_t mean = fixed::rounding_divide(scaled, t->divisor);
        out[lane + l] = static_cast<int8_t>(
            fixed::clamp(mean + t->out_zero_point, t->act_min, t->act_max));
      }
    }
  }
}

} // namespace

small_window_i8_fn select_avg_pool_i8__cortex_m4(const small_window_shape *) {
  return avg_pool_i8__cortex_m4;
}

} // namespace small::cortex_m4
