// AVX2 helpers shared by this folder's kernels: the fused epilogue.
#ifndef SMALL_KERNELS_AVX2_VEC_H
#define SMALL_KERNELS_AVX2_VEC_H

#include <immintrin.h>

#include "kernel_contract.h"

namespace small::avx2 {

// exp(x) for 8 lanes: 2^n * e^r with n = round(x / ln2), |r| <= ln2 / 2,
// e^r by a degree-6 polynomial; 2^n is built in the exponent bits.
inline __m256 exp_ps(__m256 x) {
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.3f)),
                    _mm256_set1_ps(88.3f));
  const __m256 n =
      _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504089f)),
                      _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.0f / 720.0f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  // n in [-126, 128): split 2^n = 2^(n/2) * 2^(n - n/2) so both halves are
  // normal floats.
  const __m256i ni = _mm256_cvtps_epi32(n);
  const __m256i half = _mm256_srai_epi32(ni, 1);
  const __m256i bias = _mm256_set1_epi32(127);
  const __m256 s1 =
      _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(half, bias), 23));
  const __m256 s2 = _mm256_castsi256_ps(_mm256_slli_epi32(
      _mm256_add_epi32(_mm256_sub_epi32(ni, half), bias), 23));
  return _mm256_mul_ps(_mm256_mul_ps(p, s1), s2);
}

inline __m256 activate(__m256 x, const small_act_params &a) {
  switch (a.op) {
  case SMALL_ACT_OP_NONE:
    return x;
  case SMALL_ACT_OP_CLIP:
    return _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(a.lo)),
                         _mm256_set1_ps(a.hi));
  case SMALL_ACT_OP_LEAKY: {
    const __m256 neg = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
    return _mm256_blendv_ps(x, _mm256_mul_ps(x, _mm256_set1_ps(a.alpha)), neg);
  }
  case SMALL_ACT_OP_SIGMOID: {
    const __m256 e = exp_ps(_mm256_sub_ps(_mm256_setzero_ps(), x));
    return _mm256_div_ps(_mm256_set1_ps(1.0f),
                         _mm256_add_ps(_mm256_set1_ps(1.0f), e));
  }
  case SMALL_ACT_OP_HARD_SWISH: {
    const __m256 r6 =
        _mm256_min_ps(_mm256_max_ps(_mm256_add_ps(x, _mm256_set1_ps(3.0f)),
                                    _mm256_setzero_ps()),
                      _mm256_set1_ps(6.0f));
    return _mm256_div_ps(_mm256_mul_ps(x, r6), _mm256_set1_ps(6.0f));
  }
  case SMALL_ACT_OP_HARD_SIGMOID:
    return _mm256_min_ps(
        _mm256_max_ps(
            _mm256_fmadd_ps(x, _mm256_set1_ps(a.alpha), _mm256_set1_ps(a.beta)),
            _mm256_setzero_ps()),
        _mm256_set1_ps(1.0f));
  }
  return x;
}

} // namespace small::avx2

#endif
