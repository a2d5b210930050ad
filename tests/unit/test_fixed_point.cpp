// The fixed-point helpers against hand-computed values (each expected value
// is worked out in the comment next to it), and against the independent
// reference (tests/reference/naive_int8.h) on random inputs.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include <catch2/catch.hpp>

#include "fixed_point.h"
#include "fixed_point_exp.h"
#include "quant/quant_params.h"
#include "reference/naive_int8.h"

namespace fx = small::fixed;

namespace {
constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
} // namespace

TEST_CASE("SaturatingRoundingDoublingHighMul: hand-computed cases",
          "[int8][fixed]") {
  // The one overflowing product saturates.
  CHECK(fx::saturating_rounding_doubling_high_mul(kMin, kMin) == kMax);
  // MIN * MAX = -2^62 + 2^31: / 2^31 = -2^31 + 1 exactly.
  CHECK(fx::saturating_rounding_doubling_high_mul(kMin, kMax) == kMin + 1);
  // 2^30 * 2^30 / 2^31 = 2^29.
  CHECK(fx::saturating_rounding_doubling_high_mul(1 << 30, 1 << 30) == 1 << 29);
  // 3 * 2^30 / 2^31 = 1.5 -> 2 (tie toward +inf); -1.5 -> -1.
  CHECK(fx::saturating_rounding_doubling_high_mul(3, 1 << 30) == 2);
  CHECK(fx::saturating_rounding_doubling_high_mul(-3, 1 << 30) == -1);
  // 1 * 2^30 / 2^31 = 0.5 -> 1; -0.5 -> 0.
  CHECK(fx::saturating_rounding_doubling_high_mul(1, 1 << 30) == 1);
  CHECK(fx::saturating_rounding_doubling_high_mul(-1, 1 << 30) == 0);
  // 5 * (2^30 + 2^29) / 2^31 = 3.75 -> 4.
  CHECK(fx::saturating_rounding_doubling_high_mul(5, (1 << 30) + (1 << 29)) ==
        4);
}

TEST_CASE("RoundingDivideByPOT rounds half away from zero", "[int8][fixed]") {
  CHECK(fx::rounding_divide_by_pot(5, 1) == 3);   // 2.5 -> 3
  CHECK(fx::rounding_divide_by_pot(-5, 1) == -3); // -2.5 -> -3
  CHECK(fx::rounding_divide_by_pot(7, 2) == 2);   // 1.75 -> 2
  CHECK(fx::rounding_divide_by_pot(-7, 2) == -2); // -1.75 -> -2
  CHECK(fx::rounding_divide_by_pot(6, 2) == 2);   // 1.5 -> 2
  CHECK(fx::rounding_divide_by_pot(-6, 2) == -2); // -1.5 -> -2
  CHECK(fx::rounding_divide_by_pot(5, 2) == 1);   // 1.25 -> 1
  CHECK(fx::rounding_divide_by_pot(-5, 2) == -1); // -1.25 -> -1
  CHECK(fx::rounding_divide_by_pot(12345, 0) == 12345);
  CHECK(fx::rounding_divide_by_pot(kMax, 31) == 1);  // 0.99999... -> 1
  CHECK(fx::rounding_divide_by_pot(kMin, 31) == -1); // -1 exactly
  CHECK(fx::rounding_divide_by_pot(kMin, 30) == -2);
}

TEST_CASE("MultiplyByQuantizedMultiplier: shifts of both signs, both "
          "roundings",
          "[int8][fixed]") {
  const int32_t half = 1 << 30; // 0.5 in Q31
  // Double rounding: 100 * 0.5 * 2^1 = 100.
  CHECK(fx::multiply_by_quantized_multiplier_double(100, half, 1) == 100);
  // 100 * 0.5 * 2^-3 = 6.25 -> 6; 101 * 0.5 / 8 = 6.3125 -> 6;
  // 104 * 0.5 / 8 = 6.5 -> 7; -104 -> -7 (away from zero).
  CHECK(fx::multiply_by_quantized_multiplier_double(100, half, -3) == 6);
  CHECK(fx::multiply_by_quantized_multiplier_double(104, half, -3) == 7);
  CHECK(fx::multiply_by_quantized_multiplier_double(-104, half, -3) == -7);
  // Positive shift: 3 * 0.75 * 2^4 = 36.
  CHECK(fx::multiply_by_quantized_multiplier_double(3, 3 << 29, 4) == 36);
  // Single rounding: -104 * 0.5 / 8 = -6.5 -> -6 (ties toward +inf).
  CHECK(fx::multiply_by_quantized_multiplier_single(-104, half, -3) == -6);
  CHECK(fx::multiply_by_quantized_multiplier_single(104, half, -3) == 7);
  CHECK(fx::multiply_by_quantized_multiplier_single(3, 3 << 29, 4) == 36);
  // Where the two roundings differ: x = 1, m = 2^30 + 1, shift -1.
  // Double: srdhm(1, 2^30 + 1) = round(0.50000000047) = 1, then 1 / 2 =
  // 0.5 -> 1. Single: (2^30 + 1) / 2^32 = 0.25000000023 -> 0.
  CHECK(fx::multiply_by_quantized_multiplier_double(1, half + 1, -1) == 1);
  CHECK(fx::multiply_by_quantized_multiplier_single(1, half + 1, -1) == 0);
  // The identity multiplier (2^30, 1) in both modes.
  for (int32_t x : {-1000000, -3, -1, 0, 1, 2, 77, 1000000}) {
    CHECK(fx::multiply_by_quantized_multiplier(x, 1 << 30, 1, false) == x);
    CHECK(fx::multiply_by_quantized_multiplier(x, 1 << 30, 1, true) == x);
  }
}

TEST_CASE("QuantizeMultiplier: TFLite's edge cases", "[int8][fixed]") {
  using small::quantize_multiplier;
  auto q = quantize_multiplier(0.0, false);
  CHECK(q.multiplier == 0);
  CHECK(q.shift == 0);
  q = quantize_multiplier(0.5, false); // 0.5 * 2^0
  CHECK(q.multiplier == 1 << 30);
  CHECK(q.shift == 0);
  q = quantize_multiplier(1.0, false); // 0.5 * 2^1
  CHECK(q.multiplier == 1 << 30);
  CHECK(q.shift == 1);
  q = quantize_multiplier(0.75, false);
  CHECK(q.multiplier == 3 << 29);
  CHECK(q.shift == 0);
  // A fraction that rounds up to 1: (1 - 2^-40) * 2^0 -> 2^31 -> 2^30, +1.
  q = quantize_multiplier(1.0 - 1.0 / 1099511627776.0, false);
  CHECK(q.multiplier == 1 << 30);
  CHECK(q.shift == 1);
  // Tiny multipliers flush to zero: 2^-40 has shift -39 < -31.
  q = quantize_multiplier(1.0 / 1099511627776.0, false);
  CHECK(q.multiplier == 0);
  CHECK(q.shift == 0);
  // 2^-31 = 0.5 * 2^-30: kept.
  q = quantize_multiplier(1.0 / 2147483648.0, false);
  CHECK(q.multiplier == 1 << 30);
  CHECK(q.shift == -30);
  // Above 2^30, single rounding saturates the shift at 30.
  q = quantize_multiplier(4294967296.0, false); // 0.5 * 2^33
  CHECK(q.multiplier == 1 << 30);
  CHECK(q.shift == 33);
  // The double-rounding arithmetic then shifts every bit out (defined here
  // as modulo 2^32; a plain C++ shift by 33 would be undefined).
  CHECK(fx::multiply_by_quantized_multiplier_double(3, q.multiplier, q.shift) ==
        0);
  q = quantize_multiplier(4294967296.0, true);
  CHECK(q.multiplier == kMax);
  CHECK(q.shift == 30);
}

TEST_CASE("Fixed-point helpers agree with the independent reference",
          "[int8][fixed]") {
  std::mt19937 gen(12);
  std::uniform_int_distribution<int32_t> any(kMin, kMax);
  std::uniform_int_distribution<int32_t> acc(-(1 << 24), 1 << 24);
  std::uniform_int_distribution<int> shift(-31, 30);
  std::uniform_real_distribution<double> log_scale(-40.0, 10.0);
  for (int i = 0; i < 20000; ++i) {
    const int32_t a = any(gen), b = any(gen);
    REQUIRE(fx::saturating_rounding_doubling_high_mul(a, b) ==
            ref8::srdhm(a, b));
    const int e = i % 32;
    REQUIRE(fx::rounding_divide_by_pot(a, e) ==
            ref8::rounding_shift_right(a, e));
    const double m = std::exp2(log_scale(gen));
    for (bool single : {false, true}) {
      const small::QuantizedMultiplier q =
          small::quantize_multiplier(m, single);
      const ref8::Multiplier r = ref8::quantize_multiplier(m, single);
      REQUIRE(q.multiplier == r.multiplier);
      REQUIRE(q.shift == r.shift);
      // Shifts small enough that x * 2^shift stays in int32 (as in TFLite's
      // layers).
      const int s = std::min(shift(gen), 6);
      const int32_t x = acc(gen);
      const int32_t mult = (any(gen) & 0x3fffffff) | 0x40000000;
      REQUIRE(fx::multiply_by_quantized_multiplier(x, mult, s, single) ==
              ref8::requantize(x, ref8::Multiplier{mult, s}, single));
    }
  }
}

TEST_CASE("Fixed-point exp and reciprocal are close to the real functions",
          "[int8][fixed]") {
  // exp_on_negative_values of Q5.26 inputs against std::exp (gemmlowp's
  // approximation is accurate to a few units of 2^-31 times the value).
  for (double v : {-0.001, -0.1, -0.25, -0.3, -1.0, -2.5, -7.9, -15.0}) {
    const int32_t raw = static_cast<int32_t>(std::lround(v * 67108864.0));
    const double got = fx::exp_on_negative_values_q5(raw) / 2147483648.0;
    CHECK(got == Approx(std::exp(raw / 67108864.0)).margin(1e-6));
  }
  CHECK(fx::exp_on_negative_values_q5(0) == kMax);
  for (double v : {0.0, 0.1, 0.5, 0.9, 0.999}) {
    const int32_t raw = static_cast<int32_t>(v * 2147483647.0);
    const double got = fx::one_over_one_plus_x_for_x_in_0_1(raw) / 2147483648.0;
    CHECK(got == Approx(1.0 / (1.0 + raw / 2147483648.0)).margin(1e-6));
  }
}
