// AVX2 element-wise kernels: 8 floats per step, scalar-epilogue-free tail via
// a masked load/store.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernel_contract.h"
#include "vec.h"

namespace small::avx2 {

namespace {
__m256i tail_mask(size_t n) {
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int32_t>(n)), idx);
}
} // namespace

void activation_f32__avx2(const float *in, float *out, size_t count,
                          const small_act_params *act) {
  size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    _mm256_storeu_ps(out + i, activate(_mm256_loadu_ps(in + i), *act));
  }
  if (i < count) {
    const __m256i m = tail_mask(count - i);
    _mm256_maskstore_ps(out + i, m,
                        activate(_mm256_maskload_ps(in + i, m), *act));
  }
}

void add_f32__avx2(const float *a, const float *b, float *out, size_t count,
                   const small_act_params *act) {
  size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256 s =
        _mm256_add_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
    _mm256_storeu_ps(out + i, activate(s, *act));
  }
  if (i < count) {
    const __m256i m = tail_mask(count - i);
    const __m256 s = _mm256_add_ps(_mm256_maskload_ps(a + i, m),
                                   _mm256_maskload_ps(b + i, m));
    _mm256_maskstore_ps(out + i, m, activate(s, *act));
  }
}

} // namespace small::avx2
