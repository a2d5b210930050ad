// Two int32 vectors of an ISA as one of twice the lanes, for the int8
// templates (x86/*_i8*.h) where a channel block is two vectors (AVX2 with
// Cb = 16: two ymm). Lane-wise operations apply to both halves; memory
// operations put the second half right after the first (H::kLanes int32,
// int8 or int16 elements later, 2 * H::kLanes int8 for pair weights).
#ifndef SMALL_KERNELS_X86_VEC_I8_PAIR_H
#define SMALL_KERNELS_X86_VEC_I8_PAIR_H

#include <cstddef>
#include <cstdint>

namespace small::x86 {

// A pair of vectors of H's base traits (one type whichever derived traits
// made it: the requantization constants are shared, requant_i8.h).
template <class HB> struct VectorPair { typename HB::type lo, hi; };

template <class H> struct VecI8Pair {
  using half = typename H::type;
  using type = VectorPair<typename H::Base>;
  static constexpr size_t kLanes = 2 * H::kLanes;
  using Base = VecI8Pair<typename H::Base>; // requant_i8.h
  static constexpr bool kPrepareRequant = H::kPrepareRequant;

  static type load(const int32_t *p) {
    return {H::load(p), H::load(p + H::kLanes)};
  }
  static type set1(int32_t x) { return {H::set1(x), H::set1(x)}; }
  static type add(type a, type b) {
    return {H::add(a.lo, b.lo), H::add(a.hi, b.hi)};
  }
  static type sub(type a, type b) {
    return {H::sub(a.lo, b.lo), H::sub(a.hi, b.hi)};
  }
  static type mullo(type a, type b) {
    return {H::mullo(a.lo, b.lo), H::mullo(a.hi, b.hi)};
  }
  static type min(type a, type b) {
    return {H::min(a.lo, b.lo), H::min(a.hi, b.hi)};
  }
  static type max(type a, type b) {
    return {H::max(a.lo, b.lo), H::max(a.hi, b.hi)};
  }
  static type and_(type a, type b) {
    return {H::and_(a.lo, b.lo), H::and_(a.hi, b.hi)};
  }
  static type sllv(type a, type n) {
    return {H::sllv(a.lo, n.lo), H::sllv(a.hi, n.hi)};
  }
  static type srav(type a, type n) {
    return {H::srav(a.lo, n.lo), H::srav(a.hi, n.hi)};
  }
  template <int N> static type srli(type a) {
    return {H::template srli<N>(a.lo), H::template srli<N>(a.hi)};
  }
  template <int N> static type srai(type a) {
    return {H::template srai<N>(a.lo), H::template srai<N>(a.hi)};
  }
  static type srdhm(type a, type b) {
    return {H::srdhm(a.lo, b.lo), H::srdhm(a.hi, b.hi)};
  }
  static type srdhm_unsaturated(type a, type b) {
    return {H::srdhm_unsaturated(a.lo, b.lo), H::srdhm_unsaturated(a.hi, b.hi)};
  }
  static bool any_positive(type a) {
    return H::any_positive(a.lo) || H::any_positive(a.hi);
  }
  static bool any_int32_min(type a) {
    return H::any_int32_min(a.lo) || H::any_int32_min(a.hi);
  }
  static type mul_round_shift(type a, type b, type n) {
    return {H::mul_round_shift(a.lo, b.lo, n.lo),
            H::mul_round_shift(a.hi, b.hi, n.hi)};
  }

  static type dot16(type acc, type a, type b) {
    return {H::dot16(acc.lo, a.lo, b.lo), H::dot16(acc.hi, a.hi, b.hi)};
  }

  static type rounding_divide(type s, int32_t n) {
    return {H::rounding_divide(s.lo, n), H::rounding_divide(s.hi, n)};
  }

  static void store_i8(int8_t *p, type v) {
    H::store_i8(p, v.lo);
    H::store_i8(p + H::kLanes, v.hi);
  }
  static type widen(const int8_t *p) {
    return {H::widen(p), H::widen(p + H::kLanes)};
  }
  static type widen_low16(const int8_t *p) {
    return {H::widen_low16(p), H::widen_low16(p + H::kLanes)};
  }
  static type widen_pairs(const int8_t *p) {
    return {H::widen_pairs(p), H::widen_pairs(p + 2 * H::kLanes)};
  }
  static void store_minus_zp16(int16_t *dst, const int8_t *p, int16_t zp) {
    H::store_minus_zp16(dst, p, zp);
    H::store_minus_zp16(dst + H::kLanes, p + H::kLanes, zp);
  }
  static type broadcast_pair(const int16_t *p) {
    const half v = H::broadcast_pair(p);
    return {v, v};
  }
};

// A pair whose high half is the padding of a block with at most H::kLanes
// channels (small_window_shape::out_lanes: MobileNet's 8-channel layers in
// 16-lane blocks). The padding lanes' weights, bias and multipliers are
// zero, so everything a tile computes there is zero until the output zero
// point is added: every product, the bias, and the requantization of zero
// in each rounding mode. The multiplies, shifts and masks therefore give
// zero in the high half without computing it; the adds, subtractions, min
// and max run on both halves, so the padding lanes store clamp(out_zp) =
// act(0) as the contract asks. Half the work of VecI8Pair.
template <class H> struct VecI8LowPair : VecI8Pair<H> {
  using type = typename VecI8Pair<H>::type;

  static type low(typename H::type lo) { return {lo, H::set1(0)}; }
  static type dot16(type acc, type a, type b) {
    return low(H::dot16(acc.lo, a.lo, b.lo));
  }
  static type widen(const int8_t *p) { return low(H::widen(p)); }
  static type widen_low16(const int8_t *p) { return low(H::widen_low16(p)); }
  static type widen_pairs(const int8_t *p) { return low(H::widen_pairs(p)); }
  static type mullo(type a, type b) { return low(H::mullo(a.lo, b.lo)); }
  static type and_(type a, type b) { return low(H::and_(a.lo, b.lo)); }
  static type sllv(type a, type n) { return low(H::sllv(a.lo, n.lo)); }
  static type srav(type a, type n) { return low(H::srav(a.lo, n.lo)); }
  template <int N> static type srli(type a) {
    return low(H::template srli<N>(a.lo));
  }
  template <int N> static type srai(type a) {
    return low(H::template srai<N>(a.lo));
  }
  static type srdhm(type a, type b) { return low(H::srdhm(a.lo, b.lo)); }
  static type srdhm_unsaturated(type a, type b) {
    return low(H::srdhm_unsaturated(a.lo, b.lo));
  }
  static type mul_round_shift(type a, type b, type n) {
    return low(H::mul_round_shift(a.lo, b.lo, n.lo));
  }
};

} // namespace small::x86

#endif
