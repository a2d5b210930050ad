// The fused double rounding's constants (requant_i8.h derives the
// arithmetic), in a header without the cores' intrinsics: the host prepares
// them for a Cortex-M table too (small_network_set_target, plans).
#ifndef SMALL_KERNELS_CORTEX_M_FUSED_ROUNDING_H
#define SMALL_KERNELS_CORTEX_M_FUSED_ROUNDING_H

#include <cstdint>

namespace small::cortex_m {

// One channel's requantization as one SMLAL and a shift (requant_i8.h).
struct FusedRounding {
  int32_t multiplier;
  int32_t high;   // 2^(e-2) + zp * 2^(e-1)
  int high_shift; // e - 1; kGeneral: the channel takes the general path

  static constexpr int kGeneral = -1;
  bool general() const { return high_shift == kGeneral; }
  // A general() channel whose right shift e is 23 to 31 (m > 0): the zero
  // point times 2^(e-1) would leave the high word, so it is added after the
  // shift. For the loops that can (the Cortex-M4's 8-pixel loop), `high`
  // then holds zp * 256 + e - 1: e - 1 in the low byte (what a shift by a
  // register reads) and zp above it (ASR #8 gives it back); the high word's
  // addend is 2^(e-2). Every other loop takes its general path.
  bool wide() const { return general() && multiplier > 0; }

  // The requantized value plus the zero point, before the clamp (defined in
  // requant_i8.h, for the cores).
  int32_t operator()(int32_t x) const;
};

// The fused rounding of a channel with TFLite's double rounding, or one
// marked general() when it cannot take it: a negative multiplier, or a
// right shift e = -shift outside [2, 22] (a left shift, or a zero point
// times 2^(e-1) past the high word; e in [23, 31] is wide()). A zero
// multiplier (a dead channel, a block's pad lane) requantizes every sum to
// the zero point whatever its shift, which e = 2 gives: high 1 + 2 zp,
// shifted right by 1.
inline FusedRounding fused_rounding(int32_t multiplier, int32_t shift,
                                    int32_t out_zero_point) {
  const int32_t right = -shift;
  if (multiplier == 0) {
    return {0, 1 + 2 * out_zero_point, 1};
  }
  if (multiplier > 0 && right >= 23 && right <= 31) {
    return {multiplier, out_zero_point * 256 + (right - 1),
            FusedRounding::kGeneral};
  }
  if (multiplier < 0 || right < 2 || right > 22) {
    return {0, 0, FusedRounding::kGeneral};
  }
  return {multiplier, (1 << (right - 2)) + out_zero_point * (1 << (right - 1)),
          right - 1};
}

// Whether a clamp to [lo, hi] is the whole int8 range, so that saturating
// to 8 bits is the clamp (the fused paths' fast case).
inline bool full_int8_range(int32_t lo, int32_t hi) {
  return lo <= -128 && hi >= 127;
}

} // namespace small::cortex_m

#endif
