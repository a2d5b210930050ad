// AVX-512 convolution of a planar input (one channel per input block: an
// RGB network input) into at most 8 output channels (MobileNet's first
// layer), along a row at stride 1 or 2: pixels in lanes.
//
// The 12x32 tile gives each pixel a 16-lane accumulator of channels, of
// which such a layer fills 8: half of every FMA is padding. Here an
// accumulator is one output channel of the tile's pixels, lane j pixel j:
// up to 16, so such a layer takes tiles of 16 pixels where others take 12
// (the table's conv_planar_lanes_max_width; the 12-pixel tiles left 4 lanes
// of every FMA idle). A tap's input vector, x[j * stride + s] for every pixel,
// comes from one masked load (stride 1) or one vpermt2ps of two loads (stride
// 2) per window row and serves all 8 channels: 8 FMAs, each with its weight
// broadcast from memory, against 12 FMAs per tap in the 12x32 tile. At the
// end a transpose (8 channels x 16 pixels: unpack, shuffle, permute) turns
// the sums into pixels, two pixels' 8 channels per vector, and lanes 8-15
// of each output pixel get act(0) (the block's padding lanes). A 12-pixel
// row tile of MobileNet's first layer takes 58 ns where the 12x32 tile took
// 76 (Zen 5); the layer 11.7 us instead of 13.9.
//
// Tiles down a column (the engine's column tiles, pixels a row apart)
// would need a gather per tap and keep the 12x32 tile's planar template,
// instantiated here for the widths past 12.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <utility>

#include "kernels.h"
#include "vec.h"
#include "x86/activation.h"
#include "x86/conv_tile.h"

namespace small::avx512 {

namespace {

constexpr size_t kCb = 16;
constexpr int kOutputs = 8;   // the channels computed (at most 8 real)
constexpr int kMaxWidth = 16; // the table's conv_planar_lanes_max_width
constexpr int kMaxTapsW = 3;

// vpermt2ps indices of tap s at stride 2: lane j reads float 2 j + s of
// the 32 loaded.
struct StrideTwoIndex {
  alignas(64) int32_t lanes[kMaxTapsW][16];
  constexpr StrideTwoIndex() : lanes() {
    for (int s = 0; s < kMaxTapsW; ++s) {
      for (int j = 0; j < 16; ++j) {
        lanes[s][j] = (2 * j + s) % 32;
      }
    }
  }
};
constexpr StrideTwoIndex kStrideTwo{};

// Pixel i of each 128-bit lane pair: [u lane 0, v lane 0, u lane 1, v lane
// 1] (kLowPixels) and lanes 2, 3 (kHighPixels).
struct LaneIndex {
  alignas(64) int32_t lanes[16];
};
constexpr LaneIndex kLowPixels{
    {0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23}};
constexpr LaneIndex kHighPixels{
    {8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31}};

// Output pixel j of the tile: its 8 channels (the low half of `pixels`
// when `high` is false, else the high half) and act(0) in lanes 8-15.
inline void store_pixel(const small_window_tile *t, int j, __m512 pixels,
                        bool high, __m512 pad) {
  _mm512_storeu_ps(t->out + static_cast<size_t>(j) * t->out_pixel_step,
                   half_with_padding(pixels, high, pad));
}

// The 8 sums (lane j: pixel j) activated and stored as `width` pixels.
inline void store_transposed(const small_window_tile *t, const __m512 (&a)[8],
                             int width) {
  // Lane k of 128 bits (pixels 4k..4k+3): t0 = [a0, a1, a0, a1] of pixels
  // 4k, 4k, 4k+1, 4k+1; t1 the same of 4k+2, 4k+3; and so on.
  __m512 t0 = _mm512_unpacklo_ps(a[0], a[1]),
         t1 = _mm512_unpackhi_ps(a[0], a[1]);
  __m512 t2 = _mm512_unpacklo_ps(a[2], a[3]),
         t3 = _mm512_unpackhi_ps(a[2], a[3]);
  __m512 t4 = _mm512_unpacklo_ps(a[4], a[5]),
         t5 = _mm512_unpackhi_ps(a[4], a[5]);
  __m512 t6 = _mm512_unpacklo_ps(a[6], a[7]),
         t7 = _mm512_unpackhi_ps(a[6], a[7]);
  // u[i] lane k: channels 0-3 of pixel 4k + i; v[i]: channels 4-7.
  const __m512 u[4] = {_mm512_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)),
                       _mm512_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2)),
                       _mm512_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)),
                       _mm512_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2))};
  const __m512 v[4] = {_mm512_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0)),
                       _mm512_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2)),
                       _mm512_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0)),
                       _mm512_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2))};
  const __m512 pad = x86::activate<Vec>(_mm512_setzero_ps(), t->act);
  const __m512i low = _mm512_load_si512(kLowPixels.lanes);
  const __m512i high = _mm512_load_si512(kHighPixels.lanes);
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    // Pixels i | 4 + i, then 8 + i | 12 + i.
    const __m512 first = _mm512_permutex2var_ps(u[i], low, v[i]);
    const __m512 second = _mm512_permutex2var_ps(u[i], high, v[i]);
    if (i < width) {
      store_pixel(t, i, first, false, pad);
    }
    if (4 + i < width) {
      store_pixel(t, 4 + i, first, true, pad);
    }
    if (8 + i < width) {
      store_pixel(t, 8 + i, second, false, pad);
    }
    if (12 + i < width) {
      store_pixel(t, 12 + i, second, true, pad);
    }
  }
}

// STEP: floats between the input pixels (the stride); TW: window columns.
template <int STEP, int TW> void planar_lanes(const small_window_tile *t) {
  const int width = static_cast<int>(t->width);
  const __mmask16 pixels = static_cast<__mmask16>((1u << width) - 1);
  // Stride 2: the floats a window row spans, in two loads. 16 pixels of a
  // 3-tap row span 33: the third tap then takes two loads of its own, one
  // float further on (lane j reads float 2 j of them).
  const int span = (width - 1) * STEP + TW;
  const auto mask = [](int floats) {
    return floats >= 16 ? __mmask16{0xffff}
                        : static_cast<__mmask16>((1u << floats) - 1);
  };
  const __mmask16 first = mask(span);
  const __mmask16 second = span <= 16 ? 0 : mask(span - 16);
  const bool past_two = STEP == 2 && span > 32;
  const __mmask16 second_shifted = span <= 18 ? 0 : mask(span - 18);
  __m512i index[TW];
#pragma GCC unroll 3
  for (int s = 0; s < TW; ++s) {
    index[s] = _mm512_load_si512(kStrideTwo.lanes[s]);
  }
  __m512 acc[kOutputs];
#pragma GCC unroll 8
  for (int o = 0; o < kOutputs; ++o) {
    acc[o] = _mm512_set1_ps(t->bias[o]);
  }
  for (size_t b = 0; b < t->in_blocks; ++b) {
    for (size_t r = 0; r < t->taps_h; ++r) {
      const float *x = t->in + b * t->in_block_step + r * t->in_tap_h_step;
      const float *w = t->weights + b * t->w_block_step + r * t->w_tap_h_step;
      __m512 lo = _mm512_setzero_ps(), hi = _mm512_setzero_ps();
      if constexpr (STEP == 2) {
        lo = _mm512_maskz_loadu_ps(first, x);
        hi = _mm512_maskz_loadu_ps(second, x + 16);
      }
#pragma GCC unroll 3
      for (int s = 0; s < TW; ++s) {
        __m512 in;
        if (STEP == 1) {
          in = _mm512_maskz_loadu_ps(pixels, x + s);
        } else if (s == 2 && past_two) {
          in = _mm512_permutex2var_ps(
              _mm512_loadu_ps(x + 2), index[0],
              _mm512_maskz_loadu_ps(second_shifted, x + 18));
        } else {
          in = _mm512_permutex2var_ps(lo, index[s], hi);
        }
        const float *ws = w + s * t->w_tap_w_step;
#pragma GCC unroll 8
        for (int o = 0; o < kOutputs; ++o) {
          acc[o] = _mm512_fmadd_ps(in, _mm512_set1_ps(ws[o]), acc[o]);
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

small_window_fn
select_conv_f32_planar_wide__avx512(const small_window_shape *s) {
  return x86::conv_select_planar_wide<Vec, kCb, 13, kMaxWidth, 1>(*s);
}

bool conv_f32_planar_lanes_fit__avx512(const small_window_shape *s) {
  return x86::planar_lanes_fit(*s, kOutputs, kMaxWidth);
}

small_window_fn
select_conv_f32_planar_lanes__avx512(const small_window_shape *s) {
  return x86::planar_lanes_select<PlanarLanes>(*s);
}

} // namespace small::avx512
