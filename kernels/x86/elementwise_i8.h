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

template <class V>
void add_i8(const int8_t *a, const int8_t *b, int8_t *out, size_t count,
            const small_add_i8_params *p) {
  using T = typename V::type;
  const bool single = p->single_rounding != 0;
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
