// Winograd F(2,3) tiles for float 3x3 convolutions (kernel_contract.h:
// small_kernel_table.conv_f32_winograd): which layers take them and the
// transformed copy of their packed weights those tiles read. The engine
// calls them for the tiles along a row whose windows hold full 3-tap rows
// (the interior columns); the border tiles keep the direct weights.
#ifndef SMALL_ENGINE_WINOGRAD_H
#define SMALL_ENGINE_WINOGRAD_H

#include <cstddef>

#include "engine/window_loop.h"
#include "kernel_contract.h"

namespace small {

// Whether a float convolution op (its geometry, input lanes and input
// ranges filled, not yet planned) may take the table's Winograd tiles: 3x3,
// stride 1, dilation 1, ungrouped, over a blocked input, its block groups
// within conv_f32_winograd_blocks.
bool winograd_eligible(const WindowOp &op, const small_kernel_table &kernels);

// packed: [run][tap row r][tap column s][input lane][Cb]; out: [run][r]
// [input lane][k][Cb] with U_k = g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2,
// g2 for the row's taps g_s.
void winograd_weights(const float *packed, size_t direct_elements, size_t cb,
                      float *out);

// Whether plan_window() gave any of the op's grids a Winograd variant.
bool uses_winograd(const WindowOp &op);

// The op's Winograd copy at the direct layout's element offset `direct`
// (an output block's or a filter row's start: a multiple of 3 Cb x Cb); of
// the whole packed weights, the copy's element count (4/3 as many).
inline size_t winograd_offset(size_t direct) { return direct / 3 * 4; }

} // namespace small

#endif
