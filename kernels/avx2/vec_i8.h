// AVX2 int32 vector traits for the int8 kernels (kernels/x86/*_i8*.h): 8
// int32 lanes in a ymm, one per output channel of a Cb = 8 block.
#ifndef SMALL_KERNELS_AVX2_VEC_I8_H
#define SMALL_KERNELS_AVX2_VEC_I8_H

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace small::avx2 {

struct VecI8 {
  using type = __m256i;
  static constexpr size_t kLanes = 8;
  // The traits whose ChannelRequant layout a layer prepares (requant_i8.h);
  // kernel files' derived traits inherit it.
  using Base = VecI8;
  // Tiles read requantization constants prepared per layer (requant_i8.h).
  static constexpr bool kPrepareRequant = false;

  static type load(const int32_t *p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p));
  }
  static type set1(int32_t x) { return _mm256_set1_epi32(x); }
  static type add(type a, type b) { return _mm256_add_epi32(a, b); }
  static type sub(type a, type b) { return _mm256_sub_epi32(a, b); }
  static type mullo(type a, type b) { return _mm256_mullo_epi32(a, b); }
  static type min(type a, type b) { return _mm256_min_epi32(a, b); }
  static type max(type a, type b) { return _mm256_max_epi32(a, b); }
  static type and_(type a, type b) { return _mm256_and_si256(a, b); }
  static type sllv(type a, type n) { return _mm256_sllv_epi32(a, n); }
  static type srav(type a, type n) { return _mm256_srav_epi32(a, n); }
  template <int N> static type srli(type a) { return _mm256_srli_epi32(a, N); }
  template <int N> static type srai(type a) { return _mm256_srai_epi32(a, N); }

  // floor((a * b + 2^30) / 2^31) per lane (x86/requant_i8.h), INT32_MAX for
  // INT32_MIN * INT32_MIN. Even lanes from the low halves of the 64-bit
  // lanes, odd lanes from the high halves; the result is bits 31..62.
  static type srdhm_unsaturated(type a, type b) {
    const __m256i nudge = _mm256_set1_epi64x(int64_t{1} << 30);
    const __m256i even =
        _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epi32(a, b), nudge), 31);
    const __m256i odd = _mm256_slli_epi64(
        _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(a, 32),
                                          _mm256_srli_epi64(b, 32)),
                         nudge),
        1);
    return _mm256_blend_epi32(even, odd, 0xAA);
  }
  static type srdhm(type a, type b) {
    const __m256i min = _mm256_set1_epi32(INT32_MIN);
    const __m256i saturate = _mm256_and_si256(_mm256_cmpeq_epi32(a, min),
                                              _mm256_cmpeq_epi32(b, min));
    return _mm256_blendv_epi8(srdhm_unsaturated(a, b),
                              _mm256_set1_epi32(INT32_MAX), saturate);
  }
  static bool any_positive(type a) {
    return _mm256_movemask_epi8(
               _mm256_cmpgt_epi32(a, _mm256_setzero_si256())) != 0;
  }
  static bool any_int32_min(type a) {
    return _mm256_movemask_epi8(
               _mm256_cmpeq_epi32(a, _mm256_set1_epi32(INT32_MIN))) != 0;
  }

  // (a * b + 2^(n - 1)) >> n per lane in 64 bits, n in [1, 62], low 32 bits.
  // AVX2 has no 64-bit arithmetic shift: a logical one of x ^ sign, ^ sign.
  static type mul_round_shift(type a, type b, type n) {
    const __m256i one = _mm256_set1_epi64x(1);
    const __m256i n_even = _mm256_and_si256(n, _mm256_set1_epi64x(0xffffffff));
    const __m256i n_odd = _mm256_srli_epi64(n, 32);
    const __m256i even = shift_right_arith64(
        _mm256_add_epi64(_mm256_mul_epi32(a, b),
                         _mm256_sllv_epi64(one, _mm256_sub_epi64(n_even, one))),
        n_even);
    const __m256i odd = shift_right_arith64(
        _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(a, 32),
                                          _mm256_srli_epi64(b, 32)),
                         _mm256_sllv_epi64(one, _mm256_sub_epi64(n_odd, one))),
        n_odd);
    return _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  }
  static __m256i shift_right_arith64(__m256i x, __m256i n) {
    const __m256i sign = _mm256_cmpgt_epi64(_mm256_setzero_si256(), x);
    return _mm256_xor_si256(_mm256_srlv_epi64(_mm256_xor_si256(x, sign), n),
                            sign);
  }

  // fixed::rounding_divide(s, n) per lane (n > 0): (s +- n/2) / n toward
  // zero, the quotient of two int32 in double (exact: the distance of a
  // non-integral quotient to an integer, >= 1/n, exceeds the rounding error
  // of |s| / n < 2^31), then truncated.
  static type rounding_divide(type s, int32_t n) {
    const __m256i half = _mm256_set1_epi32(n / 2);
    const __m256i positive = _mm256_cmpgt_epi32(s, _mm256_setzero_si256());
    const __m256i num = _mm256_blendv_epi8(_mm256_sub_epi32(s, half),
                                           _mm256_add_epi32(s, half), positive);
    const __m256d d = _mm256_set1_pd(static_cast<double>(n));
    const __m128i lo = _mm256_cvttpd_epi32(
        _mm256_div_pd(_mm256_cvtepi32_pd(_mm256_castsi256_si128(num)), d));
    const __m128i hi = _mm256_cvttpd_epi32(
        _mm256_div_pd(_mm256_cvtepi32_pd(_mm256_extracti128_si256(num, 1)), d));
    return _mm256_set_m128i(hi, lo);
  }

  // Saturated to [-128, 127] (two saturating packs; the requantization's
  // clamp can rely on it).
  static void store_i8(int8_t *p, type v) {
    const __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(v),
                                          _mm256_extracti128_si256(v, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i *>(p),
                     _mm_packs_epi16(words, words));
  }

  // kLanes int8 values sign-extended to int32.
  static type widen(const int8_t *p) {
    return _mm256_cvtepi8_epi32(
        _mm_loadl_epi64(reinterpret_cast<const __m128i *>(p)));
  }
  // kLanes int8 values as int16 in the low half of each int32 lane, high
  // half zero: a pmaddwd with it multiplies only the low halves.
  static type widen_low16(const int8_t *p) {
    return _mm256_cvtepu16_epi32(_mm_cvtepi8_epi16(
        _mm_loadl_epi64(reinterpret_cast<const __m128i *>(p))));
  }
  // Each int32 lane: acc + lo16(a) * lo16(b) + hi16(a) * hi16(b), exact
  // (pmaddwd; one vpdpwssd with AVX-512 VNNI).
  static type dot16(type acc, type a, type b) {
    return _mm256_add_epi32(acc, _mm256_madd_epi16(a, b));
  }

  // 2 * kLanes int8 values (kLanes pairs) sign-extended to int16.
  static type widen_pairs(const int8_t *p) {
    return _mm256_cvtepi8_epi16(
        _mm_loadu_si128(reinterpret_cast<const __m128i *>(p)));
  }
  // dst[l] = p[l] - zp as int16, l < kLanes.
  static void store_minus_zp16(int16_t *dst, const int8_t *p, int16_t zp) {
    _mm_storeu_si128(reinterpret_cast<__m128i *>(dst),
                     _mm_sub_epi16(_mm_cvtepi8_epi16(_mm_loadl_epi64(
                                       reinterpret_cast<const __m128i *>(p))),
                                   _mm_set1_epi16(zp)));
  }
  // The int16 pair at p (two lanes of store_minus_zp16) in every lane.
  static type broadcast_pair(const int16_t *p) {
    int32_t v;
    std::memcpy(&v, p, sizeof v);
    return _mm256_set1_epi32(v);
  }
};

} // namespace small::avx2

#endif
