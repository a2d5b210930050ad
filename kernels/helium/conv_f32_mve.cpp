// Helium fp32 convolution, within rounding of the scalar kernel (the sums
// run in the same order, fused multiply-adds round once per term).
//
// One pixel's 16 output lanes are 4 vectors of sums; each input lane is a
// scalar that multiplies its row of 16 weights (VFMA by scalar): per input
// lane 4 weight loads, 4 VFMA and the scalar load, for 16
// multiply-accumulates. Two pixels would need 8 vectors of sums, all of
// MVE's registers, leaving none for the weights. Only the valid lanes of
// the last input block are read (its pad lanes may hold anything).
#include <arm_mve.h>
#include <cstddef>

#include "activation_mve.h"
#include "kernel_contract.h"
#include "kernels.h"

namespace small::helium {

namespace {

// The kernel serves the table's Cb only (t->cb == kChannelBlock).
void conv_f32__helium(const small_window_tile *t) {
  for (size_t k = 0; k < t->out_blocks; ++k) {
    const float *weights = t->weights + k * t->w_out_block_step;
    const float *bias = t->bias + k * kChannelBlock;
    for (size_t j = 0; j < t->width; ++j) {
      float32x4_t a0 = vldrwq_f32(bias), a1 = vldrwq_f32(bias + 4);
      float32x4_t a2 = vldrwq_f32(bias + 8), a3 = vldrwq_f32(bias + 12);
      for (size_t b = 0; b < t->in_blocks; ++b) {
        const size_t lanes =
            b + 1 == t->in_blocks ? t->in_last_channels : t->in_lanes;
        for (size_t r = 0; r < t->taps_h; ++r) {
          for (size_t s = 0; s < t->taps_w; ++s) {
            const float *in = t->in + b * t->in_block_step +
                              r * t->in_tap_h_step + s * t->in_tap_w_step +
                              j * t->in_pixel_step;
            const float *w = weights + b * t->w_block_step +
                             r * t->w_tap_h_step + s * t->w_tap_w_step;
            for (size_t i = 0; i < lanes; ++i, w += kChannelBlock) {
              const float x = in[i];
              a0 = vfmaq_n_f32(a0, vldrwq_f32(w), x);
              a1 = vfmaq_n_f32(a1, vldrwq_f32(w + 4), x);
              a2 = vfmaq_n_f32(a2, vldrwq_f32(w + 8), x);
              a3 = vfmaq_n_f32(a3, vldrwq_f32(w + 12), x);
            }
          }
        }
      }
      const size_t at = k * t->out_block_step + j * t->out_pixel_step;
      if (t->residual != nullptr) {
        // A folded residual Add: the Add layer's own additions.
        const float *r = t->residual + at;
        a0 = vaddq_f32(a0, vldrwq_f32(r));
        a1 = vaddq_f32(a1, vldrwq_f32(r + 4));
        a2 = vaddq_f32(a2, vldrwq_f32(r + 8));
        a3 = vaddq_f32(a3, vldrwq_f32(r + 12));
      }
      store_activated(t->out + at, a0, a1, a2, a3, t->act);
    }
  }
}

} // namespace

small_window_fn select_conv_f32__helium(const small_window_shape *) {
  return conv_f32__helium;
}

} // namespace small::helium
