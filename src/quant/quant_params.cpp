#include "quant/quant_params.h"

#include <cmath>

#include "layers/activation_params.h"
#include "util/error.h"

namespace small {

small_status check_quant(const small_quant &q, const std::string &what) {
  if (!std::isfinite(q.scale) || !(q.scale > 0.0f)) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << what << ": scale must be finite and > 0, got "
           << FloatText{q.scale};
  }
  if (q.zero_point < -128 || q.zero_point > 127) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << what << ": zero point must be in [-128, 127], got "
           << q.zero_point;
  }
  return SMALL_OK;
}

QuantizedMultiplier quantize_multiplier(double m, bool single_rounding) {
  QuantizedMultiplier q;
  if (m == 0.0) {
    return q;
  }
  int exponent = 0;
  const double fraction = std::frexp(m, &exponent); // m = fraction * 2^e
  int64_t fixed = static_cast<int64_t>(std::round(fraction * 2147483648.0));
  if (fixed == (int64_t{1} << 31)) { // the fraction rounded up to 1
    fixed /= 2;
    ++exponent;
  }
  if (exponent < -31) { // every bit would be shifted out: flush to zero
    exponent = 0;
    fixed = 0;
  }
  if (single_rounding && exponent > 30) { // beyond the single shift's range
    exponent = 30;
    fixed = (int64_t{1} << 31) - 1;
  }
  q.multiplier = static_cast<int32_t>(fixed);
  q.shift = exponent;
  return q;
}

namespace {
// zero point + round(x / scale), the division in float as TFLite does it,
// clamped to int8 (infinite bounds are the int8 limits).
int32_t quantize_bound(float x, const small_quant &q) {
  const float steps = std::round(x / q.scale);
  if (!(steps > -1024.0f)) {
    return -128;
  }
  if (!(steps < 1024.0f)) {
    return 127;
  }
  const int32_t v = q.zero_point + static_cast<int32_t>(steps);
  return v < -128 ? -128 : (v > 127 ? 127 : v);
}
} // namespace

small_status int8_activation_range(const small_activation &a,
                                   const small_quant &out,
                                   const std::string &where,
                                   small_act_params &lowered,
                                   Int8Range &range) {
  SMALL_TRY(lower_activation(a, where, lowered));
  range = Int8Range{};
  if (lowered.op == SMALL_ACT_OP_NONE) {
    return SMALL_OK;
  }
  if (lowered.op != SMALL_ACT_OP_CLIP) {
    return fail(SMALL_ERR_UNSUPPORTED)
           << where
           << ": an int8 layer fuses only NONE, RELU, RELU6 or CLIP "
              "(TFLite's quantized clamps)";
  }
  range.lo = quantize_bound(lowered.lo, out);
  range.hi = quantize_bound(lowered.hi, out);
  return SMALL_OK;
}

int8_t quantize_value(float x, const small_quant &q) {
  if (std::isnan(x)) {
    return static_cast<int8_t>(q.zero_point);
  }
  const double steps = std::round(static_cast<double>(x) / q.scale);
  if (!(steps > -1024.0)) {
    return -128;
  }
  if (!(steps < 1024.0)) {
    return 127;
  }
  const int32_t v = q.zero_point + static_cast<int32_t>(steps);
  return static_cast<int8_t>(v < -128 ? -128 : (v > 127 ? 127 : v));
}

} // namespace small
