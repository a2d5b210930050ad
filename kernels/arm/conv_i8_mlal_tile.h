// NEON int8 convolution tiles on 16-bit widening multiply-accumulates
// (SMLAL/SMLAL2 by element on aarch64, VMLAL.S16 by scalar on armv7): W
// output pixels x Cb = 4 * Q output channels, W * Q int32x4_t accumulators.
// Plain ARMv8.0 / ARMv7 NEON, with the weights in the plain [input lane][Cb]
// layout (conv_i8_k_group 1).
//
// Exact: x - zp fits int16 ([-255, 255]), the weights are int8, every
// product fits int16 x int16 -> int32 and the sums wrap in int32 as the
// scalar kernel's do. The accumulators start at the bias.
//
// The input lanes run in chunks of 8: each pixel's 8 lanes minus the zero
// point become one int16x8_t, and each of its lanes is the scalar operand of
// one multiply-accumulate per accumulator. An empty asm with a memory clobber
// before each lane's weight load keeps GCC 12's scheduler from hoisting the
// next lanes' weights into registers the accumulators need: without it the
// aarch64 5x16 tile spilled 10 vectors per chunk (checked with objdump). A last
// block with fewer lanes still runs whole chunks: its weights past
// in_last_channels are zero (kernel_contract.h) and the pixel's other lanes are
// in memory (Cb of them), so they add nothing.
//
// The planar variant (a network input with one lane per block) multiplies
// each tap's single input value, as a broadcast int16, by the tap's Cb
// weights.
#ifndef SMALL_KERNELS_ARM_CONV_I8_MLAL_TILE_H
#define SMALL_KERNELS_ARM_CONV_I8_MLAL_TILE_H

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <utility>

#include "arm/conv_i8_lanes.h"
#include "arm/requant_i8.h"
#include "kernel_contract.h"

namespace small::arm {

// Accumulators start at the tile's bias (output block 0: out_blocks is 1
// on the ARM tables).
template <int W, int Q>
inline void conv_i8_init(int32x4_t (&acc)[W][Q], const int32_t *bias) {
#pragma GCC unroll 4
  for (int q = 0; q < Q; ++q) {
    const int32x4_t b = vld1q_s32(bias + 4 * q);
#pragma GCC unroll 8
    for (int j = 0; j < W; ++j) {
      acc[j][q] = b;
    }
  }
}

template <int W, int Q>
inline void conv_i8_finish(const small_window_tile_i8 *t,
                           const int32x4_t (&acc)[W][Q]) {
  const RequantConsts c(t);
  ChannelRequant q[Q] = {};
#pragma GCC unroll 4
  for (int i = 0; i < Q; ++i) {
    q[i] = ChannelRequant(t->multiplier + 4 * i, t->shift + 4 * i, c.single);
  }
#pragma GCC unroll 8
  for (int j = 0; j < W; ++j) {
    store_pixel_i8<Q>(t->out + j * t->out_pixel_step, acc[j], q, c);
  }
}

// The products of input lane L of a chunk: its weight row times lane L of
// every pixel's chunk.
template <int W, int Q, int L>
[[gnu::always_inline]] inline void mla_input_lane(int32x4_t (&acc)[W][Q],
                                                  const int8_t *w,
                                                  const int16x8_t (&x)[W]) {
  constexpr int H = Q / 2;
  int16x8_t wv[H];
  // No load of this lane's weights moves up past the previous lane's
  // products (see the top of the file).
  asm volatile("" ::: "memory");
  widen_i8<H>(w + L * 4 * Q, wv);
#pragma GCC unroll 8
  for (int j = 0; j < W; ++j) {
#pragma GCC unroll 2
    for (int h = 0; h < H; ++h) {
      acc[j][2 * h] = mla_low<L>(acc[j][2 * h], wv[h], x[j]);
      acc[j][2 * h + 1] = mla_high<L>(acc[j][2 * h + 1], wv[h], x[j]);
    }
  }
}

// Always inline: out of line, the accumulators would go through memory.
template <int W, int Q, int... Ls>
[[gnu::always_inline]] inline void
mla_chunk(int32x4_t (&acc)[W][Q], const int8_t *w, const int16x8_t (&x)[W],
          std::integer_sequence<int, Ls...>) {
  (mla_input_lane<W, Q, Ls>(acc, w, x), ...);
}

template <int W, int Q, size_t STEP>
void conv_i8_mlal_tile(const small_window_tile_i8 *t) {
  constexpr size_t kCb = 4 * Q;
  const size_t step = STEP != 0 ? STEP : t->in_pixel_step;
  const int16x8_t zp = vdupq_n_s16(static_cast<int16_t>(t->in_zero_point));
  int32x4_t acc[W][Q];
  conv_i8_init<W, Q>(acc, t->bias);
  for (size_t b = 0; b < t->in_blocks; ++b) {
    const size_t lanes =
        b + 1 == t->in_blocks ? t->in_last_channels : t->in_lanes;
    const size_t chunks = (lanes + 7) / 8;
    for (size_t r = 0; r < t->taps_h; ++r) {
      for (size_t s = 0; s < t->taps_w; ++s) {
        const int8_t *in = t->in + b * t->in_block_step + r * t->in_tap_h_step +
                           s * t->in_tap_w_step;
        const int8_t *w = t->weights + b * t->w_block_step +
                          r * t->w_tap_h_step + s * t->w_tap_w_step;
        for (size_t k = 0; k < chunks; ++k, in += 8, w += 8 * kCb) {
          int16x8_t x[W];
#pragma GCC unroll 8
          for (int j = 0; j < W; ++j) {
            x[j] = vsubq_s16(vmovl_s8(vld1_s8(in + j * step)), zp);
          }
          mla_chunk<W, Q>(acc, w, x, std::make_integer_sequence<int, 8>{});
        }
      }
    }
  }
  conv_i8_finish<W, Q>(t, acc);
}

// Planar input: one value per pixel and tap.
template <int W, int Q, size_t STEP>
void conv_i8_planar_mlal_tile(const small_window_tile_i8 *t) {
  constexpr int H = Q / 2;
  const size_t step = STEP != 0 ? STEP : t->in_pixel_step;
  const int32_t zp = t->in_zero_point;
  int32x4_t acc[W][Q];
  conv_i8_init<W, Q>(acc, t->bias);
  for (size_t b = 0; b < t->in_blocks; ++b) {
    for (size_t r = 0; r < t->taps_h; ++r) {
      const int8_t *in = t->in + b * t->in_block_step + r * t->in_tap_h_step;
      const int8_t *w = t->weights + b * t->w_block_step + r * t->w_tap_h_step;
      for (size_t s = 0; s < t->taps_w;
           ++s, in += t->in_tap_w_step, w += t->w_tap_w_step) {
        int16x8_t wv[H];
        widen_i8<H>(w, wv);
#pragma GCC unroll 8
        for (int j = 0; j < W; ++j) {
          const int16_t x = static_cast<int16_t>(in[j * step] - zp);
#pragma GCC unroll 2
          for (int h = 0; h < H; ++h) {
            acc[j][2 * h] = vmlal_n_s16(acc[j][2 * h], vget_low_s16(wv[h]), x);
            acc[j][2 * h + 1] =
                vmlal_n_s16(acc[j][2 * h + 1], vget_high_s16(wv[h]), x);
          }
        }
      }
    }
  }
  conv_i8_finish<W, Q>(t, acc);
}

} // namespace small::arm

#endif
