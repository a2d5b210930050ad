// AVX-512 pooling tiles: one zmm of 16 channels per pixel; max or sum over
// the taps the engine clipped to the input.
#include <immintrin.h>

#include <cstddef>

#include "kernel_contract.h"

namespace small::avx512 {

namespace {
constexpr size_t kCb = 16;

template <bool MAX> void pool(const small_window_tile *t) {
  for (size_t j = 0; j < t->width; ++j) {
    const float *in = t->in + j * t->in_pixel_step;
    __m512 acc = MAX ? _mm512_loadu_ps(in) : _mm512_setzero_ps();
    for (size_t r = 0; r < t->taps_h; ++r) {
      for (size_t s = 0; s < t->taps_w; ++s) {
        const __m512 x =
            _mm512_loadu_ps(in + r * t->in_tap_h_step + s * t->in_tap_w_step);
        acc = MAX ? _mm512_max_ps(acc, x) : _mm512_add_ps(acc, x);
      }
    }
    if (!MAX) {
      acc = _mm512_mul_ps(acc, _mm512_set1_ps(t->scale));
    }
    _mm512_storeu_ps(t->out + j * t->out_pixel_step, acc);
  }
}
} // namespace

void max_pool_f32_16__avx512(const small_window_tile *t) { pool<true>(t); }
void avg_pool_f32_16__avx512(const small_window_tile *t) { pool<false>(t); }

} // namespace small::avx512
