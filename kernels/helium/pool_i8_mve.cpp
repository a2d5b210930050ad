// Helium int8 average pooling, bit for bit the scalar kernel's result.
//
// The window sum runs 8 lanes at a time in int16: VLDRB.S16 loads 8 lanes
// widened and VADD adds them, so a tap of a 16-lane pixel costs 4
// instructions where the scalar kernel takes a load, a subtraction and an
// add per lane. An int16 lane holds the sum of up to 255 int8 values
// (cortex-m/average_i8.h); larger windows take the scalar kernel. Each
// output then takes the scalar kernel's arithmetic (average_output):
// DS-CNN's mean over its 25x5 map has 64 outputs for 8000 inputs.
#include <arm_mve.h>
#include <cstddef>
#include <cstdint>

#include "cortex-m/average_i8.h"
#include "kernel_contract.h"
#include "kernels.h"
#include "scalar/scalar_kernels.h"

namespace small::helium {

namespace {

constexpr size_t kLanes = 8; // int16 lanes per vector

void avg_pool_i8__helium(const small_window_tile_i8 *t) {
  const size_t taps = t->taps_h * t->taps_w;
  if (taps > cortex_m::kMaxAverageTaps || t->cb % kLanes != 0) {
    scalar::avg_pool_i8__scalar(t);
    return;
  }
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
        out[lane + l] = cortex_m::average_output(t, taps, raw[l]);
      }
    }
  }
}

} // namespace

small_window_i8_fn select_avg_pool_i8__helium(const small_window_shape *) {
  return avg_pool_i8__helium;
}

} // namespace small::helium
