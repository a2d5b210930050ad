// The AVX2 kernels of this folder (Cb = 16): selectors for the window
// families (kernel_contract.h); pooling and the element-wise kernels are the
// x86 templates, instantiated by x86/table.h.
#ifndef SMALL_KERNELS_AVX2_KERNELS_H
#define SMALL_KERNELS_AVX2_KERNELS_H

#include "kernel_contract.h"

namespace small::avx2 {

// Output blocks of a dense layer's one-pixel convolution tiles (the
// table's conv_f32_dense_out_blocks).
constexpr size_t kDenseOutBlocks = 4;

// Input blocks x output blocks of the layers the Winograd tiles take (the
// table's conv_f32_winograd_blocks): 4, ResNet-8's 64-channel 3x3 layer
// (48 KB of transformed weights per output block, read from L2 as the
// direct tile reads its 36 KB) included: 5% faster than the 6x16 tile.
constexpr size_t kWinogradBlocks = 4;

// Pixels of the tiles of a planar input (an RGB network input) into at most
// 8 channels (the table's conv_planar_lanes_max_width; MobileNet's first
// layer): one ymm of 8 channels per pixel, so 12 accumulators + 1 weight
// vector + 1 broadcast input in the 16 registers, 12 chains for the FMA
// latency. The 6x16 tile's 6 pixels of such a layer would fill half its
// registers; 8 pixels in the lanes of 8 accumulators (one per channel, each
// tap's weights broadcast) took 11% longer on a Zen 5 (docs/benchmarks.md).
constexpr size_t kPlanarMaxWidth = 12;

small_window_fn select_conv_f32_6x16__avx2(const small_window_shape *s);
// Winograd F(2,3) tiles for the interior of 3x3 stride-1 convolutions
// (the table's conv_f32_winograd); NULL for shapes they do not take.
small_window_fn select_conv_f32_winograd__avx2(const small_window_shape *s);
small_window_fn select_depthwise_f32_6x16__avx2(const small_window_shape *s);
// Whole-row depthwise tiles (the table's depthwise_rows); NULL for shapes
// they do not take.
small_window_fn select_depthwise_rows_f32__avx2(const small_window_shape *s);

// int8 (docs/int8.md): 16-bit pair products (conv_i8_k_group 2).
small_window_i8_fn select_conv_i8_6x16__avx2(const small_window_shape *s);
small_window_i8_fn select_depthwise_i8_4x16__avx2(const small_window_shape *s);
// On CPUs with AVX-VNNI: 8-bit dot products (conv_i8_k_group 4).
small_window_i8_fn select_conv_i8_6x16__avxvnni(const small_window_shape *s);
small_window_i8_fn
select_depthwise_i8_4x16__avxvnni(const small_window_shape *s);

} // namespace small::avx2

#endif
