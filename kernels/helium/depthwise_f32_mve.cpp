// Helium fp32 depthwise tile, within rounding of the scalar kernel (the
// same order of sums, fused multiply-adds).
//
// A pixel's 16 lanes are 4 vectors of sums; per tap 4 input and 4 weight
// loads and 4 VFMA (vector by vector), for 16 multiply-accumulates.
#include <arm_mve.h>
#include <cstddef>

#include "activation_mve.h"
#include "kernel_contract.h"
#include "kernels.h"

namespace small::helium {

namespace {

// The kernel serves the table's Cb only (t->cb == kChannelBlock).
void depthwise_f32__helium(const small_window_tile *t) {
  for (size_t j = 0; j < t->width; ++j) {
    const float *in = t->in + j * t->in_pixel_step;
    const float *weights = t->weights + j * t->w_pixel_step;
    const float *bias = t->bias + j * t->bias_pixel_step;
    float32x4_t a0 = vldrwq_f32(bias), a1 = vldrwq_f32(bias + 4);
    float32x4_t a2 = vldrwq_f32(bias + 8), a3 = vldrwq_f32(bias + 12);
    for (size_t r = 0; r < t->taps_h; ++r) {
      const float *x = in + r * t->in_tap_h_step;
      const float *w = weights + r * t->w_tap_h_step;
      for (size_t s = t->taps_w; s > 0; --s) {
        a0 = vfmaq_f32(a0, vldrwq_f32(x), vldrwq_f32(w));
        a1 = vfmaq_f32(a1, vldrwq_f32(x + 4), vldrwq_f32(w + 4));
        a2 = vfmaq_f32(a2, vldrwq_f32(x + 8), vldrwq_f32(w + 8));
        a3 = vfmaq_f32(a3, vldrwq_f32(x + 12), vldrwq_f32(w + 12));
        x += t->in_tap_w_step;
        w += t->w_tap_w_step;
      }
    }
    store_activated(t->out + j * t->out_pixel_step, a0, a1, a2, a3, t->act);
  }
}

} // namespace

small_window_fn select_depthwise_f32__helium(const small_window_shape *) {
  return depthwise_f32__helium;
}

} // namespace small::helium
