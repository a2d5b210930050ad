// The Helium table's geometry: plain numbers, without the kernels'
// intrinsics, so that the host plans networks for this core too
// (small_network_set_target "cortex-m55", src/graph/targets.cpp) with the
// values the device's table has.
#ifndef SMALL_KERNELS_HELIUM_GEOMETRY_H
#define SMALL_KERNELS_HELIUM_GEOMETRY_H

#include <cstddef>

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
constexpr size_t kConvMaxOutBlocks = 1;
// The int8 tile runs 4 pixels at a time through its gathered window and the
// rest one by one (about 1.4 times a gathered pixel's instructions), so rows
// are cut into multiples of 4: MobileNet's 36-pixel 6x6 maps as 8 + 8 + 8 +
// 8 + 4, not 8 + 7 + 7 + 7 + 7 (four tiles with 3 lone pixels each), and
// DS-CNN's 125-pixel maps leave one lone pixel instead of one per 7-pixel
// tile.
constexpr size_t kConvWidthMultiple = 4;
// Depthwise and pooling: the scalar table's width, and depthwise tiles may
// span blocks (one pixel of several blocks per call on small images).
constexpr size_t kWindowMaxWidth = 64;
constexpr bool kDepthwiseAcrossBlocks = true;

} // namespace small::helium

#endif
