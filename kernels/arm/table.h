// An ARM NEON ISA's kernel table: the scalar table at Cb = 4 * Q with the
// shared NEON pooling and element-wise kernels (arm/neon_tiles.h) and the
// ISA's own convolution and depthwise selectors (softmax stays scalar).
#ifndef SMALL_KERNELS_ARM_TABLE_H
#define SMALL_KERNELS_ARM_TABLE_H

#include <cstddef>

#include "arm/elementwise_i8.h"
#include "arm/neon_tiles.h"
#include "kernel_contract.h"

namespace small::arm {

template <bool MAX, int Q>
small_window_fn select_pool(const small_window_shape *) {
  return pool<MAX, Q>;
}

template <int Q>
small_kernel_table table(const char *isa, size_t conv_max_width,
                         small_window_select_fn conv,
                         small_window_select_fn depthwise) {
  small_kernel_table t = small_kernels_scalar(4 * Q);
  t.isa = isa;
  t.conv_max_width = conv_max_width;
  t.window_max_width = 64;
  t.conv = conv;
  t.conv_residual = 1; // their RES variants (neon_tiles.h)
  t.depthwise = depthwise;
  t.max_pool = select_pool<true, Q>;
  t.avg_pool = select_pool<false, Q>;
  t.activation = activation;
  t.add = add;
  return t;
}

// The ISA's int8 kernels in an ARM table: its convolution and depthwise
// selectors (the convolution wants the weights grouped by conv_i8_k_group,
// kernel_contract.h) and the shared NEON element-wise int8 kernels. Average
// and max pooling stay scalar: one small layer at the end of the MLPerf Tiny
// models, and NEON has no integer division for the average's rounding.
inline small_kernel_table with_int8(small_kernel_table t,
                                    small_window_i8_select_fn conv_i8,
                                    size_t conv_i8_k_group,
                                    small_window_i8_select_fn depthwise_i8) {
  t.conv_i8 = conv_i8;
  t.conv_i8_k_group = conv_i8_k_group;
  t.depthwise_i8 = depthwise_i8;
  t.add_i8 = add_i8;
  t.requant_i8 = requant_i8;
  return t;
}

// The whole-row float depthwise tiles (depthwise_rows.h) in an ARM table,
// taken across channel blocks only where they cost less than a block's
// ordinary tiles, priced as on x86 (40%: an ISA's measurements at its
// table).
inline small_kernel_table with_whole_rows(small_kernel_table t,
                                          small_window_select_fn rows) {
  t.depthwise_rows = rows;
  t.depthwise_across_block_percent = 40;
  return t;
}

} // namespace small::arm

#endif
