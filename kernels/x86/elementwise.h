// x86 element-wise kernels over an ISA's vector traits: one vector per step,
// and the tail through a masked load/store instead of a scalar loop.
#ifndef SMALL_KERNELS_X86_ELEMENTWISE_H
#define SMALL_KERNELS_X86_ELEMENTWISE_H

#include <cstddef>

#include "kernel_contract.h"
#include "x86/activation.h"

namespace small::x86 {

template <class V>
void activation(const float *in, float *out, size_t count,
                const small_act_params *act) {
  constexpr size_t L = V::kLanes;
  size_t i = 0;
  for (; i + L <= count; i += L) {
    V::store(out + i, activate<V>(V::load(in + i), *act));
  }
  if (i < count) {
    const auto m = V::tail_mask(count - i);
    V::store(out + i, m, activate<V>(V::load(in + i, m), *act));
  }
}

template <class V>
void add(const float *a, const float *b, float *out, size_t count,
         const small_act_params *act) {
  constexpr size_t L = V::kLanes;
  size_t i = 0;
  for (; i + L <= count; i += L) {
    const auto s = V::add(V::load(a + i), V::load(b + i));
    V::store(out + i, activate<V>(s, *act));
  }
  if (i < count) {
    const auto m = V::tail_mask(count - i);
    const auto s = V::add(V::load(a + i, m), V::load(b + i, m));
    V::store(out + i, m, activate<V>(s, *act));
  }
}

} // namespace small::x86

#endif
