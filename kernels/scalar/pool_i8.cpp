// Scalar int8 pooling tiles. Max: the largest tap, clamped. Average: the sum
// of (x - in_zp), requantized by multiplier[0]/shift[0], divided by the
// tile's divisor rounding half away from zero, plus out_zp, clamped (average
// pooling proper passes zero points 0 and the identity multiplier; the mean
// over H x W passes its own).
#include <cstddef>
#include <cstdint>

#include "fixed_point.h"
#include "kernel_contract.h"
#include "scalar_kernels.h"

namespace small::scalar {

namespace {
const int8_t *tap(const small_window_tile_i8 *t, size_t j, size_t r, size_t s) {
  return t->in + r * t->in_tap_h_step + s * t->in_tap_w_step +
         j * t->in_pixel_step;
}
} // namespace

void max_pool_i8__scalar(const small_window_tile_i8 *t) {
  for (size_t j = 0; j < t->width; ++j) {
    for (size_t l = 0; l < t->cb; ++l) {
      int32_t m = tap(t, j, 0, 0)[l];
      for (size_t r = 0; r < t->taps_h; ++r) {
        for (size_t s = 0; s < t->taps_w; ++s) {
          const int32_t x = tap(t, j, r, s)[l];
          m = x > m ? x : m;
        }
      }
      t->out[j * t->out_pixel_step + l] =
          static_cast<int8_t>(fixed::clamp(m, t->act_min, t->act_max));
    }
  }
}

void avg_pool_i8__scalar(const small_window_tile_i8 *t) {
  for (size_t j = 0; j < t->width; ++j) {
    for (size_t l = 0; l < t->cb; ++l) {
      int32_t sum = 0;
      for (size_t r = 0; r < t->taps_h; ++r) {
        for (size_t s = 0; s < t->taps_w; ++s) {
          sum += tap(t, j, r, s)[l] - t->in_zero_point;
        }
      }
      const int32_t scaled = fixed::multiply_by_quantized_multiplier(
          sum, t->multiplier[0], t->shift[0], t->single_rounding != 0);
      const int32_t mean = fixed::rounding_divide(scaled, t->divisor);
      t->out[j * t->out_pixel_step + l] = static_cast<int8_t>(
          fixed::clamp(mean + t->out_zero_point, t->act_min, t->act_max));
    }
  }
}

} // namespace small::scalar
