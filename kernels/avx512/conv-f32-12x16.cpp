// AVX-512 convolution tile: up to 12 output pixels x 16 output channels.
//
// Why 12x16: Cb = 16 is one zmm, so a pixel's 16 output channels are one
// accumulator. 12 accumulators + the weight vector use 13 of 32 zmm and hide
// the 4-cycle FMA latency at 2 FMAs per cycle (8 would be the minimum); the
// input scalar comes in as an embedded broadcast ({1to16}) operand, so each
// FMA costs one load and each weight vector is loaded once per 12 FMAs.
// 12 also divides the MobileNet widths (48, 24, 12) and leaves no tail.
#include <immintrin.h>

#include <cstddef>

#include "kernel_contract.h"
#include "vec.h"

namespace small::avx512 {

namespace {

constexpr size_t kCb = 16;

// STEP: floats between consecutive output pixels' inputs when known at
// compile time (stride 1 or 2), 0 for the runtime t->in_pixel_step.
//
// Narrow tiles (the clipped border columns, small images) would have too few
// independent FMA chains to hide the latency, so they split the input-channel
// sum over P partial accumulators per pixel (P * W >= 8) and add them at the
// end.
template <int W, size_t STEP> void conv_tile(const small_window_tile *t) {
  constexpr int P = W >= 8 ? 1 : (W >= 4 ? 2 : (W >= 2 ? 4 : 8));
  const size_t step = STEP != 0 ? STEP : t->in_pixel_step;
  __m512 acc[P][W];
  for (int j = 0; j < W; ++j) {
    acc[0][j] = _mm512_loadu_ps(t->bias);
    for (int p = 1; p < P; ++p) {
      acc[p][j] = _mm512_setzero_ps();
    }
  }
  for (size_t b = 0; b < t->in_blocks; ++b) {
    const size_t lanes = b + 1 == t->in_blocks ? t->in_last_channels : kCb;
    for (size_t r = 0; r < t->taps_h; ++r) {
      for (size_t s = 0; s < t->taps_w; ++s) {
        const float *in = t->in + b * t->in_block_step + r * t->in_tap_h_step +
                          s * t->in_tap_w_step;
        const float *w = t->weights + b * t->w_block_step +
                         r * t->w_tap_h_step + s * t->w_tap_w_step;
        size_t i = 0;
        for (; i + P <= lanes; i += P) {
          for (int p = 0; p < P; ++p) {
            const __m512 wv = _mm512_loadu_ps(w + (i + p) * kCb);
            for (int j = 0; j < W; ++j) {
              acc[p][j] = _mm512_fmadd_ps(_mm512_set1_ps(in[j * step + i + p]),
                                          wv, acc[p][j]);
            }
          }
        }
        for (; i < lanes; ++i) {
          const __m512 wv = _mm512_loadu_ps(w + i * kCb);
          for (int j = 0; j < W; ++j) {
            acc[0][j] = _mm512_fmadd_ps(_mm512_set1_ps(in[j * step + i]), wv,
                                        acc[0][j]);
          }
        }
      }
    }
  }
  for (int j = 0; j < W; ++j) {
    for (int p = 1; p < P; ++p) {
      acc[0][j] = _mm512_add_ps(acc[0][j], acc[p][j]);
    }
    _mm512_storeu_ps(t->out + j * kCb, activate(acc[0][j], t->act));
  }
}

template <size_t STEP> void conv_any_width(const small_window_tile *t) {
  switch (t->width) {
  case 1:
    return conv_tile<1, STEP>(t);
  case 2:
    return conv_tile<2, STEP>(t);
  case 3:
    return conv_tile<3, STEP>(t);
  case 4:
    return conv_tile<4, STEP>(t);
  case 5:
    return conv_tile<5, STEP>(t);
  case 6:
    return conv_tile<6, STEP>(t);
  case 7:
    return conv_tile<7, STEP>(t);
  case 8:
    return conv_tile<8, STEP>(t);
  case 9:
    return conv_tile<9, STEP>(t);
  case 10:
    return conv_tile<10, STEP>(t);
  case 11:
    return conv_tile<11, STEP>(t);
  default:
    return conv_tile<12, STEP>(t);
  }
}

} // namespace

void conv_f32_12x16__avx512(const small_window_tile *t) {
  if (t->in_pixel_step == kCb) {
    conv_any_width<kCb>(t);
  } else if (t->in_pixel_step == 2 * kCb) {
    conv_any_width<2 * kCb>(t);
  } else {
    conv_any_width<0>(t);
  }
}

} // namespace small::avx512
