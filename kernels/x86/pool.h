// x86 pooling tiles over an ISA's vector traits: a pixel's CB channels are
// CB / V::kLanes vectors; max or sum over the taps the engine clipped to the
// input (average: times the engine's scale).
#ifndef SMALL_KERNELS_X86_POOL_H
#define SMALL_KERNELS_X86_POOL_H

#include <cstddef>

#include "kernel_contract.h"

namespace small::x86 {

template <class V, size_t CB, bool MAX> void pool(const small_window_tile *t) {
  constexpr size_t L = V::kLanes, Q = CB / L;
  for (size_t j = 0; j < t->width; ++j) {
    const float *in = t->in + j * t->in_pixel_step;
    typename V::type acc[Q];
#pragma GCC unroll 4
    for (size_t q = 0; q < Q; ++q) {
      acc[q] = MAX ? V::load(in + q * L) : V::zero();
    }
    for (size_t r = 0; r < t->taps_h; ++r) {
      for (size_t s = 0; s < t->taps_w; ++s) {
        const float *p = in + r * t->in_tap_h_step + s * t->in_tap_w_step;
#pragma GCC unroll 4
        for (size_t q = 0; q < Q; ++q) {
          const auto x = V::load(p + q * L);
          acc[q] = MAX ? V::max(acc[q], x) : V::add(acc[q], x);
        }
      }
    }
#pragma GCC unroll 4
    for (size_t q = 0; q < Q; ++q) {
      if (!MAX) {
        acc[q] = V::mul(acc[q], V::set1(t->scale));
      }
      V::store(t->out + j * t->out_pixel_step + q * L, acc[q]);
    }
  }
}

} // namespace small::x86

#endif
