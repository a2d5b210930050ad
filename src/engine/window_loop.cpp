#include "engine/window_loop.h"

#include <algorithm>

namespace small {

namespace {

small_window_select_fn family_selector(WindowFamily f,
                                       const small_kernel_table &k) {
  switch (f) {
  case WindowFamily::kConv:
    return k.conv;
  case WindowFamily::kDepthwise:
    return k.depthwise;
  case WindowFamily::kMaxPool:
    return k.max_pool;
  case WindowFamily::kAvgPool:
    return k.avg_pool;
  }
  return nullptr;
}

small_window_i8_select_fn family_selector_i8(WindowFamily f,
                                             const small_kernel_table &k) {
  switch (f) {
  case WindowFamily::kConv:
    return k.conv_i8;
  case WindowFamily::kDepthwise:
    return k.depthwise_i8;
  case WindowFamily::kMaxPool:
    return k.max_pool_i8;
  case WindowFamily::kAvgPool:
    return k.avg_pool_i8;
  }
  return nullptr;
}

bool same_inputs(const InputBlockRange &a, const InputBlockRange &b) {
  return a.first_block == b.first_block && a.count == b.count &&
         a.last_channels == b.last_channels;
}

// Kernel calls for one channel block: per (band, column tile), along the
// rows (one call per row) or down the columns (one per column and
// max_width rows), whichever is fewer.
size_t calls_per_block(const WindowOp &op, size_t max_width) {
  size_t calls = 0;
  for (const RowBand &band : op.rows) {
    const size_t chunks = (band.height + max_width - 1) / max_width;
    for (const ColumnTile &c : op.columns) {
      calls += size_t{c.count} *
               std::min<size_t>(band.height, size_t{c.width} * chunks);
    }
  }
  return calls;
}

// The sizes every part of the plan derives from.
struct OpSizes {
  size_t cb = 0, max_width = 0;
  size_t width_multiple = 1; // conv_width_multiple for convolutions
  size_t in_lanes = 0; // elements per input pixel: Cb, or fewer (narrow input)
  size_t in_block_step = 0, out_block_step = 0;
  size_t in_blocks = 0, out_blocks = 0, taps = 0;
  size_t w_tap = 0;       // conv: an (input lanes) x Cb matrix; depthwise: Cb
  size_t in_row_step = 0; // floats between input rows
  bool has_weights = false;
};

OpSizes op_sizes(const WindowOp &op, const small_kernel_table &kernels) {
  const WindowGeometry &g = op.geometry;
  const bool is_conv = op.family == WindowFamily::kConv;
  OpSizes s;
  s.cb = kernels.channel_block;
  s.max_width = is_conv ? kernels.conv_max_width : kernels.window_max_width;
  s.width_multiple = is_conv ? kernels.conv_width_multiple : 1;
  s.in_lanes = op.input_lanes != 0 ? op.input_lanes : s.cb;
  if (is_conv && !op.int8 && s.in_lanes == 1 &&
      g.out_c <= kernels.conv_planar_lanes_channels &&
      kernels.conv_planar_lanes_max_width != 0) {
    s.max_width = kernels.conv_planar_lanes_max_width;
  }
  if (is_conv && !op.int8 && s.in_lanes == s.cb && g.out_c <= s.cb &&
      kernels.conv_one_block_max_width != 0) {
    s.max_width = kernels.conv_one_block_max_width;
  }
  // A 1x1 layer of stride 1 without padding (every output pixel reads its
  // own input pixel) or residual.
  const bool plain_1x1 = g.kernel_h == 1 && g.kernel_w == 1 &&
                         g.stride_h == 1 && g.stride_w == 1 && g.pad_top == 0 &&
                         g.pad_left == 0 && g.out_h == g.in_h &&
                         g.out_w == g.in_w && !op.residual;
  if (is_conv && !op.int8 && plain_1x1 && s.in_lanes == s.cb &&
      g.in_c <= s.cb / 2 && g.out_c <= s.cb &&
      kernels.conv_narrow_pointwise_max_width != 0) {
    s.max_width = kernels.conv_narrow_pointwise_max_width;
  }
  s.in_block_step = op.in_block_elements != 0
                        ? op.in_block_elements
                        : size_t{g.in_h} * g.in_w * s.in_lanes;
  s.out_block_step = op.out_block_elements != 0
                         ? op.out_block_elements
                         : size_t{g.out_h} * g.out_w * s.cb;
  s.in_blocks = (g.in_c + s.in_lanes - 1) / s.in_lanes;
  s.out_blocks = (g.out_c + s.cb - 1) / s.cb;
  s.taps = size_t{g.kernel_h} * g.kernel_w;
  s.w_tap = is_conv ? s.in_lanes * s.cb : s.cb;
  s.in_row_step = size_t{g.in_w} * s.in_lanes;
  s.has_weights = is_conv || op.family == WindowFamily::kDepthwise;
  return s;
}

// The index of `key` in `keys`, appended if new.
size_t kind_of(std::vector<size_t> &keys, size_t key) {
  const auto it = std::find(keys.begin(), keys.end(), key);
  if (it != keys.end()) {
    return static_cast<size_t>(it - keys.begin());
  }
  keys.push_back(key);
  return keys.size() - 1;
}

// The channels of output block end - 1: Cb but for the last block.
size_t last_block_channels(const WindowOp &op, const OpSizes &s, size_t end) {
  return end == s.out_blocks ? op.geometry.out_c - (end - 1) * s.cb : s.cb;
}

// A float convolution of one output pixel (a dense layer) on a table with
// its own out-block limit for those.
bool is_conv_f32_dense(const WindowOp &op, const small_kernel_table &kernels) {
  return op.family == WindowFamily::kConv && !op.int8 &&
         size_t{op.geometry.out_h} * op.geometry.out_w == 1 &&
         kernels.conv_f32_dense_out_blocks != 0;
}

// Channel blocks per whole-image tile: the layer's in calls of at most 8
// blocks of near-equal counts, and at least two calls (where there are two
// blocks) for two threads to share. One call per block spent a third of
// MobileNet's 3x3 layer (16 blocks) outside the kernel; on a Zen 5 it and
// its 6x6 layers (8 blocks) take the same time in two calls as in one.
size_t whole_image_blocks(const OpSizes &s) {
  constexpr size_t kMaxBlocks = 8;
  const size_t calls = std::max((s.out_blocks + kMaxBlocks - 1) / kMaxBlocks,
                                std::min<size_t>(s.out_blocks, 2));
  return (s.out_blocks + calls - 1) / calls;
}

// The output block groups of the op; `keys` receives, per kind, what its
// tiles share: the convolution's out_blocks, the width of tiles across
// blocks, or the blocks of whole-image tiles.
std::vector<BlockGroup> plan_block_groups(const WindowOp &op, const OpSizes &s,
                                          size_t max_out_blocks,
                                          std::vector<size_t> &keys) {
  std::vector<BlockGroup> groups;
  if (op.family == WindowFamily::kConv) {
    size_t count = 1;
    for (size_t ob = 0; ob < s.out_blocks; ob += count) {
      const InputBlockRange &r = op.input_ranges[ob];
      // Pair output blocks that reduce over the same inputs (always, for a
      // dense convolution) when the kernel's tile spans several blocks.
      count = 1;
      while (count < max_out_blocks && ob + count < s.out_blocks &&
             same_inputs(r, op.input_ranges[ob + count])) {
        ++count;
      }
      BlockGroup b;
      b.in_offset = r.first_block * s.in_block_step;
      b.out_offset = ob * s.out_block_step;
      b.weight_offset = r.weight_offset;
      b.bias_offset = ob * s.cb;
      b.in_blocks = r.count;
      b.in_last_channels = r.last_channels;
      b.out_blocks = count;
      b.w_out_block_step =
          count > 1 ? op.input_ranges[ob + 1].weight_offset - r.weight_offset
                    : 0;
      b.kind = kind_of(keys, count);
      b.out_last_channels = last_block_channels(op, s, ob + count);
      groups.push_back(b);
    }
    return groups;
  }
  // Depthwise and pooling: one block at a time, or (across blocks) up to
  // max_width blocks at one pixel, or whole images of several blocks.
  const size_t step = op.whole_image     ? whole_image_blocks(s)
                      : op.across_blocks ? s.max_width
                                         : 1;
  for (size_t ob = 0; ob < s.out_blocks; ob += step) {
    const size_t count = std::min(step, s.out_blocks - ob);
    BlockGroup b;
    b.in_offset = ob * s.in_block_step;
    b.out_offset = ob * s.out_block_step;
    b.weight_offset = s.has_weights ? ob * s.taps * s.cb : 0;
    b.bias_offset = s.has_weights ? ob * s.cb : 0;
    b.out_blocks = op.whole_image ? count : 1;
    b.kind = kind_of(keys, count);
    // Pooling reads its pad lanes; tiles across blocks end in any block.
    b.out_last_channels = s.has_weights && !op.across_blocks
                              ? last_block_channels(op, s, ob + 1)
                              : s.cb;
    groups.push_back(b);
  }
  return groups;
}

// The input row (column) that filter row (column) `tap` of output row
// (column) `o` reads; outside the image in the padding.
int64_t input_row(const WindowGeometry &g, uint32_t o, uint32_t tap) {
  return int64_t{o} * g.stride_h - g.pad_top + int64_t{tap} * g.dilation_h;
}
int64_t input_column(const WindowGeometry &g, uint32_t o, uint32_t tap) {
  return int64_t{o} * g.stride_w - g.pad_left + int64_t{tap} * g.dilation_w;
}

// Appends the grids of one (row band, column tile) for tiles of one kind.
void plan_grids(const WindowOp &op, const OpSizes &s, const RowBand &band,
                const ColumnTile &c, size_t across_width,
                std::vector<TileGrid> &grids) {
  const WindowGeometry &g = op.geometry;
  TileGrid base;
  base.taps_h = band.tap_end - band.tap_begin;
  base.taps_w = c.tap_end - c.tap_begin;
  // A window that misses the input entirely (a convolution padded wider
  // than its filter) reads nothing and writes act(bias); pooling never gets
  // here (validated at build).
  const bool no_taps = base.taps_h == 0 || base.taps_w == 0;
  if (op.family == WindowFamily::kAvgPool) {
    const size_t divisor =
        op.count_include_pad ? s.taps : base.taps_h * base.taps_w;
    base.scale = 1.0f / static_cast<float>(divisor);
    base.divisor = static_cast<int32_t>(divisor);
  }
  if (!no_taps) {
    base.first_tap = size_t{band.tap_begin} * g.kernel_w + c.tap_begin;
    base.weight_offset = base.first_tap * s.w_tap;
  }
  const size_t in_down = size_t{g.stride_h} * s.in_row_step;
  const size_t out_down = size_t{g.out_w} * s.cb;
  const size_t in_right = size_t{g.stride_w} * s.in_lanes;
  const size_t out_right = s.cb;
  // Places a grid whose first tile starts at output pixel (oh, ow).
  auto add = [&](TileGrid grid, uint32_t oh, uint32_t ow) {
    grid.out_offset = (size_t{oh} * g.out_w + ow) * s.cb;
    if (no_taps) {
      grid.in_column_step = grid.in_row_step = 0;
    } else {
      const int64_t ih = input_row(g, oh, band.tap_begin);
      const int64_t iw = input_column(g, ow, c.tap_begin);
      grid.in_offset = static_cast<size_t>(ih * g.in_w + iw) * s.in_lanes;
    }
    grids.push_back(grid);
  };

  const uint32_t pixel_columns = c.count * c.width;
  if (op.across_blocks) {
    // One output pixel in across_width channel blocks per tile.
    TileGrid grid = base;
    grid.width = across_width;
    grid.in_pixel_step = s.in_block_step;
    grid.out_pixel_step = s.out_block_step;
    grid.columns = pixel_columns;
    grid.rows = band.height;
    grid.in_column_step = in_right;
    grid.out_column_step = out_right;
    grid.in_row_step = in_down;
    grid.out_row_step = out_down;
    add(grid, band.first_row, c.first_column);
    return;
  }
  // Along the row, the band costs one call per row; down the columns, one
  // per column and max_width rows. Narrow border columns of a tall band go
  // down (full tiles instead of width-1 ones); everything else goes along
  // the row. A float planar convolution keeps pieces wider than half a
  // tile along the row when that costs at most a quarter more calls: its
  // row tiles read one input plane at a compile-time stride (x86's
  // pixels-in-lanes tiles), its column tiles at a runtime row step
  // (MobileNet's first layer on AVX-512: the 11-wide piece of its 47
  // columns went down in 44 calls that took 1.5x its 47 row calls). More
  // calls than that cost more than they save: DS-CNN's 3-wide interior
  // piece on NEON (20 row calls against 12 down the columns) took its
  // network 2.4% more instructions. Not int8: Helium's planar tiles took
  // 0.2% more instructions with the rule.
  const uint32_t chunks =
      static_cast<uint32_t>((band.height + s.max_width - 1) / s.max_width);
  const bool planar_wide =
      op.family == WindowFamily::kConv && !op.int8 && s.in_lanes == 1 &&
      size_t{c.width} * 2 > s.max_width &&
      size_t{band.height} * 4 <= size_t{c.width} * chunks * 5;
  if (!planar_wide && size_t{c.width} * chunks < band.height) {
    // Chunks of rows cut as column tiles are.
    TileGrid grid = base;
    grid.in_pixel_step = in_down;
    grid.out_pixel_step = out_down;
    grid.columns = pixel_columns;
    grid.in_column_step = in_right;
    grid.out_column_step = out_right;
    uint32_t row = band.first_row;
    for (const WidthSplit &piece :
         split_widths(band.height, s.max_width, s.width_multiple)) {
      if (piece.count != 0) {
        grid.width = piece.width;
        grid.rows = piece.count;
        grid.in_row_step = grid.width * in_down;
        grid.out_row_step = grid.width * out_down;
        add(grid, row, c.first_column);
        row += piece.width * piece.count;
      }
    }
    return;
  }
  TileGrid grid = base;
  grid.width = c.width;
  grid.in_pixel_step = in_right;
  grid.out_pixel_step = out_right;
  grid.columns = c.count;
  grid.rows = band.height;
  grid.in_column_step = c.width * in_right;
  grid.out_column_step = c.width * out_right;
  grid.in_row_step = in_down;
  grid.out_row_step = out_down;
  add(grid, band.first_row, c.first_column);
}

// The fields of an int8 op's tile fixed for the whole op: the float tile's
// steps (they count elements) plus the requantization.
small_window_tile_i8 int8_tile(const small_window_tile &t,
                               const WindowGeometry &g, const Int8Window &q) {
  small_window_tile_i8 i{};
  i.ws_tap_w_step = t.cb;
  i.ws_tap_h_step = t.cb * g.kernel_w;
  i.ws_out_block_step = t.cb * g.kernel_w * g.kernel_h;
  i.cb = t.cb;
  i.in_tap_w_step = t.in_tap_w_step;
  i.in_tap_h_step = t.in_tap_h_step;
  i.in_block_step = t.in_block_step;
  i.in_lanes = t.in_lanes;
  i.w_tap_w_step = t.w_tap_w_step;
  i.w_tap_h_step = t.w_tap_h_step;
  i.w_block_step = t.w_block_step;
  i.w_pixel_step = t.w_pixel_step;
  i.bias_pixel_step = t.bias_pixel_step;
  i.out_blocks = t.out_blocks;
  i.out_block_step = t.out_block_step;
  i.in_zero_point = q.in_zero_point;
  i.out_zero_point = q.out_zero_point;
  i.act_min = q.act_min;
  i.act_max = q.act_max;
  i.single_rounding = q.single_rounding ? 1 : 0;
  i.multiplier = q.multiplier;
  i.shift = q.shift;
  return i;
}

// The lanes of the op's output blocks that hold channels: the layer's
// channels when it has weights and one output block, else Cb
// (small_window_shape::out_lanes).
size_t output_lanes(const WindowOp &op, const OpSizes &s) {
  return s.has_weights && s.out_blocks == 1 ? op.geometry.out_c : s.cb;
}

// What the selectors are told about the tiles of `grid` (out_blocks: the
// convolution's, 1 for the other families).
small_window_shape grid_shape(const WindowOp &op, const OpSizes &s,
                              const TileGrid &grid, size_t out_blocks) {
  const small_window_tile &t = op.tile;
  small_window_shape shape{};
  shape.cb = s.cb;
  shape.width = grid.width;
  shape.taps_h = grid.taps_h;
  shape.taps_w = grid.taps_w;
  shape.in_pixel_step = grid.in_pixel_step;
  shape.out_pixel_step = grid.out_pixel_step;
  shape.in_tap_w_step = t.in_tap_w_step;
  shape.in_tap_h_step = t.in_tap_h_step;
  shape.in_lanes = t.in_lanes;
  shape.out_blocks = out_blocks;
  shape.out_lanes = output_lanes(op, s);
  shape.w_pixel_step = t.w_pixel_step;
  shape.bias_pixel_step = t.bias_pixel_step;
  shape.act = op.act.op;
  shape.residual = op.residual ? 1 : 0;
  shape.whole_image = grid.whole_image ? 1 : 0;
  return shape;
}

// A float depthwise 3x3 layer of dilation 1 whose rows are padded as
// whole-row tiles take them (kernel_contract.h, depthwise_rows): stride 1
// and one column on each side, or stride 2 and one column on the right
// only (TF's SAME padding of an even width).
bool whole_row_layer(const WindowOp &op, const small_kernel_table &kernels) {
  const WindowGeometry &g = op.geometry;
  const bool stride_1 = g.stride_h == 1 && g.stride_w == 1 && g.pad_left == 1 &&
                        g.in_w == g.out_w;
  const bool stride_2 = g.stride_h == 2 && g.stride_w == 2 && g.pad_left == 0 &&
                        g.in_w == 2 * uint64_t{g.out_w};
  return kernels.depthwise_rows != nullptr &&
         op.family == WindowFamily::kDepthwise && !op.int8 && g.kernel_h == 3 &&
         g.kernel_w == 3 && g.dilation_h == 1 && g.dilation_w == 1 &&
         (stride_1 || stride_2);
}

// Whether such a layer is padded above and below as along its rows, so
// that whole-image tiles may take it (small_window_shape::whole_image).
bool whole_image_layer(const WindowGeometry &g) {
  return g.stride_h == 1 ? g.pad_top == 1 && g.in_h == g.out_h
                         : g.pad_top == 0 && g.in_h == 2 * uint64_t{g.out_h};
}

// The whole image of such a layer as one tile of `blocks` channel blocks,
// with the table's variant for it (NULL: none).
TileGrid whole_image_grid(const WindowOp &op, const OpSizes &s,
                          const small_kernel_table &kernels, size_t blocks) {
  const WindowGeometry &g = op.geometry;
  TileGrid grid;
  grid.whole_rows = grid.whole_image = true;
  grid.columns = grid.rows = 1;
  grid.tile_rows = g.out_h;
  grid.width = g.out_w;
  grid.taps_h = g.kernel_h;
  grid.taps_w = g.kernel_w;
  grid.in_pixel_step = size_t{g.stride_w} * s.cb;
  grid.out_pixel_step = s.cb;
  grid.out_blocks = blocks;
  // Input row 0, output row 0, the first tap: the offsets stay 0.
  const small_window_shape shape = grid_shape(op, s, grid, blocks);
  grid.kernel = kernels.depthwise_rows(&shape);
  return grid;
}

// One band of such a layer as one whole-row tile per channel block (its
// kernel not chosen yet).
TileGrid whole_row_grid(const WindowOp &op, const OpSizes &s,
                        const RowBand &band) {
  const WindowGeometry &g = op.geometry;
  TileGrid grid;
  grid.whole_rows = true;
  grid.columns = grid.rows = 1;
  grid.tile_rows = band.height;
  grid.width = g.out_w;
  grid.taps_h = band.tap_end - band.tap_begin;
  grid.taps_w = g.kernel_w;
  grid.in_pixel_step = size_t{g.stride_w} * s.cb;
  grid.out_pixel_step = s.cb;
  grid.first_tap = size_t{band.tap_begin} * g.kernel_w;
  grid.weight_offset = grid.first_tap * s.w_tap;
  grid.out_offset = size_t{band.first_row} * g.out_w * s.cb;
  // Input column 0 (the tiles know the padding columns) of the band's first
  // tap row (inside the image: the band has taps).
  const int64_t ih = input_row(g, band.first_row, band.tap_begin);
  grid.in_offset = static_cast<size_t>(ih) * s.in_row_step;
  return grid;
}

// Whether the layer is one for whole-image tiles and the table has a
// variant for them at each number of blocks its calls take.
bool takes_whole_image(const WindowOp &op, const OpSizes &s,
                       const small_kernel_table &kernels) {
  if (!whole_row_layer(op, kernels) || !whole_image_layer(op.geometry)) {
    return false;
  }
  const size_t step = whole_image_blocks(s), last = s.out_blocks % step;
  return whole_image_grid(op, s, kernels, step).kernel != nullptr &&
         (last == 0 || whole_image_grid(op, s, kernels, last).kernel);
}

// The table's whole-row variants of every band of the layer, or empty when
// the layer is not one of those or the table has no variant for a band.
std::vector<TileGrid> plan_whole_rows(const WindowOp &op, const OpSizes &s,
                                      const small_kernel_table &kernels) {
  std::vector<TileGrid> grids;
  if (!whole_row_layer(op, kernels)) {
    return grids;
  }
  for (const RowBand &band : op.rows) {
    TileGrid grid = whole_row_grid(op, s, band);
    const small_window_shape shape = grid_shape(op, s, grid, 1);
    grid.kernel = grid.taps_h != 0 ? kernels.depthwise_rows(&shape) : nullptr;
    if (grid.kernel == nullptr) {
      return {};
    }
    grids.push_back(grid);
  }
  return grids;
}

// Gives a grid of an op with Winograd weights the table's Winograd variant
// when its tiles run along a row with full 3-tap rows and the selector
// takes the shape.
void choose_winograd(const WindowOp &op, const small_kernel_table &kernels,
                     const small_window_shape &shape, TileGrid &grid) {
  if (op.winograd_weights == nullptr || shape.taps_w != 3 ||
      shape.in_pixel_step != shape.cb || shape.in_tap_w_step != shape.cb) {
    return;
  }
  const small_window_fn winograd = kernels.conv_f32_winograd(&shape);
  if (winograd != nullptr) {
    grid.kernel = winograd;
    grid.winograd = true;
  }
}

// The grids of one kind of block group (key: what its tiles share,
// plan_block_groups) with their kernel variants: every (row band, column
// tile) of the op.
void plan_kind(WindowOp &op, const OpSizes &s,
               const small_kernel_table &kernels, size_t key,
               std::vector<TileGrid> &grids) {
  for (const RowBand &band : op.rows) {
    for (const ColumnTile &c : op.columns) {
      plan_grids(op, s, band, c, key, grids);
    }
  }
  const bool is_conv = op.family == WindowFamily::kConv;
  for (TileGrid &grid : grids) {
    const small_window_shape shape = grid_shape(op, s, grid, is_conv ? key : 1);
    grid.out_blocks = shape.out_blocks;
    if (op.int8) {
      grid.kernel_i8 = family_selector_i8(op.family, kernels)(&shape);
    } else {
      grid.kernel = family_selector(op.family, kernels)(&shape);
      choose_winograd(op, kernels, shape, grid);
    }
  }
}

} // namespace

bool choose_across_blocks(const WindowOp &op, size_t cb, size_t max_width,
                          const small_kernel_table &kernels) {
  const WindowGeometry &g = op.geometry;
  const bool depthwise = op.family == WindowFamily::kDepthwise;
  if (op.family == WindowFamily::kConv ||
      (depthwise && kernels.depthwise_across_blocks == 0)) {
    return false;
  }
  const size_t blocks = (g.out_c + cb - 1) / cb;
  if (blocks < 2) {
    return false;
  }
  const size_t pixels = size_t{g.out_h} * g.out_w;
  const size_t block_calls = calls_per_block(op, max_width) * blocks;
  const size_t percent = kernels.depthwise_across_block_percent;
  if (depthwise && !op.int8 && percent != 0) {
    return pixels * blocks * percent < block_calls * 100;
  }
  return pixels * ((blocks + max_width - 1) / max_width) < block_calls;
}

namespace {

// The plan lives as long as the network: no growth slack (on a
// microcontroller a third of the plan's heap). shrink_to_fit does nothing
// without exceptions in libstdc++; a copy of exactly the size does.
template <typename T> void drop_slack(std::vector<T> &v) {
  if (v.capacity() != v.size()) {
    std::vector<T>(v.begin(), v.end()).swap(v);
  }
}

} // namespace

void plan_window(WindowOp &op, const small_kernel_table &kernels) {
  const WindowGeometry &g = op.geometry;
  const OpSizes s = op_sizes(op, kernels);
  op.rows = plan_rows(g);
  op.columns = plan_columns(g, s.max_width, s.width_multiple);

  small_window_tile &t = op.tile;
  t = small_window_tile{};
  t.cb = s.cb;
  t.rows = 1;
  t.in_tap_w_step = size_t{g.dilation_w} * s.in_lanes;
  t.in_tap_h_step = size_t{g.dilation_h} * s.in_row_step;
  t.in_block_step = s.in_block_step;
  t.in_lanes = s.in_lanes;
  t.w_tap_w_step = s.w_tap;
  t.w_tap_h_step = s.w_tap * g.kernel_w;
  t.w_block_step = s.w_tap * s.taps;
  t.act = op.act;
  t.out_blocks = 1;
  t.out_block_step = s.out_block_step;
  // Whole-image tiles when the table has them for the layer; else tiles
  // across blocks where they pay; else whole-row tiles when the table has
  // them for every band. In that order: on a Zen 5, MobileNet's 3x3 images
  // took 0.17 us as whole images, 0.56 across blocks and 0.68 in whole rows
  // (3 one-row bands), its 6x6 ones 0.37, 1.27 in a block's tiles and 0.54
  // in whole rows.
  op.whole_image = takes_whole_image(op, s, kernels);
  op.across_blocks =
      !op.whole_image && choose_across_blocks(op, s.cb, s.max_width, kernels);
  const std::vector<TileGrid> whole_rows =
      op.whole_image || op.across_blocks ? std::vector<TileGrid>{}
                                         : plan_whole_rows(op, s, kernels);
  // Tiles across blocks: each pixel has its block's weights and bias.
  const bool own_weights = op.across_blocks && s.has_weights;
  t.w_pixel_step = own_weights ? s.taps * s.cb : 0;
  t.bias_pixel_step = own_weights ? s.cb : 0;
  if (op.int8) {
    op.tile_i8 = int8_tile(t, g, op.quant);
  }
  op.in_item_floats = s.in_blocks * s.in_block_step;
  op.out_item_floats = s.out_blocks * s.out_block_step;
  op.out_lanes = output_lanes(op, s);

  std::vector<size_t> keys;
  const bool dense = is_conv_f32_dense(op, kernels);
  op.block_groups = plan_block_groups(op, s,
                                      dense ? kernels.conv_f32_dense_out_blocks
                                            : kernels.conv_max_out_blocks,
                                      keys);
  op.grids.assign(keys.size(), {});
  for (size_t kind = 0; kind < keys.size(); ++kind) {
    std::vector<TileGrid> &grids = op.grids[kind];
    if (op.whole_image) {
      grids = {whole_image_grid(op, s, kernels, keys[kind])};
    } else if (!whole_rows.empty()) {
      grids = whole_rows; // kernels chosen (plan_whole_rows)
    } else {
      plan_kind(op, s, kernels, keys[kind], grids);
    }
    drop_slack(grids);
  }
  drop_slack(op.rows);
  drop_slack(op.columns);
  drop_slack(op.block_groups);
}

} // namespace small
