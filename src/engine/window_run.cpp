// The window ops' loop nest at run time: the tiles plan_window() fixed,
// walked batch item by batch item (run_window, run_window_int8) or in
// slices of one grid's calls (run_grid_calls, for the thread pool).
#include <algorithm>

#include "engine/window_loop.h"
#include "engine/winograd.h"

namespace small {

namespace {

// What differs between float and int8 tiles when the loop nest fills them.
struct FloatTiles {
  using Tile = small_window_tile;
  using Element = float;
  static void set_group(const WindowOp &op, const BlockGroup &group, Tile &t) {
    t.bias = op.bias != nullptr ? op.bias + group.bias_offset : nullptr;
  }
  static void set_grid(const WindowOp &op, const BlockGroup &group,
                       const TileGrid &grid, Tile &t) {
    t.scale = grid.scale;
    t.rows = grid.tile_rows;
    if (op.weights == nullptr) {
      return;
    }
    const size_t offset = group.weight_offset + grid.weight_offset;
    if (grid.winograd) {
      // The transformed copy counts 4 floats where the direct one has 3.
      t.weights = op.winograd_weights + winograd_offset(offset);
      t.w_tap_h_step = winograd_offset(op.tile.w_tap_h_step);
      t.w_block_step = winograd_offset(op.tile.w_block_step);
      t.w_out_block_step = winograd_offset(group.w_out_block_step);
    } else {
      t.weights = op.weights + offset;
      t.w_tap_h_step = op.tile.w_tap_h_step;
      t.w_block_step = op.tile.w_block_step;
      t.w_out_block_step = group.w_out_block_step;
    }
  }
  // A folded residual Add (conv_residual tables): the residual at the
  // tile's output position, which has the output's layout.
  static void set_residual(Tile &t, const float *out_item,
                           const float *residual_item) {
    t.residual =
        residual_item != nullptr ? residual_item + (t.out - out_item) : nullptr;
  }
  static void call(const TileGrid &grid, const Tile &t) { grid.kernel(&t); }
};

struct Int8Tiles {
  using Tile = small_window_tile_i8;
  using Element = int8_t;
  static void set_group(const WindowOp &op, const BlockGroup &group, Tile &t) {
    const Int8Window &q = op.quant;
    t.out_last_channels = group.out_last_channels;
    if (q.bias != nullptr) { // per-channel data is indexed like the bias
      t.bias = q.bias + group.bias_offset;
      t.multiplier = q.multiplier + group.bias_offset;
      t.shift = q.shift + group.bias_offset;
      if (q.requant != nullptr) {
        t.requant = q.requant + group.bias_offset / t.cb * q.requant_bytes;
      }
    }
  }
  static void set_grid(const WindowOp &op, const BlockGroup &group,
                       const TileGrid &grid, Tile &t) {
    t.divisor = grid.divisor;
    if (op.quant.weights != nullptr) {
      t.weights = op.quant.weights + group.weight_offset + grid.weight_offset;
    }
    if (op.quant.weight_sums != nullptr) {
      // bias_offset is the group's first output block times Cb.
      t.weight_sums = op.quant.weight_sums +
                      group.bias_offset / t.cb * t.ws_out_block_step +
                      grid.first_tap * t.ws_tap_w_step;
    }
  }
  static void set_residual(Tile &, const int8_t *, const int8_t *) {}
  static void call(const TileGrid &grid, const Tile &t) { grid.kernel_i8(&t); }
};

// The tile fields one output block group fixes (walk_tiles, grid_calls).
template <typename Tiles>
void set_group_fields(const WindowOp &op, const BlockGroup &group,
                      typename Tiles::Tile &t) {
  t.in_blocks = group.in_blocks;
  t.in_last_channels = group.in_last_channels;
  t.out_blocks = group.out_blocks;
  t.w_out_block_step = group.w_out_block_step;
  Tiles::set_group(op, group, t);
}

// The tile fields one grid of the group fixes.
template <typename Tiles>
void set_grid_fields(const WindowOp &op, const BlockGroup &group,
                     const TileGrid &grid, typename Tiles::Tile &t) {
  t.width = grid.width;
  t.taps_h = grid.taps_h;
  t.taps_w = grid.taps_w;
  t.in_pixel_step = grid.in_pixel_step;
  t.out_pixel_step = grid.out_pixel_step;
  Tiles::set_grid(op, group, grid, t);
}

// The loop nest: batch -> output block group -> grid -> tiles.
template <typename Tiles>
void walk_tiles(const WindowOp &op, typename Tiles::Tile t,
                const typename Tiles::Element *in, typename Tiles::Element *out,
                const typename Tiles::Element *residual) {
  using Element = typename Tiles::Element;
  for (uint32_t n = 0; n < op.geometry.batch; ++n) {
    const Element *in_item = in + n * op.in_item_floats;
    Element *out_item = out + n * op.out_item_floats;
    const Element *residual_item =
        residual != nullptr ? residual + n * op.out_item_floats : nullptr;
    for (const BlockGroup &group : op.block_groups) {
      set_group_fields<Tiles>(op, group, t);
      const Element *in_group = in_item + group.in_offset;
      Element *out_group = out_item + group.out_offset;
      for (const TileGrid &grid : op.grids[group.kind]) {
        set_grid_fields<Tiles>(op, group, grid, t);
        const Element *in_column = in_group + grid.in_offset;
        Element *out_column = out_group + grid.out_offset;
        for (uint32_t c = 0; c < grid.columns; ++c) {
          t.in = in_column;
          t.out = out_column;
          for (uint32_t r = 0; r < grid.rows; ++r) {
            Tiles::set_residual(t, out_item, residual_item);
            Tiles::call(grid, t);
            t.in += grid.in_row_step;
            t.out += grid.out_row_step;
          }
          in_column += grid.in_column_step;
          out_column += grid.out_column_step;
        }
      }
    }
  }
}

template <typename Tiles>
void grid_calls(const WindowOp &op, typename Tiles::Tile t,
                const BlockGroup &group, const TileGrid &grid,
                const typename Tiles::Element *in_item,
                typename Tiles::Element *out_item,
                const typename Tiles::Element *residual_item, uint64_t first,
                uint64_t end) {
  using Element = typename Tiles::Element;
  if (first >= end) {
    return;
  }
  set_group_fields<Tiles>(op, group, t);
  set_grid_fields<Tiles>(op, group, grid, t);
  uint64_t column = first / grid.rows;
  uint64_t row = first % grid.rows;
  const Element *in_column =
      in_item + group.in_offset + grid.in_offset + column * grid.in_column_step;
  Element *out_column = out_item + group.out_offset + grid.out_offset +
                        column * grid.out_column_step;
  for (uint64_t call = first; call < end; ++column) {
    t.in = in_column + row * grid.in_row_step;
    t.out = out_column + row * grid.out_row_step;
    const uint64_t row_end = std::min<uint64_t>(grid.rows, row + (end - call));
    call += row_end - row;
    for (; row < row_end; ++row) {
      Tiles::set_residual(t, out_item, residual_item);
      Tiles::call(grid, t);
      t.in += grid.in_row_step;
      t.out += grid.out_row_step;
    }
    row = 0;
    in_column += grid.in_column_step;
    out_column += grid.out_column_step;
  }
}

} // namespace

void run_grid_calls(const WindowOp &op, const BlockGroup &group,
                    const TileGrid &grid, const float *in_item, float *out_item,
                    const float *residual_item, uint64_t first, uint64_t end) {
  grid_calls<FloatTiles>(op, op.tile, group, grid, in_item, out_item,
                         residual_item, first, end);
}

void run_grid_calls(const WindowOp &op, const BlockGroup &group,
                    const TileGrid &grid, const int8_t *in_item,
                    int8_t *out_item, uint64_t first, uint64_t end) {
  grid_calls<Int8Tiles>(op, op.tile_i8, group, grid, in_item, out_item, nullptr,
                        first, end);
}

void run_window(const WindowOp &op, const small_kernel_table & /*kernels*/,
                const float *in, float *out, const float *residual) {
  walk_tiles<FloatTiles>(op, op.tile, in, out, residual);
}

void run_window_int8(const WindowOp &op, const int8_t *in, int8_t *out) {
  walk_tiles<Int8Tiles>(op, op.tile_i8, in, out, nullptr);
}

} // namespace small
