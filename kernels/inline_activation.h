// The activations every fused epilogue keeps inline, written once over an
// ISA's vector traits (`V::type`, set1, min, max): clip (ReLU, ReLU6) with
// its bounds in registers, and none. x86/activation.h adds the others out
// of line; the whole-row depthwise tiles (depthwise_rows.h) take only these.
#ifndef SMALL_KERNELS_INLINE_ACTIVATION_H
#define SMALL_KERNELS_INLINE_ACTIVATION_H

#include "kernel_contract.h"

namespace small {

// Calls body(act) once, act(x) the tile's activation as a functor, and
// returns true when it is clip or none; returns false (body not called)
// for the others.
template <class V, class Body>
[[gnu::always_inline]] inline bool
with_inline_activation(const small_act_params &a, Body &&body) {
  using T = typename V::type;
  if (a.op == SMALL_ACT_OP_CLIP) {
    const T lo = V::set1(a.lo), hi = V::set1(a.hi);
    body([lo, hi](T x) { return V::min(V::max(x, lo), hi); });
    return true;
  }
  if (a.op == SMALL_ACT_OP_NONE) {
    body([](T x) { return x; });
    return true;
  }
  return false;
}

} // namespace small

#endif
