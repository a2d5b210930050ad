// AVX2 convolution of a planar input (one channel per input block: an RGB
// network input) into at most 8 output channels (MobileNet's first layer),
// along a row at stride 1 or 2: pixels in lanes, as kernels/avx512 does it
// with 16 pixels.
//
// The 6x16 tile's half-block variant gives each of its 6 pixels one ymm of
// 8 channels: 6 accumulators, too few chains for the FMA latency, and a
// weight load plus 6 broadcasts per 6 FMAs. Here an accumulator is one
// output channel of up to 8 pixels (lane j pixel j; the table's
// conv_planar_lanes_max_width is 8): a tap's input vector comes from one
// masked load (stride 1) or, at stride 2, two loads, a shuffle and a
// 64-bit permute (the even or odd floats of 16), and serves 8 FMAs with
// their weights broadcast from memory; 8 chains. At the end an 8x8
// transpose turns the sums into pixels and lanes 8-15 of each output pixel
// get act(0) (the block's padding lanes).
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels.h"
#include "vec.h"
#include "x86/activation.h"
#include "x86/conv_tile.h"

namespace small::avx2 {

namespace {

constexpr size_t kCb = 16;
constexpr int kOutputs = 8;  // the channels computed (at most 8 real)
constexpr int kMaxWidth = 8; // the table's conv_planar_lanes_max_width

// The first n lanes (none for n <= 0, all for n >= 8).
inline __m256i first_lanes(int n) {
  return Vec::tail_mask(static_cast<size_t>(n > 0 ? n : 0));
}

// Lane j: float 2 j (ODD: 2 j + 1) of the 16 in lo and hi. The shuffle
// picks them within 128-bit lanes ([lo 0 2 | hi 0 2 | lo 4 6 | hi 4 6]),
// the permute puts the 64-bit pairs in order.
template <bool ODD> inline __m256 every_other(__m256 lo, __m256 hi) {
  constexpr int pick = ODD ? _MM_SHUFFLE(3, 1, 3, 1) : _MM_SHUFFLE(2, 0, 2, 0);
  const __m256 pairs = _mm256_shuffle_ps(lo, hi, pick);
  return _mm256_castpd_ps(
      _mm256_permute4x64_pd(_mm256_castps_pd(pairs), _MM_SHUFFLE(3, 1, 2, 0)));
}

// The 8 sums (lane j: pixel j), activated, stored as `width` pixels.
inline void store_transposed(const small_window_tile *t, const __m256 (&a)[8],
                             int width) {
  // t[2k] = [a_2k, a_2k+1] of pixels 0, 0, 1, 1 | 4, 4, 5, 5; t[2k+1] of
  // pixels 2, 2, 3, 3 | 6, 6, 7, 7.
  __m256 t2[8];
#pragma GCC unroll 4
  for (int k = 0; k < 4; ++k) {
    t2[2 * k] = _mm256_unpacklo_ps(a[2 * k], a[2 * k + 1]);
    t2[2 * k + 1] = _mm256_unpackhi_ps(a[2 * k], a[2 * k + 1]);
  }
  // u[i]: channels 0-3 of pixels i | 4 + i; v[i]: channels 4-7.
  __m256 u[4], v[4];
#pragma GCC unroll 2
  for (int h = 0; h < 2; ++h) {
    const __m256 *q = t2 + 4 * h;
    __m256 *d = h == 0 ? u : v;
    d[0] = _mm256_shuffle_ps(q[0], q[2], _MM_SHUFFLE(1, 0, 1, 0));
    d[1] = _mm256_shuffle_ps(q[0], q[2], _MM_SHUFFLE(3, 2, 3, 2));
    d[2] = _mm256_shuffle_ps(q[1], q[3], _MM_SHUFFLE(1, 0, 1, 0));
    d[3] = _mm256_shuffle_ps(q[1], q[3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  const __m256 pad = x86::activate<Vec>(_mm256_setzero_ps(), t->act);
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    const __m256 pixel[2] = {_mm256_permute2f128_ps(u[i], v[i], 0x20),
                             _mm256_permute2f128_ps(u[i], v[i], 0x31)};
#pragma GCC unroll 2
    for (int half = 0; half < 2; ++half) {
      const int j = 4 * half + i;
      if (j < width) {
        float *out = t->out + static_cast<size_t>(j) * t->out_pixel_step;
        _mm256_storeu_ps(out, pixel[half]);
        _mm256_storeu_ps(out + Vec::kLanes, pad);
      }
    }
  }
}

// STEP: floats between the input pixels (the stride); TW: window columns.
template <int STEP, int TW> void planar_lanes(const small_window_tile *t) {
  const int width = static_cast<int>(t->width);
  const __m256i pixels = first_lanes(width);
  // Stride 2: the floats a window row spans; taps 0 and 1 read floats
  // [0, 16) of it, tap 2 floats [2, 18).
  const int span = (width - 1) * STEP + TW;
  const __m256i first = first_lanes(span), second = first_lanes(span - 8);
  const __m256i first2 = first_lanes(span - 2);
  const __m256i second2 = first_lanes(span - 10);
  __m256 acc[kOutputs];
#pragma GCC unroll 8
  for (int o = 0; o < kOutputs; ++o) {
    acc[o] = _mm256_broadcast_ss(t->bias + o);
  }
  for (size_t b = 0; b < t->in_blocks; ++b) {
    for (size_t r = 0; r < t->taps_h; ++r) {
      const float *x = t->in + b * t->in_block_step + r * t->in_tap_h_step;
      const float *w = t->weights + b * t->w_block_step + r * t->w_tap_h_step;
      __m256 lo = _mm256_setzero_ps(), hi = _mm256_setzero_ps();
      if constexpr (STEP == 2) {
        lo = _mm256_maskload_ps(x, first);
        hi = _mm256_maskload_ps(x + 8, second);
      }
#pragma GCC unroll 3
      for (int s = 0; s < TW; ++s) {
        __m256 in;
        if constexpr (STEP == 1) {
          in = _mm256_maskload_ps(x + s, pixels);
        } else if (s == 0) {
          in = every_other<false>(lo, hi);
        } else if (s == 1) {
          in = every_other<true>(lo, hi);
        } else {
          in = every_other<false>(_mm256_maskload_ps(x + 2, first2),
                                  _mm256_maskload_ps(x + 10, second2));
        }
        const float *ws = w + s * t->w_tap_w_step;
#pragma GCC unroll 8
        for (int o = 0; o < kOutputs; ++o) {
          acc[o] = _mm256_fmadd_ps(in, _mm256_broadcast_ss(ws + o), acc[o]);
        }
      }
    }
  }
#pragma GCC unroll 8
  for (int o = 0; o < kOutputs; ++o) {
    acc[o] = x86::activate<Vec>(acc[o], t->act);
  }
  store_transposed(t, acc, width);
}

// The tiles as x86::planar_lanes_select takes them.
template <int STEP, int TW> struct PlanarLanes {
  static constexpr small_window_fn run = planar_lanes<STEP, TW>;
};

} // namespace

bool conv_f32_planar_lanes_fit__avx2(const small_window_shape *s) {
  return x86::planar_lanes_fit(*s, kOutputs, kMaxWidth);
}

small_window_fn
select_conv_f32_planar_lanes__avx2(const small_window_shape *s) {
  return x86::planar_lanes_select<PlanarLanes>(*s);
}

small_window_fn select_conv_f32_planar_wide__avx2(const small_window_shape *s) {
  return x86::conv_select_planar_wide<Vec, kCb, 7, kMaxWidth, 1>(*s);
}

} // namespace small::avx2
