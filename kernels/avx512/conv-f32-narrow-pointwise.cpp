// AVX-512 1x1 convolution of stride 1 over one input block of at most 8
// channels into one output block (MobileNet's 8 -> 16 layer): runs of up to
// kNarrowPointwiseMaxWidth pixels per call (the table's
// conv_narrow_pointwise_max_width; the engine plans such a layer as one row
// of h * w pixels).
//
// Such a layer's 16-pixel tile of the 12x32 template makes 128 FMAs (one
// broadcast of an input channel each), too few to hide a call: its
// prologue, the weight loads, the epilogue's address arithmetic and the
// pipeline filling and draining around each call took about 105 cycles a
// tile on a Zen 5 where the FMAs alone take 64 (and a loop of the same
// instructions written in assembly, over the layer's L2-resident tensors,
// 73-80). Here the input channels' weight vectors and the bias are loaded
// once per call, then each group of 16 pixels is 16 sums of `lanes`
// broadcast FMAs. A run whose width 16 does not divide ends with a group
// that overlaps the one before it and writes some pixels again (the same
// sums in the same order).
#include <immintrin.h>

#include <cstddef>

#include "kernels.h"
#include "vec.h"
#include "x86/activation.h"

namespace small::avx512 {

namespace {

constexpr size_t kCb = 16;
constexpr int kGroup = 16;         // pixels summed together
constexpr size_t kMaxChannels = 8; // input channels (one half block)

// Pixels [0, kGroup) from `in` / `out`: the 8 channels of the layer's one
// input block (LANES, or t's in_last_channels when LANES is 0).
template <size_t LANES, class Act>
[[gnu::always_inline]] inline void
group(const float *in, float *out, size_t lanes,
      const __m512 (&w)[kMaxChannels], __m512 bias, Act act) {
  __m512 acc[kGroup];
#pragma GCC unroll 16
  for (int j = 0; j < kGroup; ++j) {
    acc[j] = bias;
  }
  const size_t count = LANES != 0 ? LANES : lanes;
#pragma GCC unroll 8
  for (size_t i = 0; i < count; ++i) {
#pragma GCC unroll 16
    for (int j = 0; j < kGroup; ++j) {
      acc[j] = _mm512_fmadd_ps(_mm512_set1_ps(in[j * kCb + i]), w[i], acc[j]);
    }
  }
#pragma GCC unroll 16
  for (int j = 0; j < kGroup; ++j) {
    _mm512_storeu_ps(out + j * kCb, act(acc[j]));
  }
}

// The weights and bias in locals of this function (registers): loaded by
// the caller and passed by reference, GCC reloaded them after every
// group's stores, which might have written them.
template <size_t LANES> void pixels(const small_window_tile *t) {
  const size_t width = t->width;
  const size_t lanes = LANES != 0 ? LANES : t->in_last_channels;
  __m512 w[kMaxChannels];
#pragma GCC unroll 8
  for (size_t i = 0; i < kMaxChannels; ++i) {
    w[i] =
        i < lanes ? _mm512_loadu_ps(t->weights + i * kCb) : _mm512_setzero_ps();
  }
  const __m512 bias = _mm512_loadu_ps(t->bias);
  const float *in = t->in;
  float *out = t->out;
  x86::with_activation<Vec>(
      t->act, [&](auto act) __attribute__((always_inline)) {
        size_t j = 0;
        for (; j + kGroup <= width; j += kGroup) {
          group<LANES>(in + j * kCb, out + j * kCb, lanes, w, bias, act);
        }
        if (j < width) {
          j = width - kGroup;
          group<LANES>(in + j * kCb, out + j * kCb, lanes, w, bias, act);
        }
      });
}

// MobileNet's 8 channels unrolled at compile time; fewer in a loop.
void narrow_pointwise(const small_window_tile *t) {
  if (t->in_last_channels == kMaxChannels) {
    pixels<kMaxChannels>(t);
  } else {
    pixels<0>(t);
  }
}

} // namespace

small_window_fn
select_conv_f32_narrow_pointwise__avx512(const small_window_shape *s) {
  const bool fits = s->width >= static_cast<size_t>(kGroup) &&
                    s->width <= kNarrowPointwiseMaxWidth && s->taps_h == 1 &&
                    s->taps_w == 1 && s->in_lanes == kCb &&
                    s->in_pixel_step == kCb && s->out_pixel_step == kCb &&
                    s->out_blocks == 1 && s->residual == 0;
  return fits ? narrow_pointwise : nullptr;
}

} // namespace small::avx512
