// The AVX2 vector for the x86 tile templates (kernels/x86/): 8 floats in a
// ymm register, FMA3.
#ifndef SMALL_KERNELS_AVX2_VEC_H
#define SMALL_KERNELS_AVX2_VEC_H

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace small::avx2 {

struct Vec {
  using type = __m256;
  static constexpr size_t kLanes = 8;

  static type load(const float *p) { return _mm256_loadu_ps(p); }
  static void store(float *p, type v) { _mm256_storeu_ps(p, v); }
  static type broadcast(const float *p) { return _mm256_broadcast_ss(p); }
  static type set1(float x) { return _mm256_set1_ps(x); }
  static type zero() { return _mm256_setzero_ps(); }
  static type add(type a, type b) { return _mm256_add_ps(a, b); }
  static type sub(type a, type b) { return _mm256_sub_ps(a, b); }
  static type mul(type a, type b) { return _mm256_mul_ps(a, b); }
  static type div(type a, type b) { return _mm256_div_ps(a, b); }
  static type min(type a, type b) { return _mm256_min_ps(a, b); }
  static type max(type a, type b) { return _mm256_max_ps(a, b); }
  // a * b + c and c - a * b.
  static type fmadd(type a, type b, type c) { return _mm256_fmadd_ps(a, b, c); }
  static type fnmadd(type a, type b, type c) {
    return _mm256_fnmadd_ps(a, b, c);
  }
  static type round(type x) {
    return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  // x where x >= 0, x * alpha where x < 0.
  static type leaky(type x, float alpha) {
    const type neg = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
    return _mm256_blendv_ps(x, _mm256_mul_ps(x, _mm256_set1_ps(alpha)), neg);
  }
  // p * 2^n for integral n in [-126, 128): 2^n = 2^(n/2) * 2^(n - n/2), two
  // normal floats built in the exponent bits (AVX2 has no scalef).
  static type scale_by_pow2(type p, type n) {
    const __m256i ni = _mm256_cvtps_epi32(n);
    const __m256i half = _mm256_srai_epi32(ni, 1);
    const __m256i bias = _mm256_set1_epi32(127);
    const type s1 = _mm256_castsi256_ps(
        _mm256_slli_epi32(_mm256_add_epi32(half, bias), 23));
    const type s2 = _mm256_castsi256_ps(_mm256_slli_epi32(
        _mm256_add_epi32(_mm256_sub_epi32(ni, half), bias), 23));
    return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
  }

  // The first n lanes (all of them for n >= kLanes), for element-wise tails.
  using mask = __m256i;
  static mask tail_mask(size_t n) {
    const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int32_t>(n)), idx);
  }
  static type load(const float *p, mask m) { return _mm256_maskload_ps(p, m); }
  static void store(float *p, mask m, type v) { _mm256_maskstore_ps(p, m, v); }
};

} // namespace small::avx2

#endif
