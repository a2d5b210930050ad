// Vectorized requantization of int32 sums to int8, bit for bit the scalar
// fixed::multiply_by_quantized_multiplier (kernels/fixed_point.h) plus the
// output zero point and clamp, over an ISA's int32 vector traits
// (avx512/vec_i8.h, avx2/vec_i8.h): one int32 lane per output channel.
//
// Double rounding, per lane with left = max(shift, 0), right = max(-shift, 0):
//   SaturatingRoundingDoublingHighMul(x << left, m): the 64-bit product
//   nudged by 2^30 (1 - 2^30 when negative) and divided by 2^31 toward zero
//   is, for both signs, floor((product + 2^30) / 2^31), i.e. an arithmetic
//   shift of product + 2^30 (the traits' srdhm; only INT32_MIN * INT32_MIN
//   saturates). Then RoundingDivideByPOT(., right): the shift plus one when
//   the remainder exceeds (mask >> 1), + 1 for negative x; the comparison of
//   two non-negative values is the sign bit of their difference.
// Single rounding: (x * m + 2^(total - 1)) >> total in 64 bits with
// total = 31 - shift (the traits' mul_round_shift).
#ifndef SMALL_KERNELS_X86_REQUANT_I8_H
#define SMALL_KERNELS_X86_REQUANT_I8_H

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>

#include "kernel_contract.h"

namespace small::x86 {

// The per-tile constants of the epilogue. `clamp` is false when the output
// range is all of int8 (every layer of the MLPerf Tiny models: their ReLUs
// are in the output zero point): the traits' store_i8 saturates, so the
// clamp would change nothing.
// Traits that saturate and store four pixels' vectors at once
// (V::kStore4: V::pack4_i8, V::store4_i8, V::set1_i8; avx512/vec_i8.h).
template <class V, class = void> constexpr bool kStore4 = false;
template <class V>
constexpr bool kStore4<V, std::enable_if_t<V::kStore4>> = true;

// store4_i8's clamp bounds in every byte, for traits with store4_i8; no
// state for the others.
template <class V, bool = kStore4<V>> struct ByteBounds {
  explicit ByteBounds(const small_window_tile_i8 *) {}
};
template <class V> struct ByteBounds<V, true> {
  typename V::type lo, hi;
  explicit ByteBounds(const small_window_tile_i8 *t)
      : lo(V::set1_i8(t->act_min)), hi(V::set1_i8(t->act_max)) {}
};

template <class V> struct RequantConsts {
  using T = typename V::type;
  T out_zp, lo, hi;
  [[no_unique_address]] ByteBounds<V> bytes;
  bool single, clamp, low_clamped;
  explicit RequantConsts(const small_window_tile_i8 *t)
      : out_zp(V::set1(t->out_zero_point)), lo(V::set1(t->act_min)),
        hi(V::set1(t->act_max)), bytes(t), single(t->single_rounding != 0),
        clamp(t->act_min > -128 || t->act_max < 127),
        low_clamped(is_low_clamped(t->out_zero_point, t->act_min)) {}

  // Whether every requantized value <= 0 ends at the same byte: the output
  // zero point at or below the lower clamp (the saturating store's -128
  // without one).
  static bool is_low_clamped(int32_t out_zero_point, int32_t act_min) {
    return out_zero_point <= std::max(act_min, int32_t{-128});
  }
};

// How a vector of channels requantizes, fixed once per tile and block so
// that the per-pixel code has no branch: single rounding, or double rounding
// in its general form (a left shift and the INT32_MIN saturation) or without
// the parts no lane needs (TFLite's convolutions: shifts <= 0, multipliers
// in [2^30, 2^31)).
enum RequantMode : int {
  kRequantSingle,
  kRequantDoubleLowClamped, // kRequantDouble whose results <= 0 all clamp
                            // to one byte (with_store_mode)
  kRequantDouble,           // every shift <= 0, no INT32_MIN multiplier
  kRequantDoubleLeft,       // some shift > 0, no INT32_MIN multiplier
  kRequantDoubleSaturating  // the general case
};

// Traits that can take both double roundings in one pass (V::FusedDouble
// and V::double_round: avx512/vec_i8.h) use it in the unsaturated modes.
struct NoFusedDouble {
  template <class T> NoFusedDouble(T, T) {}
};
template <class V, class = void> struct FusedDoubleOf {
  using type = NoFusedDouble;
  static constexpr bool kFused = false;
};
template <class V>
struct FusedDoubleOf<V, std::void_t<typename V::FusedDouble>> {
  using type = typename V::FusedDouble;
  static constexpr bool kFused = true;
};

// One vector of channels' multipliers and shifts, with what the
// requantization derives from them computed once: per layer for the
// convolution and depthwise tiles (prepare_requant_i8 below), per call for
// the element-wise and pooling kernels (one vector for every lane).
template <class V> struct ChannelRequant {
  using T = typename V::type;
  static constexpr bool kFused = FusedDoubleOf<V>::kFused;
  using Fused = typename FusedDoubleOf<V>::type;
  T multiplier, left, right, mask, half_mask, total;
  RequantMode mode;
  Fused fused;
  ChannelRequant(T m, T shift, bool single_rounding)
      : multiplier(m), fused(m, V::max(V::sub(V::set1(0), shift), V::set1(0))) {
    const T zero = V::set1(0);
    left = V::max(shift, zero);
    right = V::max(V::sub(zero, shift), zero);
    mask = V::sub(V::sllv(V::set1(1), right), V::set1(1));
    half_mask = V::template srli<1>(mask);
    total = V::sub(V::set1(31), shift);
    // Only INT32_MIN * INT32_MIN saturates.
    mode = single_rounding          ? kRequantSingle
           : V::any_int32_min(m)    ? kRequantDoubleSaturating
           : V::any_positive(shift) ? kRequantDoubleLeft
                                    : kRequantDouble;
  }
};

// The constants a layer prepares for each output block (the table's
// prepare_requant_i8, x86/table.h), stored as the ChannelRequant of the
// traits' base (the int32 arithmetic, without a kernel file's dot product):
// kernels over traits derived from it read the same layout.
template <class V> using PreparedRequant = ChannelRequant<typename V::Base>;

// The zero point is added at the store (RequantConsts), not prepared.
template <class V>
void prepare_requant_i8(const int32_t *multiplier, const int32_t *shift,
                        int single_rounding, int32_t /*out_zero_point*/,
                        void *out) {
  new (out) PreparedRequant<V>(V::load(multiplier), V::load(shift),
                               single_rounding != 0);
}

// Only the fused double rounding's constants (FusedDoubleOf<V>::type), all
// that modes kRequantDouble and kRequantDoubleLowClamped read: a tile of
// several pixels copies these into registers rather than the whole
// ChannelRequant, which went through the stack (8 vectors, not 14).
template <class V> struct FusedRequant {
  static constexpr bool kFused = true;
  typename FusedDoubleOf<V>::type fused;
};
template <class V, int M>
constexpr bool kFusedOnly = FusedDoubleOf<V>::kFused &&
                            (M == kRequantDouble ||
                             M == kRequantDoubleLowClamped);

// Which traits read prepared constants (their kPrepareRequant): AVX-512 (its
// 32 vector registers hold a block's constants beside the accumulators). AVX2
// tiles derive them from multiplier and shift per tile and block as before:
// read in place they were reloaded after every store, and copied they went to
// the stack (ResNet-8 int8 92 -> 100 us, MobileNet 150 -> 168 us in the AVX2
// build).
template <class V> constexpr bool kPreparedRequant = V::kPrepareRequant;

// Lanes [channel, channel + Cb) of the tile's requantization: derived from
// multiplier and shift (the traits that do not read prepared constants).
template <class V>
inline ChannelRequant<V> derived_requant(const small_window_tile_i8 *t,
                                         size_t channel) {
  return ChannelRequant<V>(V::load(t->multiplier + channel),
                           V::load(t->shift + channel),
                           t->single_rounding != 0);
}

// Block `block` of the tile's prepared constants (small_window_tile_i8).
template <class V>
inline const PreparedRequant<V> &prepared_requant(const small_window_tile_i8 *t,
                                                  size_t block) {
  return static_cast<const PreparedRequant<V> *>(t->requant)[block];
}

// fixed::multiply_by_quantized_multiplier per lane, in mode M (which must be
// valid for q: q.mode, or a more general double-rounding mode).
template <class V, int M, class Q>
[[gnu::always_inline]] inline typename V::type
multiply_by_quantized_multiplier_as(typename V::type x, const Q &q) {
  using T = typename V::type;
  if constexpr (M == kRequantSingle) {
    return V::mul_round_shift(x, q.multiplier, q.total);
  } else if constexpr (M == kRequantDoubleLowClamped && Q::kFused) {
    return V::double_round_floor(x, q.fused);
  } else if constexpr (M == kRequantDouble && Q::kFused) {
    return V::double_round(x, q.fused);
  } else if constexpr (M != kRequantDoubleSaturating && Q::kFused) {
    return V::double_round(V::sllv(x, q.left), q.fused);
  } else {
    // sllv yields 0 for counts above 31, as fixed::wrapping_shift_left.
    constexpr bool kNoLeft =
        M == kRequantDouble || M == kRequantDoubleLowClamped;
    const T shifted = kNoLeft ? x : V::sllv(x, q.left);
    const T high = M == kRequantDoubleSaturating
                       ? V::srdhm(shifted, q.multiplier)
                       : V::srdhm_unsaturated(shifted, q.multiplier);
    const T remainder = V::and_(high, q.mask);
    // (mask >> 1) + (high < 0): high >> 31 is -1 for negative values. The
    // + 1 for negative values only lowers results that are <= 0 either
    // way, so the low-clamped mode leaves it out.
    const T threshold = M == kRequantDoubleLowClamped
                            ? q.half_mask
                            : V::sub(q.half_mask, V::template srai<31>(high));
    const T round_up = V::template srli<31>(V::sub(threshold, remainder));
    return V::add(V::srav(high, q.right), round_up);
  }
}

// Calls f(std::integral_constant<int, mode>{}): the caller's loop over
// pixels is compiled once per mode, with the mode's branches gone. Double
// rounding modes are ordered from the least to the most general, so the
// largest of several vectors' modes serves them all.
template <class F> inline void with_requant_mode(RequantMode mode, F &&f) {
  switch (mode) {
  case kRequantSingle:
    f(std::integral_constant<int, kRequantSingle>{});
    break;
  case kRequantDouble:
    f(std::integral_constant<int, kRequantDouble>{});
    break;
  case kRequantDoubleLeft:
    f(std::integral_constant<int, kRequantDoubleLeft>{});
    break;
  default:
    f(std::integral_constant<int, kRequantDoubleSaturating>{});
    break;
  }
}

// with_requant_mode for the convolution, depthwise and ADD epilogues: the mode
// kRequantDouble becomes kRequantDoubleLowClamped when every requantized
// value <= 0 ends at the same byte, i.e. the output zero point is at or
// below the lower clamp (a ReLU folded into the output range, as in every
// ReLU layer of the MLPerf Tiny models). The double rounding's corrections
// for negative values only move results that are <= 0 either way (see
// V::double_round_floor and multiply_by_quantized_multiplier_as), so they
// are left out.
template <class F>
inline void with_store_mode(RequantMode mode, bool low_clamped, F &&f) {
  if (mode == kRequantDouble && low_clamped) {
    f(std::integral_constant<int, kRequantDoubleLowClamped>{});
  } else {
    with_requant_mode(mode, f);
  }
}

// Calls f(std::integral_constant<bool, clamp>{}): the store loops compiled
// with and without the output clamp.
template <class F> inline void with_clamp(bool clamp, F &&f) {
  if (clamp) {
    f(std::true_type{});
  } else {
    f(std::false_type{});
  }
}

// fixed::multiply_by_quantized_multiplier per lane, the mode chosen at run
// time (for code that requantizes once per vector anyway).
template <class V, class Q>
inline typename V::type multiply_by_quantized_multiplier(typename V::type x,
                                                         const Q &q) {
  switch (q.mode) {
  case kRequantSingle:
    return multiply_by_quantized_multiplier_as<V, kRequantSingle>(x, q);
  case kRequantDouble:
    return multiply_by_quantized_multiplier_as<V, kRequantDouble>(x, q);
  case kRequantDoubleLeft:
    return multiply_by_quantized_multiplier_as<V, kRequantDoubleLeft>(x, q);
  default:
    return multiply_by_quantized_multiplier_as<V, kRequantDoubleSaturating>(x,
                                                                            q);
  }
}

// The convolution and depthwise epilogue: requantized (in mode M), plus the
// output zero point, clamped (unless CLAMP is false: a full output range,
// which the saturating store_i8 keeps).
// Always inline: GCC 12 outlined it in the AVX2 build's depthwise stores,
// returning each pair of vectors through memory (MobileNet int8 150 -> 200
// us).
template <class V, int M, bool CLAMP = true, class Q>
[[gnu::always_inline]] inline typename V::type
requantize_as(typename V::type acc, const Q &q, const RequantConsts<V> &c) {
  const typename V::type scaled =
      V::add(multiply_by_quantized_multiplier_as<V, M>(acc, q), c.out_zp);
  return CLAMP ? V::min(V::max(scaled, c.lo), c.hi) : scaled;
}

// Stores N pixels, pixel j at out + j * step: scaled(j) is its requantized
// vector with the output zero point added (requantize_as with CLAMP false),
// clamped here when CLAMP. Four pixels at a time through store4_i8 where
// the traits have it (the same bytes: saturation then clamp is the clamp),
// the rest one by one.
template <class V, int N, bool CLAMP, class F>
[[gnu::always_inline]] inline void
store_pixels(int8_t *out, size_t step, const RequantConsts<V> &c, F &&scaled) {
  int j = 0;
  if constexpr (kStore4<V>) {
#pragma GCC unroll 4
    for (; j + 4 <= N; j += 4) {
      V::template store4_i8<CLAMP>(
          out + j * step, step,
          V::pack4_i8(scaled(j), scaled(j + 1), scaled(j + 2), scaled(j + 3)),
          c.bytes.lo, c.bytes.hi);
    }
  }
#pragma GCC unroll 16
  for (; j < N; ++j) {
    const typename V::type v = scaled(j);
    V::store_i8(out + j * step, CLAMP ? V::min(V::max(v, c.lo), c.hi) : v);
  }
}

template <class V, class Q>
inline typename V::type requantize(typename V::type acc, const Q &q,
                                   const RequantConsts<V> &c) {
  const typename V::type scaled = multiply_by_quantized_multiplier<V>(acc, q);
  return V::min(V::max(V::add(scaled, c.out_zp), c.lo), c.hi);
}

} // namespace small::x86

#endif
