// The output of an int8 average pooling window once its sum is taken, shared
// by the Cortex-M kernel folders, whose window sums run in 16-bit lanes: the
// scalar kernel's requantization and division (fixed_point.h), bit for bit.
#ifndef SMALL_KERNELS_CORTEX_M_AVERAGE_I8_H
#define SMALL_KERNELS_CORTEX_M_AVERAGE_I8_H

#include <cstddef>
#include <cstdint>

#include "fixed_point.h"
#include "kernel_contract.h"

namespace small::cortex_m {

// Taps whose int8 sum fits a 16-bit lane: |sum| <= 128 * 255 = 32640.
constexpr size_t kMaxAverageTaps = 255;

// The output byte of a window of `taps` inputs whose raw int8 sum is `raw`
// (the input zero point not yet subtracted).
inline int8_t average_output(const small_window_tile_i8 *t, size_t taps,
                             int32_t raw) {
  const int32_t sum = raw - static_cast<int32_t>(taps) * t->in_zero_point;
  const int32_t scaled = fixed::multiply_by_quantized_multiplier(
      sum, t->multiplier[0], t->shift[0], t->single_rounding != 0);
  const int32_t mean = fixed::rounding_divide(scaled, t->divisor);
  return static_cast<int8_t>(
      fixed::clamp(mean + t->out_zero_point, t->act_min, t->act_max));
}

} // namespace small::cortex_m

#endif
