// NEON int8 element-wise kernels (aarch64 and armv7): TFLite's ADD and the
// int8 -> int8 requantization, 8 values per step, bit for bit the scalar
// ones (kernels/scalar/elementwise_i8.cpp) through arm/requant_i8.h. The
// last count % 8 values go through an 8-byte local copy, so nothing is read
// or written past [0, count).
#ifndef SMALL_KERNELS_ARM_ELEMENTWISE_I8_H
#define SMALL_KERNELS_ARM_ELEMENTWISE_I8_H

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "arm/requant_i8.h"
#include "kernel_contract.h"

namespace small::arm {

// Runs step(a, b, out) on whole groups of 8, then on the tail in a copy.
template <class Step>
inline void elementwise_i8(const int8_t *a, const int8_t *b, int8_t *out,
                           size_t count, const Step &step) {
  size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    step(a + i, b + i, out + i);
  }
  if (i < count) {
    int8_t ta[8] = {}, tb[8] = {}, to[8];
    std::memcpy(ta, a + i, count - i);
    std::memcpy(tb, b + i, count - i);
    step(ta, tb, to);
    std::memcpy(out + i, to, count - i);
  }
}

// 8 int8 values at p minus zp, as two int32x4_t.
inline void widen_minus(const int8_t *p, int32x4_t zp, int32x4_t &low,
                        int32x4_t &high) {
  const int16x8_t v = vmovl_s8(vld1_s8(p));
  low = vsubq_s32(vmovl_s16(vget_low_s16(v)), zp);
  high = vsubq_s32(vmovl_s16(vget_high_s16(v)), zp);
}

inline int32x4_t clamp_s32(int32x4_t x, int32x4_t lo, int32x4_t hi) {
  return vminq_s32(vmaxq_s32(x, lo), hi);
}

inline void add_i8(const int8_t *a, const int8_t *b, int8_t *out, size_t count,
                   const small_add_i8_params *p) {
  const bool single = p->single_rounding != 0;
  const int32x4_t a_zp = vdupq_n_s32(p->a_zero_point);
  const int32x4_t b_zp = vdupq_n_s32(p->b_zero_point);
  const int32x4_t left = vdupq_n_s32(p->left_shift);
  const ChannelRequant qa(vdupq_n_s32(p->a_multiplier), vdupq_n_s32(p->a_shift),
                          single);
  const ChannelRequant qb(vdupq_n_s32(p->b_multiplier), vdupq_n_s32(p->b_shift),
                          single);
  const ChannelRequant qo(vdupq_n_s32(p->out_multiplier),
                          vdupq_n_s32(p->out_shift), single);
  const int32x4_t out_zp = vdupq_n_s32(p->out_zero_point);
  const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
  const auto one = [&](int32x4_t x, int32x4_t y) {
    const int32x4_t sa =
        multiply_by_quantized_multiplier(vshlq_s32(x, left), qa);
    const int32x4_t sb =
        multiply_by_quantized_multiplier(vshlq_s32(y, left), qb);
    const int32x4_t sum =
        multiply_by_quantized_multiplier(vaddq_s32(sa, sb), qo);
    return clamp_s32(vaddq_s32(sum, out_zp), lo, hi);
  };
  elementwise_i8(a, b, out, count,
                 [&](const int8_t *x, const int8_t *y, int8_t *z) {
                   int32x4_t xl, xh, yl, yh;
                   widen_minus(x, a_zp, xl, xh);
                   widen_minus(y, b_zp, yl, yh);
                   vst1_s8(z, narrow_i8(one(xl, yl), one(xh, yh)));
                 });
}

inline void requant_i8(const int8_t *in, int8_t *out, size_t count,
                       const small_requant_i8_params *p) {
  const int32x4_t in_zp = vdupq_n_s32(p->in_zero_point);
  const int32x4_t out_zp = vdupq_n_s32(p->out_zero_point);
  const ChannelRequant q(vdupq_n_s32(p->multiplier), vdupq_n_s32(p->shift),
                         p->single_rounding != 0);
  const int32x4_t lo = vdupq_n_s32(-128), hi = vdupq_n_s32(127);
  const auto one = [&](int32x4_t x) {
    return clamp_s32(vaddq_s32(multiply_by_quantized_multiplier(x, q), out_zp),
                     lo, hi);
  };
  elementwise_i8(in, in, out, count,
                 [&](const int8_t *x, const int8_t *, int8_t *z) {
                   int32x4_t low, high;
                   widen_minus(x, in_zp, low, high);
                   vst1_s8(z, narrow_i8(one(low), one(high)));
                 });
}

} // namespace small::arm

#endif
