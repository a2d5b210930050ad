// Helium int8 depthwise tile, bit for bit the scalar kernel's result.
//
// Depthwise sums run along the taps of one lane, so the lanes stay apart:
// per tap, 4 lanes of input and of weights are loaded widened to int32
// (VLDRB.S32), the input zero point subtracted, and the product added to
// the lanes' sums (MVE's integer VMLA multiplies by a scalar, not lane by
// lane): 5 instructions for 4 multiply-accumulates, where the scalar kernel
// spent about 10 per product on DS-CNN, requantization included. A pixel's 16
// lanes are 4 vectors of sums.
#include <arm_mve.h>
#include <cstddef>
#include <cstdint>

#include "kernel_contract.h"
#include "kernels.h"
#include "requant_mve.h"

namespace small::helium {

namespace {

// The Cb sums of output pixel j into acc.
void dot_pixel(const small_window_tile_i8 *t, size_t j, int32_t *acc) {
  const int8_t *in = t->in + j * t->in_pixel_step;
  const int8_t *weights = t->weights + j * t->w_pixel_step;
  const int32_t *bias = t->bias + j * t->bias_pixel_step;
  const int32_t zp = t->in_zero_point;
  int32x4_t a0 = vldrwq_s32(bias), a1 = vldrwq_s32(bias + 4);
  int32x4_t a2 = vldrwq_s32(bias + 8), a3 = vldrwq_s32(bias + 12);
  for (size_t r = 0; r < t->taps_h; ++r) {
    const int8_t *x = in + r * t->in_tap_h_step;
    const int8_t *w = weights + r * t->w_tap_h_step;
    for (size_t s = t->taps_w; s > 0; --s) {
      a0 = vaddq_s32(a0,
                     vmulq_s32(vsubq_n_s32(vldrbq_s32(x), zp), vldrbq_s32(w)));
      a1 = vaddq_s32(
          a1, vmulq_s32(vsubq_n_s32(vldrbq_s32(x + 4), zp), vldrbq_s32(w + 4)));
      a2 = vaddq_s32(
          a2, vmulq_s32(vsubq_n_s32(vldrbq_s32(x + 8), zp), vldrbq_s32(w + 8)));
      a3 = vaddq_s32(a3, vmulq_s32(vsubq_n_s32(vldrbq_s32(x + 12), zp),
                                   vldrbq_s32(w + 12)));
      x += t->in_tap_w_step;
      w += t->w_tap_w_step;
    }
  }
  vstrwq_s32(acc, a0);
  vstrwq_s32(acc + 4, a1);
  vstrwq_s32(acc + 8, a2);
  vstrwq_s32(acc + 12, a3);
}

// The kernel serves the table's Cb only (t->cb == kChannelBlock).
void depthwise_i8__helium(const small_window_tile_i8 *t) {
  int32_t acc[kChannelBlock];
  for (size_t j = 0; j < t->width; ++j) {
    dot_pixel(t, j, acc);
    requantize_pixel(t, t->out + j * t->out_pixel_step, acc,
                     j * t->bias_pixel_step);
  }
}

} // namespace

small_window_i8_fn select_depthwise_i8__helium(const small_window_shape *) {
  return depthwise_i8__helium;
}

} // namespace small::helium
