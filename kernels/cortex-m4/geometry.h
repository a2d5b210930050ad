// The Cortex-M4 table's geometry: plain numbers, without the kernels'
// intrinsics, so that the host plans networks for this core too
// (small_network_set_target "cortex-m4", src/graph/targets.cpp) with the
// values the device's table has.
#ifndef SMALL_KERNELS_CORTEX_M4_GEOMETRY_H
#define SMALL_KERNELS_CORTEX_M4_GEOMETRY_H

#include <cstddef>

namespace small::cortex_m4 {

// Cb = 8: the M4 has no vector registers, so a wider block buys no
// parallelism; 8 keeps the padding of small channel counts (the 8- and
// 16-channel layers of MLPerf Tiny models) and so the arena as small as the
// scalar build's, and is a multiple of the 4 input lanes one word of int8
// weights holds.
constexpr size_t kChannelBlock = 8;
// Input lanes per weight group (conv_i8_k_group): one 32-bit load brings an
// output's weights for 4 input lanes, which SXTB16 splits into the two
// int16 pairs two SMLADs consume.
constexpr size_t kConvGroup = 4;
// Convolution tiles: up to 16 pixels of 4 output blocks, so that each input
// pixel, widened to int16 once per tile, serves 32 output channels (8
// blocks, all 64 of DS-CNN's, saved 3% more instructions but made the
// generic kernel tester, which tries every block count, 4 times slower
// under QEMU). 16 rather than 8: the engine splits a row into near-equal
// tiles, and the int8 kernel runs 8 or 4 pixels at a time, so ResNet-8's
// 32-pixel rows make 2 tiles of 16 (all 8-pixel groups), not 4 of 8 (twice
// the tiles' fixed costs).
constexpr size_t kConvMaxWidth = 16;
// The int8 tile runs 8 pixels at a time (4 when the window is too large
// for 8), and its last pixels cost more per multiply-accumulate (an
// overlapping 8 or 4, pairs, a lone pixel): rows are cut into multiples of
// 8 where they can be (the streaming wakeword model's rows of 24 as 16 + 8,
// 3 octs, not 12 + 12, 2 octs and 2 quads: 2.2% fewer of its instructions;
// ResNet-8's 30 interior columns stay 16 + 14).
constexpr size_t kConvWidthMultiple = 8;
constexpr size_t kConvMaxOutBlocks = 4;
// Depthwise and pooling tiles: the scalar table's width (the depthwise
// kernel keeps 4 sums per pixel of a tile on the stack).
constexpr size_t kWindowMaxWidth = 64;
// Depthwise tiles of one block: their pixels share the weight halves
// (widened once per tile, lanes_fused) and the requantization constants,
// which on this core outweighs the calls that tiles across blocks save on
// small images.
constexpr bool kDepthwiseAcrossBlocks = false;

} // namespace small::cortex_m4

#endif
