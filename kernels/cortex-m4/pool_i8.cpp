// Cortex-M4 int8 average pooling, bit for bit the scalar kernel's result.
//
// The window sum runs 4 lanes per word: SXTAB16 adds a word's even bytes,
// sign-extended, to the two 16-bit halves of one sum and, on the word
// rotated by 8, its odd bytes to another, so a tap of 4 lanes costs one load
// and two instructions where the scalar kernel takes a load, a subtraction
// and an add per lane. A 16-bit half holds the sum of up to 255 int8 values
// (cortex-m/average_i8.h); larger windows take the scalar kernel. Each
// output then takes the scalar kernel's arithmetic (average_output):
// DS-CNN's mean over its 25x5 map has 64 outputs for 8000 inputs.
#include <cstddef>
#include <cstdint>

#include "cortex-m/average_i8.h"
#include "dsp.h"
#include "kernel_contract.h"
#include "kernels.h"
#include "scalar/scalar_kernels.h"

namespace small::cortex_m4 {

namespace {

void avg_pool_i8__cortex_m4(const small_window_tile_i8 *t) {
  const size_t taps = t->taps_h * t->taps_w;
  if (taps > cortex_m::kMaxAverageTaps || t->cb % 4 != 0) {
    scalar::avg_pool_i8__scalar(t);
    return;
  }
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
      out[lane] = cortex_m::average_output(t, taps, static_cast<int16_t>(even));
      out[lane + 1] =
          cortex_m::average_output(t, taps, static_cast<int16_t>(odd));
      out[lane + 2] = cortex_m::average_output(t, taps, even >> 16);
      out[lane + 3] = cortex_m::average_output(t, taps, odd >> 16);
    }
  }
}

} // namespace

small_window_i8_fn select_avg_pool_i8__cortex_m4(const small_window_shape *) {
  return avg_pool_i8__cortex_m4;
}

} // namespace small::cortex_m4
