// The int8 softmax of the reference (naive_int8.h): TFLite Micro's
// arithmetic, restated on int64 values with the reference's own exact
// primitives (srdhm, rounding_shift_right), each fixed-point value carried
// as a raw integer whose format is named in the comments.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "reference/naive_int8.h"

namespace ref8 {

namespace {

constexpr int64_t kMax32 = std::numeric_limits<int32_t>::max();
constexpr int64_t kMin32 = std::numeric_limits<int32_t>::min();

int32_t wrap(int64_t v) {
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v)));
}
// v * 2^e clamped to int32.
int32_t saturating_scale_up(int32_t v, int e) {
  return static_cast<int32_t>(
      std::min(kMax32, std::max(kMin32, int64_t{v} * (int64_t{1} << e))));
}

// exp on [-1/4, 0) (Q0 in, Q0 out): exp(-1/8) * (1 + t + t^2/2 + t^3/6 +
// t^4/24) with t = a + 1/8.
int32_t exp_small(int32_t a) {
  const int32_t c = 1895147668; // exp(-1/8)
  const int32_t t = wrap(int64_t{a} + (1 << 28));
  const int32_t t2 = srdhm(t, t);
  const int32_t t3 = srdhm(t2, t);
  const int32_t t4 = srdhm(t2, t2);
  const int32_t inner = wrap(int64_t{rounding_shift_right(t4, 2)} + t3);
  const int32_t rest = rounding_shift_right(
      wrap(int64_t{srdhm(inner, 715827883)} + t2), 1); // / 3, + t^2, / 2
  return wrap(int64_t{c} + srdhm(c, wrap(int64_t{t} + rest)));
}

// exp(a) for a <= 0 in Q5.26, result in Q0.31.
int32_t exp_negative(int32_t a) {
  if (a == 0) {
    return static_cast<int32_t>(kMax32);
  }
  const int64_t quarter = int64_t{1} << 24;
  // a = (a mod 1/4 - 1/4) - rest, rest a non-negative multiple of 1/4.
  const int64_t low = (int64_t{a} & (quarter - 1)) - quarter;
  int32_t result = exp_small(saturating_scale_up(wrap(low), 5));
  const int64_t rest = low - a;
  const int32_t factors[7] = {1672461947, 1302514674, 790015084, 290630308,
                              39332535,   720401,     242};
  for (int k = -2; k <= 4; ++k) {
    if (((rest >> (26 + k)) & 1) != 0) {
      result = srdhm(result, factors[k + 2]); // times exp(-2^k)
    }
  }
  return result;
}

// 1 / (1 + a) for a in [0, 1) in Q0: Newton-Raphson on d = (1 + a) / 2.
int32_t one_over_one_plus(int32_t a) {
  const int64_t sum = int64_t{a} + kMax32;
  const int32_t d =
      static_cast<int32_t>(sum >= 0 ? (sum + 1) / 2 : (sum - 1) / 2);
  int32_t x = wrap(int64_t{1515870810} + srdhm(d, -1010580540)); // Q2
  for (int i = 0; i < 3; ++i) {
    const int32_t e = wrap((int64_t{1} << 29) - srdhm(d, x)); // 1 - d*x, Q2
    x = wrap(int64_t{x} + saturating_scale_up(srdhm(x, e), 2));
  }
  return saturating_scale_up(x, 1); // x / 2 in Q1 = Q0 raw * 2
}

int leading_zeros(uint32_t v) {
  int n = 0;
  while (n < 32 && (v & (uint32_t{1} << (31 - n))) == 0) {
    ++n;
  }
  return n;
}

} // namespace

QTensor softmax(const QTensor &in, float beta, bool single_rounding) {
  const double cap = single_rounding ? 1073741823.0 : 2147483647.0;
  const double real =
      std::min(double{beta} * double{in.q.scale} * 67108864.0, cap); // 2^26
  const Multiplier m = quantize_multiplier(real, single_rounding);
  const int64_t diff_min = -static_cast<int64_t>(
      std::floor(31.0 * 67108864.0 / std::ldexp(1.0, m.shift)));
  auto scaled = [&](int32_t d) {
    if (single_rounding) {
      return requantize(d, m, true);
    }
    return srdhm(wrap(int64_t{d} * (int64_t{1} << m.shift)), m.multiplier);
  };
  QTensor out(in.n, in.c, in.h, in.w, small_quant{1.0f / 256, -128});
  for (int n = 0; n < in.n; ++n) {
    for (int y = 0; y < in.h; ++y) {
      for (int x = 0; x < in.w; ++x) {
        int32_t top = -128;
        for (int c = 0; c < in.c; ++c) {
          top = std::max(top, in.at(n, c, y, x));
        }
        int32_t sum = 0; // Q12.19
        for (int c = 0; c < in.c; ++c) {
          const int32_t d = in.at(n, c, y, x) - top;
          if (d >= diff_min) {
            sum = wrap(int64_t{sum} +
                       rounding_shift_right(exp_negative(scaled(d)), 12));
          }
        }
        const int clz = leading_zeros(static_cast<uint32_t>(sum));
        const int bits_over_unit = 12 - clz;
        const int32_t recip = one_over_one_plus(
            wrap(static_cast<int64_t>(
                     static_cast<uint64_t>(static_cast<uint32_t>(sum)) << clz) -
                 (int64_t{1} << 31)));
        for (int c = 0; c < in.c; ++c) {
          const int32_t d = in.at(n, c, y, x) - top;
          int64_t v = -128;
          if (d >= diff_min) {
            v = int64_t{rounding_shift_right(
                    srdhm(recip, exp_negative(scaled(d))),
                    bits_over_unit + 23)} -
                128;
          }
          out.at(n, c, y, x) = static_cast<int8_t>(
              std::min<int64_t>(127, std::max<int64_t>(-128, v)));
        }
      }
    }
  }
  return out;
}

} // namespace ref8
