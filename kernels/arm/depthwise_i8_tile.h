// NEON int8 depthwise tiles (aarch64 Cb = 16, armv7 Cb = 8; Q = Cb / 4
// int32x4_t accumulators per pixel). A tap's products are x * w of the raw
// int8 values, one SMULL (VMULL.S8) for 8 channels (|x w| <= 2^14 fits
// int16: exact), widened into the int32 sums by SADDW. The input zero point
// is folded into the bias once per tile as zp * (sum of the tap weights)
// (per pixel when pixels have their own weights); int32 wraps, so the result
// is bit for bit the scalar sum of (x - zp) * w.
#ifndef SMALL_KERNELS_ARM_DEPTHWISE_I8_TILE_H
#define SMALL_KERNELS_ARM_DEPTHWISE_I8_TILE_H

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "arm/conv_i8_lanes.h"
#include "arm/requant_i8.h"
#include "kernel_contract.h"

namespace small::arm {

// One pixel's Cb int8 lanes in one register (q on aarch64 for Cb = 16, d
// for Cb = 8).
template <int Q> using Lanes8 = std::conditional_t<Q == 4, int8x16_t, int8x8_t>;

template <int Q> inline Lanes8<Q> load_lanes(const int8_t *p) {
  static_assert(Q == 2 || Q == 4, "Cb = 8 or 16");
  if constexpr (Q == 4) {
    return vld1q_s8(p);
  } else {
    return vld1_s8(p);
  }
}

// acc (four int32 lanes each) + the int16 products p, low and high half.
inline void add_wide(int32x4_t &low, int32x4_t &high, int16x8_t p) {
  low = vaddw_s16(low, vget_low_s16(p));
#if defined(__aarch64__)
  high = vaddw_high_s16(high, p);
#else
  high = vaddw_s16(high, vget_high_s16(p));
#endif
}

// acc += x * w lane by lane.
template <int Q>
inline void mac_lanes(int32x4_t (&acc)[Q], Lanes8<Q> x, Lanes8<Q> w) {
  if constexpr (Q == 4) {
    add_wide(acc[0], acc[1], vmull_s8(vget_low_s8(x), vget_low_s8(w)));
#if defined(__aarch64__)
    add_wide(acc[2], acc[3], vmull_high_s8(x, w));
#else
    add_wide(acc[2], acc[3], vmull_s8(vget_high_s8(x), vget_high_s8(w)));
#endif
  } else {
    add_wide(acc[0], acc[1], vmull_s8(x, w));
  }
}

// sum += w lane by lane, widened.
template <int Q> inline void add_weights(int32x4_t (&sum)[Q], Lanes8<Q> w) {
  if constexpr (Q == 4) {
    add_wide(sum[0], sum[1], vmovl_s8(vget_low_s8(w)));
    add_wide(sum[2], sum[3], vmovl_s8(vget_high_s8(w)));
  } else {
    add_wide(sum[0], sum[1], vmovl_s8(w));
  }
}

// What the pixels of one weight set share: the bias minus zp * (the sum of
// the tap weights) and where their requantization parameters are. Kept in
// memory on purpose and read back per group of pixels: held in registers
// across the tile, these constants pushed the 3x3 window's weights and the
// accumulators onto the stack in the tap loop (GCC 12).
template <int Q> struct DepthwiseChannels {
  alignas(16) int32_t bias[4 * Q];
  const int32_t *multiplier, *shift;
  DepthwiseChannels(const small_window_tile_i8 *t,
                    const int32x4_t (&weight_sum)[Q], size_t channel)
      : multiplier(t->multiplier + channel), shift(t->shift + channel) {
    const int32x4_t zp = vdupq_n_s32(t->in_zero_point);
#pragma GCC unroll 4
    for (int i = 0; i < Q; ++i) {
      vst1q_s32(bias + 4 * i, vmlsq_s32(vld1q_s32(t->bias + channel + 4 * i),
                                        weight_sum[i], zp));
    }
    // The array escapes, so GCC keeps it in memory.
    asm volatile("" : : "r"(bias) : "memory");
  }
};

template <int Q>
inline void depthwise_i8_weight_sum(const small_window_tile_i8 *t,
                                    const int8_t *w, int32x4_t (&sum)[Q]) {
#pragma GCC unroll 4
  for (int i = 0; i < Q; ++i) {
    sum[i] = vdupq_n_s32(0);
  }
  for (size_t r = 0; r < t->taps_h; ++r) {
    for (size_t s = 0; s < t->taps_w; ++s) {
      add_weights<Q>(
          sum, load_lanes<Q>(w + r * t->w_tap_h_step + s * t->w_tap_w_step));
    }
  }
}

template <int N, int Q>
inline void depthwise_i8_store(const small_window_tile_i8 *t, size_t j0,
                               int32x4_t (&acc)[N][Q],
                               const DepthwiseChannels<Q> &ch,
                               const RequantConsts &c) {
  ChannelRequant q[Q];
#pragma GCC unroll 4
  for (int i = 0; i < Q; ++i) {
    q[i] = ChannelRequant(ch.multiplier + 4 * i, ch.shift + 4 * i, c.single);
  }
#pragma GCC unroll 8
  for (int n = 0; n < N; ++n) {
#pragma GCC unroll 4
    for (int i = 0; i < Q; ++i) {
      acc[n][i] = vaddq_s32(acc[n][i], vld1q_s32(ch.bias + 4 * i));
    }
    store_pixel_i8<Q>(t->out + (j0 + n) * t->out_pixel_step, acc[n], q, c);
  }
}

// Pixels [j0, j0 + N) with the weights at w, any window.
template <int N, int Q>
inline void depthwise_i8_pixels(const small_window_tile_i8 *t, size_t j0,
                                const DepthwiseChannels<Q> &ch,
                                const RequantConsts &c) {
  const int8_t *in = t->in + j0 * t->in_pixel_step;
  int32x4_t acc[N][Q] = {};
  for (size_t r = 0; r < t->taps_h; ++r) {
    for (size_t s = 0; s < t->taps_w; ++s) {
      const Lanes8<Q> w =
          load_lanes<Q>(t->weights + r * t->w_tap_h_step + s * t->w_tap_w_step);
      const int8_t *x = in + r * t->in_tap_h_step + s * t->in_tap_w_step;
#pragma GCC unroll 8
      for (int n = 0; n < N; ++n) {
        mac_lanes<Q>(acc[n], load_lanes<Q>(x + n * t->in_pixel_step), w);
      }
    }
  }
  depthwise_i8_store<N, Q>(t, j0, acc, ch, c);
}

// Pixels [j0, j0 + N) of a full 3x3 window, its nine weight vectors in
// registers for the whole tile.
template <int N, int Q>
inline void depthwise_i8_pixels_3x3(const small_window_tile_i8 *t, size_t j0,
                                    const Lanes8<Q> (&w)[9],
                                    const DepthwiseChannels<Q> &ch,
                                    const RequantConsts &c) {
  const int8_t *in = t->in + j0 * t->in_pixel_step;
  int32x4_t acc[N][Q] = {};
#pragma GCC unroll 3
  for (int r = 0; r < 3; ++r) {
#pragma GCC unroll 3
    for (int s = 0; s < 3; ++s) {
      const int8_t *x = in + r * t->in_tap_h_step + s * t->in_tap_w_step;
#pragma GCC unroll 8
      for (int n = 0; n < N; ++n) {
        mac_lanes<Q>(acc[n], load_lanes<Q>(x + n * t->in_pixel_step),
                     w[r * 3 + s]);
      }
    }
  }
  depthwise_i8_store<N, Q>(t, j0, acc, ch, c);
}

// Pixel j with its own weights and channels (a tile across channel blocks).
template <int Q>
inline void depthwise_i8_own_pixel(const small_window_tile_i8 *t, size_t j,
                                   const RequantConsts &c) {
  const int8_t *w = t->weights + j * t->w_pixel_step;
  const int8_t *in = t->in + j * t->in_pixel_step;
  int32x4_t weight_sum[Q];
  depthwise_i8_weight_sum<Q>(t, w, weight_sum);
  int32x4_t acc[1][Q] = {};
  for (size_t r = 0; r < t->taps_h; ++r) {
    for (size_t s = 0; s < t->taps_w; ++s) {
      mac_lanes<Q>(
          acc[0],
          load_lanes<Q>(in + r * t->in_tap_h_step + s * t->in_tap_w_step),
          load_lanes<Q>(w + r * t->w_tap_h_step + s * t->w_tap_w_step));
    }
  }
  const DepthwiseChannels<Q> ch(t, weight_sum, j * t->bias_pixel_step);
  depthwise_i8_store<1, Q>(t, j, acc, ch, c);
}

// Chunks of N pixels, then single pixels. HOLD_3X3: a full 3x3 window keeps
// its weights in registers (aarch64; armv7's 16 q registers cannot hold them
// with the accumulators, and GCC spilled them in the tap loop).
template <int N, int Q, bool HOLD_3X3>
void depthwise_i8_tile(const small_window_tile_i8 *t) {
  const RequantConsts c(t);
  if (t->w_pixel_step != 0 || t->bias_pixel_step != 0) {
    for (size_t j = 0; j < t->width; ++j) {
      depthwise_i8_own_pixel<Q>(t, j, c);
    }
    return;
  }
  int32x4_t weight_sum[Q];
  depthwise_i8_weight_sum<Q>(t, t->weights, weight_sum);
  const DepthwiseChannels<Q> ch(t, weight_sum, 0);
  size_t j = 0;
  if (HOLD_3X3 && t->taps_h == 3 && t->taps_w == 3) {
    Lanes8<Q> w[9];
#pragma GCC unroll 3
    for (int r = 0; r < 3; ++r) {
#pragma GCC unroll 3
      for (int s = 0; s < 3; ++s) {
        w[r * 3 + s] = load_lanes<Q>(t->weights + r * t->w_tap_h_step +
                                     s * t->w_tap_w_step);
      }
    }
    for (; j + N <= t->width; j += N) {
      depthwise_i8_pixels_3x3<N, Q>(t, j, w, ch, c);
    }
    for (; j < t->width; ++j) {
      depthwise_i8_pixels_3x3<1, Q>(t, j, w, ch, c);
    }
    return;
  }
  for (; j + N <= t->width; j += N) {
    depthwise_i8_pixels<N, Q>(t, j, ch, c);
  }
  for (; j < t->width; ++j) {
    depthwise_i8_pixels<1, Q>(t, j, ch, c);
  }
}

template <int N, int Q, bool HOLD_3X3>
small_window_i8_fn depthwise_i8_select(const small_window_shape *) {
  return depthwise_i8_tile<N, Q, HOLD_3X3>;
}

} // namespace small::arm

#endif
