// The unified loop nest of SMaLL. Every windowed layer (convolution, grouped
// and depthwise convolution, Dense, max/average/global pooling, standalone
// BatchNorm) is a WindowOp: its dimensions, the kernel family it calls and
// its packed weights. run_window() walks batch -> output channel block ->
// row band -> column tile and calls the kernel for one register tile (a run
// of pixels along a row, or down a column for narrow border columns); the
// kernel walks input blocks and filter taps.
//
// Padding: the engine clips the filter window to the input for each tile
// (edge columns get their own narrow tiles), so kernels never test bounds and
// buffers need no zero halo. This keeps the arena at the liveness bound and
// costs a few narrow tiles at the borders.
#ifndef SMALL_ENGINE_WINDOW_LOOP_H
#define SMALL_ENGINE_WINDOW_LOOP_H

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernel_contract.h"

namespace small {

enum class WindowFamily { kConv, kDepthwise, kMaxPool, kAvgPool };

struct WindowGeometry {
  uint32_t batch = 1;
  uint32_t in_c = 0, in_h = 0, in_w = 0;
  uint32_t out_c = 0, out_h = 0, out_w = 0;
  uint32_t kernel_h = 1, kernel_w = 1;
  uint32_t stride_h = 1, stride_w = 1;
  uint32_t dilation_h = 1, dilation_w = 1;
  uint32_t pad_top = 0, pad_left = 0;
};

// Which input blocks one output block of a convolution reduces over (all of
// them for a dense convolution, fewer for a grouped one) and where its packed
// weights start.
struct InputBlockRange {
  size_t first_block = 0;
  size_t count = 0;
  size_t last_channels = 0;
  size_t weight_offset = 0;
};

// A run of output columns that share one clipped filter-column range.
struct ColumnTile {
  uint32_t first_column = 0;
  uint32_t width = 0;
  uint32_t tap_begin = 0, tap_end = 0;
};

// A run of output rows that share one clipped filter-row range: the top
// border rows, the interior, the bottom border rows.
struct RowBand {
  uint32_t first_row = 0;
  uint32_t height = 0;
  uint32_t tap_begin = 0, tap_end = 0;
};

// The valid filter taps [begin, end) for output position `out` along one axis.
struct TapRange {
  uint32_t begin = 0, end = 0;
};
TapRange clip_taps(uint32_t out, uint32_t stride, uint32_t pad,
                   uint32_t dilation, uint32_t kernel, uint32_t in_size);

struct WindowOp {
  WindowFamily family = WindowFamily::kConv;
  WindowGeometry geometry;
  const float *weights = nullptr; // packed; conv and depthwise
  const float *bias = nullptr;    // out blocks * Cb floats; conv, depthwise
  std::vector<InputBlockRange> input_ranges; // conv: one per output block
  small_act_params act{};
  bool count_include_pad = false; // average pooling
  // Convolution only: floats per input pixel when the input is a narrow
  // network input stored unpadded ([n][1][h][w][c], c < Cb); 0 means Cb.
  size_t input_lanes = 0;
  std::vector<ColumnTile> columns; // from plan_columns()
  std::vector<RowBand> rows;       // from plan_rows()
  // Depthwise and pooling on small images: tiles span channel blocks at
  // one pixel instead of pixels of one block (choose_across_blocks()).
  bool across_blocks = false;
};

// Splits the output row into tiles of at most max_width columns, each with
// one filter-column range. Called once when the layer is prepared.
std::vector<ColumnTile> plan_columns(const WindowGeometry &g, size_t max_width);

// Groups the output rows into bands with one filter-row range each.
std::vector<RowBand> plan_rows(const WindowGeometry &g);

// True when tiles across channel blocks take fewer kernel calls than tiles
// along rows/columns for this op (never for convolutions). Call after the
// rows and columns are planned.
bool choose_across_blocks(const WindowOp &op, size_t cb, size_t max_width);

// Plans the op's row bands, column tiles and tile orientation for this
// kernel table. Layers call it once, at prepare, after filling the op.
void plan_window(WindowOp &op, const small_kernel_table &kernels);

// Runs the op: `in` and `out` are blocked tensors of the geometry's shapes.
void run_window(const WindowOp &op, const small_kernel_table &kernels,
                const float *in, float *out);

} // namespace small

#endif
