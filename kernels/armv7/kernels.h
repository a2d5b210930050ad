// The armv7 NEON kernels of this folder (Cb = 8): selectors for the window
// families (kernel_contract.h). Pooling and the element-wise kernels are
// the shared ARM ones (arm/table.h).
#ifndef SMALL_KERNELS_ARMV7_KERNELS_H
#define SMALL_KERNELS_ARMV7_KERNELS_H

#include "kernel_contract.h"

namespace small::armv7 {

small_window_fn select_conv_f32_3x8__armv7(const small_window_shape *s);
small_window_fn select_depthwise_f32_4x8__armv7(const small_window_shape *s);
small_window_fn select_depthwise_rows_f32__armv7(const small_window_shape *s);
// int8 (kernel_contract.h), weights in the plain layout (conv_i8_k_group 1).
small_window_i8_fn select_conv_i8_3x8__armv7(const small_window_shape *s);
small_window_i8_fn select_depthwise_i8_4x8__armv7(const small_window_shape *s);

} // namespace small::armv7

#endif
