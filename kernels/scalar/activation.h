// Scalar activation of one value: the definition every kernel must match.
#ifndef SMALL_KERNELS_SCALAR_ACTIVATION_H
#define SMALL_KERNELS_SCALAR_ACTIVATION_H

#include <cmath>

#include "kernel_contract.h"

namespace small::scalar {

inline float apply_activation(float x, const small_act_params &act) {
  switch (act.op) {
  case SMALL_ACT_OP_NONE:
    return x;
  case SMALL_ACT_OP_CLIP:
    return std::fmin(std::fmax(x, act.lo), act.hi);
  case SMALL_ACT_OP_LEAKY:
    return x >= 0.0f ? x : act.alpha * x;
  case SMALL_ACT_OP_SIGMOID:
    return 1.0f / (1.0f + std::exp(-x));
  case SMALL_ACT_OP_HARD_SWISH:
    return x * std::fmin(std::fmax(x + 3.0f, 0.0f), 6.0f) / 6.0f;
  case SMALL_ACT_OP_HARD_SIGMOID:
    return std::fmin(std::fmax(act.alpha * x + act.beta, 0.0f), 1.0f);
  }
  return x;
}

} // namespace small::scalar

#endif
