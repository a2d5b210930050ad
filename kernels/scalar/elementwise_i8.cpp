// Scalar int8 element-wise kernels: TFLite's ADD and the int8 -> int8
// requantization of QUANTIZE.
#include <cstddef>
#include <cstdint>

#include "fixed_point.h"
#include "kernel_contract.h"
#include "scalar_kernels.h"

namespace small::scalar {

void add_i8__scalar(const int8_t *a, const int8_t *b, int8_t *out, size_t count,
                    const small_add_i8_params *p) {
  const bool single = p->single_rounding != 0;
  for (size_t i = 0; i < count; ++i) {
    // Both inputs at a common scale with left_shift bits of headroom.
    const int32_t sa = fixed::multiply_by_quantized_multiplier(
        (a[i] - p->a_zero_point) * (int32_t{1} << p->left_shift),
        p->a_multiplier, p->a_shift, single);
    const int32_t sb = fixed::multiply_by_quantized_multiplier(
        (b[i] - p->b_zero_point) * (int32_t{1} << p->left_shift),
        p->b_multiplier, p->b_shift, single);
    const int32_t sum = fixed::multiply_by_quantized_multiplier(
        sa + sb, p->out_multiplier, p->out_shift, single);
    out[i] = static_cast<int8_t>(
        fixed::clamp(sum + p->out_zero_point, p->act_min, p->act_max));
  }
}

void requant_i8__scalar(const int8_t *in, int8_t *out, size_t count,
                        const small_requant_i8_params *p) {
  const bool single = p->single_rounding != 0;
  for (size_t i = 0; i < count; ++i) {
    const int32_t scaled = fixed::multiply_by_quantized_multiplier(
        in[i] - p->in_zero_point, p->multiplier, p->shift, single);
    out[i] = static_cast<int8_t>(
        fixed::clamp(scaled + p->out_zero_point, -128, 127));
  }
}

} // namespace small::scalar
