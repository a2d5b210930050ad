// Helium int8 depthwise tile, bit for bit the scalar kernel's result.
//
// Depthwise sums run along the taps of one lane, so the lanes stay apart
// (MVE's integer VMLA multiplies by a scalar, not lane by lane). Per tap,
// 8 lanes of input are loaded widened to int16 (VLDRB.S16) with the input
// zero point subtracted, and 8 lanes of weights likewise; their products
// fit int16 exactly (|x - zp| <= 255, |w| <= 128), and VMULLB / VMULLT widen
// the even and the odd lanes' products to int32: per tap and 16 lanes, 14
// instructions for 16 multiply-accumulates. The sums run as even and odd
// lanes (VLD2 splits the bias that way, VST2 joins the sums again).
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
  // A scalar operand: MVE has 8 vector registers, 4 of them the sums.
  const int16_t zp = static_cast<int16_t>(t->in_zero_point);
  // Lanes 0, 2, .., 6 in e0, 1, 3, .., 7 in o0; 8, 10, .. in e1; 9, .. in o1.
  const int32x4x2_t b0 = vld2q_s32(bias), b1 = vld2q_s32(bias + 8);
  int32x4_t e0 = b0.val[0], o0 = b0.val[1], e1 = b1.val[0], o1 = b1.val[1];
  for (size_t r = 0; r < t->taps_h; ++r) {
    const int8_t *x = in + r * t->in_tap_h_step;
    const int8_t *w = weights + r * t->w_tap_h_step;
    for (size_t s = t->taps_w; s > 0; --s) {
      const int16x8_t x0 = vsubq_n_s16(vldrbq_s16(x), zp);
      const int16x8_t w0 = vldrbq_s16(w);
      e0 = vaddq_s32(e0, vmullbq_int_s16(x0, w0));
      o0 = vaddq_s32(o0, vmulltq_int_s16(x0, w0));
      const int16x8_t x1 = vsubq_n_s16(vldrbq_s16(x + 8), zp);
      const int16x8_t w1 = vldrbq_s16(w + 8);
      e1 = vaddq_s32(e1, vmullbq_int_s16(x1, w1));
      o1 = vaddq_s32(o1, vmulltq_int_s16(x1, w1));
      x += t->in_tap_w_step;
      w += t->w_tap_w_step;
    }
  }
  const int32x4x2_t sums0 = {{e0, o0}}, sums1 = {{e1, o1}};
  vst2q_s32(acc, sums0);
  vst2q_s32(acc + 8, sums1);
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
