// Helium int8 average pooling, bit for bit the scalar kernel's result.
//
// The window sum runs 8 lanes at a time in int16: VLDRB.S16 loads 8 lanes
// widened and VADD adds them, so a tap of a 16-lane pixel costs 4
// instructions where the scalar kernel takes a load, a subtraction and an
// add per lane. An int16 lane holds the sum of up to 255 int8 values (|sum|
// <= 128 * 255 = 32640); larger windows take the scalar kernel. The input
// zero point is subtracted once per output (taps * zp), then the
// requantization and the division are the scalar kernel's (fixed_point.h),
// once per output: DS-CNN's mean over its 25x5 map has 64 outputs for 8000
// inputs.
#include <arm_mve.h>
#include <cstddef>
#include <cstdint>

#include "fixed_point.h"
#include "kernel_contract.h"
#include "kernels.h"
#include "scalar/scalar_kernels.h"

namespace small::helium {

namespace {

constexpr size_t kMaxTaps = 255; // window sums that fit an int16 lane
constexpr size_t kLanes = 8;     // int16 lanes per vector

void avg_pool_i8__helium(const small_window_tile_i8 *t) {
  const size_t taps = t->taps_h * t->taps_w;
  if (taps > kMaxTaps || t->cb % kLanes != 0) {
    scalar::avg_pool_i8__scalar(t);
    return;
  }
  const int32_t multiplier = t->multiplier[0], shift = t->shift[0];
  const bool single = t->single_rounding != 0;
  const int32_t zero_sum = static_cast<int32_t>(taps) * t->in_zero_point;
  for (size_t j = 0; j < t->width; ++j) {
    const int8_t *pixel = t->in + j * t->in_pixel_step;
    int8_t *out = t->out + j * t->out_pixel_step;
    for (size_t lane = 0; lane < t->cb; lane += kLanes) {
      int16x8_t sum = vdupq_n_s16(0);
      for (size_t r = 0; r < t->taps_h; ++r) {
        const int8_t *x = pixel + lane + r * t->in_tap_h_step;
        for (size_t s = 0; s < t->taps_w; ++s, x += t->in_tap_w_step) {
          sum = vaddq_s16(sum, vldrbq_s16(x));
        }
      }
      int16_t raw[kLanes];
      vst1q_s16(raw, sum);
      for (size_t l = 0; l < kLanes; ++l) {
        const int32_t scaled = fixed::multiply_by_quantized_multiplier(
            raw[l] - zero_sum, multiplier, shift, single);
        const int32_t mean = fixed::rounding_divide(scaled, t->divisor);
        out[lane + l] = static_cast<int8_t>(
            fixed::clamp(mean + t->out_zero_point, t->act_min, t->act_max));
      }
    }
  }
}

} // namespace

small_window_i8_fn select_avg_pool_i8__helium(const small_window_shape *) {
  return avg_pool_i8__helium;
}

} // namespace small::helium
