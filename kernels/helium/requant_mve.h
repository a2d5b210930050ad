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
#include <cstddef>
#include <cstdint>

#include "cortex-m/requant_i8.h"
#include "kernel_contract.h"

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

// The Cb output bytes of one pixel from its int32 sums acc[0..cb), channel
// o requantized with the tile's multiplier[channel0 + o] and
// shift[channel0 + o]. Single rounding needs a 64-bit product per lane,
// which MVE lacks: that mode stays scalar.
inline void requantize_pixel(const small_window_tile_i8 *t, int8_t *out,
                             const int32_t *acc, size_t channel0) {
  if (t->single_rounding != 0) {
    const cortex_m::TileRequant requant(t);
    for (size_t o = 0; o < t->cb; ++o) {
      out[o] = requant.channel(channel0 + o)(acc[o]);
    }
    return;
  }
  for (size_t o = 0; o < t->cb; o += 4) {
    requantize_store(out + o, vldrwq_s32(acc + o),
                     vldrwq_s32(t->multiplier + channel0 + o),
                     vldrwq_s32(t->shift + channel0 + o), t->out_zero_point,
                     t->act_min, t->act_max);
  }
}

} // namespace small::helium

#endif
