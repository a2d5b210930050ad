// The int8 kernel testers' shared machinery: a tile case (Int8Case), its
// quantization (Quant), and check(), which builds the case's tile for a
// window family, runs the active table's kernel and the scalar one on it and
// requires the same bytes, with the bytes around and between output pixels
// untouched. test_kernel_families_i8*.cpp list the cases.
#ifndef SMALL_TESTS_KERNELS_INT8_TILE_CHECK_H
#define SMALL_TESTS_KERNELS_INT8_TILE_CHECK_H

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "kernel_contract.h"

namespace int8_tile_check {

constexpr size_t kGuard = 64;
constexpr int8_t kUntouched = 0x5a;

inline const small_kernel_table &active() { return *small_kernels_active(); }

struct Int8Case {
  size_t width, taps_h, taps_w, stride, in_blocks, last_channels;
  size_t out_blocks = 1;
  size_t pixel_gap = 0; // bytes between output pixels beyond Cb
  size_t in_lanes = 0;  // convolution: 0 for Cb, fewer for a narrow input
  bool down_column = false;
  // A dense layer's tile (width 1, a 1x1 window): its input is one pixel,
  // so its blocks follow each other in memory (in_block_step = Cb).
  bool dense = false;
  bool per_pixel_weights = false; // depthwise across channel blocks
  // Every channel shifts right by 1 or 2 after a small multiplier, so half
  // or a quarter of the results are rounding ties inside the int8 range: a
  // kernel's path for right shifts only (the Helium depthwise's) meets ties
  // of both signs.
  bool tie_shifts = false;
  // The smaller of the two tie shifts: 2 makes them 2 or 3, which the
  // Cortex-M kernels' fused rounding takes for every lane (it leaves a
  // right shift of 1 to the general path), so its rounding constants meet
  // ties too.
  int32_t tie_first_shift = 1;
  // Every channel shifts right by 2 to 22 (random multipliers): the
  // Cortex-M kernels' fused rounding covers every lane, which their
  // fastest paths (the Cortex-M4's 8-pixel loop) require of a whole block.
  bool fused_shifts = false;
  // Every channel shifts right by 2 to 31 or has a zero multiplier: the
  // Cortex-M kernels' fused rounding takes the shifts past 22 as wide()
  // (the zero point added after the shift), which the Cortex-M4's 8-pixel
  // loop serves beside the others, and a zero multiplier as a plain one.
  bool wide_shifts = false;
  // Convolution and depthwise: the channels of the last output block (0:
  // all Cb); the others are padding (zero weights, bias and multiplier),
  // whose bytes a kernel may write without computing them.
  size_t out_last_channels = 0;
};

enum class Family { kConv, kDepthwise, kAvgPool };

struct Quant {
  int32_t in_zp, out_zp, act_min, act_max;
  bool single_rounding;
};

// Builds case c of `family` with quantization q, runs the active table's
// kernel and the scalar one, and requires the same output bytes.
void check(Family family, const Int8Case &c, const Quant &q, std::mt19937 &rng);

// The quantizations the cases cycle through (zero points, clamps, rounding
// modes).
std::vector<Quant> quants();

// Tile widths to try: 1..17 and 32, 33 and max_width where they fit.
std::vector<size_t> widths(size_t max_width);

} // namespace int8_tile_check

#endif
