// The int8 window families of the active table (convolution, depthwise,
// average pooling) and its int8 element-wise kernels against the scalar int8
// kernels at the same channel block, BIT FOR BIT: tile widths, partial last
// input blocks (1..Cb lanes, multiples of the k-group or not), planar and
// 4-lane narrow inputs,
// taps (clipped and none), strides, output blocks, columns of pixels, per-pixel
// depthwise weights, zero points, per-channel multipliers and shifts in both
// rounding modes, and clamps. Convolution weights are drawn as [input
// lane][output lane] matrices and packed here for each table's conv_i8_k_group
// (kernel_contract.h), so the test also pins the grouped layout. Outputs sit
// between guard bytes; the bytes between and after pixels must stay untouched.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "kernel_contract.h"
#include "kernels/tile_shape.h"

namespace {

constexpr size_t kGuard = 64;
constexpr int8_t kUntouched = 0x5a;

const small_kernel_table &active() { return *small_kernels_active(); }

struct Int8Case {
  size_t width, taps_h, taps_w, stride, in_blocks, last_channels;
  size_t out_blocks = 1;
  size_t pixel_gap = 0; // bytes between output pixels beyond Cb
  size_t in_lanes = 0;  // convolution: 0 for Cb, fewer for a narrow input
  bool down_column = false;
  // A dense layer's tile (width 1, a 1x1 window): its input is one pixel,
  // so its blocks follow each other in memory (in_block_step = Cb).
  bool dense = false;
  bool per_pixel_weights = false; // depthwise across channel blocks
  // Every channel shifts right by 1 or 2 after a small multiplier, so half
  // or a quarter of the results are rounding ties inside the int8 range: a
  // kernel's path for right shifts only (the Helium depthwise's) meets ties
  // of both signs.
  bool tie_shifts = false;
  // The smaller of the two tie shifts: 2 makes them 2 or 3, which the
  // Cortex-M kernels' fused rounding takes for every lane (it leaves a
  // right shift of 1 to the general path), so its rounding constants meet
  // ties too.
  int32_t tie_first_shift = 1;
  // Every channel shifts right by 2 to 22 (random multipliers): the
  // Cortex-M kernels' fused rounding covers every lane, which their
  // fastest paths (the Cortex-M4's 8-pixel loop) require of a whole block.
  bool fused_shifts = false;
  // Convolution and depthwise: the channels of the last output block (0:
  // all Cb); the others are padding (zero weights, bias and multiplier),
  // whose bytes a kernel may write without computing them.
  size_t out_last_channels = 0;
};

enum class Family { kConv, kDepthwise, kAvgPool };

const char *family_name(Family f) {
  return f == Family::kConv
             ? "conv_i8"
             : (f == Family::kDepthwise ? "depthwise_i8" : "avg_pool_i8");
}

struct Quant {
  int32_t in_zp, out_zp, act_min, act_max;
  bool single_rounding;
};

// Convolution weights of one (input block, tap): lane i, output o of a
// lanes x Cb matrix, at the place the table's k-group puts it.
size_t grouped(size_t i, size_t o, size_t lanes, size_t cb, size_t group) {
  if (lanes == 1) {
    return o;
  }
  return (i / group) * cb * group + o * group + i % group;
}

struct Tile {
  std::vector<int8_t> in, w_plain, w_grouped;
  std::vector<int32_t> bias, multiplier, shift;
  std::vector<int32_t> weight_sums; // [out block][tap][Cb] (conv)
  // The table's prepared requantization constants, one block per Cb
  // multipliers (what a layer prepares for requant_i8_bytes tables).
  struct alignas(64) Chunk {
    unsigned char bytes[64];
  };
  std::vector<Chunk> requant;
  small_window_tile_i8 t{};
  size_t out_size = 0, pixel_step = 0, out_step = 0;
};

Tile make_tile(Family family, const Int8Case &c, const Quant &q,
               std::mt19937 &rng) {
  const bool is_conv = family == Family::kConv;
  const size_t cb = active().channel_block;
  std::uniform_int_distribution<int> byte(-128, 127);
  Tile d;
  const size_t lanes = is_conv && c.in_lanes != 0 ? c.in_lanes : cb;
  const size_t along = c.down_column ? 1 : c.width;
  const size_t down = c.down_column ? c.width : 1;
  const size_t row = c.dense ? 1 : along * c.stride + c.taps_w + 3;
  const size_t rows = c.dense ? 1 : down * c.stride + c.taps_h + 2;
  const size_t block = rows * row * lanes;
  const size_t blocks = is_conv ? c.in_blocks : 1;
  d.in.resize(blocks * block);
  for (int8_t &x : d.in) {
    x = static_cast<int8_t>(byte(rng)); // pad lanes too: any value
  }
  const size_t taps = std::max<size_t>(c.taps_h * c.taps_w, 1);
  const size_t w_tap = is_conv ? lanes * cb : cb;
  const size_t out_blocks = is_conv ? c.out_blocks : 1;
  const bool per_pixel = !is_conv && c.per_pixel_weights;
  const size_t sets = per_pixel ? c.width : out_blocks;
  const size_t w_out_block = blocks * taps * w_tap;
  const size_t out_last =
      c.out_last_channels != 0 && !per_pixel ? c.out_last_channels : cb;
  d.w_plain.assign(sets * w_out_block, 0);
  d.w_grouped.assign(sets * w_out_block, 0);
  const size_t group = active().conv_i8_k_group;
  for (size_t k = 0; k < sets; ++k) {
    for (size_t b = 0; b < blocks; ++b) {
      for (size_t t = 0; t < taps; ++t) {
        const size_t base = k * w_out_block + (b * taps + t) * w_tap;
        for (size_t i = 0; i < w_tap; ++i) {
          const size_t lane = is_conv ? i / cb : 0;
          // Lanes past the last block's channels are zero (the packing's
          // promise that lets a kernel read whole groups).
          const bool pad =
              is_conv && b + 1 == blocks && lane >= c.last_channels;
          const bool pad_output = k + 1 == sets && i % cb >= out_last;
          const int8_t v =
              pad || pad_output ? int8_t{0} : static_cast<int8_t>(byte(rng));
          d.w_plain[base + i] = v;
          d.w_grouped[base + (is_conv ? grouped(lane, i % cb, lanes, cb, group)
                                      : i)] = v;
        }
      }
    }
  }
  // Per (output block, tap, lane): the sum over every input lane, from the
  // plain weights (what a layer prepares for conv_i8_weight_sums tables).
  if (is_conv) {
    d.weight_sums.assign(out_blocks * taps * cb, 0);
    for (size_t k = 0; k < out_blocks; ++k) {
      for (size_t b = 0; b < blocks; ++b) {
        for (size_t t = 0; t < taps; ++t) {
          const size_t base = k * w_out_block + (b * taps + t) * w_tap;
          for (size_t i = 0; i < w_tap; ++i) {
            d.weight_sums[(k * taps + t) * cb + i % cb] += d.w_plain[base + i];
          }
        }
      }
    }
  }
  std::uniform_int_distribution<int32_t> bias(-(1 << 20), 1 << 20);
  std::uniform_int_distribution<int32_t> mult(1 << 30, INT32_MAX);
  // Right shifts up to 24 cross the Cortex-M fused rounding's limit (22).
  std::uniform_int_distribution<int> shift(-24, 6);
  std::uniform_int_distribution<int> fused_shift(-22, -2);
  std::uniform_int_distribution<int> pick(0, 15);
  std::uniform_int_distribution<int32_t> tie_mult(1 << 17, 1 << 19);
  for (size_t i = 0; i < sets * cb; ++i) {
    const int p = pick(rng);
    // Now and then a bias near +-2^30 (sums far from zero, still inside
    // int32), a zero multiplier or an extreme shift.
    d.bias.push_back(p == 3
                         ? (bias(rng) < 0 ? -(1 << 30) : (1 << 30)) + bias(rng)
                         : bias(rng));
    d.multiplier.push_back(p == 0 ? 0 : mult(rng));
    if (c.tie_shifts) {
      // Small multipliers keep the results inside int8, ties visible.
      d.multiplier.back() = tie_mult(rng);
      d.shift.push_back(-c.tie_first_shift - static_cast<int32_t>(i % 2));
    } else if (c.fused_shifts) {
      d.shift.push_back(fused_shift(rng));
    } else {
      d.shift.push_back(
          p == 1 ? -31 : (p == 2 ? (q.single_rounding ? 30 : 12) : shift(rng)));
    }
    if (i / cb + 1 == sets && i % cb >= out_last) { // a pad output lane
      d.bias.back() = 0;
      d.multiplier.back() = 0;
      d.shift.back() = 0;
    }
  }

  small_window_tile_i8 &t = d.t;
  t.cb = cb;
  t.width = c.width;
  t.taps_h = c.taps_h;
  t.taps_w = c.taps_w;
  t.in_pixel_step = c.stride * (c.down_column ? row : 1) * lanes;
  t.in_tap_w_step = lanes;
  t.in_tap_h_step = row * lanes;
  t.in_blocks = c.in_blocks;
  t.in_lanes = lanes;
  t.in_last_channels = c.last_channels;
  t.in_block_step = block;
  t.w_tap_w_step = w_tap;
  t.w_tap_h_step = w_tap * c.taps_w;
  t.w_block_step = w_tap * taps;
  t.w_pixel_step = per_pixel ? w_out_block : 0;
  t.bias_pixel_step = per_pixel ? cb : 0;
  t.out_blocks = out_blocks;
  t.out_last_channels = out_last;
  t.w_out_block_step = w_out_block;
  if (is_conv && active().conv_i8_weight_sums != 0) {
    t.weight_sums = d.weight_sums.data();
    t.ws_tap_w_step = cb;
    t.ws_tap_h_step = cb * c.taps_w;
    t.ws_out_block_step = cb * taps;
  }
  t.in_zero_point = q.in_zp;
  t.out_zero_point = q.out_zp;
  t.act_min = q.act_min;
  t.act_max = q.act_max;
  t.single_rounding = q.single_rounding ? 1 : 0;
  // Average pooling: the tile's taps or more (windows counting padding),
  // and now and then a divisor whose half rounds.
  t.divisor = static_cast<int32_t>(std::max<size_t>(taps, 1) + pick(rng) % 3);
  constexpr size_t kGap = 32;
  d.pixel_step = cb + c.pixel_gap;
  d.out_step = (c.width - 1) * d.pixel_step + cb + kGap;
  t.out_pixel_step = d.pixel_step;
  t.out_block_step = d.out_step;
  d.out_size = out_blocks * d.out_step;
  return d;
}

void check(Family family, const Int8Case &c, const Quant &q,
           std::mt19937 &rng) {
  const bool is_conv = family == Family::kConv;
  const small_kernel_table scalar =
      small_kernels_scalar(active().channel_block);
  Tile d = make_tile(family, c, q, rng);
  small_window_tile_i8 &t = d.t;
  const size_t row_margin = t.in_tap_h_step; // one input row above
  t.in = d.in.data() + row_margin;
  t.bias = d.bias.data();
  t.multiplier = d.multiplier.data();
  t.shift = d.shift.data();
  const small_kernel_table &table = active();
  if (table.requant_i8_bytes != 0 && family != Family::kAvgPool) {
    const size_t sets = d.multiplier.size() / t.cb;
    const size_t bytes = table.requant_i8_bytes;
    d.requant.resize((sets * bytes + sizeof(Tile::Chunk) - 1) /
                     sizeof(Tile::Chunk));
    unsigned char *base = d.requant.front().bytes;
    for (size_t k = 0; k < sets; ++k) {
      table.prepare_requant_i8(d.multiplier.data() + k * t.cb,
                               d.shift.data() + k * t.cb, t.single_rounding,
                               t.out_zero_point, base + k * bytes);
    }
    t.requant = base;
  }
  small_window_tile tf{}; // the selectors see the float tile's shape
  tf.cb = t.cb;
  tf.width = t.width;
  tf.taps_h = t.taps_h;
  tf.taps_w = t.taps_w;
  tf.in_pixel_step = t.in_pixel_step;
  tf.out_pixel_step = t.out_pixel_step;
  tf.in_tap_w_step = t.in_tap_w_step;
  tf.in_tap_h_step = t.in_tap_h_step;
  tf.in_lanes = t.in_lanes;
  tf.out_blocks = t.out_blocks;
  tf.w_pixel_step = t.w_pixel_step;
  tf.bias_pixel_step = t.bias_pixel_step;
  tf.act.op = SMALL_ACT_OP_CLIP;
  small_window_shape shape = shape_of(tf);
  // A layer of fewer channels than one block (out_last_channels of the only
  // output block), as the engine tells the selector.
  if (family != Family::kAvgPool && t.out_blocks == 1 && t.w_pixel_step == 0) {
    shape.out_lanes = t.out_last_channels;
  }
  const auto select = [&](const small_kernel_table &k) {
    return (family == Family::kConv
                ? k.conv_i8
                : (family == Family::kDepthwise ? k.depthwise_i8
                                                : k.avg_pool_i8))(&shape);
  };
  const small_window_i8_fn fn_active = select(active());
  const small_window_i8_fn fn_scalar = select(scalar);
  REQUIRE(fn_active != nullptr);

  std::vector<int8_t> got(d.out_size + 2 * kGuard, kUntouched);
  std::vector<int8_t> want(got);
  t.weights = d.w_grouped.data();
  t.out = got.data() + kGuard;
  fn_active(&t);
  t.weights = d.w_plain.data();
  t.out = want.data() + kGuard;
  fn_scalar(&t);

  INFO(family_name(family)
       << " width=" << c.width << " taps=" << c.taps_h << "x" << c.taps_w
       << " stride=" << c.stride << " in_blocks=" << c.in_blocks
       << " last=" << c.last_channels << " out_blocks=" << c.out_blocks
       << " out_last=" << t.out_last_channels << " gap=" << c.pixel_gap
       << " in_lanes=" << t.in_lanes << " column=" << c.down_column
       << " per_pixel=" << c.per_pixel_weights << " in_zp=" << q.in_zp
       << " out_zp=" << q.out_zp << " clamp=[" << q.act_min << "," << q.act_max
       << "] single=" << q.single_rounding);
  for (size_t i = 0; i < got.size(); ++i) {
    const bool inside = i >= kGuard && i < kGuard + d.out_size;
    const size_t at = i - kGuard;
    const size_t in_block = at % d.out_step;
    const bool written = inside && in_block / d.pixel_step < c.width &&
                         in_block % d.pixel_step < t.cb;
    INFO("byte " << i << " (output offset " << at << ")");
    if (written) {
      REQUIRE(int{got[i]} == int{want[i]});
    } else {
      REQUIRE(int{got[i]} == int{kUntouched});
    }
  }
}

std::vector<Quant> quants() {
  // The last two put the output zero point outside the clamp (below and
  // above): a pad lane's byte is the clamped zero point. Double rounding
  // with the zero point at or below the lower clamp (a folded ReLU: 3rd,
  // 7th, 9th) is the epilogue's low-clamped mode (x86/requant_i8.h).
  return {{0, 0, -128, 127, false},      {-128, 5, -128, 127, true},
          {127, -128, -128, 127, false}, {3, -7, -7, 127, true},
          {-5, 10, -20, 40, false},      {-128, 127, -128, 127, false},
          {7, -50, -20, 100, false},     {-9, 60, -128, 40, false},
          {11, -3, -3, 90, false}};
}

std::vector<size_t> widths(size_t max_width) {
  std::vector<size_t> w;
  for (size_t i = 1; i <= std::min<size_t>(17, max_width); ++i) {
    w.push_back(i);
  }
  for (size_t i : {size_t{32}, size_t{33}, max_width}) {
    if (i > 17 && i <= max_width &&
        std::find(w.begin(), w.end(), i) == w.end()) {
      w.push_back(i);
    }
  }
  return w;
}

} // namespace

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
  // 8 pixels), windows of an odd and an even number of 4-lane groups.
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

TEST_CASE("int8 add and requantize match scalar bit for bit",
          "[kernels][int8][elementwise]") {
  std::mt19937 rng(31);
  std::uniform_int_distribution<int> byte(-128, 127);
  std::uniform_int_distribution<int32_t> mult(1 << 30, INT32_MAX);
  std::uniform_int_distribution<int> shift(-12, 0);
  const small_kernel_table scalar =
      small_kernels_scalar(active().channel_block);
  const auto qs = quants();
  size_t n = 0;
  // 257 and 1003: past the Cortex-M table threshold (256), with a tail.
  for (size_t count :
       {1, 3, 7, 8, 15, 16, 17, 31, 33, 64, 100, 257, 1000, 1003}) {
    for (int single = 0; single <= 1; ++single) {
      std::vector<int8_t> a(count), b(count);
      for (size_t i = 0; i < count; ++i) {
        a[i] = static_cast<int8_t>(byte(rng));
        b[i] = static_cast<int8_t>(byte(rng));
      }
      const Quant &q = qs[n++ % qs.size()];
      // ADD's shifts: inputs <= 0 (scale ratio <= 1/2), output any.
      small_add_i8_params add{};
      add.a_zero_point = q.in_zp;
      add.b_zero_point = byte(rng);
      add.out_zero_point = q.out_zp;
      add.a_multiplier = mult(rng);
      add.b_multiplier = mult(rng);
      add.out_multiplier = mult(rng);
      add.a_shift = shift(rng);
      add.b_shift = shift(rng);
      add.out_shift = shift(rng) - 8;
      add.left_shift = 20;
      add.act_min = q.act_min;
      add.act_max = q.act_max;
      add.single_rounding = single;
      small_requant_i8_params rq{};
      rq.in_zero_point = q.in_zp;
      rq.out_zero_point = q.out_zp;
      rq.multiplier = mult(rng);
      rq.shift = shift(rng) + 3;
      rq.single_rounding = single;
      INFO("count " << count << " single " << single);
      std::vector<int8_t> got(count + 2 * kGuard, kUntouched), want(got);
      active().add_i8(a.data(), b.data(), got.data() + kGuard, count, &add);
      scalar.add_i8(a.data(), b.data(), want.data() + kGuard, count, &add);
      REQUIRE(got == want);
      std::vector<int8_t> sum_in_place(a); // out aliasing a, as allowed
      active().add_i8(sum_in_place.data(), b.data(), sum_in_place.data(), count,
                      &add);
      REQUIRE(std::equal(sum_in_place.begin(), sum_in_place.end(),
                         want.begin() + kGuard));
      std::vector<int8_t> got_rq(count + 2 * kGuard, kUntouched),
          want_rq(got_rq);
      active().requant_i8(a.data(), got_rq.data() + kGuard, count, &rq);
      scalar.requant_i8(a.data(), want_rq.data() + kGuard, count, &rq);
      REQUIRE(got_rq == want_rq);
      // In place, as the contract allows.
      std::vector<int8_t> in_place(a);
      active().requant_i8(in_place.data(), in_place.data(), count, &rq);
      REQUIRE(std::equal(in_place.begin(), in_place.end(),
                         want_rq.begin() + kGuard));
    }
  }
}

TEST_CASE("int8 add matches scalar on every input pair at extreme "
          "parameters",
          "[kernels][int8][elementwise]") {
  // Every (a, b) byte pair, at the edges of what TFLite's ADD produces:
  // input shifts 0 (the larger scale) to -31, multipliers from 0 to
  // INT32_MAX, zero points -128 and 127, an output shift on either side.
  // Multiplier 2^30 at shift -20 halves d = x - zp exactly, so every odd d
  // is a rounding tie, and output shift -2 keeps such ties visible.
  std::vector<int8_t> a, b;
  for (int x = -128; x <= 127; ++x) {
    for (int y = -128; y <= 127; ++y) {
      a.push_back(static_cast<int8_t>(x));
      b.push_back(static_cast<int8_t>(y));
    }
  }
  const small_kernel_table scalar =
      small_kernels_scalar(active().channel_block);
  struct Input {
    int32_t zero_point, multiplier, shift;
  };
  const Input inputs[] = {{-128, 1 << 30, 0},   {127, INT32_MAX, -1},
                          {0, 1518500250, -31}, {-5, 1073741825, -12},
                          {77, 0, -3},          {-128, INT32_MAX, 0},
                          {3, 2147483000, -30}, {-3, 1 << 30, -20}};
  const int32_t out_shifts[] = {-20, -8, 0, 3, -2};
  size_t n = 0;
  for (const Input &x : inputs) {
    for (const Input &y : inputs) {
      for (int single = 0; single <= 1; ++single) {
        small_add_i8_params p{};
        p.a_zero_point = x.zero_point;
        p.a_multiplier = x.multiplier;
        p.a_shift = x.shift;
        p.b_zero_point = y.zero_point;
        p.b_multiplier = y.multiplier;
        p.b_shift = y.shift;
        p.out_zero_point = static_cast<int32_t>(n % 7) * 40 - 128;
        p.out_multiplier = n % 2 == 0 ? 1 << 30 : 1900000000;
        p.out_shift = out_shifts[n % 5];
        p.left_shift = 20;
        p.act_min = n % 3 == 0 ? 0 : -128;
        p.act_max = 127;
        p.single_rounding = single;
        ++n;
        INFO("a " << x.zero_point << "/" << x.multiplier << "/" << x.shift
                  << " b " << y.zero_point << "/" << y.multiplier << "/"
                  << y.shift << " single " << single);
        std::vector<int8_t> got(a.size()), want(a.size());
        active().add_i8(a.data(), b.data(), got.data(), a.size(), &p);
        scalar.add_i8(a.data(), b.data(), want.data(), a.size(), &p);
        REQUIRE(got == want);
      }
    }
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

TEST_CASE("int8 RGB to 4-lane pixels is the pixels with a zero 4th lane",
          "[kernels][int8]") {
  if (active().rgb_to_lanes4_i8 == nullptr) {
    WARN("table " << active().isa
                  << " has no rgb_to_lanes4_i8: the engine "
                     "converts (tested with the networks)");
    return;
  }
  std::mt19937 rng(77);
  std::uniform_int_distribution<int> byte(-128, 127);
  for (size_t pixels :
       {0, 1, 2, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 9216}) {
    // Exactly 3 bytes per pixel: a read past the end shows under ASan.
    std::vector<int8_t> rgb(3 * pixels);
    for (int8_t &x : rgb) {
      x = static_cast<int8_t>(byte(rng));
    }
    std::vector<int8_t> got(4 * pixels + 2 * kGuard, kUntouched);
    std::vector<int8_t> want(got);
    for (size_t p = 0; p < pixels; ++p) {
      for (size_t l = 0; l < 3; ++l) {
        want[kGuard + 4 * p + l] = rgb[3 * p + l];
      }
      want[kGuard + 4 * p + 3] = 0;
    }
    active().rgb_to_lanes4_i8(rgb.data(), got.data() + kGuard, pixels);
    INFO("pixels " << pixels);
    REQUIRE(got == want);
  }
}

// SMALL_X86_INT8 (kernels/x86/int8_extensions.h) caps an x86 table's int8
// extensions, so that this machine runs the kernels of older CPUs. ctest
// reruns the int8 tests under each cap, with this hidden case, which checks
// that the cap took (tests/CMakeLists.txt).
TEST_CASE("SMALL_X86_INT8 caps the int8 kernel table", "[.][int8cap]") {
  const char *cap = std::getenv("SMALL_X86_INT8");
  REQUIRE(cap != nullptr);
  const std::string value = cap;
  INFO("SMALL_X86_INT8=" << value);
  if (value == "pairs") { // 16-bit pair products, no weight sums, no VBMI
    CHECK(active().conv_i8_k_group == 2);
    CHECK(active().conv_i8_weight_sums == 0);
    CHECK(active().rgb_to_lanes4_i8 == nullptr);
  } else {
    REQUIRE(value == "vnni"); // byte dot products, no VBMI
    CHECK(active().conv_i8_k_group == 4);
    CHECK(active().rgb_to_lanes4_i8 == nullptr);
  }
}
