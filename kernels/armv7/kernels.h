// The armv7 NEON kernels of this folder (Cb = 8): selectors for the window
// families (kernel_contract.h). Pooling and the element-wise kernels are
// the shared ARM ones (arm/table.h).
#ifndef SMALL_KERNELS_ARMV7_KERNELS_H
#define SMALL_KERNELS_ARMV7_KERNELS_H

#include "kernel_contract.h"

namespace small::armv7 {

small_window_fn select_conv_f32_3x8__armv7(const small_window_shape *s);
small_window_fn select_depthwise_f32_4x8__armv7(const small_window_shape *s);

} // namespace small::armv7

#endif
