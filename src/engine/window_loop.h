// The unified loop nest of SMaLL. Every windowed layer (convolution, grouped
// and depthwise convolution, Dense, max/average/global pooling, standalone
// BatchNorm) is a WindowOp: its dimensions, the kernel family it calls and
// its packed weights. plan_window() turns it, once, into output block groups
// and grids of identical kernel calls, each grid with the kernel variant the
// table's selector chose for its tile shape; run_window() walks batch ->
// output block group -> grid -> tiles and calls that variant for one
// register tile (a run of pixels along a row, or down a column for narrow
// border columns, or a band's whole rows for the tables with depthwise_rows);
// the kernel walks input blocks and filter taps.
//
// Padding: the engine clips the filter window to the input for each tile
// (edge columns get their own narrow tiles), so kernels never test bounds and
// buffers need no zero halo. This keeps the arena at the liveness bound and
// costs a few narrow tiles at the borders. The one exception is whole-row
// depthwise tiles (kernel_contract.h, depthwise_rows), whose kernels leave
// out the one padding column on each side at compile time.
#ifndef SMALL_ENGINE_WINDOW_LOOP_H
#define SMALL_ENGINE_WINDOW_LOOP_H

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/window_plan.h"
#include "kernel_contract.h"

namespace small {

enum class WindowFamily { kConv, kDepthwise, kMaxPool, kAvgPool };

// Which input blocks one output block of a convolution reduces over (all of
// them for a dense convolution, fewer for a grouped one) and where its packed
// weights start.
struct InputBlockRange {
  size_t first_block = 0;
  size_t count = 0;
  size_t last_channels = 0;
  size_t weight_offset = 0;
};

// The output channel blocks one pass over the image computes: one block, a
// convolution's out_blocks blocks that reduce over the same inputs, or (tiles
// across blocks) up to the max width of blocks. Offsets are in floats from
// the batch item's input/output, the packed weights and the bias.
struct BlockGroup {
  size_t in_offset = 0, out_offset = 0, weight_offset = 0, bias_offset = 0;
  size_t in_blocks = 0, in_last_channels = 0;  // convolution
  size_t out_blocks = 1, w_out_block_step = 0; // convolution
  // Channels of the group's last output block (small_window_tile_i8).
  size_t out_last_channels = 0;
  size_t kind = 0; // index into WindowOp::grids: groups of one tile shape
};

// columns x rows kernel calls with one kernel variant and one tile shape.
// Tile (c, r) starts at input in_offset + c * in_column_step + r *
// in_row_step of the group (likewise the output); zero-tap tiles read
// nothing, so all of them point at the group's input.
struct TileGrid {
  small_window_fn kernel = nullptr;
  uint32_t columns = 0, rows = 0;
  size_t width = 0, taps_h = 0, taps_w = 0;
  size_t in_pixel_step = 0, out_pixel_step = 0;
  size_t in_offset = 0, out_offset = 0, weight_offset = 0;
  size_t first_tap = 0; // kernel_w * (first tap row) + first tap column
  size_t in_column_step = 0, in_row_step = 0;
  size_t out_column_step = 0, out_row_step = 0;
  float scale = 1.0f; // average pooling
  // int8 ops: the variant the int8 selector chose, and the average
  // pooling divisor (the taps each window of the grid counts).
  small_window_i8_fn kernel_i8 = nullptr;
  int32_t divisor = 1;
  size_t out_blocks = 1; // what the selector was told (small_window_shape)
  // A float convolution's Winograd tiles (engine/winograd.h): the kernel
  // reads WindowOp::winograd_weights.
  bool winograd = false;
  // A float depthwise band in whole-row tiles (the table's depthwise_rows):
  // one call of tile_rows output rows per channel block; whole_image: the
  // band is the whole image, padded above and below
  // (small_window_shape::whole_image).
  bool whole_rows = false;
  bool whole_image = false;
  uint32_t tile_rows = 1; // small_window_tile::rows
};

// What an int8 op adds to a WindowOp: its int8 weights, int32 bias and
// per-output-channel requantization (padded to whole blocks, like bias), the
// zero points and the output clamp. Average pooling reads multiplier[0] and
// shift[0].
struct Int8Window {
  const int8_t *weights = nullptr;
  // Convolution, for tables with conv_i8_weight_sums: [out block][kernel_h]
  // [kernel_w][Cb] sums of each tap's weights (small_window_tile_i8).
  const int32_t *weight_sums = nullptr;
  const int32_t *bias = nullptr;
  const int32_t *multiplier = nullptr;
  const int32_t *shift = nullptr;
  // Tables with requant_i8_bytes: the constants prepared per output block.
  const unsigned char *requant = nullptr;
  size_t requant_bytes = 0;
  int32_t in_zero_point = 0, out_zero_point = 0;
  int32_t act_min = -128, act_max = 127;
  bool single_rounding = false;
};

// Threads: kernel calls [first, end) of one grid of one block group of one
// batch item, in the order run_window() makes them (call = column * rows +
// row).
struct WindowSlice {
  uint32_t item = 0, group = 0, grid = 0; // grid: index in grids[group.kind]
  uint64_t first = 0, end = 0;
};

// The op's calls cut into parts of near-equal estimated work
// (window_parts.h): part p runs slices [part_begin[p], part_begin[p + 1]).
struct WindowPartition {
  std::vector<WindowSlice> slices;
  std::vector<size_t> part_begin;
};

struct WindowOp {
  WindowFamily family = WindowFamily::kConv;
  WindowGeometry geometry;
  const float *weights = nullptr; // packed; conv and depthwise
  const float *bias = nullptr;    // out blocks * Cb floats; conv, depthwise
  // Convolution: the Winograd copy of the packed weights (engine/winograd.h)
  // when the layer is eligible; plan_window() then gives its interior tiles
  // the table's Winograd variants.
  const float *winograd_weights = nullptr;
  std::vector<InputBlockRange> input_ranges; // conv: one per output block
  small_act_params act{};
  bool count_include_pad = false; // average pooling
  // int8 ops: the int8 kernel family and its data (the float weights, bias
  // and act stay unused); every offset of the plan counts elements, so it is
  // the same plan.
  bool int8 = false;
  Int8Window quant;
  // Convolution only: elements per input pixel when the input is a narrow
  // network input stored unpadded ([n][1][h][w][c], c < Cb); 0 means Cb.
  size_t input_lanes = 0;
  // Convolution: a folded residual Add (tables with conv_residual); every
  // run passes the residual tensor (run_window).
  bool residual = false;
  // Elements from one channel block of the input (output) to the next; 0:
  // the geometry's, in_h * in_w * lanes (out_h * out_w * Cb). Set for an op
  // over a band of rows of a larger tensor (layers/depthwise_pointwise.h).
  size_t in_block_elements = 0, out_block_elements = 0;

  // Filled by plan_window():
  std::vector<ColumnTile> columns;
  std::vector<RowBand> rows;
  // Depthwise and pooling on small images: tiles span channel blocks at
  // one pixel instead of pixels of one block (choose_across_blocks()).
  bool across_blocks = false;
  // Float 3x3 depthwise layers padded alike on every side: whole-image
  // tiles of several channel blocks each (small_window_shape::whole_image).
  bool whole_image = false;
  std::vector<BlockGroup> block_groups;
  std::vector<std::vector<TileGrid>> grids; // by BlockGroup::kind
  small_window_tile tile{};       // the tile fields fixed for the whole op
  small_window_tile_i8 tile_i8{}; // the same for an int8 op
  size_t out_lanes = 0; // what the selector was told (small_window_shape)
  size_t in_item_floats = 0, out_item_floats = 0;
  WindowPartition partition; // empty unless the op runs on several threads
};

// True when tiles across channel blocks take fewer kernel calls than tiles
// along rows/columns for this op, or for a float depthwise op of a table
// with depthwise_across_block_percent, when their blocks cost less than the
// calls of tiles in one block (never for convolutions, nor for depthwise
// when the table's depthwise_across_blocks is 0). Call after the rows and
// columns are planned.
bool choose_across_blocks(const WindowOp &op, size_t cb, size_t max_width,
                          const small_kernel_table &kernels);

// Plans the op's row bands, column tiles, tile orientation and kernel
// variants for this kernel table. Layers call it once, at prepare, after
// filling the op.
void plan_window(WindowOp &op, const small_kernel_table &kernels);

// Runs the op with the kernel variants plan_window() chose from `kernels`:
// `in` and `out` are blocked tensors of the geometry's shapes. `residual`:
// NULL, or (a convolution over a blocked input, tables with conv_residual)
// a tensor of the output's shape the tiles add before the activation.
void run_window(const WindowOp &op, const small_kernel_table &kernels,
                const float *in, float *out, const float *residual = nullptr);
// The same for an int8 op (op.int8): int8 blocked tensors.
void run_window_int8(const WindowOp &op, const int8_t *in, int8_t *out);

// Makes kernel calls [first, end) of `grid` of `group` for one batch item
// (run_window() is this over every call; the threads run slices of it).
void run_grid_calls(const WindowOp &op, const BlockGroup &group,
                    const TileGrid &grid, const float *in_item, float *out_item,
                    const float *residual_item, uint64_t first, uint64_t end);
// The same for an int8 op.
void run_grid_calls(const WindowOp &op, const BlockGroup &group,
                    const TileGrid &grid, const int8_t *in_item,
                    int8_t *out_item, uint64_t first, uint64_t end);

} // namespace small

#endif
