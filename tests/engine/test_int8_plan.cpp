// int8 window ops go through the same engine plan as float ones: for the
// same geometry, the int8 selectors are asked for exactly the tile shapes
// the float selectors are, in the same order, every output lane of an int8
// op is written once, and every tile's out_last_channels names the pad
// lanes of its last output block.
#include <cstdint>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "engine/window_loop.h"
#include "kernel_contract.h"

using small::WindowFamily;
using small::WindowOp;

namespace {

std::vector<small_window_shape> float_shapes, int8_shapes;

// What count_writes checks out_last_channels against: the op's output
// (its start, elements per channel block and per batch item, channels),
// and whether its tiles must name their pad lanes (convolution and
// depthwise in one block) or report Cb.
struct Output {
  const int8_t *base = nullptr;
  size_t block = 0, item = 0, channels = 0;
  bool names_pad_lanes = false;
};
Output output;
size_t wrong_last_channels = 0;

void count_writes(const small_window_tile_i8 *t) {
  for (size_t k = 0; k < t->out_blocks; ++k) {
    for (size_t j = 0; j < t->width; ++j) {
      for (size_t l = 0; l < t->cb; ++l) {
        // The output buffer is the writes vector's bytes reinterpreted.
        int8_t *p = t->out + k * t->out_block_step + j * t->out_pixel_step + l;
        ++*p;
        const auto at = static_cast<size_t>(p - output.base);
        const size_t channel = at % output.item / output.block * t->cb + l;
        const bool pad = channel >= output.channels;
        if (output.names_pad_lanes
                ? k + 1 == t->out_blocks && (l >= t->out_last_channels) != pad
                : t->out_last_channels != t->cb) {
          ++wrong_last_channels;
        }
      }
    }
  }
}
void ignore_tile(const small_window_tile *) {}
small_window_fn record_float(const small_window_shape *s) {
  float_shapes.push_back(*s);
  return ignore_tile;
}
small_window_i8_fn record_int8(const small_window_shape *s) {
  int8_shapes.push_back(*s);
  return count_writes;
}

bool same(const small_window_shape &a, const small_window_shape &b) {
  return a.cb == b.cb && a.width == b.width && a.taps_h == b.taps_h &&
         a.taps_w == b.taps_w && a.in_pixel_step == b.in_pixel_step &&
         a.out_pixel_step == b.out_pixel_step &&
         a.in_tap_w_step == b.in_tap_w_step &&
         a.in_tap_h_step == b.in_tap_h_step && a.in_lanes == b.in_lanes &&
         a.out_blocks == b.out_blocks && a.w_pixel_step == b.w_pixel_step &&
         a.bias_pixel_step == b.bias_pixel_step;
}

} // namespace

TEST_CASE("int8 window ops use the float plan and write each output once",
          "[engine][int8]") {
  small_kernel_table table = *small_kernels_active();
  table.conv = table.depthwise = table.max_pool = table.avg_pool = record_float;
  table.conv_i8 = table.depthwise_i8 = table.max_pool_i8 = table.avg_pool_i8 =
      record_int8;
  // Without the float-only tile choices (wider one-block tiles, dense
  // layers' block groups, depthwise tiles across blocks priced by their
  // blocks), which int8 layers do not take.
  table.conv_one_block_max_width = 0;
  table.conv_f32_dense_out_blocks = 0;
  table.depthwise_across_block_percent = 0;
  const size_t cb = table.channel_block;
  std::mt19937 rng(5);
  auto pick = [&](uint32_t lo, uint32_t hi) {
    return std::uniform_int_distribution<uint32_t>(lo, hi)(rng);
  };
  const WindowFamily families[] = {
      WindowFamily::kConv, WindowFamily::kDepthwise, WindowFamily::kMaxPool,
      WindowFamily::kAvgPool};
  for (int i = 0; i < 200; ++i) {
    const WindowFamily family = families[i % 4];
    WindowOp op;
    op.family = family;
    small::WindowGeometry &g = op.geometry;
    g.batch = pick(1, 2);
    g.in_c = pick(1, 40);
    g.out_c = family == WindowFamily::kConv ? pick(1, 40) : g.in_c;
    g.kernel_h = pick(1, 4);
    g.kernel_w = pick(1, 4);
    g.stride_h = pick(1, 3);
    g.stride_w = pick(1, 3);
    g.pad_top = pick(0, g.kernel_h - 1);
    g.pad_left = pick(0, g.kernel_w - 1);
    g.in_h = pick(g.kernel_h, 20);
    g.in_w = pick(g.kernel_w, 30);
    g.out_h = (g.in_h + g.pad_top - g.kernel_h) / g.stride_h + 1;
    g.out_w = (g.in_w + g.pad_left - g.kernel_w) / g.stride_w + 1;
    const size_t out_blocks = (g.out_c + cb - 1) / cb;
    if (family == WindowFamily::kConv) {
      const size_t in_blocks = (g.in_c + cb - 1) / cb;
      op.input_ranges.assign(out_blocks, {});
      for (size_t b = 0; b < out_blocks; ++b) {
        op.input_ranges[b] = {0, in_blocks, g.in_c - (in_blocks - 1) * cb,
                              b * in_blocks * g.kernel_h * g.kernel_w * cb *
                                  cb};
      }
    }
    float_shapes.clear();
    int8_shapes.clear();
    small::plan_window(op, table);
    WindowOp op8 = op;
    op8.int8 = true;
    const int32_t zero = 0;
    op8.quant.multiplier = &zero;
    op8.quant.shift = &zero;
    small::plan_window(op8, table);
    REQUIRE(float_shapes.size() == int8_shapes.size());
    for (size_t k = 0; k < float_shapes.size(); ++k) {
      CHECK(same(float_shapes[k], int8_shapes[k]));
    }
    // Every output element (all Cb lanes of every pixel) written once.
    const size_t out_elements =
        size_t{g.batch} * out_blocks * g.out_h * g.out_w * cb;
    std::vector<int8_t> out(out_elements, 0);
    std::vector<int8_t> in(
        size_t{g.batch} * ((g.in_c + cb - 1) / cb) * g.in_h * g.in_w * cb, 0);
    output.base = out.data();
    output.block = size_t{g.out_h} * g.out_w * cb;
    output.item = out_blocks * output.block;
    output.channels = g.out_c;
    output.names_pad_lanes =
        (family == WindowFamily::kConv || family == WindowFamily::kDepthwise) &&
        !op8.across_blocks;
    wrong_last_channels = 0;
    small::run_window_int8(op8, in.data(), out.data());
    for (size_t k = 0; k < out.size(); ++k) {
      INFO("element " << k << " family " << i % 4);
      REQUIRE(out[k] == 1);
    }
    // out_last_channels: the real channels of a tile's last block.
    INFO("family " << i % 4 << " channels " << g.out_c);
    REQUIRE(wrong_last_channels == 0);
  }
}
