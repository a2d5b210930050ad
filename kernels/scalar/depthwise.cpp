// Scalar depthwise tile: each lane is its own channel with its own filter.
#include <cstddef>

#include "activation.h"
#include "kernel_contract.h"
#include "scalar_kernels.h"

namespace small::scalar {

void depthwise_f32__scalar(const small_window_tile *t) {
  const size_t cb = t->cb;
  for (size_t j = 0; j < t->width; ++j) {
    const float *weights = t->weights + j * t->w_pixel_step;
    for (size_t l = 0; l < cb; ++l) {
      float acc = t->bias[j * t->bias_pixel_step + l];
      for (size_t r = 0; r < t->taps_h; ++r) {
        for (size_t s = 0; s < t->taps_w; ++s) {
          const float x = t->in[r * t->in_tap_h_step + s * t->in_tap_w_step +
                                j * t->in_pixel_step + l];
          acc += x * weights[r * t->w_tap_h_step + s * t->w_tap_w_step + l];
        }
      }
      t->out[j * t->out_pixel_step + l] = apply_activation(acc, t->act);
    }
  }
}

} // namespace small::scalar
