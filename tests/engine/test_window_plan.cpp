// The engine's planner (src/engine/window_plan.h, window_loop.h): tap runs
// and column tiles against a naive per-column planner, planning cost on huge
// rows, and whole planned ops run through a probe table that checks every
// call against the shape its variant was selected for, every read against
// the input's bounds, every output float written exactly once, and the
// results against a direct reference.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <utility>
#include <vector>

#include "engine/window_loop.h"
#include "kernels/tile_shape.h"
#include "kernels/whole_rows_by_pixels.h"

namespace {

using namespace small;

struct Tile {
  uint32_t first, width, tap_begin, tap_end;
  bool operator==(const Tile &o) const {
    return first == o.first && width == o.width && tap_begin == o.tap_begin &&
           tap_end == o.tap_end;
  }
};

// The planner as it was: one clip per output column, runs of equal ranges,
// each cut into the fewest near-equal tiles of at most max_width, or (with
// `multiple`) tiles dealt `multiple` columns at a time, round robin, with
// the columns left over added to the last tile.
std::vector<Tile> naive_tiles(uint32_t out_size, uint32_t stride, uint32_t pad,
                              uint32_t dilation, uint32_t kernel,
                              uint32_t in_size, size_t max_width,
                              size_t multiple = 1) {
  std::vector<Tile> runs;
  for (uint32_t o = 0; o < out_size; ++o) {
    const TapRange r = clip_taps(o, stride, pad, dilation, kernel, in_size);
    if (!runs.empty() && runs.back().tap_begin == r.begin &&
        runs.back().tap_end == r.end) {
      ++runs.back().width;
    } else {
      runs.push_back({o, 1, r.begin, r.end});
    }
  }
  std::vector<Tile> tiles;
  for (const Tile &run : runs) {
    const uint32_t count = (run.width + max_width - 1) / max_width;
    std::vector<uint32_t> widths(count, 0);
    if (multiple == 1) {
      uint32_t first = run.first;
      for (uint32_t i = 0; i < count; ++i) {
        widths[i] =
            (run.width - (first - run.first) + (count - i) - 1) / (count - i);
        first += widths[i];
      }
    } else {
      uint32_t dealt = 0;
      for (uint32_t i = 0; dealt + multiple <= run.width; ++i) {
        widths[i % count] += static_cast<uint32_t>(multiple);
        dealt += static_cast<uint32_t>(multiple);
      }
      widths.back() += run.width - dealt;
    }
    uint32_t first = run.first;
    for (uint32_t width : widths) {
      tiles.push_back({first, width, run.tap_begin, run.tap_end});
      first += width;
    }
  }
  return tiles;
}

std::vector<Tile> expand(const std::vector<ColumnTile> &planned) {
  std::vector<Tile> tiles;
  for (const ColumnTile &c : planned) {
    REQUIRE(c.count >= 1);
    for (uint32_t i = 0; i < c.count; ++i) {
      tiles.push_back(
          {c.first_column + i * c.width, c.width, c.tap_begin, c.tap_end});
    }
  }
  return tiles;
}

uint32_t output_size(uint32_t in, uint32_t kernel, uint32_t stride,
                     uint32_t dilation, uint32_t pads) {
  const uint64_t extent = (uint64_t{kernel} - 1) * dilation + 1;
  return static_cast<uint32_t>((in + uint64_t{pads} - extent) / stride + 1);
}

} // namespace

TEST_CASE("column tiles and row bands match a per-column planner",
          "[engine][plan]") {
  std::mt19937 rng(2024);
  auto pick = [&](uint32_t lo, uint32_t hi) {
    return std::uniform_int_distribution<uint32_t>(lo, hi)(rng);
  };
  for (int i = 0; i < 20000; ++i) {
    WindowGeometry g;
    g.in_w = pick(1, 40);
    g.kernel_w = pick(1, 7);
    g.stride_w = pick(1, 4);
    g.dilation_w = pick(1, 3);
    const uint32_t extent = (g.kernel_w - 1) * g.dilation_w + 1;
    // Paddings up to past the whole window: border windows with no taps.
    g.pad_left = pick(0, extent + 2);
    const uint32_t pad_right = pick(0, extent + 2);
    if (g.in_w + g.pad_left + pad_right < extent) {
      continue;
    }
    g.out_w = output_size(g.in_w, g.kernel_w, g.stride_w, g.dilation_w,
                          g.pad_left + pad_right);
    const size_t max_width = pick(1, 16);
    INFO("in " << g.in_w << " kernel " << g.kernel_w << " stride " << g.stride_w
               << " dilation " << g.dilation_w << " pad " << g.pad_left << "+"
               << pad_right << " max " << max_width);
    const std::vector<ColumnTile> planned = plan_columns(g, max_width);
    REQUIRE(expand(planned) == naive_tiles(g.out_w, g.stride_w, g.pad_left,
                                           g.dilation_w, g.kernel_w, g.in_w,
                                           max_width));
    // Widths in multiples of 2 or 4 (a divisor of max_width).
    const size_t multiple = max_width % 4 == 0 ? 4 : 2;
    if (max_width % multiple == 0) {
      INFO("multiple " << multiple);
      const std::vector<Tile> tiles =
          expand(plan_columns(g, max_width, multiple));
      REQUIRE(tiles == naive_tiles(g.out_w, g.stride_w, g.pad_left,
                                   g.dilation_w, g.kernel_w, g.in_w, max_width,
                                   multiple));
      for (const Tile &t : tiles) {
        REQUIRE(t.width >= 1);
        REQUIRE(t.width <= max_width);
      }
    }
    // The same axis as rows: bands are the runs themselves.
    WindowGeometry rows;
    rows.in_h = g.in_w;
    rows.out_h = g.out_w;
    rows.kernel_h = g.kernel_w;
    rows.stride_h = g.stride_w;
    rows.dilation_h = g.dilation_w;
    rows.pad_top = g.pad_left;
    std::vector<Tile> bands;
    for (const RowBand &b : plan_rows(rows)) {
      bands.push_back({b.first_row, b.height, b.tap_begin, b.tap_end});
    }
    REQUIRE(bands == naive_tiles(g.out_w, g.stride_w, g.pad_left, g.dilation_w,
                                 g.kernel_w, g.in_w, g.out_w));
  }
}

TEST_CASE("split_widths cuts multiples and leaves the rest to the last piece",
          "[engine][plan]") {
  auto widths = [](uint32_t length, size_t max_width, size_t multiple) {
    std::vector<uint32_t> w;
    for (const WidthSplit &piece : split_widths(length, max_width, multiple)) {
      w.insert(w.end(), piece.count, piece.width);
    }
    return w;
  };
  // ResNet-8's interior columns on the Cortex-M4 (max 16, groups of 4).
  REQUIRE(widths(30, 16, 4) == std::vector<uint32_t>{16, 14});
  REQUIRE(widths(30, 16, 1) == std::vector<uint32_t>{15, 15});
  // DS-CNN's 25-row columns.
  REQUIRE(widths(25, 16, 4) == std::vector<uint32_t>{12, 13});
  REQUIRE(widths(33, 16, 4) == std::vector<uint32_t>{12, 12, 9});
  REQUIRE(widths(3, 16, 4) == std::vector<uint32_t>{3});
  REQUIRE(widths(5, 4, 4) == std::vector<uint32_t>{4, 1});
  // A multiple that does not divide max_width counts as 1.
  REQUIRE(widths(30, 12, 8) == std::vector<uint32_t>{10, 10, 10});
  REQUIRE(widths(0, 16, 4).empty());
}

TEST_CASE("planning a huge row costs one step per tap range",
          "[engine][plan]") {
  const auto start = std::chrono::steady_clock::now();
  // 2^31 output columns of a padded 3-wide window: left border, interior,
  // right border.
  WindowGeometry g;
  g.in_w = g.out_w = 1u << 31;
  g.kernel_w = 3;
  g.pad_left = 1;
  std::vector<ColumnTile> tiles = plan_columns(g, 12);
  REQUIRE(tiles.size() <= 4);
  REQUIRE(tiles.front().first_column == 0);
  REQUIRE(tiles.front().width == 1);
  REQUIRE(tiles.front().tap_begin == 1);
  REQUIRE(tiles.back().tap_end == 2);
  uint64_t columns = 0;
  for (const ColumnTile &c : tiles) {
    REQUIRE(c.first_column == columns);
    columns += uint64_t{c.count} * c.width;
  }
  REQUIRE(columns == g.out_w);

  // A 1-pixel input padded by 2^32 - 16 on the left, strided and dilated:
  // almost every window lies in the padding, and one range covers them all.
  WindowGeometry p;
  p.in_w = p.in_h = 1;
  p.kernel_w = p.kernel_h = 5;
  p.dilation_w = p.dilation_h = 3;
  p.stride_w = p.stride_h = 2;
  p.pad_left = p.pad_top = 0xFFFFFFF0u;
  p.out_w = p.out_h = output_size(1, 5, 2, 3, 0xFFFFFFF0u + 12);
  tiles = plan_columns(p, 16);
  // Each of the 5 taps enters and leaves once: at most 12 ranges, each at
  // most two ColumnTiles.
  REQUIRE(tiles.size() <= 24);
  columns = 0;
  for (const ColumnTile &c : tiles) {
    columns += uint64_t{c.count} * c.width;
  }
  REQUIRE(columns == p.out_w);
  const std::vector<RowBand> bands = plan_rows(p);
  REQUIRE(bands.size() <= 12);
  REQUIRE(bands.back().first_row + uint64_t{bands.back().height} == p.out_h);

  // One output position per step would take seconds here.
  REQUIRE(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
}

namespace {

// The probe table: its selectors remember each shape they are asked for and
// return a probe bound to it; the probe checks the tile against that shape
// and the buffers, counts the output floats it writes, then runs the scalar
// kernel. Failures are counted (the engine is not unwound by a throw).
struct ProbeState {
  WindowFamily family = WindowFamily::kConv;
  std::vector<small_window_shape> shapes;
  const float *in_begin = nullptr, *in_end = nullptr;
  const float *out_begin = nullptr;
  std::vector<int> writes;
  size_t shape_mismatches = 0, reads_outside = 0;
  // The shapes the whole-row selector (depthwise_rows) was asked for, and
  // the calls of its probes.
  std::vector<small_window_shape> row_shapes;
  size_t whole_row_calls = 0, whole_image_calls = 0;
  // What every shape's out_lanes must say (not a tile field): a
  // convolution's or depthwise layer's channels when they are fewer than
  // one block, else Cb.
  size_t out_lanes = 0;
};
ProbeState probe_state;
constexpr size_t kProbes = 64;

small_window_fn scalar_kernel(const small_window_shape &shape) {
  const small_kernel_table scalar = small_kernels_scalar(shape.cb);
  switch (probe_state.family) {
  case WindowFamily::kConv:
    return scalar.conv(&shape);
  case WindowFamily::kDepthwise:
    return scalar.depthwise(&shape);
  case WindowFamily::kMaxPool:
    return scalar.max_pool(&shape);
  case WindowFamily::kAvgPool:
    return scalar.avg_pool(&shape);
  }
  return nullptr;
}

void check_reads(const small_window_tile &t) {
  const bool is_conv = probe_state.family == WindowFamily::kConv;
  const size_t blocks = is_conv ? t.in_blocks : 1;
  for (size_t b = 0; b < blocks; ++b) {
    const size_t lanes = !is_conv          ? t.cb
                         : b + 1 == blocks ? t.in_last_channels
                                           : t.in_lanes;
    for (size_t j = 0; j < t.width; ++j) {
      for (size_t r = 0; r < t.taps_h; ++r) {
        for (size_t s = 0; s < t.taps_w; ++s) {
          const float *p = t.in + b * t.in_block_step + r * t.in_tap_h_step +
                           s * t.in_tap_w_step + j * t.in_pixel_step;
          if (p < probe_state.in_begin || p + lanes > probe_state.in_end) {
            ++probe_state.reads_outside;
          }
        }
      }
    }
  }
}

// Whether the tile has the shape its variant was selected for (counted as
// a mismatch if not).
bool has_shape(const small_window_tile &t, const small_window_shape &shape) {
  small_window_shape seen = shape_of(t);
  seen.out_lanes = probe_state.out_lanes;
  seen.whole_image = shape.whole_image; // not a tile field either
  if (!same_shape(seen, shape)) {
    ++probe_state.shape_mismatches;
    return false;
  }
  return true;
}

template <size_t I> void probe(const small_window_tile *t) {
  const small_window_shape &shape = probe_state.shapes[I];
  if (!has_shape(*t, shape)) {
    return;
  }
  check_reads(*t);
  for (size_t k = 0; k < t->out_blocks; ++k) {
    for (size_t j = 0; j < t->width; ++j) {
      const float *p = t->out + k * t->out_block_step + j * t->out_pixel_step;
      for (size_t l = 0; l < t->cb; ++l) {
        ++probe_state.writes.at(
            static_cast<size_t>(p + l - probe_state.out_begin));
      }
    }
  }
  scalar_kernel(shape)(t);
}

// A whole-row tile (kernel_contract.h, depthwise_rows): rows x width
// pixels, each reading the taps of its window inside the row (stride 1
// padded one column on each side, stride 2 one on the right) and, for a
// whole image, inside the image's rows (padded the same way).
template <size_t I> void probe_rows(const small_window_tile *t) {
  const small_window_shape &shape = probe_state.row_shapes[I];
  if (!has_shape(*t, shape)) {
    return;
  }
  ++probe_state.whole_row_calls;
  probe_state.whole_image_calls += shape.whole_image;
  const size_t stride = t->in_pixel_step / t->cb, pad = stride == 1 ? 1 : 0;
  const size_t pad_top = shape.whole_image ? pad : 0;
  for (size_t k = 0; k < t->out_blocks; ++k) {
    const float *in = t->in + k * t->in_block_step;
    const float *out = t->out + k * t->out_block_step;
    for (size_t i = 0; i < t->rows; ++i) {
      for (size_t j = 0; j < t->width; ++j) {
        for (size_t r = 0; r < t->taps_h; ++r) {
          const size_t row = stride * i + r; // + pad_top
          if (shape.whole_image &&
              (row < pad_top || row - pad_top >= stride * t->rows)) {
            continue; // the padding rows
          }
          for (size_t s = 0; s < 3; ++s) {
            const size_t column = stride * j + s; // + pad
            if (column < pad || column - pad >= stride * t->width) {
              continue; // the padding columns
            }
            const float *p = in + (row - pad_top) * t->in_tap_h_step +
                             (column - pad) * t->in_tap_w_step;
            if (p < probe_state.in_begin || p + t->cb > probe_state.in_end) {
              ++probe_state.reads_outside;
            }
          }
        }
        const float *p = out + (i * t->width + j) * t->out_pixel_step;
        for (size_t l = 0; l < t->cb; ++l) {
          ++probe_state.writes.at(
              static_cast<size_t>(p + l - probe_state.out_begin));
        }
      }
    }
  }
  whole_rows_by_pixels(*t, shape.whole_image != 0);
}

template <size_t... Is>
small_window_fn probe_for(size_t i, bool whole_rows,
                          std::index_sequence<Is...>) {
  static constexpr small_window_fn probes[] = {probe<Is>...};
  static constexpr small_window_fn row_probes[] = {probe_rows<Is>...};
  return whole_rows ? row_probes[i] : probes[i];
}

small_window_fn select_from(std::vector<small_window_shape> &shapes,
                            const small_window_shape &shape, bool whole_rows) {
  size_t i = 0;
  while (i < shapes.size() && !same_shape(shapes[i], shape)) {
    ++i;
  }
  if (i == shapes.size()) {
    REQUIRE(shapes.size() < kProbes);
    shapes.push_back(shape);
  }
  return probe_for(i, whole_rows, std::make_index_sequence<kProbes>{});
}

small_window_fn select_probe(const small_window_shape *shape) {
  return select_from(probe_state.shapes, *shape, false);
}

small_window_fn select_rows_probe(const small_window_shape *shape) {
  return select_from(probe_state.row_shapes, *shape, true);
}

small_kernel_table probe_table() {
  small_kernel_table t = *small_kernels_active();
  t.conv = t.depthwise = t.max_pool = t.avg_pool = select_probe;
  t.depthwise_rows = select_rows_probe;
  // Pair output blocks as a two-block convolution tile does.
  t.conv_max_out_blocks = 2;
  return t;
}

// Blocked tensor index: [n][c / lanes][h][w][lanes].
size_t blocked(size_t n, size_t c, size_t y, size_t x, size_t channels,
               size_t h, size_t w, size_t lanes) {
  const size_t blocks = (channels + lanes - 1) / lanes;
  return ((n * blocks + c / lanes) * h + y) * w * lanes + x * lanes + c % lanes;
}

} // namespace

TEST_CASE("planned window ops call each variant with its shape and cover "
          "the output once",
          "[engine][plan]") {
  const small_kernel_table table = probe_table();
  const size_t cb = table.channel_block;
  std::mt19937 rng(77);
  auto pick = [&](uint32_t lo, uint32_t hi) {
    return std::uniform_int_distribution<uint32_t>(lo, hi)(rng);
  };
  // Layers in whole-row bands, in whole images; by stride.
  size_t whole_row_layers[2] = {0, 0}, whole_image_layers[2] = {0, 0};
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  const WindowFamily families[] = {
      WindowFamily::kConv, WindowFamily::kDepthwise, WindowFamily::kMaxPool,
      WindowFamily::kAvgPool};
  for (int i = 0; i < 400; ++i) {
    const WindowFamily family = families[i % 4];
    const bool is_conv = family == WindowFamily::kConv;
    const bool is_pool = !is_conv && family != WindowFamily::kDepthwise;
    WindowOp op;
    op.family = family;
    WindowGeometry &g = op.geometry;
    g.batch = pick(1, 2);
    g.in_c = pick(1, static_cast<uint32_t>(3 * cb));
    g.in_h = pick(1, 9);
    g.in_w = pick(1, 30);
    g.kernel_h = pick(1, 4);
    g.kernel_w = pick(1, 4);
    g.stride_h = pick(1, 3);
    g.stride_w = pick(1, 3);
    g.dilation_h = is_pool ? 1 : pick(1, 2);
    g.dilation_w = is_pool ? 1 : pick(1, 2);
    // Half the depthwise layers are of the kinds whole-row tiles take: 3x3
    // at stride 1 with one column of padding on each side, or at stride 2
    // with one on the right of an even width; any rows' padding (a band of
    // windows wholly in it keeps the ordinary tiles).
    const bool whole_row_kind =
        family == WindowFamily::kDepthwise && pick(0, 1) != 0;
    const uint32_t whole_row_stride = whole_row_kind ? pick(1, 2) : 0;
    if (whole_row_kind) {
      g.kernel_h = g.kernel_w = 3;
      g.stride_h = g.stride_w = whole_row_stride;
      g.dilation_h = g.dilation_w = 1;
      if (whole_row_stride == 2) {
        g.in_w += g.in_w % 2; // even: one padding column on the right
      }
    }
    const uint32_t extent_h = (g.kernel_h - 1) * g.dilation_h + 1;
    const uint32_t extent_w = (g.kernel_w - 1) * g.dilation_w + 1;
    // Pooling pads less than the kernel (validated at build); convolution
    // windows may miss the input entirely.
    const uint32_t pad_h = is_pool ? g.kernel_h - 1 : extent_h + 1;
    const uint32_t pad_w = is_pool ? g.kernel_w - 1 : extent_w + 1;
    g.pad_top = pick(0, pad_h);
    g.pad_left = pick(0, pad_w);
    uint32_t pads_h = g.pad_top + pick(0, pad_h);
    uint32_t pads_w = g.pad_left + pick(0, pad_w);
    if (whole_row_kind) {
      g.pad_left = whole_row_stride == 1 ? 1 : 0;
      pads_w = whole_row_stride == 1 ? 2 : 1;
      // A third of them padded the same way above and below: whole images.
      if (pick(0, 2) == 0) {
        g.in_h += whole_row_stride == 2 ? g.in_h % 2 : 0;
        g.pad_top = g.pad_left;
        pads_h = pads_w;
      }
    }
    if (g.in_h + pads_h < extent_h || g.in_w + pads_w < extent_w) {
      continue;
    }
    g.out_h = output_size(g.in_h, g.kernel_h, g.stride_h, g.dilation_h, pads_h);
    g.out_w = output_size(g.in_w, g.kernel_w, g.stride_w, g.dilation_w, pads_w);
    g.out_c = is_conv ? pick(1, static_cast<uint32_t>(2 * cb + 3)) : g.in_c;
    // A narrow convolution input stored planar, one channel per block.
    const size_t lanes = is_conv && g.in_c < cb && pick(0, 1) ? 1 : cb;
    op.input_lanes = lanes == cb ? 0 : 1;
    op.count_include_pad = pick(0, 1) != 0;
    op.act = {SMALL_ACT_OP_NONE, 0, 0, 0, 0};

    const size_t in_blocks = (g.in_c + lanes - 1) / lanes;
    const size_t out_blocks = (g.out_c + cb - 1) / cb;
    const size_t taps = size_t{g.kernel_h} * g.kernel_w;
    std::vector<float> in(g.batch * in_blocks * g.in_h * g.in_w * lanes);
    for (float &v : in) {
      v = value(rng); // pad lanes too: finite values that must not matter
    }
    // Weights in OIHW (depthwise: C x taps) and their packed forms.
    const size_t w_in = is_conv ? g.in_c : 1;
    std::vector<float> w(size_t{g.out_c} * w_in * taps), bias(out_blocks * cb);
    for (float &v : w) {
      v = value(rng);
    }
    for (float &v : bias) {
      v = value(rng);
    }
    std::vector<float> packed;
    if (is_conv) {
      packed.assign(out_blocks * in_blocks * taps * lanes * cb, 0.0f);
      for (size_t o = 0; o < g.out_c; ++o) {
        for (size_t c = 0; c < g.in_c; ++c) {
          for (size_t t = 0; t < taps; ++t) {
            packed[(((o / cb) * in_blocks + c / lanes) * taps + t) * lanes *
                       cb +
                   (c % lanes) * cb + o % cb] = w[(o * g.in_c + c) * taps + t];
          }
        }
      }
      for (size_t ob = 0; ob < out_blocks; ++ob) {
        op.input_ranges.push_back({0, in_blocks,
                                   g.in_c - (in_blocks - 1) * lanes,
                                   ob * in_blocks * taps * lanes * cb});
      }
    } else if (!is_pool) {
      packed.assign(out_blocks * taps * cb, 0.0f);
      for (size_t c = 0; c < g.out_c; ++c) {
        for (size_t t = 0; t < taps; ++t) {
          packed[((c / cb) * taps + t) * cb + c % cb] = w[c * taps + t];
        }
      }
    }
    if (!is_pool) {
      op.weights = packed.data();
      op.bias = bias.data();
    }

    probe_state = ProbeState{};
    probe_state.family = family;
    probe_state.out_lanes = !is_pool && g.out_c < cb ? g.out_c : cb;
    plan_window(op, table);
    std::vector<float> out(g.batch * out_blocks * g.out_h * g.out_w * cb,
                           std::numeric_limits<float>::quiet_NaN());
    probe_state.in_begin = in.data();
    probe_state.in_end = in.data() + in.size();
    probe_state.out_begin = out.data();
    probe_state.writes.assign(out.size(), 0);
    run_window(op, table, in.data(), out.data());

    INFO("family " << static_cast<int>(family) << " in " << g.in_c << "x"
                   << g.in_h << "x" << g.in_w << " out " << g.out_c << "x"
                   << g.out_h << "x" << g.out_w << " kernel " << g.kernel_h
                   << "x" << g.kernel_w << " stride " << g.stride_h << ","
                   << g.stride_w << " dilation " << g.dilation_h << ","
                   << g.dilation_w << " pad " << g.pad_top << "," << g.pad_left
                   << " lanes " << lanes << " across " << op.across_blocks);
    REQUIRE(probe_state.shape_mismatches == 0);
    REQUIRE(probe_state.reads_outside == 0);
    for (size_t k = 0; k < out.size(); ++k) {
      INFO("output float " << k);
      REQUIRE(probe_state.writes[k] == 1);
    }
    if (probe_state.whole_image_calls != 0) {
      ++whole_image_layers[g.stride_w - 1];
    } else if (probe_state.whole_row_calls != 0) {
      ++whole_row_layers[g.stride_w - 1];
    }
    // The direct reference on the valid channels.
    for (size_t n = 0; n < g.batch; ++n) {
      for (size_t o = 0; o < g.out_c; ++o) {
        for (size_t y = 0; y < g.out_h; ++y) {
          for (size_t x = 0; x < g.out_w; ++x) {
            double acc = is_pool ? 0.0 : bias[o];
            double max_value = -std::numeric_limits<double>::infinity();
            double magnitude = std::fabs(acc);
            size_t valid = 0;
            for (size_t r = 0; r < g.kernel_h; ++r) {
              for (size_t s = 0; s < g.kernel_w; ++s) {
                const int64_t iy =
                    int64_t(y * g.stride_h + r * g.dilation_h) - g.pad_top;
                const int64_t ix =
                    int64_t(x * g.stride_w + s * g.dilation_w) - g.pad_left;
                if (iy < 0 || ix < 0 || iy >= g.in_h || ix >= g.in_w) {
                  continue;
                }
                ++valid;
                const size_t first = is_conv ? 0 : o;
                const size_t last = is_conv ? g.in_c : o + 1;
                for (size_t c = first; c < last; ++c) {
                  const double v =
                      in[blocked(n, c, iy, ix, g.in_c, g.in_h, g.in_w, lanes)];
                  const double wv =
                      is_pool ? 1.0
                              : w[((is_conv ? o * g.in_c + c : o) * taps) +
                                  r * g.kernel_w + s];
                  acc += v * wv;
                  magnitude += std::fabs(v * wv);
                  max_value = std::max(max_value, v);
                }
              }
            }
            double want = acc;
            if (family == WindowFamily::kMaxPool) {
              want = max_value;
            } else if (family == WindowFamily::kAvgPool) {
              want = acc /
                     static_cast<double>(op.count_include_pad ? taps : valid);
            }
            const float got =
                out[blocked(n, o, y, x, g.out_c, g.out_h, g.out_w, cb)];
            INFO("n " << n << " channel " << o << " pixel " << y << "," << x);
            REQUIRE(std::fabs(got - want) <= 1e-5 * std::max(1.0, magnitude));
          }
        }
      }
    }
  }
  // Some of the layers of each stride were planned in whole rows (the probe
  // table has them for every shape).
  REQUIRE(whole_row_layers[0] > 0);
  REQUIRE(whole_row_layers[1] > 0);
  REQUIRE(whole_image_layers[0] > 0);
  REQUIRE(whole_image_layers[1] > 0);
}

namespace {

// A float convolution of geometry g over a planar network input (one
// channel per input block), for the planner alone.
WindowOp planar_conv(const WindowGeometry &g, size_t cb) {
  WindowOp op;
  op.family = WindowFamily::kConv;
  op.geometry = g;
  op.input_lanes = 1;
  op.act = {SMALL_ACT_OP_NONE, 0, 0, 0, 0};
  for (size_t b = 0; b < (g.out_c + cb - 1) / cb; ++b) {
    op.input_ranges.push_back({0, g.in_c, 1, 0});
  }
  return op;
}

// A 3x3 stride-1 SAME depthwise layer of `channels` on a size x size image.
WindowOp depthwise_3x3(uint32_t channels, uint32_t size) {
  WindowOp op;
  op.family = WindowFamily::kDepthwise;
  WindowGeometry &g = op.geometry;
  g.batch = 1;
  g.in_c = g.out_c = channels;
  g.in_h = g.in_w = g.out_h = g.out_w = size;
  g.kernel_h = g.kernel_w = 3;
  g.stride_h = g.stride_w = 1;
  g.dilation_h = g.dilation_w = 1;
  g.pad_top = g.pad_left = 1;
  op.act = {SMALL_ACT_OP_NONE, 0, 0, 0, 0};
  return op;
}

} // namespace

TEST_CASE("a float planar convolution keeps wide pieces along the row and "
          "sends narrow border columns down",
          "[engine][plan]") {
  // MobileNet VWW's first layer: 3x96x96 -> 8x48x48, 3x3 stride 2, padded
  // one pixel on the top and left only: a left border column of width 1,
  // then 47 columns the planner cuts into pieces of at most max_width.
  small_kernel_table table = *small_kernels_active();
  table.conv_max_width = 12;
  WindowGeometry g;
  g.batch = 1;
  g.in_c = 3;
  g.in_h = g.in_w = 96;
  g.out_c = 8;
  g.out_h = g.out_w = 48;
  g.kernel_h = g.kernel_w = 3;
  g.stride_h = g.stride_w = 2;
  g.dilation_h = g.dilation_w = 1;
  g.pad_top = g.pad_left = 1;
  WindowOp op = planar_conv(g, table.channel_block);
  plan_window(op, table);
  const size_t along_row = g.stride_w; // one float per planar pixel
  size_t row_pixels = 0, column_pixels = 0;
  for (const auto &grids : op.grids) {
    for (const TileGrid &grid : grids) {
      const size_t pixels = grid.width * grid.columns * grid.rows;
      if (grid.in_pixel_step == along_row) {
        row_pixels += pixels;
      } else {
        INFO("a grid down the columns " << grid.columns << " wide");
        CHECK(grid.columns == 1); // the width-1 left border column only
        column_pixels += pixels;
      }
    }
  }
  CHECK(column_pixels == 47); // rows 1..47 of column 0
  CHECK(row_pixels + column_pixels == 48u * 48u);
}

TEST_CASE("a float planar convolution sends a narrow interior piece down the "
          "columns when rows would take many more calls",
          "[engine][plan]") {
  // DS-CNN's first layer: 1x49x10 -> 64x25x5, 10x4 stride 2, SAME padding
  // (4/5 rows, 1/1 columns), at tiles of 5 pixels (NEON's width): the 3
  // interior columns of the 20 interior rows take 20 calls along the rows
  // against 3 x 4 down the columns.
  small_kernel_table table = *small_kernels_active();
  table.conv_max_width = 5;
  table.conv_planar_lanes_channels = 0;
  table.conv_planar_lanes_max_width = 0;
  WindowGeometry g;
  g.batch = 1;
  g.in_c = 1;
  g.in_h = 49;
  g.in_w = 10;
  g.out_c = 64;
  g.out_h = 25;
  g.out_w = 5;
  g.kernel_h = 10;
  g.kernel_w = 4;
  g.stride_h = g.stride_w = 2;
  g.dilation_h = g.dilation_w = 1;
  g.pad_top = 4;
  g.pad_left = 1;
  WindowOp op = planar_conv(g, table.channel_block);
  plan_window(op, table);
  const size_t down = size_t{g.stride_h} * g.in_w; // one float per pixel
  size_t interior_calls = 0, interior_pixels = 0;
  for (const auto &grids : op.grids) {
    for (const TileGrid &grid : grids) {
      if (grid.taps_h == 10 && grid.taps_w == 4) { // the full windows
        INFO("a full-window grid along the row");
        CHECK(grid.in_pixel_step == down);
        interior_calls += size_t{grid.columns} * grid.rows;
        interior_pixels += grid.width * grid.columns * grid.rows;
      }
    }
  }
  CHECK(interior_pixels == 3u * 20u);
  CHECK(interior_calls == 3u * 4u);
}

TEST_CASE("float depthwise weighs tiles across blocks by the blocks they "
          "compute when the table prices them",
          "[engine][plan]") {
  // A 6x6 image takes 12 calls per block in a block's tiles (4 interior
  // rows, 2 border columns, 2 border rows of 3 pieces) against one call
  // per pixel across every block; a 3x3 image takes 9 per block.
  small_kernel_table table = *small_kernels_active();
  table.depthwise_across_blocks = 1;
  table.window_max_width = 64;
  table.depthwise_rows = nullptr; // else they take both images
  const uint32_t channels = static_cast<uint32_t>(8 * table.channel_block);
  auto across = [&](WindowOp op, size_t percent, bool int8) {
    table.depthwise_across_block_percent = percent;
    op.int8 = int8;
    plan_window(op, table);
    return op.across_blocks;
  };
  // Counting calls: 36 across against 12 x 8 in blocks.
  CHECK(across(depthwise_3x3(channels, 6), 0, false));
  // Priced: 36 pixels x 40% = 14.4 calls per block against 12.
  CHECK_FALSE(across(depthwise_3x3(channels, 6), 40, false));
  // 9 pixels x 40% = 3.6 calls per block against 9.
  CHECK(across(depthwise_3x3(channels, 3), 40, false));
  CHECK(across(depthwise_3x3(channels, 3), 0, false));
  // int8 depthwise keeps the count of calls.
  CHECK(across(depthwise_3x3(channels, 6), 40, true));
}

namespace {

// A whole-row selector that takes bands of rows of at most 8 pixels (any
// kernel will do: the planner alone runs).
small_window_fn rows_up_to_8(const small_window_shape *shape) {
  return shape->width <= 8 && shape->whole_image == 0
             ? small_kernels_scalar(shape->cb).depthwise(shape)
             : nullptr;
}

// The active table with tiles across blocks priced as x86 prices them, any
// depthwise width, and `rows` as its whole-row selector.
small_kernel_table whole_row_table(small_window_select_fn rows) {
  small_kernel_table table = *small_kernels_active();
  table.depthwise_across_blocks = 1;
  table.depthwise_across_block_percent = 40;
  table.window_max_width = 64;
  table.depthwise_rows = rows;
  return table;
}

// One that also takes whole images of rows of at most 6 pixels.
small_window_fn rows_up_to_8_images_up_to_6(const small_window_shape *shape) {
  return shape->width <= (shape->whole_image != 0 ? 6u : 8u)
             ? small_kernels_scalar(shape->cb).depthwise(shape)
             : nullptr;
}

} // namespace

TEST_CASE("float 3x3 depthwise bands take whole-row tiles where the table "
          "has them",
          "[engine][plan]") {
  const small_kernel_table table = whole_row_table(rows_up_to_8);
  const uint32_t channels = static_cast<uint32_t>(8 * table.channel_block);
  // A 3x3 image stays across blocks (9 pixels x 40% = 3.6 against 9 calls
  // per block), which go first.
  WindowOp tiny = depthwise_3x3(channels, 3);
  plan_window(tiny, table);
  CHECK(tiny.across_blocks);
  // A 6x6 image (36 x 40% = 14.4 against 12 calls): its three bands (top,
  // 4 interior rows, bottom), one call per block each.
  WindowOp op = depthwise_3x3(channels, 6);
  plan_window(op, table);
  CHECK_FALSE(op.across_blocks);
  REQUIRE(op.grids.size() == 1);
  const std::vector<TileGrid> &grids = op.grids[0];
  REQUIRE(grids.size() == 3);
  const uint32_t heights[] = {1, 4, 1};
  const size_t taps_h[] = {2, 3, 2};
  for (size_t i = 0; i < grids.size(); ++i) {
    CHECK(grids[i].whole_rows);
    CHECK(grids[i].columns * grids[i].rows == 1);
    CHECK(grids[i].tile_rows == heights[i]);
    CHECK(grids[i].taps_h == taps_h[i]);
    CHECK(grids[i].width == 6);
  }
  // At stride 2 with TF's SAME padding of an even image (none on the top
  // and left): 12x12 -> 6x6, five full rows, then the bottom one (36 x 40%
  // = 14.4 against 8 calls per block in a block's tiles).
  WindowOp down = depthwise_3x3(channels, 12);
  down.geometry.stride_h = down.geometry.stride_w = 2;
  down.geometry.pad_top = down.geometry.pad_left = 0;
  down.geometry.out_h = down.geometry.out_w = 6;
  plan_window(down, table);
  CHECK_FALSE(down.across_blocks);
  REQUIRE(down.grids.size() == 1);
  REQUIRE(down.grids[0].size() == 2);
  for (const TileGrid &grid : down.grids[0]) {
    CHECK(grid.whole_rows);
    CHECK(grid.width == 6);
    CHECK(grid.in_pixel_step == 2 * table.channel_block);
  }
  CHECK(down.grids[0][0].tile_rows == 5);
  CHECK(down.grids[0][1].taps_h == 2);
  // The image across blocks, rows wider than the table takes, a stride of
  // 2 padded on the left, an int8 layer and an unpadded row keep the
  // ordinary tiles.
  WindowOp wide = depthwise_3x3(channels, 9);
  WindowOp strided = depthwise_3x3(channels, 6);
  strided.geometry.stride_h = strided.geometry.stride_w = 2;
  strided.geometry.out_h = strided.geometry.out_w = 3;
  WindowOp int8 = depthwise_3x3(channels, 6);
  int8.int8 = true;
  WindowOp valid = depthwise_3x3(channels, 6);
  valid.geometry.pad_left = valid.geometry.pad_top = 0;
  valid.geometry.out_h = valid.geometry.out_w = 4;
  for (WindowOp *other : {&tiny, &wide, &strided, &int8, &valid}) {
    plan_window(*other, table);
    for (const auto &kind : other->grids) {
      for (const TileGrid &grid : kind) {
        CHECK_FALSE(grid.whole_rows);
        CHECK(grid.tile_rows == 1);
      }
    }
  }
}

TEST_CASE("float 3x3 depthwise layers padded alike on every side take "
          "whole-image tiles where the table has them",
          "[engine][plan]") {
  const small_kernel_table table = whole_row_table(rows_up_to_8_images_up_to_6);
  const size_t cb = table.channel_block;
  const uint32_t channels = static_cast<uint32_t>(8 * cb);
  // 8 blocks: two calls of 4 (one for each of two threads).
  auto check_image = [&](const WindowOp &op, uint32_t size, size_t stride) {
    CHECK_FALSE(op.across_blocks);
    CHECK(op.whole_image);
    REQUIRE(op.block_groups.size() == 2);
    CHECK(op.block_groups[1].out_blocks == 4);
    REQUIRE(op.grids.size() == 1);
    REQUIRE(op.grids[0].size() == 1);
    const TileGrid &grid = op.grids[0][0];
    CHECK(grid.out_blocks == 4);
    CHECK(grid.whole_rows);
    CHECK(grid.whole_image);
    CHECK(grid.columns * grid.rows == 1);
    CHECK(grid.tile_rows == size);
    CHECK(grid.width == size);
    CHECK(grid.taps_h == 3);
    CHECK(grid.in_pixel_step == stride * cb);
    CHECK(grid.in_offset == 0);
    CHECK(grid.out_offset == 0);
    CHECK(grid.weight_offset == 0);
  };
  // A 3x3 image, which takes tiles across blocks without whole images
  // (the bands' test above): one call per block.
  WindowOp tiny = depthwise_3x3(channels, 3);
  plan_window(tiny, table);
  check_image(tiny, 3, 1);
  // Stride 2 with TF's SAME padding of an even image: 12x12 -> 6x6.
  WindowOp down = depthwise_3x3(channels, 12);
  down.geometry.stride_h = down.geometry.stride_w = 2;
  down.geometry.pad_top = down.geometry.pad_left = 0;
  down.geometry.out_h = down.geometry.out_w = 6;
  plan_window(down, table);
  check_image(down, 6, 2);
  // Calls of at most 8 blocks, at least two, of near-equal counts (17: 6 +
  // 6 + 5; 9: 5 + 4 and 3: 2 + 1, two kinds of tiles), each block once.
  for (const auto &[blocks, counts] :
       {std::pair<uint32_t, std::vector<size_t>>{17, {6, 6, 5}},
        {16, {8, 8}},
        {9, {5, 4}},
        {3, {2, 1}},
        {1, {1}}}) {
    WindowOp many = depthwise_3x3(static_cast<uint32_t>(blocks * cb), 3);
    plan_window(many, table);
    CHECK(many.whole_image);
    REQUIRE(many.block_groups.size() == counts.size());
    size_t first = 0;
    for (size_t i = 0; i < counts.size(); ++i) {
      const BlockGroup &group = many.block_groups[i];
      CHECK(group.out_blocks == counts[i]);
      CHECK(group.out_offset == first * 3 * 3 * cb);
      CHECK(group.weight_offset == first * 9 * cb);
      CHECK(group.bias_offset == first * cb);
      REQUIRE(many.grids[group.kind].size() == 1);
      CHECK(many.grids[group.kind][0].out_blocks == counts[i]);
      first += counts[i];
    }
  }
  // Padded above but not below (6 rows -> 5), an odd height at stride 2
  // (its last row's window inside), rows wider than the selector takes for
  // an image: bands.
  WindowOp top_only = depthwise_3x3(channels, 6);
  top_only.geometry.out_h = 5;
  WindowOp odd = depthwise_3x3(channels, 12);
  odd.geometry.stride_h = odd.geometry.stride_w = 2;
  odd.geometry.pad_top = odd.geometry.pad_left = 0;
  odd.geometry.in_h = 13;
  odd.geometry.out_h = odd.geometry.out_w = 6;
  WindowOp wide = depthwise_3x3(channels, 8);
  for (WindowOp *other : {&top_only, &odd, &wide}) {
    plan_window(*other, table);
    REQUIRE(other->grids.size() == 1);
    CHECK_FALSE(other->grids[0].empty());
    for (const TileGrid &grid : other->grids[0]) {
      CHECK(grid.whole_rows);
      CHECK_FALSE(grid.whole_image);
    }
  }
}
