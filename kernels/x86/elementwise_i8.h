// x86 int8 element-wise kernels over an ISA's int32 vector traits: TFLite's
// ADD and the int8 -> int8 requantization, kLanes values per step, bit for
// bit the scalar ones (kernels/scalar/elementwise_i8.cpp) through the
// vectorized multiply_by_quantized_multiplier. The last count % kLanes
// values go through a kLanes-byte local copy, so nothing is read or written
// past [0, count).
#ifndef SMALL_KERNELS_X86_ELEMENTWISE_I8_H
#define SMALL_KERNELS_X86_ELEMENTWISE_I8_H

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernel_contract.h"
#include "x86/requant_i8.h"

namespace small::x86 {

// Runs step(a, b, out) on whole vectors, then on the tail in a local copy.
template <class V, class Step>
inline void elementwise_i8(const int8_t *a, const int8_t *b, int8_t *out,
                           size_t count, const Step &step) {
  constexpr size_t L = V::kLanes;
  size_t i = 0;
  for (; i + L <= count; i += L) {
    step(a + i, b + i, out + i);
  }
  if (i < count) {
    int8_t ta[L] = {}, tb[L] = {}, to[L];
    std::memcpy(ta, a + i, count - i);
    std::memcpy(tb, b + i, count - i);
    step(ta, tb, to);
    std::memcpy(out + i, to, count - i);
  }
}

// One input of ADD scaled in double rounding, in 32-bit lanes only:
//   RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(d << L, m), e)
// with d = x - zp. As |d| <= 255, the high half of the doubled product is
// floor((d m + 2^(k-1)) / 2^k) with k = 31 - L; splitting m = mh 2^k + ml
// (0 <= ml < 2^k) makes it d mh + floor((d ml + 2^(k-1)) / 2^k), both
// products within int32 for 9 <= L <= 21. That high half is below 2^29 in
// magnitude, so the division by 2^e rounds as (high + 2^(e-1) - [high < 0])
// >> e (e > 0) without overflow. 12 instructions per vector where the
// general path's 64-bit products take 19.
template <class V> struct AddInputDouble {
  using T = typename V::type;
  T zero_point, high_multiplier, low_multiplier, low_round, low_shift;
  T half, negative_mask, right;

  // Whether the shortcut is exact for these parameters.
  static bool applies(int32_t zp, int32_t shift, int32_t left, bool single) {
    return !single && zp >= -128 && zp <= 127 && shift <= 0 && shift >= -31 &&
           left >= 9 && left <= 21;
  }
  AddInputDouble(int32_t zp, int32_t multiplier, int32_t shift, int32_t left) {
    const int k = 31 - left;
    const int e = -shift;
    zero_point = V::set1(zp);
    high_multiplier = V::set1(multiplier >> k);
    low_multiplier = V::set1(multiplier & ((int32_t{1} << k) - 1));
    low_round = V::set1(int32_t{1} << (k - 1));
    low_shift = V::set1(k);
    half = V::set1(e > 0 ? int32_t{1} << (e - 1) : 0);
    negative_mask = V::set1(e > 0 ? -1 : 0);
    right = V::set1(e);
  }
  T operator()(const int8_t *x) const {
    const T d = V::sub(V::widen(x), zero_point);
    const T low =
        V::srav(V::add(V::mullo(d, low_multiplier), low_round), low_shift);
    const T high = V::add(V::mullo(d, high_multiplier), low);
    const T negative = V::and_(V::template srai<31>(high), negative_mask);
    return V::srav(V::add(V::add(high, half), negative), right);
  }
};

// ADD with both inputs on the 32-bit shortcut (AddInputDouble), the sum
// requantized in mode M.
template <class V, int M>
void add_i8_double(const int8_t *a, const int8_t *b, int8_t *out, size_t count,
                   const small_add_i8_params *p, const ChannelRequant<V> &qo) {
  using T = typename V::type;
  const AddInputDouble<V> qa(p->a_zero_point, p->a_multiplier, p->a_shift,
                             p->left_shift);
  const AddInputDouble<V> qb(p->b_zero_point, p->b_multiplier, p->b_shift,
                             p->left_shift);
  const T out_zp = V::set1(p->out_zero_point);
  const T lo = V::set1(p->act_min), hi = V::set1(p->act_max);
  elementwise_i8<V>(
      a, b, out, count, [&](const int8_t *x, const int8_t *y, int8_t *z) {
        const T sum =
            multiply_by_quantized_multiplier_as<V, M>(V::add(qa(x), qb(y)), qo);
        V::store_i8(z, V::min(V::max(V::add(sum, out_zp), lo), hi));
      });
}

template <class V>
void add_i8(const int8_t *a, const int8_t *b, int8_t *out, size_t count,
            const small_add_i8_params *p) {
  using T = typename V::type;
  const bool single = p->single_rounding != 0;
  if (AddInputDouble<V>::applies(p->a_zero_point, p->a_shift, p->left_shift,
                                 single) &&
      AddInputDouble<V>::applies(p->b_zero_point, p->b_shift, p->left_shift,
                                 single)) {
    const ChannelRequant<V> qo(V::set1(p->out_multiplier),
                               V::set1(p->out_shift), false);
    const bool low_clamped =
        RequantConsts<V>::is_low_clamped(p->out_zero_point, p->act_min);
    with_store_mode(qo.mode, low_clamped, [&](auto m) {
      add_i8_double<V, decltype(m)::value>(a, b, out, count, p, qo);
    });
    return;
  }
  const T a_zp = V::set1(p->a_zero_point), b_zp = V::set1(p->b_zero_point);
  const T left = V::set1(p->left_shift);
  const ChannelRequant<V> qa(V::set1(p->a_multiplier), V::set1(p->a_shift),
                             single);
  const ChannelRequant<V> qb(V::set1(p->b_multiplier), V::set1(p->b_shift),
                             single);
  const ChannelRequant<V> qo(V::set1(p->out_multiplier), V::set1(p->out_shift),
                             single);
  const T out_zp = V::set1(p->out_zero_point);
  const T lo = V::set1(p->act_min), hi = V::set1(p->act_max);
  const RequantMode mode = std::max({qa.mode, qb.mode, qo.mode});
  with_requant_mode(mode, [&](auto m) {
    constexpr int M = decltype(m)::value;
    elementwise_i8<V>(
        a, b, out, count, [&](const int8_t *x, const int8_t *y, int8_t *z) {
          const T sa = multiply_by_quantized_multiplier_as<V, M>(
              V::sllv(V::sub(V::widen(x), a_zp), left), qa);
          const T sb = multiply_by_quantized_multiplier_as<V, M>(
              V::sllv(V::sub(V::widen(y), b_zp), left), qb);
          const T sum =
              multiply_by_quantized_multiplier_as<V, M>(V::add(sa, sb), qo);
          V::store_i8(z, V::min(V::max(V::add(sum, out_zp), lo), hi));
        });
  });
}

template <class V>
void requant_i8(const int8_t *in, int8_t *out, size_t count,
                const small_requant_i8_params *p) {
  using T = typename V::type;
  const bool single = p->single_rounding != 0;
  const T in_zp = V::set1(p->in_zero_point),
          out_zp = V::set1(p->out_zero_point);
  const ChannelRequant<V> q(V::set1(p->multiplier), V::set1(p->shift), single);
  const T lo = V::set1(-128), hi = V::set1(127);
  with_requant_mode(q.mode, [&](auto m) {
    constexpr int M = decltype(m)::value;
    elementwise_i8<V>(
        in, in, out, count, [&](const int8_t *x, const int8_t *, int8_t *z) {
          const T scaled = multiply_by_quantized_multiplier_as<V, M>(
              V::sub(V::widen(x), in_zp), q);
          V::store_i8(z, V::min(V::max(V::add(scaled, out_zp), lo), hi));
        });
  });
}

} // namespace small::x86

#endif
