// The sum of the weights a convolution tile multiplied, per output lane of
// each of its OB output blocks, from the per-tap sums the layer computed
// when it was prepared (small_window_tile_i8::weight_sums): taps_h x taps_w
// vector additions per block instead of a second pass over every weight
// vector. The VNNI tiles need it for their input offset (u8 = x + 128).
#ifndef SMALL_KERNELS_X86_CONV_I8_WEIGHT_SUMS_H
#define SMALL_KERNELS_X86_CONV_I8_WEIGHT_SUMS_H

#include <cstddef>

#include "kernel_contract.h"

namespace small::x86 {

template <class V, int OB>
inline void tap_weight_sums(const small_window_tile_i8 *t,
                            typename V::type (&sums)[OB]) {
#pragma GCC unroll 2
  for (int k = 0; k < OB; ++k) {
    sums[k] = V::set1(0);
  }
  for (size_t r = 0; r < t->taps_h; ++r) {
    const int32_t *row = t->weight_sums + r * t->ws_tap_h_step;
    for (size_t s = 0; s < t->taps_w; ++s) {
#pragma GCC unroll 2
      for (int k = 0; k < OB; ++k) {
        sums[k] = V::add(sums[k], V::load(row + s * t->ws_tap_w_step +
                                          k * t->ws_out_block_step));
      }
    }
  }
}

} // namespace small::x86

#endif
