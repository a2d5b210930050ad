#include "layers/activation_params.h"

#include <cmath>
#include <limits>

#include "util/error.h"

namespace small {

small_status lower_activation(const small_activation &a,
                              const std::string &where,
                              small_act_params &lowered) {
  small_act_params p{};
  p.op = SMALL_ACT_OP_NONE;
  const float inf = std::numeric_limits<float>::infinity();
  const int kind = enum_value(a.kind);
  switch (kind) {
  case SMALL_ACT_NONE:
    break;
  case SMALL_ACT_RELU:
    p = {SMALL_ACT_OP_CLIP, 0.0f, 0.0f, 0.0f, inf};
    break;
  case SMALL_ACT_RELU6:
    p = {SMALL_ACT_OP_CLIP, 0.0f, 0.0f, 0.0f, 6.0f};
    break;
  case SMALL_ACT_LEAKY_RELU:
    if (!std::isfinite(a.alpha)) {
      return fail(SMALL_ERR_INVALID_ARGUMENT)
             << where << ": LeakyReLU alpha must be finite";
    }
    p = {SMALL_ACT_OP_LEAKY, a.alpha, 0.0f, 0.0f, 0.0f};
    break;
  case SMALL_ACT_CLIP:
    // min > max is allowed: min(max(x, min), max) makes every value max,
    // as PyTorch's clamp and numpy's clip do.
    if (std::isnan(a.min) || std::isnan(a.max)) {
      return fail(SMALL_ERR_INVALID_ARGUMENT)
             << where << ": Clip bounds must not be NaN (got min "
             << FloatText{a.min} << ", max " << FloatText{a.max} << ")";
    }
    p = {SMALL_ACT_OP_CLIP, 0.0f, 0.0f, a.min, a.max};
    break;
  case SMALL_ACT_SIGMOID:
    p.op = SMALL_ACT_OP_SIGMOID;
    break;
  case SMALL_ACT_HARD_SWISH:
    p.op = SMALL_ACT_OP_HARD_SWISH;
    break;
  case SMALL_ACT_HARD_SIGMOID:
    if (!std::isfinite(a.alpha) || !std::isfinite(a.beta)) {
      return fail(SMALL_ERR_INVALID_ARGUMENT)
             << where << ": HardSigmoid alpha and beta must be finite";
    }
    p = {SMALL_ACT_OP_HARD_SIGMOID, a.alpha, a.beta, 0.0f, 0.0f};
    break;
  default:
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << where << ": unknown activation kind " << kind;
  }
  lowered = p;
  return SMALL_OK;
}

small_activation_kind public_activation_kind(const small_act_params &p) {
  switch (p.op) {
  case SMALL_ACT_OP_NONE:
    return SMALL_ACT_NONE;
  case SMALL_ACT_OP_CLIP:
    if (p.lo == 0.0f && p.hi == std::numeric_limits<float>::infinity()) {
      return SMALL_ACT_RELU;
    }
    if (p.lo == 0.0f && p.hi == 6.0f) {
      return SMALL_ACT_RELU6;
    }
    return SMALL_ACT_CLIP;
  case SMALL_ACT_OP_LEAKY:
    return SMALL_ACT_LEAKY_RELU;
  case SMALL_ACT_OP_SIGMOID:
    return SMALL_ACT_SIGMOID;
  case SMALL_ACT_OP_HARD_SWISH:
    return SMALL_ACT_HARD_SWISH;
  case SMALL_ACT_OP_HARD_SIGMOID:
    return SMALL_ACT_HARD_SIGMOID;
  }
  return SMALL_ACT_NONE;
}

} // namespace small
