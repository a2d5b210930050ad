// The Helium (MVE) kernels (kernel_contract.h) and the table geometry they
// are written for.
#ifndef SMALL_KERNELS_HELIUM_KERNELS_H
#define SMALL_KERNELS_HELIUM_KERNELS_H

#include <cstddef>

#include "kernel_contract.h"

namespace small::helium {

// Cb = 16: one 128-bit MVE register holds 16 int8 lanes, so one load brings
// a pixel's whole channel block and VMLADAVA reduces it in one instruction.
constexpr size_t kChannelBlock = 16;
// conv_i8_k_group = Cb: an output's weights for the 16 lanes of an input
// block are contiguous, the second operand VMLADAVA wants.
constexpr size_t kConvGroup = kChannelBlock;
// Convolution tiles of up to 8 pixels of one output block (the
// accumulators of a tile are 8 x 16 int32 on the stack).
constexpr size_t kConvMaxWidth = 8;

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
