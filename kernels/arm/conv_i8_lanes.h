// The NEON building blocks the int8 convolution and depthwise tiles share
// (aarch64 and armv7): lane-indexed 16-bit widening multiply-accumulates,
// the loads that widen int8 to int16, and the store of a pixel's Cb = 4 * Q
// requantized lanes. Where aarch64 has a one-instruction form (the high-half
// SMLAL2/SXTL2, lanes 4..7 of a q register as the scalar operand), it is
// used; armv7 reaches the same halves as d registers for free.
#ifndef SMALL_KERNELS_ARM_CONV_I8_LANES_H
#define SMALL_KERNELS_ARM_CONV_I8_LANES_H

#include <arm_neon.h>

#include <cstdint>

#include "arm/requant_i8.h"

namespace small::arm {

// acc + w[0..3] * x[L] (int16 products, int32 sums: exact).
template <int L>
inline int32x4_t mla_low(int32x4_t acc, int16x8_t w, int16x8_t x) {
#if defined(__aarch64__)
  return vmlal_laneq_s16(acc, vget_low_s16(w), x, L);
#else
  return vmlal_lane_s16(acc, vget_low_s16(w),
                        L < 4 ? vget_low_s16(x) : vget_high_s16(x), L % 4);
#endif
}

// acc + w[4..7] * x[L].
template <int L>
inline int32x4_t mla_high(int32x4_t acc, int16x8_t w, int16x8_t x) {
#if defined(__aarch64__)
  return vmlal_high_laneq_s16(acc, w, x, L);
#else
  return vmlal_lane_s16(acc, vget_high_s16(w),
                        L < 4 ? vget_low_s16(x) : vget_high_s16(x), L % 4);
#endif
}

// H = Q / 2 int16x8_t of 8 * H int8 values at p, sign-extended.
template <int H> inline void widen_i8(const int8_t *p, int16x8_t (&out)[H]) {
  static_assert(H == 1 || H == 2, "Cb = 8 or 16");
  if constexpr (H == 1) {
    out[0] = vmovl_s8(vld1_s8(p));
  } else {
    const int8x16_t v = vld1q_s8(p);
    out[0] = vmovl_s8(vget_low_s8(v));
#if defined(__aarch64__)
    out[1] = vmovl_high_s8(v);
#else
    out[1] = vmovl_s8(vget_high_s8(v));
#endif
  }
}

// One pixel's 4 * Q channels: requantized, clamped, stored as int8.
template <int Q>
inline void store_pixel_i8(int8_t *out, const int32x4_t (&acc)[Q],
                           const ChannelRequant (&q)[Q],
                           const RequantConsts &c) {
  int32x4_t r[Q];
#pragma GCC unroll 4
  for (int i = 0; i < Q; ++i) {
    r[i] = requantize(acc[i], q[i], c);
  }
#pragma GCC unroll 2
  for (int i = 0; i < Q; i += 2) {
    vst1_s8(out + 4 * i, narrow_i8(r[i], r[i + 1]));
  }
}

} // namespace small::arm

#endif
