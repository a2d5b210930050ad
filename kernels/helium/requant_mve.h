// TFLite's double-rounding requantization (fixed_point.h) of 4 int32 lanes
// with per-lane multipliers and shifts, bit for bit:
//   VSHL by max(shift, 0) is the wrapping left shift (0 past 31 bits);
//   VQRDMULH is SaturatingRoundingDoublingHighMul (ties toward +infinity,
//     INT32_MIN * INT32_MIN saturating);
//   VRSHL by -e rounds ties up, RoundingDivideByPOT rounds them away from
//     zero: subtracting 1 from a negative x first (saturating, which leaves
//     INT32_MIN's exact quotient alone) makes the two agree for e > 0.
#ifndef SMALL_KERNELS_HELIUM_REQUANT_MVE_H
#define SMALL_KERNELS_HELIUM_REQUANT_MVE_H

#include <arm_mve.h>
#include <cstdint>

namespace small::helium {

inline int32x4_t requantize_double(int32x4_t acc, int32x4_t multiplier,
                                   int32x4_t shift) {
  const int32x4_t zero = vdupq_n_s32(0);
  const int32x4_t left = vmaxq_s32(shift, zero);
  const int32x4_t right = vmaxq_s32(vnegq_s32(shift), zero);
  const int32x4_t high = vqrdmulhq_s32(vshlq_s32(acc, left), multiplier);
  // 1 in the lanes that are negative and shift right, else 0.
  const mve_pred16_t adjust = vcmpltq_n_s32(high, 0) & vcmpgtq_n_s32(right, 0);
  const int32x4_t nudged = vqsubq_m_n_s32(high, high, 1, adjust);
  return vrshlq_s32(nudged, vnegq_s32(right));
}

// requantize_double, + out_zero_point (wrapping), clamped to [lo, hi] as
// min(max(x, lo), hi); the 4 results stored as bytes at out.
inline void requantize_store(int8_t *out, int32x4_t acc, int32x4_t multiplier,
                             int32x4_t shift, int32_t out_zero_point,
                             int32_t lo, int32_t hi) {
  int32x4_t y =
      vaddq_n_s32(requantize_double(acc, multiplier, shift), out_zero_point);
  y = vminq_s32(vmaxq_s32(y, vdupq_n_s32(lo)), vdupq_n_s32(hi));
  vstrbq_s32(out, y);
}

} // namespace small::helium

#endif
