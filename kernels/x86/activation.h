// The fused epilogue of the x86 kernels, written once over the vector traits
// of an ISA folder (avx2/vec.h, avx512/vec.h: `V::type` and its operations).
// Header-only: each ISA folder instantiates it with its own compiler flags.
#ifndef SMALL_KERNELS_X86_ACTIVATION_H
#define SMALL_KERNELS_X86_ACTIVATION_H

#include "inline_activation.h"
#include "kernel_contract.h"

namespace small::x86 {

// exp(x) per lane: 2^n * e^r with n = round(x / ln2), |r| <= ln2 / 2, e^r by
// a degree-6 polynomial (relative error ~2e-7 over the range).
template <class V> inline typename V::type exp(typename V::type x) {
  x = V::min(V::max(x, V::set1(-87.3f)), V::set1(88.3f));
  const auto n = V::round(V::mul(x, V::set1(1.44269504089f)));
  // r = x - n * ln2, with ln2 split in two for accuracy.
  auto r = V::fnmadd(n, V::set1(0.693359375f), x);
  r = V::fnmadd(n, V::set1(-2.12194440e-4f), r);
  auto p = V::set1(1.0f / 720.0f);
  p = V::fmadd(p, r, V::set1(1.0f / 120.0f));
  p = V::fmadd(p, r, V::set1(1.0f / 24.0f));
  p = V::fmadd(p, r, V::set1(1.0f / 6.0f));
  p = V::fmadd(p, r, V::set1(0.5f));
  p = V::fmadd(p, r, V::set1(1.0f));
  p = V::fmadd(p, r, V::set1(1.0f));
  return V::scale_by_pow2(p, n);
}

// The activations no convolution of the MLPerf Tiny models fuses (leaky
// ReLU, sigmoid, the hard ones), out of line: inlined into every tile's
// store loop, their code made GCC stop inlining activate() itself in the
// AVX2 depthwise tiles (an out-of-line call per stored vector: 3% of
// MobileNet's instructions), and forcing that inline slowed the AVX-512
// tiles (DS-CNN 5%).
template <class V>
[[gnu::noinline]] typename V::type activate_other(typename V::type x,
                                                  const small_act_params &a) {
  switch (a.op) {
  case SMALL_ACT_OP_LEAKY:
    return V::leaky(x, a.alpha);
  case SMALL_ACT_OP_SIGMOID: {
    const auto e = exp<V>(V::sub(V::zero(), x));
    return V::div(V::set1(1.0f), V::add(V::set1(1.0f), e));
  }
  case SMALL_ACT_OP_HARD_SWISH: {
    const auto r6 =
        V::min(V::max(V::add(x, V::set1(3.0f)), V::zero()), V::set1(6.0f));
    return V::div(V::mul(x, r6), V::set1(6.0f));
  }
  case SMALL_ACT_OP_HARD_SIGMOID:
    return V::min(
        V::max(V::fmadd(x, V::set1(a.alpha), V::set1(a.beta)), V::zero()),
        V::set1(1.0f));
  default:
    return x;
  }
}

// act(x): none and clip (ReLU, ReLU6) inline, the others out of line.
template <class V>
[[gnu::always_inline]] inline typename V::type
activate(typename V::type x, const small_act_params &a) {
  if (a.op == SMALL_ACT_OP_CLIP) {
    return V::min(V::max(x, V::set1(a.lo)), V::set1(a.hi));
  }
  return a.op == SMALL_ACT_OP_NONE ? x : activate_other<V>(x, a);
}

// Calls body(act) once with act(x) the tile's activation as a functor:
// clip (ReLU, ReLU6) and none inline, with their bounds in registers, the
// others out of line. A tile that picks its activation once this way keeps
// its sums in registers: testing t->act before every store (it may alias
// the output, so it is reloaded each time) made GCC spill the accumulators
// around the out-of-line call's branch, in the main loop.
template <class V, class Body>
[[gnu::always_inline]] inline void with_activation(const small_act_params &a,
                                                   Body &&body) {
  if (!with_inline_activation<V>(a, body)) {
    const small_act_params copy = a;
    body([copy](typename V::type x) { return activate_other<V>(x, copy); });
  }
}

} // namespace small::x86

#endif
