#include "engine/winograd.h"

#include <algorithm>

namespace small {

bool winograd_eligible(const WindowOp &op, const small_kernel_table &kernels) {
  const WindowGeometry &g = op.geometry;
  const size_t cb = kernels.channel_block;
  if (op.family != WindowFamily::kConv || op.int8 ||
      kernels.conv_f32_winograd == nullptr || op.input_lanes != 0 ||
      g.kernel_h != 3 || g.kernel_w != 3 || g.stride_h != 1 ||
      g.stride_w != 1 || g.dilation_h != 1 || g.dilation_w != 1 ||
      g.out_w < 2 || op.input_ranges.empty()) {
    return false;
  }
  const size_t in_blocks = (g.in_c + cb - 1) / cb;
  for (const InputBlockRange &r : op.input_ranges) {
    if (r.first_block != 0 || r.count != in_blocks) {
      return false; // grouped
    }
  }
  const size_t group_blocks =
      std::min(op.input_ranges.size(), kernels.conv_max_out_blocks);
  return in_blocks * group_blocks <= kernels.conv_f32_winograd_blocks;
}

bool uses_winograd(const WindowOp &op) {
  for (const std::vector<TileGrid> &grids : op.grids) {
    for (const TileGrid &grid : grids) {
      if (grid.winograd) {
        return true;
      }
    }
  }
  return false;
}

void winograd_weights(const float *packed, size_t direct_elements, size_t cb,
                      float *out) {
  const size_t matrix = cb * cb;
  const size_t runs = direct_elements / (9 * matrix);
  for (size_t run = 0; run < runs; ++run) {
    for (size_t r = 0; r < 3; ++r) {
      const float *g = packed + (run * 9 + r * 3) * matrix;
      float *u = out + (run * 12 + r * 4) * matrix;
      for (size_t i = 0; i < cb; ++i) {
        for (size_t o = 0; o < cb; ++o) {
          const float g0 = g[i * cb + o], g1 = g[matrix + i * cb + o];
          const float g2 = g[2 * matrix + i * cb + o];
          float *dst = u + i * 4 * cb + o;
          dst[0] = g0;
          dst[cb] = (g0 + g1 + g2) * 0.5f;
          dst[2 * cb] = (g0 - g1 + g2) * 0.5f;
          dst[3 * cb] = g2;
        }
      }
    }
  }
}

} // namespace small
