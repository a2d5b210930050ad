// AVX-512 element-wise kernels. Counts are whole blocks (multiples of 16)
// in the network, but any count works: the tail uses a masked load/store.
#include <immintrin.h>

#include <cstddef>

#include "kernel_contract.h"
#include "vec.h"

namespace small::avx512 {

void activation_f32__avx512(const float *in, float *out, size_t count,
                            const small_act_params *act) {
  size_t i = 0;
  for (; i + 16 <= count; i += 16) {
    _mm512_storeu_ps(out + i, activate(_mm512_loadu_ps(in + i), *act));
  }
  if (i < count) {
    const __mmask16 m = static_cast<__mmask16>((1u << (count - i)) - 1);
    _mm512_mask_storeu_ps(out + i, m,
                          activate(_mm512_maskz_loadu_ps(m, in + i), *act));
  }
}

void add_f32__avx512(const float *a, const float *b, float *out, size_t count,
                     const small_act_params *act) {
  size_t i = 0;
  for (; i + 16 <= count; i += 16) {
    const __m512 s =
        _mm512_add_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
    _mm512_storeu_ps(out + i, activate(s, *act));
  }
  if (i < count) {
    const __mmask16 m = static_cast<__mmask16>((1u << (count - i)) - 1);
    const __m512 s = _mm512_add_ps(_mm512_maskz_loadu_ps(m, a + i),
                                   _mm512_maskz_loadu_ps(m, b + i));
    _mm512_mask_storeu_ps(out + i, m, activate(s, *act));
  }
}

} // namespace small::avx512
