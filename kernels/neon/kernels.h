// The aarch64 NEON kernels of this folder (Cb = 16): selectors for the window
// families (kernel_contract.h). Pooling and the element-wise kernels are
// the shared ARM ones (arm/table.h).
#ifndef SMALL_KERNELS_NEON_KERNELS_H
#define SMALL_KERNELS_NEON_KERNELS_H

#include "kernel_contract.h"

namespace small::neon {

small_window_fn select_conv_f32_5x16__neon(const small_window_shape *s);
small_window_fn select_depthwise_f32_2x16__neon(const small_window_shape *s);
// Whole-row depthwise tiles (the table's depthwise_rows); NULL for shapes
// they do not take.
small_window_fn select_depthwise_rows_f32__neon(const small_window_shape *s);
// int8 (kernel_contract.h), weights in the plain layout (conv_i8_k_group 1).
small_window_i8_fn select_conv_i8_5x16__neon(const small_window_shape *s);
small_window_i8_fn select_depthwise_i8_4x16__neon(const small_window_shape *s);

} // namespace small::neon

#endif
