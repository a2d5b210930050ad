// gemmlowp's fixed-point exp and reciprocal, as TFLite's int8 softmax uses
// them, on raw int32 values. A value in format Qm (m integer bits, 31 - m
// fractional bits) is raw / 2^(31 - m); products of Qa and Qb values are
// Q(a+b) (the rounding doubling high multiply).
#ifndef SMALL_KERNELS_FIXED_POINT_EXP_H
#define SMALL_KERNELS_FIXED_POINT_EXP_H

#include <cstdint>

#include "fixed_point.h"

namespace small::fixed {

// round((a + b) / 2), ties away from zero, in 64 bits.
inline int32_t rounding_half_sum(int32_t a, int32_t b) {
  const int64_t sum = int64_t{a} + int64_t{b};
  const int64_t sign = sum >= 0 ? 1 : -1;
  return static_cast<int32_t>((sum + sign) / 2);
}

// exp(a) for a Q0 value a in [-1/4, 0): the Taylor polynomial of degree 4
// around -1/8, in Q0.
inline int32_t
exp_on_interval_between_negative_one_quarter_and_0_excl(int32_t a) {
  const int32_t exp_minus_one_eighth = 1895147668;     // exp(-1/8) in Q0
  const int32_t one_third = 715827883;                 // 1/3 in Q0
  const int32_t x = wrapping_add(a, int32_t{1} << 28); // a + 1/8
  const int32_t x2 = saturating_rounding_doubling_high_mul(x, x);
  const int32_t x3 = saturating_rounding_doubling_high_mul(x2, x);
  const int32_t x4 = saturating_rounding_doubling_high_mul(x2, x2);
  const int32_t x4_over_4 = rounding_divide_by_pot(x4, 2);
  // x^4/24 + x^3/6 + x^2/2 = ((x^4/4 + x^3) / 3 + x^2) / 2
  const int32_t higher_terms = rounding_divide_by_pot(
      wrapping_add(saturating_rounding_doubling_high_mul(
                       wrapping_add(x4_over_4, x3), one_third),
                   x2),
      1);
  return wrapping_add(exp_minus_one_eighth,
                      saturating_rounding_doubling_high_mul(
                          exp_minus_one_eighth, wrapping_add(x, higher_terms)));
}

// exp(a) in Q0 for a Q5 value a <= 0 (the format of softmax's scaled input
// differences): exp of a's remainder modulo 1/4 by the polynomial, times
// exp(-2^k) for each bit k of the rest.
inline int32_t exp_on_negative_values_q5(int32_t a) {
  constexpr int kIntegerBits = 5;
  constexpr int kFractionalBits = 31 - kIntegerBits;
  const int32_t one_quarter = int32_t{1} << (kFractionalBits - 2);
  const int32_t mask = one_quarter - 1;
  const int32_t a_mod_quarter_minus_quarter =
      wrapping_sub(a & mask, one_quarter);
  // Q5 -> Q0: a saturating multiply by 2^5.
  int32_t result = exp_on_interval_between_negative_one_quarter_and_0_excl(
      saturating_shift_left(a_mod_quarter_minus_quarter, kIntegerBits));
  const int32_t remainder = wrapping_sub(a_mod_quarter_minus_quarter, a);
  // exp(-2^k) in Q0 for k = -2 .. 4 (every k below the 5 integer bits).
  constexpr int32_t kExpOfMinusPowerOfTwo[7] = {
      1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
  for (int k = -2; k <= 4; ++k) {
    if ((remainder & (int32_t{1} << (kFractionalBits + k))) != 0) {
      result = saturating_rounding_doubling_high_mul(
          result, kExpOfMinusPowerOfTwo[k + 2]);
    }
  }
  return a == 0 ? kInt32Max : result;
}

// 1 / (1 + a) in Q0 for a Q0 value a in [0, 1): three Newton-Raphson steps
// from 48/17 - 32/17 * d, with d = (1 + a) / 2, in Q2.
inline int32_t one_over_one_plus_x_for_x_in_0_1(int32_t a) {
  const int32_t half_denominator = rounding_half_sum(a, kInt32Max);
  const int32_t constant_48_over_17 = 1515870810;      // Q2
  const int32_t constant_neg_32_over_17 = -1010580540; // Q2
  const int32_t one_q2 = int32_t{1} << 29;
  int32_t x = wrapping_add(constant_48_over_17,
                           saturating_rounding_doubling_high_mul(
                               half_denominator, constant_neg_32_over_17));
  for (int i = 0; i < 3; ++i) {
    const int32_t half_denominator_times_x =
        saturating_rounding_doubling_high_mul(half_denominator, x);
    const int32_t one_minus = wrapping_sub(one_q2, half_denominator_times_x);
    // Q2 * Q2 = Q4, back to Q2 by a saturating multiply by 4.
    x = wrapping_add(
        x, saturating_shift_left(
               saturating_rounding_doubling_high_mul(x, one_minus), 2));
  }
  // x / 2 read as Q1, then Q1 -> Q0.
  return saturating_shift_left(x, 1);
}

// Number of leading zero bits of x (32 for 0).
inline int count_leading_zeros(uint32_t x) {
  int n = 0;
  for (uint32_t bit = uint32_t{1} << 31; bit != 0 && (x & bit) == 0;
       bit >>= 1) {
    ++n;
  }
  return n;
}

// 1 / x for a positive value x with `integer_bits` integer bits: returns
// the Q0 reciprocal of x scaled into [1, 2), and in *bits_over_unit the
// power of two it was scaled by (TFLite's GetReciprocal).
inline int32_t reciprocal(int32_t x, int integer_bits, int *bits_over_unit) {
  const int headroom_plus_one = count_leading_zeros(static_cast<uint32_t>(x));
  *bits_over_unit = integer_bits - headroom_plus_one;
  const int32_t shifted_minus_one = static_cast<int32_t>(
      (static_cast<uint32_t>(x) << headroom_plus_one) - (uint32_t{1} << 31));
  return one_over_one_plus_x_for_x_in_0_1(shifted_minus_one);
}

} // namespace small::fixed

#endif
