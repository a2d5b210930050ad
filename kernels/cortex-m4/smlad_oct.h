// The Cortex-M4 convolution's 8-pixel loop (conv_i8_smlad.cpp): every
// output of one output block for 8 pixels whose widened window (one run of
// weights) is in the scratch, each output's 8 sums requantized by its fused
// rounding and stored. Per group of 4 input lanes, 1 weight word, 2 SXTB16,
// 8 LDRD and 16 SMLAD make 32 multiply-accumulates in 27 instructions
// (0.84 per MAC, against 15 per 16 for 4 pixels), and an output's loop
// bookkeeping and requantization constants are paid once per 8 pixels.
//
// Eight sums, the two weight halves, two scratch words and the two moving
// pointers take all 14 core registers, so the loop is one assembly function
// (smlad_oct.cpp) that keeps its state in an OctBlock on its stack: GCC,
// given the same loop in C++, spilled sums inside the multiply loop.
#ifndef SMALL_KERNELS_CORTEX_M4_SMLAD_OCT_H
#define SMALL_KERNELS_CORTEX_M4_SMLAD_OCT_H

#include <cstddef>
#include <cstdint>

#include "cortex-m/fused_rounding.h"

namespace small::cortex_m4 {

// The loop's state, read by offset in the assembly (static_asserts in
// smlad_oct.cpp): 8 words.
struct OctBlock {
  const int8_t *weights;                // output 0's weights of group 0
  const int32_t *bias;                  // one per output
  const cortex_m::FusedRounding *fused; // one per output
  int8_t *out;                          // output 0 of pixel 0
  const int32_t *scratch;               // 16 words per group (8 pixels)
  const int32_t *scratch_end;           // after the run's last group
  size_t out_pixel_step; // bytes from a pixel's output to the next
  int8_t *out_end;       // out + the block's outputs
};

// The block's outputs for a run of an odd (even) number of groups.
void oct_block_odd_groups(const OctBlock *block);
void oct_block_even_groups(const OctBlock *block);

} // namespace small::cortex_m4

#endif
