// NEON requantization of int32 sums to int8, bit for bit the scalar
// fixed::multiply_by_quantized_multiplier (kernels/fixed_point.h) plus the
// output zero point and the clamp, four channels per int32x4_t. Intrinsics
// common to aarch64 and armv7.
//
// Double rounding, with left = max(shift, 0) and right = max(-shift, 0):
//   x << left wraps, and becomes 0 for counts above 31: exactly SSHL.
//   SaturatingRoundingDoublingHighMul is SQRDMULH (fixed_point.h says so):
//   (2ab + 2^31) >> 32 with the one overflowing product saturated.
//   RoundingDivideByPOT rounds ties away from zero; SRSHL by -right rounds
//   ties up, so negative values are first lowered by one: for x = q 2^e + r,
//   floor((x - 1 + 2^(e-1)) / 2^e) = q + (r > 2^(e-1)), the scalar's rule
//   for negative x. The -1 saturates at INT32_MIN, harmless there: SRSHL
//   rounds in full precision, and INT32_MIN is an exact multiple of 2^e.
// Single rounding: (x m + 2^(total - 1)) >> total in 64 bits, total = 31 -
//   shift in [1, 62]: SMULL, then SRSHL by -total (full precision, so the
//   rounding constant cannot overflow), then the low 32 bits.
#ifndef SMALL_KERNELS_ARM_REQUANT_I8_H
#define SMALL_KERNELS_ARM_REQUANT_I8_H

#include <arm_neon.h>

#include <cstdint>

#include "kernel_contract.h"

namespace small::arm {

// The per-tile constants of the epilogue.
struct RequantConsts {
  int32x4_t out_zp, lo, hi;
  bool single;
  RequantConsts(int32_t out_zero_point, int32_t act_min, int32_t act_max,
                int single_rounding)
      : out_zp(vdupq_n_s32(out_zero_point)), lo(vdupq_n_s32(act_min)),
        hi(vdupq_n_s32(act_max)), single(single_rounding != 0) {}
  explicit RequantConsts(const small_window_tile_i8 *t)
      : RequantConsts(t->out_zero_point, t->act_min, t->act_max,
                      t->single_rounding) {}
};

// Four channels' multipliers and shift counts, derived once per tile.
struct ChannelRequant {
  int32x4_t multiplier;
  int32x4_t left;      // double rounding: max(shift, 0)
  int32x4_t right_neg; // double rounding: min(shift, 0), a right shift
  int64x2_t total_neg; // single rounding: shift - 31, both halves
  int64x2_t total_neg_high;
  bool single = false;
  ChannelRequant() = default;
  ChannelRequant(int32x4_t m, int32x4_t shift, bool single_rounding)
      : multiplier(m), single(single_rounding) {
    const int32x4_t zero = vdupq_n_s32(0);
    left = vmaxq_s32(shift, zero);
    right_neg = vminq_s32(shift, zero);
    const int32x4_t total = vsubq_s32(shift, vdupq_n_s32(31));
    total_neg = vmovl_s32(vget_low_s32(total));
    total_neg_high = vmovl_s32(vget_high_s32(total));
  }
  ChannelRequant(const int32_t *m, const int32_t *shift, bool single_rounding)
      : ChannelRequant(vld1q_s32(m), vld1q_s32(shift), single_rounding) {}
};

// fixed::multiply_by_quantized_multiplier per lane.
inline int32x4_t multiply_by_quantized_multiplier(int32x4_t x,
                                                  const ChannelRequant &q) {
  if (q.single) {
    const int64x2_t low = vrshlq_s64(
        vmull_s32(vget_low_s32(x), vget_low_s32(q.multiplier)), q.total_neg);
    const int64x2_t high =
        vrshlq_s64(vmull_s32(vget_high_s32(x), vget_high_s32(q.multiplier)),
                   q.total_neg_high);
    return vcombine_s32(vmovn_s64(low), vmovn_s64(high));
  }
  const int32x4_t high = vqrdmulhq_s32(vshlq_s32(x, q.left), q.multiplier);
  // -1 where high is negative and the right shift is not zero (both sign
  // bits set).
  const int32x4_t fixup = vshrq_n_s32(vandq_s32(high, q.right_neg), 31);
  return vrshlq_s32(vqaddq_s32(high, fixup), q.right_neg);
}

// The convolution and depthwise epilogue: requantized, plus the output zero
// point (wrapping), clamped (max first, as fixed::clamp).
inline int32x4_t requantize(int32x4_t acc, const ChannelRequant &q,
                            const RequantConsts &c) {
  const int32x4_t scaled = multiply_by_quantized_multiplier(acc, q);
  return vminq_s32(vmaxq_s32(vaddq_s32(scaled, c.out_zp), c.lo), c.hi);
}

// Eight clamped lanes (within [-128, 127]) to int8.
inline int8x8_t narrow_i8(int32x4_t low, int32x4_t high) {
  return vmovn_s16(vcombine_s16(vmovn_s32(low), vmovn_s32(high)));
}

} // namespace small::arm

#endif
