// Scalar int8 convolution and depthwise tiles: int32 sums of (x - zp) * w,
// plus bias, requantized per output lane and clamped. The reference every
// int8 SIMD tile must match bit for bit.
#include <cstddef>
#include <cstdint>

#include "fixed_point.h"
#include "kernel_contract.h"
#include "scalar_kernels.h"

namespace small::scalar {

namespace {
int8_t requantize(const small_window_tile_i8 *t, int32_t acc, size_t channel) {
  const int32_t scaled = fixed::multiply_by_quantized_multiplier(
      acc, t->multiplier[channel], t->shift[channel], t->single_rounding != 0);
  return static_cast<int8_t>(fixed::clamp(
      fixed::wrapping_add(scaled, t->out_zero_point), t->act_min, t->act_max));
}
} // namespace

void conv_i8__scalar(const small_window_tile_i8 *t) {
  const size_t cb = t->cb;
  for (size_t k = 0; k < t->out_blocks; ++k) {
    const int8_t *weights = t->weights + k * t->w_out_block_step;
    int8_t *out = t->out + k * t->out_block_step;
    for (size_t j = 0; j < t->width; ++j) {
      for (size_t o = 0; o < cb; ++o) {
        int32_t acc = t->bias[k * cb + o];
        for (size_t b = 0; b < t->in_blocks; ++b) {
          const size_t lanes =
              b + 1 == t->in_blocks ? t->in_last_channels : t->in_lanes;
          for (size_t r = 0; r < t->taps_h; ++r) {
            for (size_t s = 0; s < t->taps_w; ++s) {
              const int8_t *in = t->in + b * t->in_block_step +
                                 r * t->in_tap_h_step + s * t->in_tap_w_step +
                                 j * t->in_pixel_step;
              const int8_t *w = weights + b * t->w_block_step +
                                r * t->w_tap_h_step + s * t->w_tap_w_step;
              for (size_t i = 0; i < lanes; ++i) {
                acc += (in[i] - t->in_zero_point) * w[i * cb + o];
              }
            }
          }
        }
        out[j * t->out_pixel_step + o] = requantize(t, acc, k * cb + o);
      }
    }
  }
}

void depthwise_i8__scalar(const small_window_tile_i8 *t) {
  const size_t cb = t->cb;
  for (size_t j = 0; j < t->width; ++j) {
    const int8_t *weights = t->weights + j * t->w_pixel_step;
    for (size_t l = 0; l < cb; ++l) {
      const size_t channel = j * t->bias_pixel_step + l;
      int32_t acc = t->bias[channel];
      for (size_t r = 0; r < t->taps_h; ++r) {
        for (size_t s = 0; s < t->taps_w; ++s) {
          const int32_t x = t->in[r * t->in_tap_h_step + s * t->in_tap_w_step +
                                  j * t->in_pixel_step + l];
          acc += (x - t->in_zero_point) *
                 weights[r * t->w_tap_h_step + s * t->w_tap_w_step + l];
        }
      }
      t->out[j * t->out_pixel_step + l] = requantize(t, acc, channel);
    }
  }
}

} // namespace small::scalar
