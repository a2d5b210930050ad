// ARMv8.2 dot-product int8 kernels (Cb = 16). The convolution tile: 5 output
// pixels x 16 output channels, 20 int32x4_t accumulators, as the float tile.
//
// SDOT by element multiplies 4 signed bytes of a weight vector with 4 signed
// bytes of one 32-bit lane of the input and adds the 4 products to one int32
// lane. The weights are grouped by 4 input lanes per output lane
// (conv_i8_k_group 4: w[(i / 4) * 64 + o * 4 + i % 4]), so one group of 4
// input lanes is four weight vectors of 4 output lanes each, and a pixel's
// 16 input lanes (one q register) serve the 4 groups as lanes 0..3.
// Registers: 20 accumulators + 5 pixels + 4 weight vectors = 29 of 32.
//
// Signed x signed, so the raw int8 input goes in and the zero point comes
// out afterwards: sum (x - zp) w = sum x w - zp sum w, where sum w runs over
// exactly the weights the tile multiplied (its taps, clipped at the borders,
// and its input lanes): the layer sums each tap's weights when it is
// prepared (small_window_tile_i8::weight_sums) and the tile adds its taps'
// sums, nine vector additions per quarter for a 3x3 window where a second
// pass took one SDOT per weight vector; none when zp is 0. int32 wraps as in
// the scalar kernel, so the result is bit for bit the same.
//
// A block's lanes past in_last_channels have zero weights (kernel_contract.h)
// and lie inside the pixel's 16 bytes, so a block runs whole groups: the
// variant for its number of groups (1..4) is picked per block.
//
// The planar-input tile is the SMLAL one (arm/conv_i8_mlal_tile.h); the
// depthwise tile is arm/depthwise_i8_tile.h, as in the neon build.
#include <arm_neon.h>

#include "kernels.h"

#include "arm/conv_i8_mlal_tile.h"
#include "arm/conv_i8_select.h"
#include "arm/depthwise_i8_tile.h"

namespace small::neondot {

namespace {

constexpr int kQ = 4;
constexpr size_t kCb = 16;
constexpr size_t kGroupBytes = 4 * kCb; // one group of 4 input lanes

// Group G of the tap's weights against lane G of every pixel.
template <int W, int G>
[[gnu::always_inline]] inline void
sdot_group(int32x4_t (&acc)[W][kQ], const int8_t *w, const int8x16_t (&x)[W]) {
  int8x16_t wv[kQ];
  // Keeps GCC 12's scheduler from hoisting the next groups' weight loads
  // into registers the accumulators need (it spilled five vectors per tap).
  asm volatile("" ::: "memory");
#pragma GCC unroll 4
  for (int q = 0; q < kQ; ++q) {
    wv[q] = vld1q_s8(w + G * kGroupBytes + 16 * q);
  }
#pragma GCC unroll 8
  for (int j = 0; j < W; ++j) {
#pragma GCC unroll 4
    for (int q = 0; q < kQ; ++q) {
      acc[j][q] = vdotq_laneq_s32(acc[j][q], wv[q], x[j], G);
    }
  }
}

template <int W, int... Gs>
[[gnu::always_inline]] inline void
sdot_groups(int32x4_t (&acc)[W][kQ], const int8_t *w, const int8x16_t (&x)[W],
            std::integer_sequence<int, Gs...>) {
  (sdot_group<W, Gs>(acc, w, x), ...);
}

// The products of one input block (GROUPS groups of lanes) over the taps.
template <int W, int GROUPS>
inline void sdot_block(int32x4_t (&acc)[W][kQ], const small_window_tile_i8 *t,
                       const int8_t *in, const int8_t *w, size_t step) {
  // Locals: the asm barrier in sdot_group would make GCC reload the tile's
  // fields on every tap.
  const size_t taps_h = t->taps_h, taps_w = t->taps_w;
  const size_t in_h = t->in_tap_h_step, in_w = t->in_tap_w_step;
  const size_t w_h = t->w_tap_h_step, w_w = t->w_tap_w_step;
  for (size_t r = 0; r < taps_h; ++r) {
    for (size_t s = 0; s < taps_w; ++s) {
      const int8_t *x_tap = in + r * in_h + s * in_w;
      const int8_t *w_tap = w + r * w_h + s * w_w;
      int8x16_t x[W];
#pragma GCC unroll 8
      for (int j = 0; j < W; ++j) {
        x[j] = vld1q_s8(x_tap + j * step);
      }
      sdot_groups<W>(acc, w_tap, x, std::make_integer_sequence<int, GROUPS>{});
    }
  }
}

// zp * (the sum of the weights the tile multiplied), per output lane: the
// sums of its taps' weights, prepared by the layer
// (small_window_tile_i8::weight_sums), added up.
inline void zero_point_terms(const small_window_tile_i8 *t,
                             int32x4_t (&term)[kQ]) {
  int32x4_t sum[kQ];
#pragma GCC unroll 4
  for (int q = 0; q < kQ; ++q) {
    sum[q] = vdupq_n_s32(0);
  }
  for (size_t r = 0; r < t->taps_h; ++r) {
    const int32_t *row = t->weight_sums + r * t->ws_tap_h_step;
    for (size_t s = 0; s < t->taps_w; ++s) {
#pragma GCC unroll 4
      for (int q = 0; q < kQ; ++q) {
        sum[q] =
            vaddq_s32(sum[q], vld1q_s32(row + s * t->ws_tap_w_step + 4 * q));
      }
    }
  }
  const int32x4_t zp = vdupq_n_s32(t->in_zero_point);
#pragma GCC unroll 4
  for (int q = 0; q < kQ; ++q) {
    term[q] = vmulq_s32(sum[q], zp);
  }
}

template <int W, size_t STEP>
void conv_i8_sdot_tile(const small_window_tile_i8 *t) {
  const size_t step = STEP != 0 ? STEP : t->in_pixel_step;
  int32x4_t acc[W][kQ];
  arm::conv_i8_init<W, kQ>(acc, t->bias);
  for (size_t b = 0; b < t->in_blocks; ++b) {
    const size_t lanes =
        b + 1 == t->in_blocks ? t->in_last_channels : t->in_lanes;
    const int8_t *in = t->in + b * t->in_block_step;
    const int8_t *w = t->weights + b * t->w_block_step;
    switch ((lanes + 3) / 4) {
    case 1:
      sdot_block<W, 1>(acc, t, in, w, step);
      break;
    case 2:
      sdot_block<W, 2>(acc, t, in, w, step);
      break;
    case 3:
      sdot_block<W, 3>(acc, t, in, w, step);
      break;
    default:
      sdot_block<W, 4>(acc, t, in, w, step);
      break;
    }
  }
  if (t->in_zero_point != 0) {
    int32x4_t term[kQ];
    zero_point_terms(t, term);
#pragma GCC unroll 8
    for (int j = 0; j < W; ++j) {
#pragma GCC unroll 4
      for (int q = 0; q < kQ; ++q) {
        acc[j][q] = vsubq_s32(acc[j][q], term[q]);
      }
    }
  }
  arm::conv_i8_finish<W, kQ>(t, acc);
}

struct SdotTiles {
  template <int W, size_t STEP>
  static void blocked(const small_window_tile_i8 *t) {
    conv_i8_sdot_tile<W, STEP>(t);
  }
  template <int W, size_t STEP>
  static void planar(const small_window_tile_i8 *t) {
    arm::conv_i8_planar_mlal_tile<W, kQ, STEP>(t);
  }
};

} // namespace

small_window_i8_fn select_conv_i8_5x16__neondot(const small_window_shape *s) {
  return arm::conv_i8_select<SdotTiles, kCb, 5>(s);
}
small_window_i8_fn
select_depthwise_i8_4x16__neondot(const small_window_shape *s) {
  return arm::depthwise_i8_select<4, kQ, true>(s);
}

} // namespace small::neondot
