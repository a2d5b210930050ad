// The fixed-point arithmetic of TensorFlow Lite's integer kernels (gemmlowp's
// primitives and TFLite's requantization), written from their documented
// semantics. Header-only and inline so that every kernel folder (and the
// layers' preparation code) computes bit for bit the same thing. Overflowing
// 32-bit additions and shifts wrap (two's complement), as the reference
// implementations do on every target they run on; here they go through
// uint32_t so that the wrap is defined.
#ifndef SMALL_KERNELS_FIXED_POINT_H
#define SMALL_KERNELS_FIXED_POINT_H

#include <cstdint>
#include <limits>

namespace small::fixed {

constexpr int32_t kInt32Min = std::numeric_limits<int32_t>::min();
constexpr int32_t kInt32Max = std::numeric_limits<int32_t>::max();

inline int32_t wrapping_add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) +
                              static_cast<uint32_t>(b));
}
inline int32_t wrapping_sub(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) -
                              static_cast<uint32_t>(b));
}
// x * 2^exponent modulo 2^32 (exponent >= 0). QuantizeMultiplier keeps
// shifts above 31 for absurd scale ratios (> 2^31); every bit is then
// shifted out, which the C++ shift itself leaves undefined.
inline int32_t wrapping_shift_left(int32_t x, int exponent) {
  return exponent > 31
             ? 0
             : static_cast<int32_t>(static_cast<uint32_t>(x) << exponent);
}

// round(a * b / 2^31), ties toward +infinity (the 64-bit product nudged by
// 2^30, or 1 - 2^30 when negative, then divided toward zero);
// INT32_MIN * INT32_MIN, the one product that does not fit, saturates to
// INT32_MAX. ARM's VQRDMULH.
inline int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == kInt32Min && b == kInt32Min) {
    return kInt32Max;
  }
  const int64_t product = int64_t{a} * int64_t{b};
  const int64_t nudge =
      product >= 0 ? int64_t{1} << 30 : 1 - (int64_t{1} << 30);
  return static_cast<int32_t>((product + nudge) / (int64_t{1} << 31));
}

// x / 2^exponent rounded to nearest, ties away from zero (0 <= exponent <=
// 31): an arithmetic shift, plus one when the bits shifted out exceed half
// (or, for negative x, reach more than half).
inline int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// x * 2^exponent saturated to the int32 range (0 <= exponent < 31).
inline int32_t saturating_shift_left(int32_t x, int exponent) {
  const int32_t threshold =
      static_cast<int32_t>((int64_t{1} << (31 - exponent)) - 1);
  if (x > threshold) {
    return kInt32Max;
  }
  if (x < -threshold) {
    return kInt32Min;
  }
  return wrapping_shift_left(x, exponent);
}

// x * multiplier * 2^(shift - 31): TFLite's MultiplyByQuantizedMultiplier.
// Double rounding (the reference arithmetic): a wrapping left shift for a
// positive shift, the rounding doubling high multiply, then a rounding right
// shift for a negative one.
inline int32_t multiply_by_quantized_multiplier_double(int32_t x,
                                                       int32_t multiplier,
                                                       int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(
                                    wrapping_shift_left(x, left), multiplier),
                                right);
}

// Single rounding (TFLITE_SINGLE_ROUNDING): one 64-bit product and one
// rounding right shift by 31 - shift (shift in [-31, 30]), ties toward +inf.
inline int32_t multiply_by_quantized_multiplier_single(int32_t x,
                                                       int32_t multiplier,
                                                       int shift) {
  const int total_shift = 31 - shift;
  const int64_t round = int64_t{1} << (total_shift - 1);
  return static_cast<int32_t>((int64_t{x} * multiplier + round) >> total_shift);
}

inline int32_t multiply_by_quantized_multiplier(int32_t x, int32_t multiplier,
                                                int shift,
                                                bool single_rounding) {
  return single_rounding
             ? multiply_by_quantized_multiplier_single(x, multiplier, shift)
             : multiply_by_quantized_multiplier_double(x, multiplier, shift);
}

// TFLite's MultiplyByQuantizedMultiplierGreaterThanOne (left_shift >= 0):
// without the final rounding shift in the double-rounding arithmetic.
inline int32_t multiply_by_quantized_multiplier_greater_than_one(
    int32_t x, int32_t multiplier, int left_shift, bool single_rounding) {
  return single_rounding ? multiply_by_quantized_multiplier_single(
                               x, multiplier, left_shift)
                         : saturating_rounding_doubling_high_mul(
                               wrapping_shift_left(x, left_shift), multiplier);
}

// (s + n/2) / n for s > 0, (s - n/2) / n otherwise, C division: the rounding
// division of TFLite's average pooling and mean.
inline int32_t rounding_divide(int32_t s, int32_t n) {
  return s > 0 ? (s + n / 2) / n : (s - n / 2) / n;
}

// min(max(x, lo), hi) in that order, as TFLite applies an activation range:
// with lo > hi every value becomes hi (Clip with min > max, as in PyTorch).
inline int32_t clamp(int32_t x, int32_t lo, int32_t hi) {
  const int32_t at_least_lo = x < lo ? lo : x;
  return at_least_lo > hi ? hi : at_least_lo;
}

} // namespace small::fixed

#endif
