// The Helium (MVE) kernels (kernel_contract.h); geometry.h has the table
// geometry they are written for.
#ifndef SMALL_KERNELS_HELIUM_KERNELS_H
#define SMALL_KERNELS_HELIUM_KERNELS_H

#include <cstddef>

#include "helium/geometry.h"
#include "kernel_contract.h"

namespace small::helium {

// int8 convolution: VMLADAVA over the lanes of a blocked input
// (conv_i8_mve.cpp), VMLA by each tap of a planar one (conv_i8_planar.cpp).
small_window_i8_fn select_conv_i8__helium(const small_window_shape *s);
small_window_i8_fn select_conv_i8_planar__helium(const small_window_shape *s);
// fp32 convolution (VFMA by scalar) and depthwise (VFMA).
small_window_fn select_conv_f32__helium(const small_window_shape *s);
small_window_fn select_depthwise_f32__helium(const small_window_shape *s);
// int8 depthwise on int32 lanes (depthwise_i8.cpp).
small_window_i8_fn select_depthwise_i8__helium(const small_window_shape *s);
small_window_i8_fn select_avg_pool_i8__helium(const small_window_shape *s);

} // namespace small::helium

#endif
