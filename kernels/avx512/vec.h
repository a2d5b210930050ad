// AVX-512 helpers shared by this folder's kernels: the fused epilogue.
#ifndef SMALL_KERNELS_AVX512_VEC_H
#define SMALL_KERNELS_AVX512_VEC_H

#include <immintrin.h>

#include "kernel_contract.h"

namespace small::avx512 {

// exp(x) for 16 lanes: 2^n * e^r with n = round(x / ln2), |r| <= ln2 / 2,
// e^r by a degree-6 polynomial (relative error ~2e-7 over the range).
inline __m512 exp_ps(__m512 x) {
  x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.3f)),
                    _mm512_set1_ps(88.3f));
  const __m512 n =
      _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504089f)),
                           _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  // r = x - n * ln2, with ln2 split in two for accuracy.
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(-2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.0f / 720.0f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  return _mm512_scalef_ps(p, n);
}

inline __m512 activate(__m512 x, const small_act_params &a) {
  switch (a.op) {
  case SMALL_ACT_OP_NONE:
    return x;
  case SMALL_ACT_OP_CLIP:
    return _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(a.lo)),
                         _mm512_set1_ps(a.hi));
  case SMALL_ACT_OP_LEAKY: {
    const __mmask16 neg =
        _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
    return _mm512_mask_mul_ps(x, neg, x, _mm512_set1_ps(a.alpha));
  }
  case SMALL_ACT_OP_SIGMOID: {
    const __m512 e = exp_ps(_mm512_sub_ps(_mm512_setzero_ps(), x));
    return _mm512_div_ps(_mm512_set1_ps(1.0f),
                         _mm512_add_ps(_mm512_set1_ps(1.0f), e));
  }
  case SMALL_ACT_OP_HARD_SWISH: {
    const __m512 r6 =
        _mm512_min_ps(_mm512_max_ps(_mm512_add_ps(x, _mm512_set1_ps(3.0f)),
                                    _mm512_setzero_ps()),
                      _mm512_set1_ps(6.0f));
    return _mm512_div_ps(_mm512_mul_ps(x, r6), _mm512_set1_ps(6.0f));
  }
  case SMALL_ACT_OP_HARD_SIGMOID:
    return _mm512_min_ps(
        _mm512_max_ps(
            _mm512_fmadd_ps(x, _mm512_set1_ps(a.alpha), _mm512_set1_ps(a.beta)),
            _mm512_setzero_ps()),
        _mm512_set1_ps(1.0f));
  }
  return x;
}

} // namespace small::avx512

#endif
