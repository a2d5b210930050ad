// The int8 window families of the active table (convolution, depthwise,
// average pooling) against the scalar int8 kernels at the same channel
// block, BIT FOR BIT: tile widths, partial last input blocks (1..Cb lanes,
// multiples of the k-group or not), planar and 4-lane narrow inputs, dense
// tiles, taps (clipped and none), strides, output blocks, columns of pixels,
// per-pixel depthwise weights, zero points, per-channel multipliers and
// shifts in both rounding modes, and clamps. int8_tile_check.cpp builds each
// case's tile (convolution weights drawn as [input lane][output lane]
// matrices and packed for the table's conv_i8_k_group, kernel_contract.h, so
// the test also pins the grouped layout) and compares the outputs, which sit
// between guard bytes that must stay untouched.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "kernels/int8_tile_check.h"

using namespace int8_tile_check;

TEST_CASE("int8 conv tiles match scalar bit for bit", "[kernels][int8]") {
  std::mt19937 rng(2024);
  const size_t cb = active().channel_block;
  const auto qs = quants();
  size_t n = 0;
  std::vector<Int8Case> cases;
  for (size_t width : widths(active().conv_max_width)) {
    for (size_t taps : {1, 3}) {
      for (size_t stride : {1, 2, 3}) {
        for (size_t blocks : {1, 2}) {
          for (size_t last = 1; last <= cb; ++last) {
            cases.push_back({width, taps, taps, stride, blocks, last});
          }
        }
      }
    }
    Int8Case column{width, 3, 3, 1, 2, cb};
    column.pixel_gap = 2 * cb + 5;
    cases.push_back(column);
    column.down_column = true;
    cases.push_back(column);
    for (size_t stride : {1, 2, 3}) { // planar: an RGB or 1-channel input
      Int8Case planar{width, 3, 3, stride, 3, 1};
      planar.in_lanes = 1;
      cases.push_back(planar);
      planar.down_column = true;
      planar.pixel_gap = cb + 3;
      cases.push_back(planar);
    }
    // A narrow input of 4 lanes per pixel: Conv2DInt8Layer gives an RGB
    // network input that layout only when the k-group is 4 (and 4 lanes
    // would be the blocked layout itself at Cb 4).
    const bool narrow_inputs = active().conv_i8_k_group == 4 && cb > 4;
    for (size_t stride : {1, 2, 4}) {
      for (size_t channels : {3, 4}) {
        if (!narrow_inputs) {
          break;
        }
        Int8Case narrow{width, 3, 3, stride, 1, channels};
        narrow.in_lanes = 4;
        cases.push_back(narrow);
        narrow.down_column = true;
        narrow.pixel_gap = cb + 1;
        cases.push_back(narrow);
      }
    }
  }
  const size_t w5 = std::min<size_t>(5, active().conv_max_width);
  cases.push_back({w5, 2, 1, 1, 1, cb}); // clipped windows
  cases.push_back({w5, 1, 2, 2, 2, 3});
  cases.push_back({w5, 0, 3, 1, 2, cb}); // no taps: bias only
  Int8Case dscnn{w5, 10, 4, 2, 1, 1};    // DS-CNN's first layer
  dscnn.in_lanes = 1;
  cases.push_back(dscnn);
  dscnn.down_column = true; // its interior columns' tiles
  dscnn.pixel_gap = cb + 3;
  cases.push_back(dscnn);
  // Planar windows of 25 and 49 taps (the Helium kernel gathers at most 3
  // segments of 16 taps, and takes the direct form past them).
  for (size_t taps : {size_t{5}, size_t{7}}) {
    Int8Case large{w5, taps, taps, 1, 1, 1};
    large.in_lanes = 1;
    cases.push_back(large);
  }
  // A planar window of 64 taps over the widest tile (the Cortex-M4 kernel
  // widens it whole for 10 pixels at a time), one of 98 (2 planes of 7x7:
  // past what it widens whole, in chunks of 64 taps) and one of 72 in rows
  // of 8 (chunks of its groups of 4 taps).
  Int8Case taps64{active().conv_max_width, 8, 8, 1, 1, 1};
  taps64.in_lanes = 1;
  cases.push_back(taps64);
  Int8Case taps98{w5, 7, 7, 1, 2, 1};
  taps98.in_lanes = 1;
  cases.push_back(taps98);
  Int8Case taps72{w5, 9, 8, 1, 1, 1}; // rows of 4-tap groups, in chunks
  taps72.in_lanes = 1;
  cases.push_back(taps72);
  cases.push_back({w5, 1, 1, 1, 20, 7}); // a long reduction
  // Reductions past what some kernels widen at once (the Cortex-M4 one's
  // scratch of 576 words, less the sums it keeps at its end: 288 lanes for
  // 4 pixels, 512 for a pair; and 32 input spans), and ResNet-8's 3x3 of 64
  // channels over 6 pixels (4 and a pair).
  cases.push_back({w5, 3, 3, 1, 10, 5});
  cases.push_back({w5, 1, 1, 1, 40, 3});
  cases.push_back(
      {std::min<size_t>(6, active().conv_max_width), 3, 3, 1, 8, cb});
  Int8Case ties{w5, 3, 3, 1, 2, cb};
  ties.tie_shifts = true;
  cases.push_back(ties);
  ties.tie_first_shift = 2;
  cases.push_back(ties);
  // A last output block with pad lanes (an 8-channel layer at Cb 16), for
  // blocked and planar inputs; one lane past half a block, where tiles of
  // half a block no longer apply.
  for (size_t out_last : {size_t{1}, size_t{3}, cb / 2, cb / 2 + 1, cb - 1}) {
    for (size_t width : {size_t{1}, size_t{4}, size_t{7}, w5}) {
      if (out_last == 0 || out_last >= cb || width > active().conv_max_width) {
        continue;
      }
      Int8Case padded{width, 3, 3, 1, 2, cb};
      padded.out_last_channels = out_last;
      cases.push_back(padded);
      Int8Case planar{width, 3, 3, 2, 3, 1};
      planar.in_lanes = 1;
      planar.out_last_channels = out_last;
      cases.push_back(planar);
    }
  }
  // Dense layers' tiles, whose whole window is one contiguous run (the
  // autoencoder's 640 and 128 channels; a partial last block; past what the
  // Cortex-M4 kernel widens at once for a pixel pair).
  for (size_t blocks : {size_t{1}, size_t{3}, 640 / cb, 1000 / cb}) {
    for (size_t last : {cb, std::min<size_t>(4, cb), size_t{3}}) {
      Int8Case dense{1, 1, 1, 1, blocks, last};
      dense.dense = true;
      cases.push_back(dense);
    }
  }
  // A narrow RGB input (4 lanes) into fewer channels than a block
  // (MobileNet's first layer), full and clipped rows, every width.
  if (active().conv_i8_k_group == 4 && cb > 4) {
    for (size_t out_last : {size_t{1}, size_t{3}, cb / 2}) {
      for (size_t width : widths(active().conv_max_width)) {
        for (size_t stride : {1, 2}) {
          for (size_t taps_h : {2, 3}) {
            Int8Case narrow{width, taps_h, 3, stride, 1, 3};
            narrow.in_lanes = 4;
            narrow.out_last_channels = out_last;
            cases.push_back(narrow);
          }
        }
      }
    }
  }
  for (Int8Case c : cases) {
    for (size_t ob = 1; ob <= active().conv_max_out_blocks; ++ob) {
      c.out_blocks = ob;
      check(Family::kConv, c, qs[n++ % qs.size()], rng);
    }
  }
  // Every width with every lane on the fused rounding and the clamp to the
  // whole int8 range (the Cortex-M4's 8-pixel loop and its overlapping last
  // 8 pixels), windows of an odd and an even number of 4-lane groups; the
  // 1x1 windows also with shifts past 22 and zero multipliers among them
  // (that loop's wide() roundings).
  const Quant full_range[] = {{0, 0, -128, 127, false},
                              {-128, 127, -128, 127, false},
                              {9, -20, -128, 127, false}};
  for (size_t width : widths(active().conv_max_width)) {
    for (size_t taps : {1, 3}) {
      for (size_t stride : {1, 2}) {
        // A last input block of 4 lanes: an odd group count where Cb > 4.
        for (size_t last : {cb, std::min<size_t>(4, cb)}) {
          Int8Case c{width, taps, taps, stride, 2, last};
          c.fused_shifts = true;
          for (size_t ob = 1; ob <= active().conv_max_out_blocks; ++ob) {
            c.out_blocks = ob;
            check(Family::kConv, c, full_range[n++ % 3], rng);
          }
          if (taps == 1) {
            c.fused_shifts = false;
            c.wide_shifts = true;
            for (size_t ob = 1; ob <= active().conv_max_out_blocks; ++ob) {
              c.out_blocks = ob;
              check(Family::kConv, c, full_range[n++ % 3], rng);
            }
          }
        }
      }
    }
  }
}

TEST_CASE("int8 depthwise tiles match scalar bit for bit", "[kernels][int8]") {
  std::mt19937 rng(77);
  const size_t cb = active().channel_block;
  const auto qs = quants();
  size_t n = 0;
  for (size_t width : widths(active().window_max_width)) {
    for (size_t taps : {1, 3}) {
      for (size_t stride : {1, 2}) {
        Int8Case c{width, taps, taps, stride, 1, cb};
        check(Family::kDepthwise, c, qs[n++ % qs.size()], rng);
        c.pixel_gap = 2 * cb + 5;
        check(Family::kDepthwise, c, qs[n++ % qs.size()], rng);
        c.down_column = true;
        check(Family::kDepthwise, c, qs[n++ % qs.size()], rng);
        c.down_column = false;
        c.per_pixel_weights = true;
        c.pixel_gap = 3 * cb;
        check(Family::kDepthwise, c, qs[n++ % qs.size()], rng);
      }
    }
  }
  const size_t w5 = std::min<size_t>(5, active().window_max_width);
  // A block with pad lanes (an 8-channel layer at Cb 16).
  for (size_t out_last : {size_t{1}, size_t{3}, cb / 2, cb / 2 + 1, cb - 1}) {
    for (size_t width : {size_t{1}, size_t{2}, w5, size_t{9}}) {
      if (out_last == 0 || out_last >= cb ||
          width > active().window_max_width) {
        continue;
      }
      for (size_t stride : {1, 2}) {
        Int8Case padded{width, 3, 3, stride, 1, cb};
        padded.out_last_channels = out_last;
        check(Family::kDepthwise, padded, qs[n++ % qs.size()], rng);
        padded.down_column = true;
        check(Family::kDepthwise, padded, qs[n++ % qs.size()], rng);
        Int8Case clipped{width, 2, 3, stride, 1, cb}; // a border row
        clipped.out_last_channels = out_last;
        check(Family::kDepthwise, clipped, qs[n++ % qs.size()], rng);
      }
    }
  }
  check(Family::kDepthwise, {w5, 2, 1, 1, 1, cb}, qs[0], rng);
  check(Family::kDepthwise, {w5, 1, 2, 2, 1, cb}, qs[1], rng);
  for (const Quant &q : qs) { // every quantization on a full 3x3 tile
    check(Family::kDepthwise, {w5, 3, 3, 1, 1, cb}, q, rng);
    Int8Case ties{w5, 3, 3, 1, 1, cb};
    ties.tie_shifts = true;
    check(Family::kDepthwise, ties, q, rng);
    ties.tie_first_shift = 2;
    check(Family::kDepthwise, ties, q, rng);
    ties.tie_first_shift = 1;
    ties.per_pixel_weights = true;
    ties.pixel_gap = 3 * cb;
    check(Family::kDepthwise, ties, q, rng);
  }
  // The border windows of a 3x3 layer (padding clips a row, a column or
  // both), each with every quantization and with ties on every lane.
  for (const auto &[taps_h, taps_w] :
       {std::pair<size_t, size_t>{3, 2}, {2, 3}, {2, 2}}) {
    for (const Quant &q : qs) {
      Int8Case border{w5, taps_h, taps_w, 1, 1, cb};
      check(Family::kDepthwise, border, q, rng);
      border.tie_shifts = true;
      border.tie_first_shift = 2;
      check(Family::kDepthwise, border, q, rng);
    }
    // Down a border column, as the engine runs DS-CNN's 25x5 maps.
    Int8Case column{w5, taps_h, taps_w, 1, 1, cb};
    column.down_column = true;
    column.pixel_gap = cb + 3;
    check(Family::kDepthwise, column, qs[n++ % qs.size()], rng);
  }
}

TEST_CASE("int8 average pooling tiles match scalar bit for bit",
          "[kernels][int8][pool]") {
  std::mt19937 rng(404);
  const size_t cb = active().channel_block;
  const auto qs = quants();
  size_t n = 0;
  for (size_t width : widths(active().window_max_width)) {
    for (size_t taps : {1, 2, 3}) {
      Int8Case c{width, taps, taps, 2, 1, cb};
      check(Family::kAvgPool, c, qs[n++ % qs.size()], rng);
      c.down_column = true;
      c.pixel_gap = cb + 1;
      check(Family::kAvgPool, c, qs[n++ % qs.size()], rng);
    }
  }
  // A mean over a whole 25x5 map (DS-CNN's last pooling).
  check(Family::kAvgPool, {1, 25, 5, 1, 1, cb}, qs[0], rng);
  check(Family::kAvgPool, {1, 25, 5, 1, 1, cb}, qs[1], rng);
  // The largest window whose sums the Cortex-M4 kernel keeps in 16-bit
  // halves (255 taps), and one past it (272 taps).
  check(Family::kAvgPool, {2, 15, 17, 1, 1, cb}, qs[2], rng);
  check(Family::kAvgPool, {2, 16, 17, 1, 1, cb}, qs[3], rng);
}
