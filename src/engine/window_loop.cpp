#include "engine/window_loop.h"

#include <algorithm>

namespace small {

TapRange clip_taps(uint32_t out, uint32_t stride, uint32_t pad,
                   uint32_t dilation, uint32_t kernel, uint32_t in_size) {
  // Input index of tap t: start + t * dilation, valid when in [0, in_size).
  const int64_t start = int64_t{out} * stride - pad;
  int64_t begin = 0;
  if (start < 0) {
    begin = (-start + dilation - 1) / dilation;
  }
  int64_t end = 0;
  const int64_t last_in = int64_t{in_size} - 1 - start;
  if (last_in >= 0) {
    end = last_in / dilation + 1;
  }
  end = std::min<int64_t>(end, kernel);
  begin = std::min<int64_t>(begin, kernel);
  if (end < begin) {
    end = begin;
  }
  return {static_cast<uint32_t>(begin), static_cast<uint32_t>(end)};
}

std::vector<ColumnTile> plan_columns(const WindowGeometry &g,
                                     size_t max_width) {
  // Runs of columns with one filter-column range...
  std::vector<ColumnTile> runs;
  for (uint32_t ow = 0; ow < g.out_w; ++ow) {
    const TapRange r =
        clip_taps(ow, g.stride_w, g.pad_left, g.dilation_w, g.kernel_w, g.in_w);
    if (!runs.empty() && runs.back().tap_begin == r.begin &&
        runs.back().tap_end == r.end) {
      ++runs.back().width;
      continue;
    }
    runs.push_back({ow, 1, r.begin, r.end});
  }
  // ...each cut into the fewest tiles of at most max_width, of near-equal
  // widths: 30 columns at max 12 are 10+10+10, not 12+12+6 (a narrow last
  // tile has too few accumulators to hide the FMA latency).
  std::vector<ColumnTile> tiles;
  for (const ColumnTile &run : runs) {
    const uint32_t count =
        static_cast<uint32_t>((run.width + max_width - 1) / max_width);
    uint32_t column = run.first_column;
    for (uint32_t i = 0; i < count; ++i) {
      const uint32_t width =
          (run.width - (column - run.first_column) + (count - i) - 1) /
          (count - i);
      tiles.push_back({column, width, run.tap_begin, run.tap_end});
      column += width;
    }
  }
  return tiles;
}

std::vector<RowBand> plan_rows(const WindowGeometry &g) {
  std::vector<RowBand> bands;
  for (uint32_t oh = 0; oh < g.out_h; ++oh) {
    const TapRange r =
        clip_taps(oh, g.stride_h, g.pad_top, g.dilation_h, g.kernel_h, g.in_h);
    if (!bands.empty() && bands.back().tap_begin == r.begin &&
        bands.back().tap_end == r.end) {
      ++bands.back().height;
      continue;
    }
    bands.push_back({oh, 1, r.begin, r.end});
  }
  return bands;
}

namespace {

small_window_fn family_kernel(WindowFamily f, const small_kernel_table &k) {
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

bool same_inputs(const InputBlockRange &a, const InputBlockRange &b) {
  return a.first_block == b.first_block && a.count == b.count &&
         a.last_channels == b.last_channels;
}

} // namespace

// Kernel calls for one channel block: per (band, column tile), along the
// rows (one call per row) or down the columns (one per column and
// max_width rows), whichever is fewer.
size_t calls_per_block(const WindowOp &op, size_t max_width) {
  size_t calls = 0;
  for (const RowBand &band : op.rows) {
    for (const ColumnTile &c : op.columns) {
      calls += std::min<size_t>(
          band.height,
          size_t{c.width} * ((band.height + max_width - 1) / max_width));
    }
  }
  return calls;
}

bool choose_across_blocks(const WindowOp &op, size_t cb, size_t max_width) {
  const WindowGeometry &g = op.geometry;
  if (op.family == WindowFamily::kConv) {
    return false;
  }
  const size_t blocks = (g.out_c + cb - 1) / cb;
  const size_t across =
      size_t{g.out_h} * g.out_w * ((blocks + max_width - 1) / max_width);
  return blocks > 1 && across < calls_per_block(op, max_width) * blocks;
}

void plan_window(WindowOp &op, const small_kernel_table &kernels) {
  const size_t max_width = op.family == WindowFamily::kConv
                               ? kernels.conv_max_width
                               : kernels.window_max_width;
  op.rows = plan_rows(op.geometry);
  op.columns = plan_columns(op.geometry, max_width);
  op.across_blocks = choose_across_blocks(op, kernels.channel_block, max_width);
}

void run_window(const WindowOp &op, const small_kernel_table &kernels,
                const float *in, float *out) {
  const WindowGeometry &g = op.geometry;
  const size_t cb = kernels.channel_block;
  const small_window_fn kernel = family_kernel(op.family, kernels);
  const bool is_conv = op.family == WindowFamily::kConv;
  const bool has_weights = is_conv || op.family == WindowFamily::kDepthwise;

  // Floats per input pixel: Cb, or 1 for a planar network input.
  const size_t in_lanes = op.input_lanes != 0 ? op.input_lanes : cb;
  const size_t in_block_step = size_t{g.in_h} * g.in_w * in_lanes;
  const size_t out_block_step = size_t{g.out_h} * g.out_w * cb;
  const size_t in_blocks = (g.in_c + in_lanes - 1) / in_lanes;
  const size_t out_blocks = (g.out_c + cb - 1) / cb;
  const size_t taps = size_t{g.kernel_h} * g.kernel_w;
  // Packed weight strides: a convolution tap is an (input lanes) x Cb
  // matrix, a depthwise tap Cb floats.
  const size_t w_tap = is_conv ? in_lanes * cb : cb;
  const size_t in_row_step = size_t{g.in_w} * in_lanes;
  const size_t max_width =
      is_conv ? kernels.conv_max_width : kernels.window_max_width;

  small_window_tile t{};
  t.cb = cb;
  t.in_tap_w_step = size_t{g.dilation_w} * in_lanes;
  t.in_tap_h_step = size_t{g.dilation_h} * in_row_step;
  t.in_block_step = in_block_step;
  t.in_lanes = in_lanes;
  t.w_tap_w_step = w_tap;
  t.w_tap_h_step = w_tap * g.kernel_w;
  t.w_block_step = w_tap * taps;
  t.act = op.act;
  t.out_blocks = 1;
  t.out_block_step = out_block_step;

  // The tile's base pointers for one output block (or the first of several).
  const float *in_base = nullptr, *w_base = nullptr;
  float *out_block = nullptr;
  // Points the tile at output pixel (oh, ow), the first of the tile.
  auto place = [&](const RowBand &band, uint32_t oh, const ColumnTile &c,
                   uint32_t ow) {
    t.out = out_block + (size_t{oh} * g.out_w + ow) * cb;
    if (t.taps_h == 0 || t.taps_w == 0) {
      // The window misses the input entirely (a convolution padded wider
      // than its filter): the kernel reads nothing and writes act(bias).
      // Pooling never gets here (validated at build).
      t.in = in_base;
      t.weights = w_base;
      return;
    }
    const int64_t ih = int64_t{oh} * g.stride_h - g.pad_top +
                       int64_t{band.tap_begin} * g.dilation_h;
    const int64_t iw = int64_t{ow} * g.stride_w - g.pad_left +
                       int64_t{c.tap_begin} * g.dilation_w;
    t.in = in_base + (ih * g.in_w + iw) * static_cast<int64_t>(in_lanes);
    if (w_base != nullptr) {
      t.weights =
          w_base + (size_t{band.tap_begin} * g.kernel_w + c.tap_begin) * w_tap;
    }
  };
  auto set_window = [&](const RowBand &band, const ColumnTile &c) {
    t.taps_h = band.tap_end - band.tap_begin;
    t.taps_w = c.tap_end - c.tap_begin;
    if (op.family == WindowFamily::kAvgPool) {
      const size_t divisor =
          op.count_include_pad ? taps : size_t{t.taps_h} * t.taps_w;
      t.scale = 1.0f / static_cast<float>(divisor);
    }
  };

  for (uint32_t n = 0; n < g.batch; ++n) {
    const float *in_item = in + size_t{n} * in_blocks * in_block_step;
    float *out_item = out + size_t{n} * out_blocks * out_block_step;

    if (op.across_blocks) {
      // Small images: a tile is one output pixel in up to max_width
      // consecutive channel blocks (each with its own weights and bias).
      t.in_pixel_step = in_block_step;
      t.out_pixel_step = out_block_step;
      t.w_pixel_step = has_weights ? taps * cb : 0;
      t.bias_pixel_step = has_weights ? cb : 0;
      for (const RowBand &band : op.rows) {
        for (const ColumnTile &c : op.columns) {
          set_window(band, c);
          for (size_t ob = 0; ob < out_blocks; ob += max_width) {
            t.width = std::min(max_width, out_blocks - ob);
            in_base = in_item + ob * in_block_step;
            w_base = has_weights ? op.weights + ob * taps * cb : nullptr;
            t.bias = has_weights ? op.bias + ob * cb : nullptr;
            out_block = out_item + ob * out_block_step;
            for (uint32_t y = 0; y < band.height; ++y) {
              for (uint32_t x = 0; x < c.width; ++x) {
                place(band, band.first_row + y, c, c.first_column + x);
                kernel(&t);
              }
            }
          }
        }
      }
      continue;
    }

    t.w_pixel_step = 0;
    t.bias_pixel_step = 0;
    for (size_t ob = 0; ob < out_blocks; ob += t.out_blocks) {
      in_base = in_item;
      w_base = nullptr;
      if (is_conv) {
        const InputBlockRange &r = op.input_ranges[ob];
        in_base += r.first_block * in_block_step;
        w_base = op.weights + r.weight_offset;
        t.in_blocks = r.count;
        t.in_last_channels = r.last_channels;
        // Pair output blocks that reduce over the same inputs (always, for a
        // dense convolution) when the kernel's tile spans several blocks.
        t.out_blocks = 1;
        while (t.out_blocks < kernels.conv_max_out_blocks &&
               ob + t.out_blocks < out_blocks &&
               same_inputs(op.input_ranges[ob],
                           op.input_ranges[ob + t.out_blocks])) {
          ++t.out_blocks;
        }
        t.w_out_block_step =
            t.out_blocks > 1
                ? op.input_ranges[ob + 1].weight_offset - r.weight_offset
                : 0;
      } else {
        in_base += ob * in_block_step;
        if (has_weights) {
          w_base = op.weights + ob * taps * cb;
        }
      }
      t.bias = has_weights ? op.bias + ob * cb : nullptr;
      out_block = out_item + ob * out_block_step;

      for (const RowBand &band : op.rows) {
        for (const ColumnTile &c : op.columns) {
          set_window(band, c);
          // Along the row, the band costs one call per row; down the
          // columns, one per column and max_width rows. Narrow border
          // columns of a tall band go down (full tiles instead of width-1
          // ones); everything else goes along the row.
          const size_t along = band.height;
          const size_t down =
              size_t{c.width} * ((band.height + max_width - 1) / max_width);
          if (down < along) {
            t.in_pixel_step = in_row_step * g.stride_h;
            t.out_pixel_step = size_t{g.out_w} * cb;
            // Near-equal chunks, as for column tiles.
            const size_t chunks = (band.height + max_width - 1) / max_width;
            for (uint32_t x = 0; x < c.width; ++x) {
              uint32_t y = 0;
              for (size_t i = 0; i < chunks; ++i) {
                t.width = (band.height - y + (chunks - i) - 1) / (chunks - i);
                place(band, band.first_row + y, c, c.first_column + x);
                kernel(&t);
                y += static_cast<uint32_t>(t.width);
              }
            }
          } else {
            t.in_pixel_step = size_t{g.stride_w} * in_lanes;
            t.out_pixel_step = cb;
            t.width = c.width;
            for (uint32_t y = 0; y < band.height; ++y) {
              place(band, band.first_row + y, c, c.first_column);
              kernel(&t);
            }
          }
        }
      }
    }
  }
}

} // namespace small
