// The kernels of the ARMv8.2 dot-product folder (Cb = 16): the float tiles
// of the neon folder (arm/neon_tiles.h, same widths) and the int8 selectors
// (kernel_contract.h), the convolution's weights grouped by 4 input lanes
// (conv_i8_k_group 4).
#ifndef SMALL_KERNELS_NEONDOT_KERNELS_H
#define SMALL_KERNELS_NEONDOT_KERNELS_H

#include "kernel_contract.h"

namespace small::neondot {

small_window_fn select_conv_f32_5x16__neondot(const small_window_shape *s);
small_window_fn select_depthwise_f32_2x16__neondot(const small_window_shape *s);
small_window_fn select_depthwise_rows_f32__neondot(const small_window_shape *s);
small_window_i8_fn select_conv_i8_5x16__neondot(const small_window_shape *s);
small_window_i8_fn
select_depthwise_i8_4x16__neondot(const small_window_shape *s);

} // namespace small::neondot

#endif
