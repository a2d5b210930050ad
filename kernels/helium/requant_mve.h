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

// requantize_double for a right shift e in [1, 31], given as the shift
// itself (-e): RoundingDivideByPOT rounds ties away from zero, VRSHL up, so
// a negative value loses 1 first (saturating: INT32_MIN stays). 4
// instructions instead of 12.
inline int32x4_t requantize_right(int32x4_t acc, int32x4_t multiplier,
                                  int32x4_t shift) {
  const int32x4_t high = vqrdmulhq_s32(acc, multiplier);
  return vrshlq_s32(vqaddq_s32(high, vshrq_n_s32(high, 31)), shift);
}

// Whether every channel of [channel, channel + lanes) (lanes a multiple of
// 4) shifts right by 1 to 31, with no left shift: then requantize_right
// applies.
inline bool right_shifts_only(const small_window_tile_i8 *t, size_t channel,
                              size_t lanes) {
  mve_pred16_t all = 0xffff;
  for (size_t o = 0; o < lanes; o += 4) {
    const int32x4_t s = vldrwq_s32(t->shift + channel + o);
    all &= vcmpleq_n_s32(s, -1) & vcmpgeq_n_s32(s, -31);
  }
  return all == 0xffff;
}

// Requantized lanes y + out_zero_point (wrapping), clamped to [act_min,
// act_max].
inline int32x4_t add_zero_point_and_clamp(const small_window_tile_i8 *t,
                                          int32x4_t y) {
  return vminq_s32(
      vmaxq_s32(vaddq_n_s32(y, t->out_zero_point), vdupq_n_s32(t->act_min)),
      vdupq_n_s32(t->act_max));
}

// The output byte of a pad lane (small_window_tile_i8::out_last_channels):
// a zero sum requantizes to 0, which leaves the clamped zero point.
inline int8_t pad_lane_byte(const small_window_tile_i8 *t) {
  return static_cast<int8_t>(
      fixed::clamp(t->out_zero_point, t->act_min, t->act_max));
}

// The 4 lanes of acc, of channels [channel, channel + 4), requantized
// (Right: every shift a right shift, right_shifts_only), + out_zero_point
// (wrapping), clamped to [act_min, act_max] and stored as bytes at out.
template <bool Right>
inline void requantize_lanes(const small_window_tile_i8 *t, int8_t *out,
                             int32x4_t acc, size_t channel) {
  const int32x4_t m = vldrwq_s32(t->multiplier + channel);
  const int32x4_t shift = vldrwq_s32(t->shift + channel);
  vstrbq_s32(out, add_zero_point_and_clamp(
                      t, Right ? requantize_right(acc, m, shift)
                               : requantize_double(acc, m, shift)));
}

// The Cb output bytes of one pixel from its int32 sums acc[0..cb), channel
// o requantized with the tile's multiplier[channel0 + o] and
// shift[channel0 + o] (Right as for requantize_lanes). Single rounding
// needs a 64-bit product per lane, which MVE lacks: that mode stays scalar.
template <bool Right>
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
    requantize_lanes<Right>(t, out + o, vldrwq_s32(acc + o), channel0 + o);
  }
}

// Requantizes output lanes [0, lanes) (a multiple of 4) of the tile's
// pixels from sums ([lane][pixel], Stride int32 apart) plus base[lane]
// (bias - zp * sum(w)): pixel j's bytes at out + j * out_pixel_step, the
// lanes' constants from channel on. 4 lanes at a time, their constants
// loaded once for all the pixels, each pixel's 4 sums one VLDRW gather.
// The tile's fields are read into locals first: the int8 stores could
// alias them for the compiler, which then reloads them per store.
template <bool Right, size_t Stride>
void store_sums(const small_window_tile_i8 *t, int8_t *out, const int32_t *sums,
                const int32_t *base, size_t channel, size_t lanes) {
  const uint32x4_t rows = vmulq_n_u32(vidupq_n_u32(0, 1), Stride);
  const size_t width = t->width, out_step = t->out_pixel_step;
  const int32_t *const multiplier = t->multiplier + channel;
  const int32_t *const shift = t->shift + channel;
  const int32_t zero_point = t->out_zero_point;
  const int32x4_t lo = vdupq_n_s32(t->act_min), hi = vdupq_n_s32(t->act_max);
  for (size_t o = 0; o < lanes; o += 4) {
    const int32x4_t m = vldrwq_s32(multiplier + o);
    const int32x4_t sh = vldrwq_s32(shift + o);
    const int32x4_t b = vldrwq_s32(base + o);
    const int32_t *s = sums + o * Stride;
    int8_t *y = out + o;
    for (size_t j = 0; j < width; ++j, y += out_step) {
      const int32x4_t acc =
          vaddq_s32(vldrwq_gather_shifted_offset_s32(s + j, rows), b);
      const int32x4_t r =
          Right ? requantize_right(acc, m, sh) : requantize_double(acc, m, sh);
      vstrbq_s32(y, vminq_s32(vmaxq_s32(vaddq_n_s32(r, zero_point), lo), hi));
    }
  }
}

// store_sums with the tile's rounding: single rounding lane by lane
// (64-bit products, which MVE lacks), else the right-shift path when every
// shift of the lanes is a right shift, else the general one.
template <size_t Stride>
void requantize_sums(const small_window_tile_i8 *t, int8_t *out,
                     const int32_t *sums, const int32_t *base, size_t channel,
                     size_t lanes) {
  if (t->single_rounding != 0) {
    const cortex_m::TileRequant requant(t);
    for (size_t j = 0; j < t->width; ++j) {
      for (size_t o = 0; o < lanes; ++o) {
        out[j * t->out_pixel_step + o] = requant.channel(channel + o)(
            static_cast<int32_t>(static_cast<uint32_t>(sums[o * Stride + j]) +
                                 static_cast<uint32_t>(base[o])));
      }
    }
  } else if (right_shifts_only(t, channel, lanes)) {
    store_sums<true, Stride>(t, out, sums, base, channel, lanes);
  } else {
    store_sums<false, Stride>(t, out, sums, base, channel, lanes);
  }
}

} // namespace small::helium

#endif
