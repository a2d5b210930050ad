// AVX2 pooling tiles: two ymm of 8 channels per pixel; max or sum over the
// taps the engine clipped to the input.
#include <immintrin.h>

#include <cstddef>

#include "kernel_contract.h"

namespace small::avx2 {

namespace {
constexpr size_t kCb = 16;

template <bool MAX> void pool(const small_window_tile *t) {
  for (size_t j = 0; j < t->width; ++j) {
    const float *in = t->in + j * t->in_pixel_step;
    __m256 lo = MAX ? _mm256_loadu_ps(in) : _mm256_setzero_ps();
    __m256 hi = MAX ? _mm256_loadu_ps(in + 8) : _mm256_setzero_ps();
    for (size_t r = 0; r < t->taps_h; ++r) {
      for (size_t s = 0; s < t->taps_w; ++s) {
        const float *p = in + r * t->in_tap_h_step + s * t->in_tap_w_step;
        const __m256 x_lo = _mm256_loadu_ps(p), x_hi = _mm256_loadu_ps(p + 8);
        lo = MAX ? _mm256_max_ps(lo, x_lo) : _mm256_add_ps(lo, x_lo);
        hi = MAX ? _mm256_max_ps(hi, x_hi) : _mm256_add_ps(hi, x_hi);
      }
    }
    if (!MAX) {
      lo = _mm256_mul_ps(lo, _mm256_set1_ps(t->scale));
      hi = _mm256_mul_ps(hi, _mm256_set1_ps(t->scale));
    }
    _mm256_storeu_ps(t->out + j * t->out_pixel_step, lo);
    _mm256_storeu_ps(t->out + j * t->out_pixel_step + 8, hi);
  }
}
} // namespace

void max_pool_f32_16__avx2(const small_window_tile *t) { pool<true>(t); }
void avg_pool_f32_16__avx2(const small_window_tile *t) { pool<false>(t); }

} // namespace small::avx2
