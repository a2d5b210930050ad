// The int8 window tiles' requantization (fixed_point.h's arithmetic, bit for
// bit) written for 32-bit cores, shared by the Cortex-M kernel folders:
//   - the tile's output parameters are read once into a local object, so the
//     compiler keeps them in registers (the int8 output stores may alias
//     anything a tile pointer reaches, so it reloads them otherwise), and a
//     channel's constants are derived once for all the pixels of a tile;
//   - SaturatingRoundingDoublingHighMul is floor((a * b + 2^30) / 2^31):
//     TFLite's sign-dependent nudge and division toward zero round half up
//     for either sign (fixed_point.h), so one SMULL and an add replace the
//     generic 64-bit arithmetic, which GCC builds from three multiplies.
#ifndef SMALL_KERNELS_CORTEX_M_REQUANT_I8_H
#define SMALL_KERNELS_CORTEX_M_REQUANT_I8_H

#include <arm_acle.h>
#include <cstddef>
#include <cstdint>

#include "cortex-m/fused_rounding.h"
#include "fixed_point.h"
#include "kernel_contract.h"

namespace small::cortex_m {

// a * b as a 64-bit value: one SMULL (GCC widens int32 operands to a
// general 64-bit product here).
inline int64_t multiply_long(int32_t a, int32_t b) {
  uint32_t lo;
  int32_t hi;
  __asm__("smull %0, %1, %2, %3" : "=&r"(lo), "=&r"(hi) : "r"(a), "r"(b));
  return static_cast<int64_t>(static_cast<uint64_t>(hi) << 32 | lo);
}

inline int32_t rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == fixed::kInt32Min && b == fixed::kInt32Min) {
    return fixed::kInt32Max;
  }
  return static_cast<int32_t>((multiply_long(a, b) + (int64_t{1} << 30)) >> 31);
}

// The double rounding of a right shift e = -shift >= 2, in one
// multiply-accumulate. With x1 = SRDHM(x, m) = floor((x * m + 2^30) / 2^31)
// and RDBPOT(x1, e) = floor((x1 + 2^(e-1) - [x1 < 0]) / 2^e), the nested
// floors merge into
//   floor((x * m + 2^30 + 2^(30+e) - [x1 < 0] * 2^31) / 2^(31+e)).
// For m >= 0, [x1 < 0] may be replaced by [x < 0]: they differ only when
// x * m is in [-2^30, 0), where both choices give 0. The 64-bit addend is
//   low word  2^30 | (x & 2^31)        (-2^31 = -2^32 + 2^31)
//   high word 2^(e-2) - [x < 0]
// so SMLAL (addend + x * m) and an arithmetic shift of its high word by
// e - 1 finish the rounding. The output zero point joins the high word as
// zp * 2^(e-1); for e <= 22 the high word then stays inside int32 (|x * m|
// < 2^62, |zp| <= 128). Other shifts, negative multipliers and single
// rounding take the general path. A right shift leaves no left one.
// The high word of x * m plus the addend whose high word is `high` (one
// SMLAL), to be shifted right by e - 1.
inline int32_t rounded_high_word(int32_t x, int32_t multiplier, int32_t high) {
  uint32_t lo = (static_cast<uint32_t>(x) & 0x80000000u) | 0x40000000u;
  int32_t hi = high + (x >> 31);
  __asm__("smlal %0, %1, %2, %3"
          : "+r"(lo), "+r"(hi)
          : "r"(x), "r"(multiplier));
  return hi;
}

// FusedRounding (fused_rounding.h) applies it: the requantized value plus
// the zero point, before the clamp.
inline int32_t FusedRounding::operator()(int32_t x) const {
  return rounded_high_word(x, multiplier, high) >> high_shift;
}

// The same rounding for right shifts e in [23, 31], where zp * 2^(e-1)
// would overflow the high word: the high word holds 2^(e-2) alone (at most
// 2^29) and the zero point is added after the shift, one instruction more.
// (The 64-bit sum stays exact: |x * m| < 2^62.)
struct WideRounding {
  int32_t multiplier;
  int32_t high;   // 2^(e-2)
  int high_shift; // e - 1
  int32_t zero_point;

  int32_t operator()(int32_t x) const {
    return (rounded_high_word(x, multiplier, high) >> high_shift) + zero_point;
  }
};

// One output channel's requantization.
class ChannelRequant {
public:
  ChannelRequant(int32_t multiplier, int32_t shift, int32_t out_zero_point,
                 int32_t lo, int32_t hi, bool single)
      : multiplier_(multiplier), shift_(shift), left_(shift > 0 ? shift : 0),
        right_(shift > 0 ? 0 : -shift),
        mask_(static_cast<int32_t>((int64_t{1} << right_) - 1)),
        out_zero_point_(out_zero_point), lo_(lo), hi_(hi), single_(single),
        fused_(!single &&
               !cortex_m::fused_rounding(multiplier, shift, out_zero_point)
                    .general()) {}

  // The output byte of the int32 sum acc.
  int8_t operator()(int32_t acc) const {
    int32_t scaled;
    if (single_) {
      scaled = fixed::multiply_by_quantized_multiplier_single(acc, multiplier_,
                                                              shift_);
    } else {
      // rounding_divide_by_pot(high, right) with the mask hoisted.
      const int32_t high = rounding_doubling_high_mul(
          fixed::wrapping_shift_left(acc, left_), multiplier_);
      const int32_t threshold = (mask_ >> 1) + (high < 0 ? 1 : 0);
      scaled = (high >> right_) + ((high & mask_) > threshold ? 1 : 0);
    }
    return static_cast<int8_t>(
        fixed::clamp(fixed::wrapping_add(scaled, out_zero_point_), lo_, hi_));
  }

  // Whether store() takes the fused path (then fused_rounding() and
  // full_range() describe it).
  bool fused() const { return fused_; }
  FusedRounding fused_rounding() const {
    return cortex_m::fused_rounding(multiplier_, shift_, out_zero_point_);
  }
  WideRounding wide_rounding() const {
    return {multiplier_, 1 << (right_ - 2), right_ - 1, out_zero_point_};
  }
  // Whether the clamp is SSAT's: the whole int8 range.
  bool full_range() const { return full_int8_range(lo_, hi_); }
  int32_t lo() const { return lo_; }
  int32_t hi() const { return hi_; }

  // out[i * out_step] = this(acc[i * acc_step]) for i < count. The
  // constants are copied to locals first: the byte stores may alias any
  // memory the compiler cannot see is private, this object included.
  // Not inlined: in its own function the loop has every core register.
  __attribute__((noinline)) void store(const int32_t *acc, size_t acc_step,
                                       int8_t *out, size_t out_step,
                                       size_t count) const {
    if (!fused_) {
      store_unfused(acc, acc_step, out, out_step, count);
      return;
    }
    const FusedRounding f = fused_rounding();
    if (full_range()) {
      for (size_t i = 0; i < count; ++i) {
        out[i * out_step] =
            static_cast<int8_t>(__ssat(f(acc[i * acc_step]), 8));
      }
      return;
    }
    const int32_t lo = lo_, hi = hi_;
    for (size_t i = 0; i < count; ++i) {
      out[i * out_step] =
          static_cast<int8_t>(fixed::clamp(f(acc[i * acc_step]), lo, hi));
    }
  }

private:
  // store() for a channel off the fused rounding: the wide one for right
  // shifts past 22, else the general path.
  void store_unfused(const int32_t *acc, size_t acc_step, int8_t *out,
                     size_t out_step, size_t count) const {
    if (!single_ && multiplier_ >= 0 && right_ > 22 && right_ <= 31) {
      const WideRounding w = wide_rounding();
      const int32_t lo = lo_, hi = hi_;
      for (size_t i = 0; i < count; ++i) {
        out[i * out_step] =
            static_cast<int8_t>(fixed::clamp(w(acc[i * acc_step]), lo, hi));
      }
      return;
    }
    const ChannelRequant local = *this;
    for (size_t i = 0; i < count; ++i) {
      out[i * out_step] = local(acc[i * acc_step]);
    }
  }

  int32_t multiplier_, shift_;
  int left_, right_;
  int32_t mask_;
  int32_t out_zero_point_, lo_, hi_;
  bool single_, fused_;
};

// What one tile's outputs are requantized with.
class TileRequant {
public:
  explicit TileRequant(const small_window_tile_i8 *t)
      : multiplier_(t->multiplier), shift_(t->shift),
        out_zero_point_(t->out_zero_point), lo_(t->act_min), hi_(t->act_max),
        single_(t->single_rounding != 0) {}

  // Output channel `channel` (an index into the tile's multiplier and shift
  // arrays, as bias).
  ChannelRequant channel(size_t channel) const {
    return {multiplier_[channel],
            shift_[channel],
            out_zero_point_,
            lo_,
            hi_,
            single_};
  }

  // The output byte of sum acc in channel `channel`, its constants derived
  // on the spot (for outputs that share no channel with their neighbours).
  int8_t requantize(size_t channel, int32_t acc) const {
    const ChannelRequant q = this->channel(channel);
    if (q.fused() && q.full_range()) {
      return static_cast<int8_t>(__ssat(q.fused_rounding()(acc), 8));
    }
    return q(acc);
  }

private:
  const int32_t *multiplier_;
  const int32_t *shift_;
  int32_t out_zero_point_, lo_, hi_;
  bool single_;
};

} // namespace small::cortex_m

#endif
