// Helium int8 convolution of a planar input (in_lanes == 1: the network's
// first layer on an RGB or one-channel image), bit for bit the scalar
// kernel's result.
//
// A planar pixel has one lane, so there is nothing to reduce across lanes;
// instead each tap's input value (x - zp) multiplies the tap's 16 output
// weights, loaded widened to int32 four at a time (VLDRB.S32), with VMLA
// (vector by scalar) into 4 vectors of int32 sums: per tap and pixel 4 loads,
// 4 VMLA and the scalar load, for 16 multiply-accumulates.
#include <arm_mve.h>
#include <cstddef>
#include <cstdint>

#include "kernel_contract.h"
#include "kernels.h"
#include "requant_mve.h"

namespace small::helium {

namespace {

// The Cb sums of pixel j of output block k into acc.
void dot_pixel(const small_window_tile_i8 *t, size_t k, size_t j,
               int32_t *acc) {
  const int8_t *in = t->in + j * t->in_pixel_step;
  const int8_t *weights = t->weights + k * t->w_out_block_step;
  const int32_t *bias = t->bias + k * kChannelBlock;
  int32x4_t a0 = vldrwq_s32(bias), a1 = vldrwq_s32(bias + 4);
  int32x4_t a2 = vldrwq_s32(bias + 8), a3 = vldrwq_s32(bias + 12);
  for (size_t b = 0; b < t->in_blocks; ++b) {
    for (size_t r = 0; r < t->taps_h; ++r) {
      const int8_t *x = in + b * t->in_block_step + r * t->in_tap_h_step;
      const int8_t *w = weights + b * t->w_block_step + r * t->w_tap_h_step;
      for (size_t s = t->taps_w; s > 0; --s) {
        const int32_t v = *x - t->in_zero_point;
        a0 = vmlaq_n_s32(a0, vldrbq_s32(w), v);
        a1 = vmlaq_n_s32(a1, vldrbq_s32(w + 4), v);
        a2 = vmlaq_n_s32(a2, vldrbq_s32(w + 8), v);
        a3 = vmlaq_n_s32(a3, vldrbq_s32(w + 12), v);
        x += t->in_tap_w_step;
        w += t->w_tap_w_step;
      }
    }
  }
  vstrwq_s32(acc, a0);
  vstrwq_s32(acc + 4, a1);
  vstrwq_s32(acc + 8, a2);
  vstrwq_s32(acc + 12, a3);
}

// The kernel serves the table's Cb only (t->cb == kChannelBlock).
void conv_i8_planar__helium(const small_window_tile_i8 *t) {
  int32_t acc[kChannelBlock];
  for (size_t k = 0; k < t->out_blocks; ++k) {
    const size_t channel = k * kChannelBlock;
    const bool right =
        t->single_rounding == 0 && right_shifts_only(t, channel, kChannelBlock);
    for (size_t j = 0; j < t->width; ++j) {
      dot_pixel(t, k, j, acc);
      int8_t *out = t->out + k * t->out_block_step + j * t->out_pixel_step;
      if (right) {
        requantize_pixel<true>(t, out, acc, channel);
      } else {
        requantize_pixel<false>(t, out, acc, channel);
      }
    }
  }
}

} // namespace

small_window_i8_fn select_conv_i8_planar__helium(const small_window_shape *) {
  return conv_i8_planar__helium;
}

} // namespace small::helium
