// Scalar convolution tile: the reference every SIMD convolution must match.
#include <cstddef>

#include "activation.h"
#include "kernel_contract.h"
#include "scalar_kernels.h"

namespace small::scalar {

void conv_f32__scalar(const small_window_tile *t) {
  const size_t cb = t->cb;
  for (size_t k = 0; k < t->out_blocks; ++k) {
    const float *weights = t->weights + k * t->w_out_block_step;
    for (size_t j = 0; j < t->width; ++j) {
      for (size_t o = 0; o < cb; ++o) {
        float acc = t->bias[k * cb + o];
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
              for (size_t i = 0; i < lanes; ++i) {
                acc += in[i] * w[i * cb + o];
              }
            }
          }
        }
        const size_t at = k * t->out_block_step + j * t->out_pixel_step + o;
        if (t->residual != nullptr) {
          acc += t->residual[at];
        }
        t->out[at] = apply_activation(acc, t->act);
      }
    }
  }
}

} // namespace small::scalar
