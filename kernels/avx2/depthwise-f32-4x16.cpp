// AVX2 depthwise tile: 16 channels (two ymm) x up to 4 pixels at a time:
// 8 accumulators + 2 weight vectors, each lane its own channel.
#include <immintrin.h>

#include <cstddef>

#include "kernel_contract.h"
#include "vec.h"

namespace small::avx2 {

namespace {

constexpr size_t kCb = 16;

template <int W>
void depthwise_tile(const small_window_tile *t, const float *in, float *out) {
  __m256 lo[W], hi[W];
  for (int j = 0; j < W; ++j) {
    lo[j] = _mm256_loadu_ps(t->bias);
    hi[j] = _mm256_loadu_ps(t->bias + 8);
  }
  for (size_t r = 0; r < t->taps_h; ++r) {
    for (size_t s = 0; s < t->taps_w; ++s) {
      const float *x = in + r * t->in_tap_h_step + s * t->in_tap_w_step;
      const float *w = t->weights + r * t->w_tap_h_step + s * t->w_tap_w_step;
      const __m256 w_lo = _mm256_loadu_ps(w);
      const __m256 w_hi = _mm256_loadu_ps(w + 8);
      for (int j = 0; j < W; ++j) {
        const float *p = x + j * t->in_pixel_step;
        lo[j] = _mm256_fmadd_ps(_mm256_loadu_ps(p), w_lo, lo[j]);
        hi[j] = _mm256_fmadd_ps(_mm256_loadu_ps(p + 8), w_hi, hi[j]);
      }
    }
  }
  for (int j = 0; j < W; ++j) {
    _mm256_storeu_ps(out + j * kCb, activate(lo[j], t->act));
    _mm256_storeu_ps(out + j * kCb + 8, activate(hi[j], t->act));
  }
}

} // namespace

void depthwise_f32_4x16__avx2(const small_window_tile *t) {
  size_t j = 0;
  for (; j + 4 <= t->width; j += 4) {
    depthwise_tile<4>(t, t->in + j * t->in_pixel_step, t->out + j * kCb);
  }
  const float *in = t->in + j * t->in_pixel_step;
  float *out = t->out + j * kCb;
  switch (t->width - j) {
  case 0:
    return;
  case 1:
    return depthwise_tile<1>(t, in, out);
  case 2:
    return depthwise_tile<2>(t, in, out);
  default:
    return depthwise_tile<3>(t, in, out);
  }
}

} // namespace small::avx2
