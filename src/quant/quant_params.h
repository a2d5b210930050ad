// Quantization parameters at build and finalize time: validation of a
// tensor's (scale, zero point), TFLite's QuantizeMultiplier (a real
// multiplier as an int32 fraction and a power of two), the quantized clamp
// of a fused activation, and float <-> int8 conversion of single values.
#ifndef SMALL_QUANT_QUANT_PARAMS_H
#define SMALL_QUANT_QUANT_PARAMS_H

#include <cstdint>
#include <string>

#include "kernel_contract.h"
#include "small/small.h"

namespace small {

// scale finite and > 0, zero point in [-128, 127]; `what` names the tensor.
[[nodiscard]] small_status check_quant(const small_quant &q,
                                       const std::string &what);

// A real multiplier m >= 0 as multiplier * 2^(shift - 31), multiplier in
// [2^30, 2^31) (or 0): TFLite's QuantizeMultiplier, including its edge
// cases (a fraction that rounds up to 2^31, tiny multipliers flushed to
// zero, and in single-rounding mode shifts above 30 saturated).
struct QuantizedMultiplier {
  int32_t multiplier = 0;
  int32_t shift = 0;
};
QuantizedMultiplier quantize_multiplier(double m, bool single_rounding);

// The identity: MultiplyByQuantizedMultiplier(x, 2^30, 1) == x in both
// rounding modes.
constexpr QuantizedMultiplier kIdentityMultiplier{int32_t{1} << 30, 1};

// The int8 clamp [lo, hi] of a fused activation (NONE, RELU, RELU6, CLIP)
// with the output quantization `out`, as TFLite computes it; `lowered`
// receives the float form for layer tables. Other kinds are refused.
struct Int8Range {
  int32_t lo = -128, hi = 127;
};
[[nodiscard]] small_status int8_activation_range(const small_activation &a,
                                                 const small_quant &out,
                                                 const std::string &where,
                                                 small_act_params &lowered,
                                                 Int8Range &range);

// round(x / scale) + zero point, clamped to int8 (TFLite's QUANTIZE of a
// float: the division in double). NaN quantizes to the zero point.
int8_t quantize_value(float x, const small_quant &q);
// scale * (q - zero point) in double, rounded to float (TFLite's
// DEQUANTIZE).
inline float dequantize_value(int8_t v, const small_quant &q) {
  return static_cast<float>(static_cast<double>(q.scale) *
                            (int32_t{v} - q.zero_point));
}

} // namespace small

#endif
