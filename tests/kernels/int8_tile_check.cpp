#include "kernels/int8_tile_check.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <string>

#include "kernels/tile_shape.h"

namespace int8_tile_check {

namespace {

const char *family_name(Family f) {
  return f == Family::kConv
             ? "conv_i8"
             : (f == Family::kDepthwise ? "depthwise_i8" : "avg_pool_i8");
}

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
  std::uniform_int_distribution<int> wide_shift(-31, -2);
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
    } else if (c.wide_shifts) {
      d.shift.push_back(p == 0 ? 0 : wide_shift(rng));
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

} // namespace

void check(Family family, const Int8Case &c, const Quant &q,
           std::mt19937 &rng) {
  const bool is_conv = family == Family::kConv;
  const small_kernel_table scalar =
      small_kernels_scalar(active().channel_block);
  Tile d = make_tile(family, c, q, rng);
  small_window_tile_i8 &t = d.t;
  // One input row above the window, except for a dense tile, whose input
  // is exactly its blocks' lanes (the kernels read no byte outside it).
  const size_t row_margin = c.dense ? 0 : t.in_tap_h_step;
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
  // Every byte, guards included; one assertion naming the first wrong one
  // (an assertion per byte made these sweeps most of the suite's time).
  size_t wrong = got.size();
  int expected = 0;
  for (size_t i = 0; i < got.size() && wrong == got.size(); ++i) {
    const bool inside = i >= kGuard && i < kGuard + d.out_size;
    const size_t at = i - kGuard;
    const size_t in_block = at % d.out_step;
    const bool written = inside && in_block / d.pixel_step < c.width &&
                         in_block % d.pixel_step < t.cb;
    expected = written ? int{want[i]} : int{kUntouched};
    if (int{got[i]} != expected) {
      wrong = i;
    }
  }
  INFO("first wrong byte " << wrong << " of " << got.size()
                           << " (output offset "
                           << static_cast<std::ptrdiff_t>(wrong - kGuard)
                           << "): got "
                           << (wrong < got.size() ? int{got[wrong]} : 0)
                           << " want " << expected);
  REQUIRE(wrong == got.size());
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

} // namespace int8_tile_check
