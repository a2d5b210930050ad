#include "engine/window_parts.h"

#include <algorithm>
#include <type_traits>

namespace small {

namespace {

// Estimated work of one kernel call, in Cb-wide multiply-adds plus a fixed
// cost per call (setting up the tile, loading the bias, storing the output).
uint64_t call_cost(const WindowOp &op, const BlockGroup &group,
                   const TileGrid &grid) {
  constexpr uint64_t kPerCall = 8;
  const uint64_t taps = std::max<uint64_t>(1, grid.taps_h * grid.taps_w);
  uint64_t cost = uint64_t{grid.width} * grid.tile_rows * taps;
  if (op.family == WindowFamily::kConv) {
    cost *= uint64_t{group.in_blocks} * op.tile.in_lanes * group.out_blocks;
  } else {
    cost *= group.out_blocks; // whole-image depthwise tiles: several blocks
  }
  return cost + kPerCall;
}

// Calls visit(item, group index, grid index, grid, cost per call) for every
// grid of the op in run order.
template <typename Visit> void for_each_grid(const WindowOp &op, Visit visit) {
  for (uint32_t n = 0; n < op.geometry.batch; ++n) {
    for (size_t g = 0; g < op.block_groups.size(); ++g) {
      const BlockGroup &group = op.block_groups[g];
      const std::vector<TileGrid> &grids = op.grids[group.kind];
      for (size_t i = 0; i < grids.size(); ++i) {
        visit(n, g, i, grids[i], call_cost(op, group, grids[i]));
      }
    }
  }
}

} // namespace

bool plan_window_parts(WindowOp &op, size_t parts) {
  WindowPartition &p = op.partition;
  p.slices.clear();
  p.part_begin.assign(parts + 1, 0);
  uint64_t total = 0;
  for_each_grid(
      op, [&](uint32_t, size_t, size_t, const TileGrid &grid, uint64_t cost) {
        total += cost * grid.columns * grid.rows;
      });
  // Part k ends once the work done reaches (k + 1) / parts of the total
  // (the last part takes whatever is left).
  size_t part = 0;
  uint64_t done = 0;
  auto part_end = [&](size_t k) {
    return static_cast<uint64_t>(static_cast<double>(total) *
                                 static_cast<double>(k + 1) /
                                 static_cast<double>(parts));
  };
  for_each_grid(op, [&](uint32_t n, size_t g, size_t i, const TileGrid &grid,
                        uint64_t cost) {
    const uint64_t calls = uint64_t{grid.columns} * grid.rows;
    uint64_t first = 0;
    while (first < calls) {
      uint64_t take = calls - first;
      if (part + 1 < parts) {
        const uint64_t goal = part_end(part);
        const uint64_t wanted =
            goal > done ? (goal - done + cost - 1) / cost : 0;
        take = std::min(take, wanted);
      }
      if (take > 0) {
        WindowSlice s;
        s.item = n;
        s.group = static_cast<uint32_t>(g);
        s.grid = static_cast<uint32_t>(i);
        s.first = first;
        s.end = first + take;
        p.slices.push_back(s);
        first += take;
        done += take * cost;
      }
      if (part + 1 < parts && done >= part_end(part)) {
        ++part;
        p.part_begin[part] = p.slices.size();
      }
    }
  });
  for (size_t k = part + 1; k <= parts; ++k) {
    p.part_begin[k] = p.slices.size();
  }
  for (size_t k = 0; k < parts; ++k) {
    if (p.part_begin[k] == p.part_begin[k + 1]) {
      return false;
    }
  }
  return true;
}

namespace {

template <typename Element>
void run_part(const WindowOp &op, const Element *in, Element *out,
              const Element *residual, size_t part) {
  const WindowPartition &p = op.partition;
  for (size_t i = p.part_begin[part]; i < p.part_begin[part + 1]; ++i) {
    const WindowSlice &s = p.slices[i];
    const BlockGroup &group = op.block_groups[s.group];
    const size_t out_item = s.item * op.out_item_floats;
    if constexpr (std::is_same_v<Element, float>) {
      run_grid_calls(op, group, op.grids[group.kind][s.grid],
                     in + s.item * op.in_item_floats, out + out_item,
                     residual != nullptr ? residual + out_item : nullptr,
                     s.first, s.end);
    } else {
      run_grid_calls(op, group, op.grids[group.kind][s.grid],
                     in + s.item * op.in_item_floats, out + out_item, s.first,
                     s.end);
    }
  }
}

} // namespace

void run_window_part(const WindowOp &op, const float *in, float *out,
                     size_t part, const float *residual) {
  run_part(op, in, out, residual, part);
}

void run_window_part_int8(const WindowOp &op, const int8_t *in, int8_t *out,
                          size_t part) {
  run_part<int8_t>(op, in, out, nullptr, part);
}

} // namespace small
