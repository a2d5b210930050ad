// AVX-512 VNNI int8 kernels: the convolution tile, up to 12 output pixels x 32
// output channels (two blocks of Cb = 16, one int32 zmm accumulator each), the
// register tile of the float one (conv-f32-12x32.cpp): 24 accumulators + 2
// weight vectors + the broadcast input + the sign-flip constant.
//
// vpdpbusd multiplies unsigned by signed bytes, 4 consecutive input lanes
// into one int32 lane, so the weights are packed in groups of 4 input lanes
// per output lane (conv_i8_k_group 4) and the signed input x is read as the
// unsigned u = x ^ 0x80 = x + 128. Then
//     sum (x - zp) w = sum u w - (128 + zp) sum w
// where sum w runs over exactly the weights the tile multiplied (its taps,
// clipped at the borders, and its input blocks): the layer sums each tap's
// weights once when it is prepared (small_window_tile_i8::weight_sums), and
// the tile adds its taps' sums (x86/conv_i8_weight_sums.h), nine vector
// additions for a 3x3 window. int32 arithmetic wraps exactly like the
// scalar sum, so the result is bit for bit the scalar kernel's.
//
// The planar-input tile (a network input with one lane per block) pairs
// adjacent taps of a filter row: the tile's input row segment goes to int16
// (x - zp) once per (block, row), so one 32-bit broadcast is the pair
// (x[s], x[s + 1]), and vpdpwssd multiplies it with the interleaved weights
// (w[s], w[s + 1]) of each output lane: half the products of one tap at a
// time, and no per-tap scalar conversion.
//
// The depthwise tile is x86/depthwise_i8_tile.h with vpdpwssd as its
// multiply-add.
//
// VNNI for this file only: the folder's flags stay AVX-512 F/BW/DQ/VL and
// active_table.cpp installs these kernels only on CPUs that report VNNI. The
// target applies to every function defined below it, the x86 templates
// included; they are instantiated here with VecI8Vnni, a type of this file
// only. The inline functions other files define too (VecI8's members, the
// standard library's) hold no dot product, so whichever copy the linker
// keeps runs on any AVX-512 CPU.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512vnni"))),            \
                             apply_to = function)
#elif defined(__GNUC__)
#pragma GCC target("avx512vnni")
#endif

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "half_pairs_i8.h"
#include "kernels.h"
#include "vec_i8.h"
#include "x86/conv_i8_madd_tile.h"
#include "x86/conv_i8_select.h"
#include "x86/conv_i8_weight_sums.h"
#include "x86/depthwise_i8_tile.h"

namespace small::avx512 {

namespace {

constexpr size_t kCb = 16;
constexpr size_t kGroup = 4;

// The int32 vector with VNNI's fused 16-bit multiply-add.
struct VecI8Vnni : VecI8 {
  static type dot16(type acc, type a, type b) {
    return _mm512_dpwssd_epi32(acc, a, b);
  }
};

// The 4 input lanes at p, every int32 lane.
inline __m512i broadcast4(const int8_t *p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return _mm512_set1_epi32(v);
}

// The products of one filter row (taps_w taps of one input block) for the
// tile: `in` is the row's first tap of pixel 0. Each broadcast is flipped to
// u8 by an xor with a memory operand (one fused instruction): flipping the
// row's input once into a buffer instead measured no faster.
template <int W, int OB>
inline void accumulate_row(__m512i (&acc)[OB][W], const int8_t *in, size_t step,
                           const int8_t *w, size_t taps_w, size_t groups,
                           const small_window_tile_i8 *t) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  for (size_t s = 0; s < taps_w;
       ++s, in += t->in_tap_w_step, w += t->w_tap_w_step) {
    for (size_t g = 0; g < groups; ++g) {
      __m512i wv[OB];
#pragma GCC unroll 2
      for (int k = 0; k < OB; ++k) {
        wv[k] =
            _mm512_loadu_si512(w + k * t->w_out_block_step + g * kGroup * kCb);
      }
#pragma GCC unroll 16
      for (int j = 0; j < W; ++j) {
        const __m512i u =
            _mm512_xor_si512(broadcast4(in + j * step + g * kGroup), flip);
#pragma GCC unroll 2
        for (int k = 0; k < OB; ++k) {
          acc[k][j] = _mm512_dpbusd_epi32(acc[k][j], u, wv[k]);
        }
      }
    }
  }
}

// A one-pixel tile (a Dense layer's only pixel, a border column's last
// one): one accumulator per output block would be a chain of dependent
// vpdpbusd, so a full block's four groups go to four, added at the end.
template <int OB>
void accumulate_one_pixel(const small_window_tile_i8 *t,
                          __m512i (&acc)[OB][1]) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  __m512i part[kGroup][OB];
#pragma GCC unroll 4
  for (size_t g = 0; g < kGroup; ++g) {
#pragma GCC unroll 2
    for (int k = 0; k < OB; ++k) {
      part[g][k] = _mm512_setzero_si512();
    }
  }
  // The groups of one (input block, tap) at in and w; inline at both uses,
  // or the partial sums would live in memory.
  const auto block_tap = [&](const int8_t *in, const int8_t *w, size_t groups)
      __attribute__((always_inline)) {
    const auto dot = [&](size_t g, size_t into) {
      const __m512i u = _mm512_xor_si512(broadcast4(in + g * kGroup), flip);
#pragma GCC unroll 2
      for (int k = 0; k < OB; ++k) {
        const __m512i wv =
            _mm512_loadu_si512(w + k * t->w_out_block_step + g * kGroup * kCb);
        part[into][k] = _mm512_dpbusd_epi32(part[into][k], u, wv);
      }
    };
    if (groups == kGroup) {
      dot(0, 0);
      dot(1, 1);
      dot(2, 2);
      dot(3, 3);
    } else {
      for (size_t g = 0; g < groups; ++g) {
        dot(g, 0);
      }
    }
  };
  size_t b = 0;
  if (t->taps_h == 1 && t->taps_w == 1 && t->in_lanes == kCb) {
    // A Dense layer or a 1x1 convolution: every block in a flat loop (the
    // last block's lanes past in_last_channels have zero weights).
    const int8_t *in = t->in;
    const int8_t *w = t->weights;
    for (; b < t->in_blocks;
         ++b, in += t->in_block_step, w += t->w_block_step) {
      block_tap(in, w, kGroup);
    }
  }
  for (; b < t->in_blocks; ++b) {
    const size_t lanes =
        b + 1 == t->in_blocks ? t->in_last_channels : t->in_lanes;
    const size_t groups = (lanes + kGroup - 1) / kGroup;
    for (size_t r = 0; r < t->taps_h; ++r) {
      for (size_t s = 0; s < t->taps_w; ++s) {
        block_tap(t->in + b * t->in_block_step + r * t->in_tap_h_step +
                      s * t->in_tap_w_step,
                  t->weights + b * t->w_block_step + r * t->w_tap_h_step +
                      s * t->w_tap_w_step,
                  groups);
      }
    }
  }
#pragma GCC unroll 2
  for (int k = 0; k < OB; ++k) {
    acc[k][0] = _mm512_add_epi32(_mm512_add_epi32(part[0][k], part[1][k]),
                                 _mm512_add_epi32(part[2][k], part[3][k]));
  }
}

template <int W, int OB, size_t STEP>
void conv_i8_vnni_tile(const small_window_tile_i8 *t) {
  const size_t step = STEP != 0 ? STEP : t->in_pixel_step;
  __m512i acc[OB][W];
#pragma GCC unroll 2
  for (int k = 0; k < OB; ++k) {
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      acc[k][j] = _mm512_setzero_si512();
    }
  }
  if constexpr (W == 1) {
    accumulate_one_pixel<OB>(t, acc);
  } else {
    for (size_t b = 0; b < t->in_blocks; ++b) {
      const size_t lanes =
          b + 1 == t->in_blocks ? t->in_last_channels : t->in_lanes;
      const size_t groups = (lanes + kGroup - 1) / kGroup;
      for (size_t r = 0; r < t->taps_h; ++r) {
        const int8_t *in = t->in + b * t->in_block_step + r * t->in_tap_h_step;
        const int8_t *w =
            t->weights + b * t->w_block_step + r * t->w_tap_h_step;
        accumulate_row<W, OB>(acc, in, step, w, t->taps_w, groups, t);
      }
    }
  }
  __m512i sums[OB];
  x86::tap_weight_sums<VecI8Vnni, OB>(t, sums);
  const __m512i offset = _mm512_set1_epi32(-(128 + t->in_zero_point));
  __m512i correction[OB];
#pragma GCC unroll 2
  for (int k = 0; k < OB; ++k) {
    correction[k] = _mm512_mullo_epi32(sums[k], offset);
  }
  x86::conv_i8_store<VecI8Vnni, W, OB>(t, acc, correction);
}

// Taps s and s + 1 of a row for every output lane, interleaved as int16
// pairs (w[s], w[s + 1]); w[s + 1] is zero past the row's last tap.
inline __m512i weight_pair(const int8_t *w, bool second) {
  const __m512i first = _mm512_castsi256_si512(_mm256_cvtepi8_epi16(
      _mm_loadu_si128(reinterpret_cast<const __m128i *>(w))));
  const __m512i next =
      second ? _mm512_castsi256_si512(_mm256_cvtepi8_epi16(
                   _mm_loadu_si128(reinterpret_cast<const __m128i *>(w + kCb))))
             : _mm512_setzero_si512();
  // Lane o: element o of `first`, then element o of `next` (index 32 + o).
  const __m512i interleave = _mm512_set_epi16(
      47, 15, 46, 14, 45, 13, 44, 12, 43, 11, 42, 10, 41, 9, 40, 8, 39, 7, 38,
      6, 37, 5, 36, 4, 35, 3, 34, 2, 33, 1, 32, 0);
  return _mm512_permutex2var_epi16(first, interleave, next);
}

// Taps s and s + 1 of a window row for the W pixels of the paired planar
// tiles: w at tap s's weights, at(j) at pixel j's int16 pair (x[s], x[s +
// 1]), one 32-bit broadcast for vpdpwssd.
template <int W, int OB, class PairAt>
inline void accumulate_tap_pair(__m512i (&acc)[OB][W],
                                const small_window_tile_i8 *t, const int8_t *w,
                                bool second, PairAt at) {
  __m512i wv[OB];
#pragma GCC unroll 2
  for (int k = 0; k < OB; ++k) {
    wv[k] = weight_pair(w + k * t->w_out_block_step, second);
  }
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
    int32_t pair;
    std::memcpy(&pair, at(j), sizeof pair);
    const __m512i xp = _mm512_set1_epi32(pair);
#pragma GCC unroll 2
    for (int k = 0; k < OB; ++k) {
      acc[k][j] = _mm512_dpwssd_epi32(acc[k][j], xp, wv[k]);
    }
  }
}

// The largest input row segment (int16 values) the paired tile converts:
// 12 pixels at stride 2 with up to 41 taps.
constexpr size_t kMaxSegment = 64;

// The paired planar tile for a pixel step of 1 or 2 (stride 1 or 2 along a
// row), adjacent taps, and an input segment within kMaxSegment.
template <int W, int OB, size_t STEP>
void conv_i8_planar_pairs(const small_window_tile_i8 *t, size_t segment) {
  static_assert(STEP == 1 || STEP == 2, "a row segment of at most 64 values");
  const __m512i zp = _mm512_set1_epi16(static_cast<int16_t>(t->in_zero_point));
  __m512i acc[OB][W];
#pragma GCC unroll 2
  for (int k = 0; k < OB; ++k) {
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      acc[k][j] = _mm512_setzero_si512();
    }
  }
  // x - zp for the segment, and one zero past it (the partner of a last
  // unpaired tap, whose weight is zero).
  alignas(64) int16_t x[kMaxSegment + 32];
  for (size_t b = 0; b < t->in_blocks; ++b) {
    for (size_t r = 0; r < t->taps_h; ++r) {
      const int8_t *in = t->in + b * t->in_block_step + r * t->in_tap_h_step;
      const int8_t *w = t->weights + b * t->w_block_step + r * t->w_tap_h_step;
      // Masked loads: never a byte past the segment (it may end the input).
      for (size_t i = 0; i <= segment; i += 32) {
        const size_t n = segment > i ? std::min<size_t>(32, segment - i) : 0;
        const __mmask32 m = n == 32 ? ~__mmask32{0} : (__mmask32{1} << n) - 1;
        const __m512i v =
            _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(m, in + i));
        _mm512_store_si512(x + i, _mm512_maskz_sub_epi16(m, v, zp));
      }
      for (size_t s = 0; s < t->taps_w; s += 2) {
        const bool second = s + 1 < t->taps_w;
        accumulate_tap_pair<W, OB>(acc, t, w + s * kCb, second,
                                   [&](int j) { return x + j * STEP + s; });
      }
    }
  }
  const __m512i none[OB] = {};
  x86::conv_i8_store<VecI8Vnni, W, OB>(t, acc, none);
}

// Row length (int16 values, pairs' partners included) and rows of the input
// window the column tile converts.
constexpr size_t kColumnRow = 16;
constexpr size_t kMaxColumnLines = 64;

// The paired planar tile down a column: pixels S input rows apart (a
// column tile, in_pixel_step = S * in_tap_h_step, DS-CNN's first layer),
// adjacent taps along the row. The (W - 1) S + taps_h input rows under the
// tile's windows go to int16 (x - zp) once per block, each padded with
// zeros to kColumnRow; then one 32-bit broadcast is the pair (x[s], x[s +
// 1]) of a pixel's window row, and vpdpwssd multiplies it with the
// interleaved weights, as in the row tile. Where the one-tap tile converts
// and broadcasts each (pixel, tap) value, this converts each input value
// once and broadcasts half as often.
template <int W, int OB, int S>
void conv_i8_planar_column_pairs(const small_window_tile_i8 *t) {
  const __m256i zp = _mm256_set1_epi16(static_cast<int16_t>(t->in_zero_point));
  const size_t lines = (W - 1) * S + t->taps_h;
  const __mmask16 row = static_cast<__mmask16>((1u << t->taps_w) - 1);
  __m512i acc[OB][W];
#pragma GCC unroll 2
  for (int k = 0; k < OB; ++k) {
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      acc[k][j] = _mm512_setzero_si512();
    }
  }
  alignas(64) int16_t x[kMaxColumnLines][kColumnRow];
  for (size_t b = 0; b < t->in_blocks; ++b) {
    const int8_t *in = t->in + b * t->in_block_step;
    // Masked loads: never a byte past the window's row (it may end the
    // input); the lanes past it are zero.
    for (size_t i = 0; i < lines; ++i) {
      const __m256i v = _mm256_cvtepi8_epi16(
          _mm_maskz_loadu_epi8(row, in + i * t->in_tap_h_step));
      _mm256_store_si256(reinterpret_cast<__m256i *>(x[i]),
                         _mm256_maskz_sub_epi16(row, v, zp));
    }
    for (size_t r = 0; r < t->taps_h; ++r) {
      const int8_t *w = t->weights + b * t->w_block_step + r * t->w_tap_h_step;
      for (size_t s = 0; s < t->taps_w; s += 2) {
        const bool second = s + 1 < t->taps_w;
        accumulate_tap_pair<W, OB>(acc, t, w + s * kCb, second,
                                   [&](int j) { return &x[j * S + r][s]; });
      }
    }
  }
  const __m512i none[OB] = {};
  x86::conv_i8_store<VecI8Vnni, W, OB>(t, acc, none);
}

// Planar input: the paired tile where it applies, else one tap at a time.
template <int W, int OB, size_t STEP>
void conv_i8_planar_vnni_tile(const small_window_tile_i8 *t) {
  if constexpr (STEP == 1 || STEP == 2) {
    const size_t segment =
        STEP * (W - 1) + (t->taps_w == 0 ? 0 : t->taps_w - 1) + 1;
    if (t->in_tap_w_step == 1 && segment + 1 <= kMaxSegment) {
      conv_i8_planar_pairs<W, OB, STEP>(t, segment);
      return;
    }
  }
  if constexpr (STEP == 0) {
    const size_t h = t->in_tap_h_step;
    const bool column =
        h != 0 && (t->in_pixel_step == h || t->in_pixel_step == 2 * h);
    const size_t s = column ? t->in_pixel_step / h : 0;
    if (t->in_tap_w_step == 1 && column && t->taps_w < kColumnRow &&
        (W - 1) * s + t->taps_h <= kMaxColumnLines) {
      if (s == 1) {
        conv_i8_planar_column_pairs<W, OB, 1>(t);
      } else {
        conv_i8_planar_column_pairs<W, OB, 2>(t);
      }
      return;
    }
  }
  x86::conv_i8_planar_tile<VecI8Vnni, W, OB, STEP>(t);
}

// A first layer on a narrow input (one block of 4 lanes: RGB as the VNNI
// table stores it) with at most 8 output channels (MobileNet's first
// layer), full 3-tap rows: int32 lane 2 o + q sums output o over taps q and
// 2 + q of each window row, so all 16 lanes work where whole-block pixels
// compute 8 dead ones. Taps 0 and 1 are 8 contiguous input bytes, one
// 64-bit broadcast against the weights interleaved as (w[0][o], w[1][o]);
// tap 2 is a 32-bit broadcast against (w[2][o], 0). A row is 2 vpdpbusd
// per pixel instead of 3. Then the two lanes of each output are added and
// two pixels go to one vector (half_pairs_i8.h) for one requantization.
template <int W, size_t STEP>
void conv_i8_narrow_tap_pairs(const small_window_tile_i8 *t) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  // Lane 2 o from lane o of the first source, 2 o + 1 from the second.
  const __m512i interleave =
      _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
  __m512i acc[W];
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
    acc[j] = _mm512_setzero_si512();
  }
  for (size_t b = 0; b < t->in_blocks; ++b) {
    for (size_t r = 0; r < t->taps_h; ++r) {
      const int8_t *w = t->weights + b * t->w_block_step + r * t->w_tap_h_step;
      const __m512i w01 =
          _mm512_permutex2var_epi32(_mm512_loadu_si512(w), interleave,
                                    _mm512_loadu_si512(w + t->w_tap_w_step));
      const __m512i w2 =
          _mm512_permutex2var_epi32(_mm512_loadu_si512(w + 2 * t->w_tap_w_step),
                                    interleave, _mm512_setzero_si512());
      const int8_t *in = t->in + b * t->in_block_step + r * t->in_tap_h_step;
#pragma GCC unroll 16
      for (int j = 0; j < W; ++j) {
        const int8_t *x = in + j * STEP;
        int64_t taps01;
        std::memcpy(&taps01, x, sizeof taps01);
        acc[j] = _mm512_dpbusd_epi32(
            acc[j], _mm512_xor_si512(_mm512_set1_epi64(taps01), flip), w01);
        acc[j] = _mm512_dpbusd_epi32(
            acc[j], _mm512_xor_si512(broadcast4(x + 2 * kGroup), flip), w2);
      }
    }
  }
  __m512i sums[1];
  x86::tap_weight_sums<VecI8Vnni, 1>(t, sums);
  const __m512i bias = twice_low_half(_mm512_sub_epi32(
      _mm512_loadu_si512(t->bias),
      _mm512_mullo_epi32(sums[0], _mm512_set1_epi32(128 + t->in_zero_point))));
  // Output o of pixels j and j + 1: lanes 2 o and 2 o + 1 of each.
  const __m512i even = _mm512_set_epi32(30, 28, 26, 24, 22, 20, 18, 16, 14, 12,
                                        10, 8, 6, 4, 2, 0);
  const __m512i odd = _mm512_set_epi32(31, 29, 27, 25, 23, 21, 19, 17, 15, 13,
                                       11, 9, 7, 5, 3, 1);
  const HalfPairStore<VecI8Vnni> epilogue(t);
  epilogue.with_mode([&](auto mode, auto clamp) {
#pragma GCC unroll 8
    for (int j = 0; j < W; j += 2) {
      const __m512i second =
          j + 1 < W ? acc[std::min(j + 1, W - 1)] : _mm512_setzero_si512();
      const __m512i pair = _mm512_add_epi32(
          _mm512_add_epi32(_mm512_permutex2var_epi32(acc[j], even, second),
                           _mm512_permutex2var_epi32(acc[j], odd, second)),
          bias);
      epilogue.template store<decltype(mode)::value, decltype(clamp)::value>(
          t, pair, j, W);
    }
  });
}

template <int... Ws>
small_window_i8_fn narrow_tap_pairs(const small_window_shape &s,
                                    std::integer_sequence<int, Ws...>) {
  static constexpr small_window_i8_fn step4[] = {
      conv_i8_narrow_tap_pairs<Ws + 1, kGroup>...};
  static constexpr small_window_i8_fn step8[] = {
      conv_i8_narrow_tap_pairs<Ws + 1, 2 * kGroup>...};
  const size_t w = std::min(s.width, sizeof...(Ws)) - 1;
  return s.in_pixel_step == kGroup ? step4[w] : step8[w];
}

struct VnniTiles {
  template <int W, int OB, size_t STEP>
  static void blocked(const small_window_tile_i8 *t) {
    conv_i8_vnni_tile<W, OB, STEP>(t);
  }
  template <int W, int OB, size_t STEP>
  static void planar(const small_window_tile_i8 *t) {
    conv_i8_planar_vnni_tile<W, OB, STEP>(t);
  }
};

} // namespace

small_window_i8_fn
select_conv_i8_12x32__avx512vnni(const small_window_shape *s) {
  if (s->in_lanes == kGroup && s->in_tap_w_step == kGroup &&
      s->out_lanes <= kCb / 2 && s->out_blocks == 1 && s->taps_w == 3 &&
      (s->in_pixel_step == kGroup || s->in_pixel_step == 2 * kGroup)) {
    return narrow_tap_pairs(*s, std::make_integer_sequence<int, 12>{});
  }
  return x86::conv_i8_select<VnniTiles, kCb, 12, 2>(s);
}

small_window_i8_fn
select_depthwise_i8_16x16__avx512vnni(const small_window_shape *s) {
  return x86::depthwise_i8_select<VecI8Vnni, 8>(s);
}

} // namespace small::avx512

#if defined(__clang__)
#pragma clang attribute pop
#endif
