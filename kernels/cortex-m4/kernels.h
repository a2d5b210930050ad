// The Cortex-M4 kernels (kernel_contract.h); geometry.h has the table
// geometry they are written for.
#ifndef SMALL_KERNELS_CORTEX_M4_KERNELS_H
#define SMALL_KERNELS_CORTEX_M4_KERNELS_H

#include <cstddef>

#include "cortex-m4/geometry.h"
#include "kernel_contract.h"

namespace small::cortex_m4 {

// int8 convolution with SMLAD, over lane pairs of a blocked input
// (conv_i8_smlad.cpp) or tap pairs of a planar one (conv_i8_planar.cpp).
small_window_i8_fn select_conv_i8__cortex_m4(const small_window_shape *s);
small_window_i8_fn
select_conv_i8_planar__cortex_m4(const small_window_shape *s);
// int8 depthwise with SMLABB / SMLATT (depthwise_i8.cpp).
small_window_i8_fn select_depthwise_i8__cortex_m4(const small_window_shape *s);
small_window_i8_fn select_avg_pool_i8__cortex_m4(const small_window_shape *s);

} // namespace small::cortex_m4

#endif
