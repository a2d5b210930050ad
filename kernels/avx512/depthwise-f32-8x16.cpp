// AVX-512 depthwise tile: 16 channels (one zmm) x up to 8 pixels at a time.
// Each lane is its own channel, so a tap is one FMA per pixel with the
// tap's weight vector; 8 accumulators hide the FMA latency.
#include <immintrin.h>

#include <cstddef>

#include "kernel_contract.h"
#include "vec.h"

namespace small::avx512 {

namespace {

constexpr size_t kCb = 16;

template <int W>
void depthwise_tile(const small_window_tile *t, const float *in, float *out) {
  __m512 acc[W];
  const __m512 bias = _mm512_loadu_ps(t->bias);
  for (int j = 0; j < W; ++j) {
    acc[j] = bias;
  }
  for (size_t r = 0; r < t->taps_h; ++r) {
    for (size_t s = 0; s < t->taps_w; ++s) {
      const float *x = in + r * t->in_tap_h_step + s * t->in_tap_w_step;
      const __m512 w = _mm512_loadu_ps(t->weights + r * t->w_tap_h_step +
                                       s * t->w_tap_w_step);
      for (int j = 0; j < W; ++j) {
        acc[j] = _mm512_fmadd_ps(_mm512_loadu_ps(x + j * t->in_pixel_step), w,
                                 acc[j]);
      }
    }
  }
  for (int j = 0; j < W; ++j) {
    _mm512_storeu_ps(out + j * kCb, activate(acc[j], t->act));
  }
}

} // namespace

void depthwise_f32_8x16__avx512(const small_window_tile *t) {
  size_t j = 0;
  for (; j + 8 <= t->width; j += 8) {
    depthwise_tile<8>(t, t->in + j * t->in_pixel_step, t->out + j * kCb);
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
  case 3:
    return depthwise_tile<3>(t, in, out);
  case 4:
    return depthwise_tile<4>(t, in, out);
  case 5:
    return depthwise_tile<5>(t, in, out);
  case 6:
    return depthwise_tile<6>(t, in, out);
  default:
    return depthwise_tile<7>(t, in, out);
  }
}

} // namespace small::avx512
