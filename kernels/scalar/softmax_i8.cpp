// Scalar int8 softmax over channels, as TFLite Micro computes it: the
// differences to the row's maximum, scaled to Q5.26, through gemmlowp's
// fixed-point exp; their sum in Q12.19; one fixed-point reciprocal; each
// output rounded to 8 bits (scale 1/256, zero point -128).
#include <cstddef>
#include <cstdint>

#include "fixed_point.h"
#include "fixed_point_exp.h"
#include "kernel_contract.h"
#include "scalar_kernels.h"

namespace small::scalar {

void softmax_i8__scalar(const int8_t *in, int8_t *out, size_t pixels,
                        size_t channels, size_t block_step, size_t cb,
                        const small_softmax_i8_params *p) {
  constexpr int kAccumulationIntegerBits = 12;
  const bool single = p->single_rounding != 0;
  const size_t blocks = (channels + cb - 1) / cb;
  auto at = [&](size_t px, size_t c) {
    return (c / cb) * block_step + px * cb + c % cb;
  };
  // exp(beta * scale * d) in Q0 for a difference d >= diff_min.
  auto exp_of = [&](int32_t diff) {
    return fixed::exp_on_negative_values_q5(
        fixed::multiply_by_quantized_multiplier_greater_than_one(
            diff, p->input_multiplier, p->input_left_shift, single));
  };
  for (size_t px = 0; px < pixels; ++px) {
    int32_t max_value = in[at(px, 0)];
    for (size_t c = 1; c < channels; ++c) {
      max_value = in[at(px, c)] > max_value ? in[at(px, c)] : max_value;
    }
    int32_t sum = 0; // Q12
    for (size_t c = 0; c < channels; ++c) {
      const int32_t diff = in[at(px, c)] - max_value;
      if (diff >= p->diff_min) {
        sum = fixed::wrapping_add(
            sum, fixed::rounding_divide_by_pot(exp_of(diff),
                                               kAccumulationIntegerBits));
      }
    }
    int bits_over_unit = 0;
    const int32_t scale =
        fixed::reciprocal(sum, kAccumulationIntegerBits, &bits_over_unit);
    for (size_t c = 0; c < channels; ++c) {
      const int32_t diff = in[at(px, c)] - max_value;
      int32_t y = -128;
      if (diff >= p->diff_min) {
        const int32_t unsaturated = fixed::rounding_divide_by_pot(
            fixed::saturating_rounding_doubling_high_mul(scale, exp_of(diff)),
            bits_over_unit + 31 - 8);
        y = fixed::clamp(unsaturated - 128, -128, 127);
      }
      out[at(px, c)] = static_cast<int8_t>(y);
    }
    for (size_t c = channels; c < blocks * cb; ++c) {
      out[at(px, c)] = -128;
    }
  }
}

} // namespace small::scalar
