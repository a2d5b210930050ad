// An x86 ISA's kernel table: the scalar table at Cb = 16 with the x86
// templates instantiated for the ISA's vector in the pooling and
// element-wise slots and the ISA's own convolution and depthwise selectors
// (softmax stays scalar: it runs once per network on a handful of classes).
#ifndef SMALL_KERNELS_X86_TABLE_H
#define SMALL_KERNELS_X86_TABLE_H

#include <cstddef>

#include "kernel_contract.h"
#include "x86/elementwise.h"
#include "x86/elementwise_i8.h"
#include "x86/pool.h"
#include "x86/pool_i8.h"
#include "x86/requant_i8.h"

namespace small::x86 {

template <class V, bool MAX>
small_window_fn select_pool(const small_window_shape *) {
  return pool<V, 16, MAX>;
}

template <class V>
small_kernel_table
table(const char *isa, size_t conv_max_width, size_t conv_max_out_blocks,
      small_window_select_fn conv, small_window_select_fn depthwise) {
  small_kernel_table t = small_kernels_scalar(16);
  t.isa = isa;
  t.conv_max_width = conv_max_width;
  t.conv_max_out_blocks = conv_max_out_blocks;
  t.window_max_width = 64;
  // A pixel of one block in a float depthwise tile across blocks costs about
  // 0.4 of a call of a block's tiles (the bounds from MobileNet's layers on
  // a Zen 5: above 0.33 its 6x6 layers take a block's tiles, AVX2 2.1 ->
  // 1.45 us; below 0.55 the 6x6 -> 3x3 and 3x3 ones stay across blocks).
  t.depthwise_across_block_percent = 40;
  t.conv = conv;
  t.conv_residual = 1; // conv_tile's epilogue (x86/conv_tile.h)
  t.depthwise = depthwise;
  t.max_pool = select_pool<V, true>;
  t.avg_pool = select_pool<V, false>;
  t.activation = activation<V>;
  t.add = add<V>;
  return t;
}

// The ISA's int8 kernels in an x86 table: its window selectors (its
// convolution wants the weights grouped by conv_i8_k_group,
// kernel_contract.h), the average pooling and element-wise templates over
// its int32 vector VI, and the per-layer requantization constants.
template <class VI>
small_kernel_table
with_int8(small_kernel_table t, small_window_i8_select_fn conv_i8,
          size_t conv_i8_k_group, small_window_i8_select_fn depthwise_i8) {
  t.conv_i8 = conv_i8;
  t.conv_i8_k_group = conv_i8_k_group;
  t.depthwise_i8 = depthwise_i8;
  t.avg_pool_i8 = select_avg_pool_i8<VI>;
  t.add_i8 = add_i8<VI>;
  t.requant_i8 = requant_i8<VI>;
  // The convolution and depthwise tiles read their channels' requantization
  // constants prepared per layer where the traits want them (requant_i8.h).
  if constexpr (kPreparedRequant<VI>) {
    t.requant_i8_bytes = sizeof(PreparedRequant<VI>);
    t.prepare_requant_i8 = prepare_requant_i8<VI>;
  }
  return t;
}

} // namespace small::x86

#endif
