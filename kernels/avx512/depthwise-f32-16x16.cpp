// AVX-512 depthwise tile: 16 channels (one zmm) x up to 16 pixels at a time.
// The tiles of one channel block are the x86 templates
// (x86/depthwise_tile.h); tiles across channel blocks are this folder's own.
#include <immintrin.h>

#include <cstddef>
#include <utility>

#include "depthwise_rows.h"
#include "kernels.h"
#include "vec.h"
#include "x86/activation.h"
#include "x86/depthwise_tile.h"

namespace small::avx512 {

namespace {

constexpr size_t kCb = 16;
constexpr int kTileWidth = 16;

// Pixels with their own weights and bias (one pixel in each of `width`
// channel blocks, small images). Pixel by pixel with pointer increments:
// the pixels are far apart, so per-pixel address registers would spill;
// out-of-order execution overlaps the pixels' independent FMA chains.
//
// Windows of up to 3x3 taps at dilation 1 (the full windows and the clipped
// ones of border pixels, which on a 6x6 image are most of them) have TH x
// TW fixed at compile time: unrolled taps at constant offsets, one partial
// sum per window column. Others (dilated, larger) loop over the taps.
inline __m512 blocks_window(const small_window_tile *t, const float *in,
                            const float *w, __m512 acc) {
  __m512 other = _mm512_setzero_ps();
  for (size_t r = 0; r < t->taps_h; ++r) {
    const float *x = in + r * t->in_tap_h_step;
    const float *v = w + r * t->w_tap_h_step;
    size_t c = 0;
    for (; c + 2 <= t->taps_w; c += 2) {
      acc = _mm512_fmadd_ps(_mm512_loadu_ps(x + c * t->in_tap_w_step),
                            _mm512_loadu_ps(v + c * t->w_tap_w_step), acc);
      other = _mm512_fmadd_ps(_mm512_loadu_ps(x + (c + 1) * t->in_tap_w_step),
                              _mm512_loadu_ps(v + (c + 1) * t->w_tap_w_step),
                              other);
    }
    if (c < t->taps_w) {
      other = _mm512_fmadd_ps(_mm512_loadu_ps(x + c * t->in_tap_w_step),
                              _mm512_loadu_ps(v + c * t->w_tap_w_step), other);
    }
  }
  return _mm512_add_ps(acc, other);
}

// A TH x TW window at dilation 1: taps Cb floats apart along a row in the
// input and in the weights.
template <int TH, int TW>
inline __m512 blocks_window_fixed(const float *in, const float *w, size_t ih,
                                  size_t wh, __m512 bias) {
  __m512 acc[TW];
#pragma GCC unroll 3
  for (int c = 0; c < TW; ++c) {
    acc[c] = c == 0 ? bias : _mm512_setzero_ps();
  }
#pragma GCC unroll 3
  for (int r = 0; r < TH; ++r) {
    const float *x = in + r * ih, *v = w + r * wh;
#pragma GCC unroll 3
    for (int c = 0; c < TW; ++c) {
      acc[c] = _mm512_fmadd_ps(_mm512_loadu_ps(x + c * kCb),
                               _mm512_loadu_ps(v + c * kCb), acc[c]);
    }
  }
#pragma GCC unroll 2
  for (int c = 1; c < TW; ++c) {
    acc[0] = _mm512_add_ps(acc[0], acc[c]);
  }
  return acc[0];
}

// TH, TW: the window's taps, or 0 x 0 for any window.
template <int TH, int TW> void depthwise_blocks(const small_window_tile *t) {
  const float *in = t->in, *w = t->weights, *bias = t->bias;
  float *out = t->out;
  const size_t ih = t->in_tap_h_step, wh = t->w_tap_h_step;
  // ReLU/ReLU6/Clip, the usual epilogue, with its bounds kept in registers.
  const bool clip = t->act.op == SMALL_ACT_OP_CLIP;
  const __m512 lo = _mm512_set1_ps(t->act.lo), hi = _mm512_set1_ps(t->act.hi);
  for (size_t j = 0; j < t->width; ++j) {
    __m512 acc = _mm512_loadu_ps(bias);
    if constexpr (TH > 0) {
      acc = blocks_window_fixed<TH, TW>(in, w, ih, wh, acc);
    } else {
      acc = blocks_window(t, in, w, acc);
    }
    _mm512_storeu_ps(out, clip ? _mm512_min_ps(_mm512_max_ps(acc, lo), hi)
                               : x86::activate<Vec>(acc, t->act));
    in += t->in_pixel_step;
    w += t->w_pixel_step;
    bias += t->bias_pixel_step;
    out += t->out_pixel_step;
  }
}

constexpr small_window_fn kBlocksByTaps[3][3] = {
    {depthwise_blocks<1, 1>, depthwise_blocks<1, 2>, depthwise_blocks<1, 3>},
    {depthwise_blocks<2, 1>, depthwise_blocks<2, 2>, depthwise_blocks<2, 3>},
    {depthwise_blocks<3, 1>, depthwise_blocks<3, 2>, depthwise_blocks<3, 3>}};

// A layer of at most 8 channels (MobileNet's first depthwise layer) fills
// half of each 16-lane pixel; full 3-tap rows at stride 1 then run two
// pixels per vector: lanes 0-7 pixel j, lanes 8-15 pixel j + 1. Input
// pixels k and k + 1 side by side, [x_k | x_k+1], serve the pair (j, j + 1)
// through tap s = k - j + 1, so a row of P pairs builds 2 P + 1 such vectors
// (two loads each) for 3 P FMAs against the 6 P of the one-pixel
// tiles; the weights are each tap's 8 lanes twice. Lanes 8-15 of every
// output pixel get act(0) (the padding).
struct HalfPairs {
  const small_window_tile *t;
  __m512 bias, pad;
  __m512 w[3][3]; // [row][tap], each tap's 8 weights in both halves

  explicit HalfPairs(const small_window_tile *tile) : t(tile) {
    bias = _mm512_broadcast_f32x8(_mm256_loadu_ps(t->bias));
    pad = x86::activate<Vec>(_mm512_setzero_ps(), t->act);
    for (size_t r = 0; r < t->taps_h; ++r) {
      for (size_t s = 0; s < 3; ++s) {
        w[r][s] = _mm512_broadcast_f32x8(_mm256_loadu_ps(
            t->weights + r * t->w_tap_h_step + s * t->w_tap_w_step));
      }
    }
  }

  // Input pixels x and x + 1 (x + 1 only if `second`, else x twice):
  // pixel x's channels, then pixel x + 1's broadcast into the upper half
  // under a mask, a load without a shuffle (an insert, load and shuffle,
  // measured 5% slower: MobileNet's first depthwise layer 4.01 -> 3.79 us on
  // a Zen 5; a blend of two 64-byte loads, half of them split across cache
  // lines, 60% slower).
  static __m512 two_pixels(const float *x, bool second) {
    const __m256 lo = _mm256_loadu_ps(x);
    return second
               ? _mm512_mask_broadcast_f32x8(_mm512_castps256_ps512(lo), 0xff00,
                                             _mm256_loadu_ps(x + kCb))
               : _mm512_broadcast_f32x8(lo);
  }

  // R output rows of P pairs from output pixel j0: `x` at input column j0
  // (pixel j0's middle tap) of the first input row, `out` at pixel j0 of
  // the first output row; output row i reads from input row i on (stride
  // 1). Vector k = 0 .. 2 P holds input columns j0 - 1 + k and j0 + k and
  // feeds pair p through tap k - 2 p. LEFT: column j0 - 1 is the row's left
  // padding, RIGHT: column j0 + 2 P its right padding; masked FMAs leave
  // those halves out (the scalar kernel adds no product there, not even 0 x
  // w). Unless `last_whole` the last pair is a lone pixel: it stores only
  // its low half, and its last vector is one pixel twice (nothing past its
  // taps is read). TH: the filter rows, 0 for t->taps_h (R 1 only).
  template <int TH, int R, int P, bool LEFT, bool RIGHT, class Act>
  [[gnu::always_inline]] inline void pair_rows(const float *x, size_t in_row,
                                               float *out, size_t out_row,
                                               bool last_whole, Act act) const {
    static_assert(TH > 0 || R == 1, "a runtime filter height is one row");
    __m512 acc[R][P];
#pragma GCC unroll 4
    for (int i = 0; i < R; ++i) {
#pragma GCC unroll 8
      for (int p = 0; p < P; ++p) {
        acc[i][p] = bias;
      }
    }
    const int taps_h = TH > 0 ? TH : static_cast<int>(t->taps_h);
    const int in_rows = TH > 0 ? R - 1 + TH : taps_h;
#pragma GCC unroll 6
    for (int kr = 0; kr < in_rows; ++kr) {
      const float *row = x + kr * in_row;
#pragma GCC unroll 20
      for (int k = 0; k <= 2 * P; ++k) {
        const bool left_pad = LEFT && k == 0;
        const bool right_pad = RIGHT && k == 2 * P;
        __m512 v;
        if (left_pad) {
          v = _mm512_maskz_broadcast_f32x8(0xff00, _mm256_loadu_ps(row));
        } else if (right_pad) {
          v = _mm512_zextps256_ps512(_mm256_loadu_ps(row + (k - 1) * kCb));
        } else {
          v = two_pixels(row + (k - 1) * kCb, last_whole || k < 2 * P);
        }
        const __mmask16 lanes = left_pad ? 0xff00 : (right_pad ? 0x00ff : 0);
#pragma GCC unroll 4
        for (int i = 0; i < R; ++i) {
          const int r = kr - i;
          if (r < 0 || r >= taps_h) {
            continue;
          }
#pragma GCC unroll 3
          for (int s = 0; s < 3; ++s) {
            const int p2 = k - s; // = 2 p
            if (p2 < 0 || p2 % 2 != 0 || p2 / 2 >= P) {
              continue;
            }
            __m512 &a = acc[i][p2 / 2];
            a = lanes != 0 ? _mm512_mask3_fmadd_ps(v, w[r][s], a, lanes)
                           : _mm512_fmadd_ps(v, w[r][s], a);
          }
        }
      }
    }
    const size_t step = t->out_pixel_step;
#pragma GCC unroll 4
    for (int i = 0; i < R; ++i) {
#pragma GCC unroll 8
      for (int p = 0; p < P; ++p) {
        const __m512 a = act(acc[i][p]);
        float *o = out + i * out_row + 2 * p * step;
        _mm512_storeu_ps(o, half_with_padding(a, false, pad));
        if (p + 1 < P || last_whole) {
          _mm512_storeu_ps(o + step, half_with_padding(a, true, pad));
        }
      }
    }
  }

  // P pairs of the tile's one row (t->in at pixel 0's first tap) from
  // output pixel j on.
  template <int TH, int P, class Act>
  [[gnu::always_inline]] void row(size_t j, bool last_whole, Act act) const {
    pair_rows<TH, 1, P, false, false>(t->in + (j + 1) * kCb, t->in_tap_h_step,
                                      t->out + j * t->out_pixel_step, 0,
                                      last_whole, act);
  }
};

constexpr int kHalfPairs = 6; // pairs per register tile: 12 pixels

// The last `pairs` pairs of a row (1 .. kHalfPairs, the last one maybe a
// lone pixel) in one register tile: P sums for the FMA latency, and 2 P + 1
// input vectors where pairs one at a time build 3 each (MobileNet's 46
// interior pixels: three tiles of 6 pairs, then one of 5).
template <int TH, class Act, int... Ps>
[[gnu::always_inline]] inline void
rest_pairs(const HalfPairs &h, size_t j, size_t pairs, bool last_whole, Act act,
           std::integer_sequence<int, Ps...>) {
  ((pairs == Ps + 1 ? h.row<TH, Ps + 1>(j, last_whole, act) : void()), ...);
}

// One row of a tile (its filter window clipped by the engine): t->in at
// pixel 0's first tap.
template <int TH> void depthwise_half_pairs(const small_window_tile *t) {
  const HalfPairs h(t);
  const size_t width = t->width;
  x86::with_activation<Vec>(
      t->act, [&](auto act) __attribute__((always_inline)) {
        size_t j = 0;
        for (; j + 2 * kHalfPairs <= width; j += 2 * kHalfPairs) {
          h.row<TH, kHalfPairs>(j, true, act);
        }
        if (j < width) {
          rest_pairs<TH>(h, j, (width - j + 1) / 2, (width - j) % 2 == 0, act,
                         std::make_integer_sequence<int, kHalfPairs>{});
        }
      });
}

// Whole rows (the table's depthwise_rows) of such a layer, padded by one
// column on each side: kPairRows output rows at a time, each input vector
// built once for the taps of every row that reads it (two rows: 4 input
// rows x 13 vectors, 104 loads, for 108 FMAs, where one row at a time
// loads 78 for 54), in chunks of kHalfPairs pairs. Where the chunks do not
// divide the width the last one overlaps the one before it and writes some
// pixels again (the same sums in the same order).
constexpr int kPairRows = 2;
constexpr size_t kPairChunk = 2 * kHalfPairs; // pixels

template <int TH> void depthwise_half_pair_rows(const small_window_tile *t) {
  const HalfPairs h(t);
  const size_t width = t->width, rows = t->rows;
  const size_t in_row = t->in_tap_h_step, out_row = width * kCb;
  x86::with_activation<Vec>(
      t->act, [&](auto act) __attribute__((always_inline)) {
        const auto band = [&](auto r, const float *in, float *out)
            __attribute__((always_inline)) {
          constexpr int R = decltype(r)::value;
          constexpr int P = kHalfPairs;
          if (width == kPairChunk) {
            h.pair_rows<TH, R, P, true, true>(in, in_row, out, out_row, true,
                                              act);
            return;
          }
          h.pair_rows<TH, R, P, true, false>(in, in_row, out, out_row, true,
                                             act);
          size_t j = kPairChunk;
          for (; j + kPairChunk < width; j += kPairChunk) {
            h.pair_rows<TH, R, P, false, false>(
                in + j * kCb, in_row, out + j * kCb, out_row, true, act);
          }
          j = width - kPairChunk;
          h.pair_rows<TH, R, P, false, true>(in + j * kCb, in_row,
                                             out + j * kCb, out_row, true, act);
        };
        size_t i = 0;
        for (; i + kPairRows <= rows; i += kPairRows) {
          band(std::integral_constant<int, kPairRows>{}, t->in + i * in_row,
               t->out + i * out_row);
        }
        for (; i < rows; ++i) {
          band(std::integral_constant<int, 1>{}, t->in + i * in_row,
               t->out + i * out_row);
        }
      });
}

constexpr small_window_fn kHalfPairRows[3] = {depthwise_half_pair_rows<1>,
                                              depthwise_half_pair_rows<2>,
                                              depthwise_half_pair_rows<3>};

} // namespace

small_window_fn
select_depthwise_f32_16x16__avx512(const small_window_shape *s) {
  if (s->w_pixel_step != 0 || s->bias_pixel_step != 0) {
    // Depthwise weights of one tap are Cb floats, so a dilation-1 window has
    // consecutive taps Cb floats apart in the weights as in the input.
    const bool fixed = s->in_tap_w_step == kCb && s->taps_h >= 1 &&
                       s->taps_h <= 3 && s->taps_w >= 1 && s->taps_w <= 3;
    return fixed ? kBlocksByTaps[s->taps_h - 1][s->taps_w - 1]
                 : depthwise_blocks<0, 0>;
  }
  // At most 8 channels, full 3-tap rows at stride 1: pixel pairs.
  if (s->out_lanes <= kCb / 2 && s->in_pixel_step == kCb &&
      s->in_tap_w_step == kCb && s->taps_w == 3 && s->taps_h >= 1 &&
      s->taps_h <= 3) {
    return s->taps_h == 3 ? depthwise_half_pairs<3> : depthwise_half_pairs<0>;
  }
  return x86::depthwise_select<Vec, kCb, kTileWidth>(*s);
}

// Whole rows of up to 16 pixels (12 at stride 2), about 16 sums at a time
// (three 5-pixel rows, two 6-pixel ones) + 9 weights + the input and the
// clip bounds; wider rows in chunks of 8 pixels, two rows at a time.
small_window_fn select_depthwise_rows_f32__avx512(const small_window_shape *s) {
  // At most 8 channels at stride 1, rows of at least one chunk: pixel pairs.
  if (whole_rows::fits(*s, kCb) && s->in_pixel_step == kCb &&
      s->out_lanes <= kCb / 2 && s->width >= kPairChunk) {
    return kHalfPairRows[s->taps_h - 1];
  }
  return whole_rows::select_depthwise_rows<Vec, kCb, 16, 16, 8, 12, 6>(*s);
}

} // namespace small::avx512
