// The AVX-512 kernels of this folder (Cb = 16): selectors for the window
// families (kernel_contract.h); pooling and the element-wise kernels are the
// x86 templates, instantiated by x86/table.h.
#ifndef SMALL_KERNELS_AVX512_KERNELS_H
#define SMALL_KERNELS_AVX512_KERNELS_H

#include "kernel_contract.h"

namespace small::avx512 {

// Output blocks of a dense layer's one-pixel convolution tiles (the
// table's conv_f32_dense_out_blocks).
constexpr size_t kDenseOutBlocks = 4;

// Input blocks x output blocks of the layers the Winograd tiles take (the
// table's conv_f32_winograd_blocks): 2 (24 KB of transformed weights, in
// L1 across the layer's tiles); ResNet-8's 32-channel 3x3 layer (2 x 2, 48
// KB) gained 1% over the 12x32 tile, so it keeps that.
constexpr size_t kWinogradBlocks = 2;
// Pixels of a one-output-block tile over a blocked input (the table's
// conv_one_block_max_width).
constexpr int kOneBlockMaxWidth = 16;
// Pixels of a tile of a planar input into at most 8 channels (the table's
// conv_planar_lanes_max_width): three vectors of 16 in the lanes.
constexpr int kPlanarLanesMaxWidth = 48;
// Pixels of a 1x1 stride-1 tile over at most 8 input channels into one
// output block (the table's conv_narrow_pointwise_max_width; such a layer
// is planned as one row of h * w pixels): MobileNet's 48x48 8 -> 16 layer
// in 6 calls. On a Zen 5 that layer took 4.05 us in calls of 48 pixels,
// 3.59 in calls of 192 and 3.47-3.54 in calls of 384 to 2304 (minima of
// alternated layer-bench runs); 384 keeps 6 calls to share among threads.
constexpr size_t kNarrowPointwiseMaxWidth = 384;

small_window_fn select_conv_f32_12x32__avx512(const small_window_shape *s);
// Runs of 16 to kNarrowPointwiseMaxWidth pixels of a 1x1 stride-1
// convolution over one input block of at most 8 channels into one output
// block (the engine gives no other shape that many pixels); NULL otherwise.
small_window_fn
select_conv_f32_narrow_pointwise__avx512(const small_window_shape *s);
// Winograd F(2,3) tiles for the interior of 3x3 stride-1 convolutions
// (the table's conv_f32_winograd); NULL for shapes they do not take.
small_window_fn select_conv_f32_winograd__avx512(const small_window_shape *s);
small_window_fn select_depthwise_f32_16x16__avx512(const small_window_shape *s);
// Whole-row depthwise tiles (the table's depthwise_rows); NULL for shapes
// they do not take.
small_window_fn select_depthwise_rows_f32__avx512(const small_window_shape *s);
// A planar input into at most 8 channels along a row, pixels in lanes: the
// shapes conv_f32_planar_lanes_fit__avx512 accepts.
bool conv_f32_planar_lanes_fit__avx512(const small_window_shape *s);
small_window_fn
select_conv_f32_planar_lanes__avx512(const small_window_shape *s);
// The other planar tiles of 13 to 48 pixels (down a column, wider windows),
// which only a planar layer of at most 8 channels gets (the table's
// conv_planar_lanes_max_width).
small_window_fn
select_conv_f32_planar_wide__avx512(const small_window_shape *s);

// int8 (docs/int8.md): the convolution on VNNI dot products
// (conv_i8_k_group 4), or without VNNI on 16-bit pair products
// (conv_i8_k_group 2); the depthwise tile is faster with VNNI.
small_window_i8_fn
select_conv_i8_12x32__avx512vnni(const small_window_shape *s);
small_window_i8_fn select_conv_i8_12x32__avx512(const small_window_shape *s);
small_window_i8_fn
select_depthwise_i8_16x16__avx512vnni(const small_window_shape *s);
// With VBMI too: byte dot products over whole filter rows.
small_window_i8_fn
select_depthwise_i8_16x16__avx512vbmi(const small_window_shape *s);
small_window_i8_fn
select_depthwise_i8_16x16__avx512(const small_window_shape *s);
// An RGB network input's pixels in 4 lanes, 16 at a time (VBMI).
void rgb_to_lanes4_i8__avx512vbmi(const int8_t *rgb, int8_t *out,
                                  size_t pixels);
// int8 ADD through byte-plane tables of each input's rescaling (VBMI).
void add_i8__avx512vbmi(const int8_t *a, const int8_t *b, int8_t *out,
                        size_t count, const small_add_i8_params *p);

} // namespace small::avx512

#endif
