// AVX-512 convolution of a planar input (one channel per input block: an
// RGB network input) into at most 8 output channels (MobileNet's first
// layer), along a row at stride 1 or 2: pixels in lanes.
//
// The 12x32 tile gives each pixel a 16-lane accumulator of channels, of
// which such a layer fills 8: half of every FMA is padding. Here an
// accumulator is one output channel of 16 of the tile's pixels, lane j
// pixel j, and a tile holds up to 3 such vectors: 48 pixels (the table's
// conv_planar_lanes_max_width), so MobileNet's 47-pixel interior row is one
// tile. A tap's input vector, x[j * stride + s] for 16 pixels, comes from
// one masked load (stride 1) or one vpermt2ps of two loads from x + s
// (stride 2) and serves all 8 channels; each weight is broadcast once into a
// register for the tile's vectors (8 broadcasts per 24 FMAs at 3 vectors). At
// the end a transpose per vector (8 channels x 16 pixels: unpack, shuffle,
// permute) turns the sums into pixels, two pixels' 8 channels per vector, and
// lanes 8-15 of each output pixel get act(0) (the block's padding lanes).
// MobileNet's first layer (Zen 5, one session, docs/benchmarks.md): 7.8
// us with 16-pixel tiles of one vector whose FMAs broadcast their weights
// from memory, 6.5 with one tile of 3 vectors per row, 5.7 with every tap's
// input loaded from its own first float (one permute index and one pair of
// masks per vector: fewer live registers, fewer spills).
//
// Tiles down a column (the engine's column tiles, pixels a row apart)
// would need a gather per tap and keep the 12x32 tile's planar template:
// instantiated here for 13 to 16 pixels, and wider ones run as several of
// those.
#include <immintrin.h>

#include <algorithm>
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
constexpr int kOutputs = 8; // the channels computed (at most 8 real)

// vpermt2ps indices at stride 2: lane j reads float 2 j of the 32 loaded.
struct StrideTwoIndex {
  alignas(64) int32_t lanes[16];
  constexpr StrideTwoIndex() : lanes() {
    for (int j = 0; j < 16; ++j) {
      lanes[j] = 2 * j;
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
inline void store_pixel(float *out, size_t step, int j, __m512 pixels,
                        bool high, __m512 pad) {
  _mm512_storeu_ps(out + static_cast<size_t>(j) * step,
                   half_with_padding(pixels, high, pad));
}

// The 8 activated sums (lane j: pixel j) stored as `width` pixels from
// `out`, `step` floats apart; `pad` (act(0)) in lanes 8-15 of each.
inline void store_transposed(float *out, size_t step, const __m512 (&a)[8],
                             int width, __m512 pad) {
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
  const __m512i low = _mm512_load_si512(kLowPixels.lanes);
  const __m512i high = _mm512_load_si512(kHighPixels.lanes);
#pragma GCC unroll 4
  for (int i = 0; i < 4; ++i) {
    // Pixels i | 4 + i, then 8 + i | 12 + i.
    const __m512 first = _mm512_permutex2var_ps(u[i], low, v[i]);
    const __m512 second = _mm512_permutex2var_ps(u[i], high, v[i]);
    if (i < width) {
      store_pixel(out, step, i, first, false, pad);
    }
    if (4 + i < width) {
      store_pixel(out, step, 4 + i, first, true, pad);
    }
    if (8 + i < width) {
      store_pixel(out, step, 8 + i, second, false, pad);
    }
    if (12 + i < width) {
      store_pixel(out, step, 12 + i, second, true, pad);
    }
  }
}

// The masks of the loads that bring a vector of `width` pixels' inputs
// for one tap (lane j pixel j, STEP floats apart): from the tap's first
// float, one load at stride 1, two (32 floats, lane j takes float 2 j) at
// stride 2, none past the last float the vector's windows read (the last
// vector of a tile; the others are whole and the next vector's windows
// reach past them).
struct TapMasks {
  __mmask16 low, high;
  TapMasks(int width, int step) {
    const auto mask = [](int floats) {
      return floats >= 16  ? __mmask16{0xffff}
             : floats <= 0 ? __mmask16{0}
                           : static_cast<__mmask16>((1u << floats) - 1);
    };
    const int floats = (width - 1) * step + 1;
    low = mask(floats);
    high = mask(floats - 16);
  }
};

// Tap s of a window row for one vector of pixels (see TapMasks).
template <int STEP>
inline __m512 tap_input(const float *x, int s, const TapMasks &m,
                        __m512i even) {
  if constexpr (STEP == 1) {
    return _mm512_maskz_loadu_ps(m.low, x + s);
  }
  return _mm512_permutex2var_ps(_mm512_maskz_loadu_ps(m.low, x + s), even,
                                _mm512_maskz_loadu_ps(m.high, x + s + 16));
}

// STEP: floats between the input pixels (the stride); TW: window columns;
// NV: vectors of 16 pixels (the last may be partial). Each weight is
// broadcast once into a register and feeds NV FMAs, where a one-vector tile
// folds a broadcast from memory into every FMA. MobileNet's first layer,
// whose rows take one tile of 3 vectors instead of 3 of one, runs faster
// on Zen 5 (docs/benchmarks.md); not because such an FMA is slow
// (a loop of them alone ran at the full FMA rate there), but for the loads
// and per-tile work a third as many tiles spare.
template <int STEP, int TW, int NV>
void planar_lanes(const small_window_tile *t) {
  const int width = static_cast<int>(t->width);
  const TapMasks whole(16, STEP);
  const TapMasks last(width - 16 * (NV - 1), STEP);
  const __m512i even = _mm512_load_si512(kStrideTwo.lanes);
  __m512 acc[NV][kOutputs];
#pragma GCC unroll 8
  for (int o = 0; o < kOutputs; ++o) {
    acc[0][o] = _mm512_set1_ps(t->bias[o]);
#pragma GCC unroll 3
    for (int v = 1; v < NV; ++v) {
      acc[v][o] = acc[0][o];
    }
  }
  for (size_t b = 0; b < t->in_blocks; ++b) {
    for (size_t r = 0; r < t->taps_h; ++r) {
      const float *row = t->in + b * t->in_block_step + r * t->in_tap_h_step;
      const float *w = t->weights + b * t->w_block_step + r * t->w_tap_h_step;
#pragma GCC unroll 3
      for (int s = 0; s < TW; ++s) {
        __m512 in[NV];
#pragma GCC unroll 3
        for (int v = 0; v < NV; ++v) {
          in[v] = tap_input<STEP>(row + 16 * STEP * v, s,
                                  v + 1 < NV ? whole : last, even);
        }
        const float *ws = w + s * t->w_tap_w_step;
#pragma GCC unroll 8
        for (int o = 0; o < kOutputs; ++o) {
          __m512 weight = _mm512_set1_ps(ws[o]);
          if constexpr (NV > 1) {
            // In a register for every vector: GCC would otherwise fold the
            // broadcast into each FMA (NV loads instead of one).
            __asm__("" : "+v"(weight));
          }
#pragma GCC unroll 3
          for (int v = 0; v < NV; ++v) {
            acc[v][o] = _mm512_fmadd_ps(in[v], weight, acc[v][o]);
          }
        }
      }
    }
  }
  const __m512 pad = x86::activate<Vec>(_mm512_setzero_ps(), t->act);
#pragma GCC unroll 3
  for (int v = 0; v < NV; ++v) {
#pragma GCC unroll 8
    for (int o = 0; o < kOutputs; ++o) {
      acc[v][o] = x86::activate<Vec>(acc[v][o], t->act);
    }
    store_transposed(t->out + size_t{16} * v * t->out_pixel_step,
                     t->out_pixel_step, acc[v], std::min(width - 16 * v, 16),
                     pad);
  }
}

// The tiles of NV vectors as x86::planar_lanes_select takes them.
template <int NV> struct PlanarLanes {
  template <int STEP, int TW> struct Tile {
    static constexpr small_window_fn run = planar_lanes<STEP, TW, NV>;
  };
};

// A planar tile of W pixels (17 to 48) the lanes tile does not take (down
// a column, wider windows) as tiles of the planar template of at most 16
// pixels (one zmm of sums per pixel), one after the other.
template <size_t STEP, int W> void planar_split(const small_window_tile *t) {
  constexpr int kPart = 16;
  constexpr int kWhole = (W - 1) / kPart; // parts of 16 before the last
  const size_t step = STEP != 0 ? STEP : t->in_pixel_step;
  small_window_tile part = *t;
  part.width = kPart;
  for (int p = 0; p < kWhole; ++p) {
    part.in = t->in + size_t{kPart} * p * step;
    part.out = t->out + size_t{kPart} * p * t->out_pixel_step;
    x86::conv_tile_planar<Vec, kCb, kPart, 1, STEP>(&part);
  }
  part.width = W - kPart * kWhole;
  part.in = t->in + size_t{kPart} * kWhole * step;
  part.out = t->out + size_t{kPart} * kWhole * t->out_pixel_step;
  x86::conv_tile_planar<Vec, kCb, W - kPart * kWhole, 1, STEP>(&part);
}

template <size_t STEP, int... Ws>
small_window_fn planar_split_by_width(size_t width,
                                      std::integer_sequence<int, Ws...>) {
  static constexpr small_window_fn by_width[] = {
      planar_split<STEP, 17 + Ws>...};
  return by_width[width - 17];
}

} // namespace

small_window_fn
select_conv_f32_planar_wide__avx512(const small_window_shape *s) {
  if (s->width <= 16) {
    return x86::conv_select_planar_wide<Vec, kCb, 13, 16, 1>(*s);
  }
  using Widths = std::make_integer_sequence<int, kPlanarLanesMaxWidth - 16>;
  switch (s->in_pixel_step) {
  case 1:
    return planar_split_by_width<1>(s->width, Widths{});
  case 2:
    return planar_split_by_width<2>(s->width, Widths{});
  default:
    return planar_split_by_width<0>(s->width, Widths{});
  }
}

bool conv_f32_planar_lanes_fit__avx512(const small_window_shape *s) {
  return x86::planar_lanes_fit(*s, kOutputs, kPlanarLanesMaxWidth);
}

small_window_fn
select_conv_f32_planar_lanes__avx512(const small_window_shape *s) {
  return s->width <= 16   ? x86::planar_lanes_select<PlanarLanes<1>::Tile>(*s)
         : s->width <= 32 ? x86::planar_lanes_select<PlanarLanes<2>::Tile>(*s)
                          : x86::planar_lanes_select<PlanarLanes<3>::Tile>(*s);
}

} // namespace small::avx512
