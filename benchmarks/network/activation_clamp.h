// A SMaLL activation as the clamp every peer engine fuses into an op.
#ifndef SMALL_BENCH_ACTIVATION_CLAMP_H
#define SMALL_BENCH_ACTIVATION_CLAMP_H

#include "peer_net.h"
#include "small/small.h"

namespace small_bench {

// false for activations that are not a clamp (sigmoid, leaky ReLU, ...).
inline bool clamp_of(const small_activation &act, PeerClamp *clamp) {
  *clamp = PeerClamp{};
  switch (act.kind) {
  case SMALL_ACT_NONE:
    return true;
  case SMALL_ACT_RELU:
    clamp->lo = 0.0f;
    return true;
  case SMALL_ACT_RELU6:
    clamp->lo = 0.0f;
    clamp->hi = 6.0f;
    return true;
  case SMALL_ACT_CLIP:
    clamp->lo = act.min;
    clamp->hi = act.max;
    return true;
  default:
    return false;
  }
}

} // namespace small_bench

#endif
