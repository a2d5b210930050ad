// AVX-512 int8 depthwise tile on byte dot products: one vpdpbusd per filter
// row of up to 4 taps, where the 16-bit tile (x86/depthwise_i8_tile.h)
// widens and multiplies one tap at a time.
//
// A block's pixel is Cb = 16 channel bytes and a window row's taps are
// consecutive pixels, so one 64-byte (masked) load holds a row of up to 4
// taps, tap-major. One vpermb (VBMI) turns it channel-major: int32 lane c
// holds channel c of the 4 taps, the layout vpdpbusd sums. The weights row
// goes through the same permute (taps past the row are loaded as zero, so
// whatever input byte meets them adds nothing). vpdpbusd multiplies unsigned
// by signed bytes: the input is read as u = x ^ 0x80 = x + 128 and the bias
// takes (zp + 128) * (the sum of the tile's weights) instead of zp * sum, so
// each output is bit for bit the scalar kernel's int32 sum, requantized by
// the shared epilogue.
//
// Per output pixel and 3-tap row: a load, a flip, a permute and a dot
// product, where the 16-bit tile takes three widening loads and three
// multiply-adds. At stride 1 two neighbouring output pixels share one load
// (their rows span 4 consecutive input pixels): two permutes of one vector;
// a column of 3-row windows reads each input row once. Register tiles of
// 12 pixels sharing weights, 4 with their own (across blocks): MobileNet's
// 24- and 12-pixel rows in whole tiles, and no spills across blocks.
//
// VNNI and VBMI for this file only (active_table.cpp installs it on CPUs
// that report both); its templates are instantiated with VecI8Vbmi, a type
// of this file only (see conv-i8-12x32-vnni.cpp).
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512vnni,avx512vbmi"))), \
                             apply_to = function)
#elif defined(__GNUC__)
#pragma GCC target("avx512vnni,avx512vbmi")
#endif

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <utility>

#include "half_pairs_i8.h"
#include "kernels.h"
#include "vec_i8.h"
#include "x86/depthwise_i8_tile.h"

namespace small::avx512 {

namespace {

constexpr size_t kCb = 16;
constexpr size_t kMaxTaps = 4; // bytes per int32 lane
constexpr int32_t kInputOffset = 128;

struct VecI8Vbmi : VecI8 {};
using V = VecI8Vbmi;

// vpermb indices: byte 4 c + s of the result is byte 16 (first + s) + c of
// the source, channel c of tap first + s (modulo the 64 source bytes: a tap
// past the loaded ones meets a zero weight).
struct TapIndex {
  alignas(64) uint8_t bytes[64];
};
constexpr TapIndex tap_index(int first) {
  TapIndex index{};
  for (int c = 0; c < 16; ++c) {
    for (int s = 0; s < 4; ++s) {
      index.bytes[4 * c + s] =
          static_cast<uint8_t>((16 * (first + s) + c) % 64);
    }
  }
  return index;
}
constexpr TapIndex kFromTap0 = tap_index(0);
constexpr TapIndex kFromTap1 = tap_index(1);

// For two output pixels of a half block (at most 8 channels: MobileNet's
// 8-channel layer in 16-lane blocks): byte 4 (8 p + c) + s of the result is
// channel c of tap s of pixel p, byte 16 (p + s) + c of the 4 input pixels
// their 3-tap rows span, so int32 lane 8 p + c is (pixel p, channel c) and
// one vpdpbusd serves both pixels. Byte s = 3 reads any byte (its weight is
// zero).
constexpr TapIndex pair_index() {
  TapIndex index{};
  for (int p = 0; p < 2; ++p) {
    for (int c = 0; c < 8; ++c) {
      for (int s = 0; s < 4; ++s) {
        index.bytes[4 * (8 * p + c) + s] =
            static_cast<uint8_t>((16 * (p + s) + c) % 64);
      }
    }
  }
  return index;
}
constexpr TapIndex kPairIndex = pair_index();
// The same for a weights row (3 taps of 16 bytes): byte 4 (8 p + c) + s is
// w[s][c] for both p, and the vpermb zeroes byte s = 3 (kWeightBytes).
constexpr TapIndex pair_weight_index() {
  TapIndex index{};
  for (int l = 0; l < 64; ++l) {
    const int c = (l / 4) % 8, s = l % 4;
    index.bytes[l] = static_cast<uint8_t>(s < 3 ? 16 * s + c : 0);
  }
  return index;
}
constexpr TapIndex kPairWeightIndex = pair_weight_index();
constexpr __mmask64 kWeightBytes = 0x7777777777777777ull;

// Reads window rows of taps_w taps as channel-major 4-tap groups.
struct RowReader {
  __m512i from0, from1, flip, ones;
  __mmask64 row, pair;
  explicit RowReader(size_t taps_w)
      : from0(_mm512_load_si512(kFromTap0.bytes)),
        from1(_mm512_load_si512(kFromTap1.bytes)),
        flip(_mm512_set1_epi8(static_cast<char>(0x80))),
        ones(_mm512_set1_epi8(1)), row(first_bytes(taps_w * kCb)),
        pair(first_bytes((taps_w + 1) * kCb)) {}

  __m512i weights(const int8_t *w) const {
    return _mm512_permutexvar_epi8(from0, _mm512_maskz_loadu_epi8(row, w));
  }
  __m512i input(const int8_t *x) const {
    return _mm512_permutexvar_epi8(
        from0, _mm512_xor_si512(_mm512_maskz_loadu_epi8(row, x), flip));
  }
  // The rows of output pixels at x and x + 1 pixel (stride 1).
  void input_pair(const int8_t *x, __m512i &first, __m512i &second) const {
    const __m512i u = _mm512_xor_si512(_mm512_maskz_loadu_epi8(pair, x), flip);
    first = _mm512_permutexvar_epi8(from0, u);
    second = _mm512_permutexvar_epi8(from1, u);
  }
  __m512i weight_sum(__m512i sum, __m512i w) const {
    return _mm512_dpbusd_epi32(sum, ones, w);
  }
};

inline __m512i dot(__m512i acc, __m512i u, __m512i w) {
  return _mm512_dpbusd_epi32(acc, u, w);
}

// The window's rows: TAPS_H when it is fixed at compile time (the loops
// then unroll and the accumulators stay in place), else the tile's.
template <int TAPS_H> inline size_t rows_of(const small_window_tile_i8 *t) {
  return TAPS_H > 0 ? size_t{TAPS_H} : t->taps_h;
}

// Pixels [j0, j0 + N) sharing the weights; PAIR: stride 1, pixels in pairs.
template <int N, bool PAIR, int TAPS_H>
inline void shared_pixels(const small_window_tile_i8 *t, size_t j0,
                          const RowReader &rows,
                          const x86::DepthwiseChannels<V> &ch,
                          const x86::RequantConsts<V> &c) {
  __m512i acc[N];
#pragma GCC unroll 16
  for (int n = 0; n < N; ++n) {
    acc[n] = _mm512_setzero_si512();
  }
  const size_t step = t->in_pixel_step;
  for (size_t r = 0; r < rows_of<TAPS_H>(t); ++r) {
    const __m512i w = rows.weights(t->weights + r * t->w_tap_h_step);
    const int8_t *x = t->in + j0 * step + r * t->in_tap_h_step;
    if constexpr (PAIR) {
#pragma GCC unroll 8
      for (int n = 0; n + 1 < N; n += 2) {
        __m512i first, second;
        rows.input_pair(x + n * step, first, second);
        acc[n] = dot(acc[n], first, w);
        acc[n + 1] = dot(acc[n + 1], second, w);
      }
      if constexpr (N % 2 == 1) {
        acc[N - 1] = dot(acc[N - 1], rows.input(x + (N - 1) * step), w);
      }
    } else {
#pragma GCC unroll 16
      for (int n = 0; n < N; ++n) {
        acc[n] = dot(acc[n], rows.input(x + n * step), w);
      }
    }
  }
  x86::depthwise_i8_store<V, N>(t, j0, acc, ch, c);
}

// Pixels [j0, j0 + N) sharing the weights, down a column of a 3-row
// window sliding S input rows per output pixel (in_pixel_step = S *
// in_tap_h_step): each input row's groups are read once and feed every
// output pixel whose window covers that row, (N - 1) S + 3 reads instead of
// 3 N.
template <int N, int S>
inline void column_pixels(const small_window_tile_i8 *t, size_t j0,
                          const RowReader &rows,
                          const x86::DepthwiseChannels<V> &ch,
                          const x86::RequantConsts<V> &c) {
  constexpr int kLines = (N - 1) * S + 3;
  __m512i w[3], acc[N];
#pragma GCC unroll 3
  for (int r = 0; r < 3; ++r) {
    w[r] = rows.weights(t->weights + r * t->w_tap_h_step);
  }
#pragma GCC unroll 16
  for (int n = 0; n < N; ++n) {
    acc[n] = _mm512_setzero_si512();
  }
  const int8_t *x = t->in + j0 * t->in_pixel_step;
#pragma GCC unroll 32
  for (int p = 0; p < kLines; ++p) {
    const __m512i line = rows.input(x + p * t->in_tap_h_step);
#pragma GCC unroll 3
    for (int r = 0; r < 3; ++r) {
      const int d = p - r; // = n * S for the output pixel n that uses it
      if (d >= 0 && d % S == 0 && d / S < N) {
        acc[d / S] = dot(acc[d / S], line, w[r]);
      }
    }
  }
  x86::depthwise_i8_store<V, N>(t, j0, acc, ch, c);
}

// Pixels [j0, j0 + N) with their own weights and channels (a tile across
// channel blocks): each pixel's weight sum in the same pass.
template <int N, int TAPS_H>
inline void own_pixels(const small_window_tile_i8 *t, size_t j0,
                       const RowReader &rows, const x86::RequantConsts<V> &c) {
  __m512i acc[N], weight_sum[N];
#pragma GCC unroll 16
  for (int n = 0; n < N; ++n) {
    acc[n] = weight_sum[n] = _mm512_setzero_si512();
  }
  for (size_t r = 0; r < rows_of<TAPS_H>(t); ++r) {
    const int8_t *w = t->weights + j0 * t->w_pixel_step + r * t->w_tap_h_step;
    const int8_t *x = t->in + j0 * t->in_pixel_step + r * t->in_tap_h_step;
#pragma GCC unroll 16
    for (int n = 0; n < N; ++n) {
      const __m512i wv = rows.weights(w + n * t->w_pixel_step);
      weight_sum[n] = rows.weight_sum(weight_sum[n], wv);
      acc[n] = dot(acc[n], rows.input(x + n * t->in_pixel_step), wv);
    }
  }
  x86::depthwise_i8_store_own<V, N>(t, j0, acc, weight_sum, c, kInputOffset);
}

// A tile whose output block holds at most 8 channels, full 3-tap rows at
// stride 1 (in_pixel_step = in_tap_w_step = Cb), its pixels in pairs
// (half_pairs_i8.h): a pair costs one load, flip, permute (kPairIndex) and
// vpdpbusd per row and one requantization. A last odd pixel loads its 3
// input pixels only. P pairs at a time.
template <int P> struct HalfPairs {
  static_assert(P >= 1 && P <= 4, "accumulators");

  static void run(const small_window_tile_i8 *t) {
    const __m512i index = _mm512_load_si512(kPairIndex.bytes);
    const __m512i w_index = _mm512_load_si512(kPairWeightIndex.bytes);
    const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
    const size_t rows = t->taps_h;
    __m512i w[3], weight_sum = _mm512_setzero_si512();
    for (size_t r = 0; r < rows; ++r) {
      w[r] = _mm512_maskz_permutexvar_epi8(
          kWeightBytes, w_index,
          _mm512_maskz_loadu_epi8(first_bytes(3 * kCb),
                                  t->weights + r * t->w_tap_h_step));
      weight_sum = _mm512_dpbusd_epi32(weight_sum, _mm512_set1_epi8(1), w[r]);
    }
    const __m512i bias =
        V::sub(twice_low_half(V::load(t->bias)),
               V::mullo(weight_sum, V::set1(t->in_zero_point + kInputOffset)));
    const HalfPairStore<V> epilogue(t);
    const size_t width = t->width;
    const auto pairs = [&](size_t j0, auto n, auto mode, auto clamp) {
      constexpr int kN = decltype(n)::value;
      __m512i acc[kN];
#pragma GCC unroll 4
      for (int i = 0; i < kN; ++i) {
        acc[i] = bias;
      }
      for (size_t r = 0; r < rows; ++r) {
        const int8_t *x = t->in + j0 * kCb + r * t->in_tap_h_step;
#pragma GCC unroll 4
        for (int i = 0; i < kN; ++i) {
          // A last single pixel (j0 + 2 i + 1 == width) loads its 3.
          const bool whole = j0 + 2 * i + 2 <= width;
          const __m512i u = _mm512_xor_si512(
              _mm512_maskz_loadu_epi8(first_bytes((whole ? 4 : 3) * kCb),
                                      x + 2 * i * kCb),
              flip);
          acc[i] = _mm512_dpbusd_epi32(acc[i],
                                       _mm512_permutexvar_epi8(index, u), w[r]);
        }
      }
#pragma GCC unroll 4
      for (int i = 0; i < kN; ++i) {
        epilogue.template store<decltype(mode)::value, decltype(clamp)::value>(
            t, acc[i], j0 + 2 * i, width);
      }
    };
    epilogue.with_mode([&](auto mode, auto clamp) {
      size_t j = 0;
      for (; j + 2 * P <= width; j += 2 * P) {
        pairs(j, std::integral_constant<int, P>{}, mode, clamp);
      }
      for (; j < width; j += 2) {
        pairs(j, std::integral_constant<int, 1>{}, mode, clamp);
      }
    });
  }
};

enum class Kind {
  kOwnWeights,  // across channel blocks: each pixel has its weights
  kShared,      // one block, pixels anywhere
  kSharedPairs, // ... along a row at stride 1
  kColumnS1,    // ... down a column of 3-row windows at stride 1
  kColumnS2     // ... at stride 2
};

// Register tiles of N pixels, then the last REST = width % N pixels as one.
template <Kind K, int TAPS_H, int N, int REST>
void depthwise_run(const small_window_tile_i8 *t) {
  const x86::RequantConsts<V> c(t);
  const RowReader rows(t->taps_w);
  const size_t width = t->width;
  size_t j = 0;
  if constexpr (K == Kind::kOwnWeights) {
    for (; j + N <= width; j += N) {
      own_pixels<N, TAPS_H>(t, j, rows, c);
    }
    if constexpr (REST > 0) {
      own_pixels<REST, TAPS_H>(t, j, rows, c);
    }
  } else {
    constexpr bool kPairs = K == Kind::kSharedPairs;
    __m512i weight_sum = _mm512_setzero_si512();
    for (size_t r = 0; r < rows_of<TAPS_H>(t); ++r) {
      weight_sum = rows.weight_sum(
          weight_sum, rows.weights(t->weights + r * t->w_tap_h_step));
    }
    const x86::DepthwiseChannels<V> ch(t, weight_sum, 0, kInputOffset);
    const auto pixels = [&](size_t j0, auto n) {
      constexpr int kN = decltype(n)::value;
      if constexpr (K == Kind::kColumnS1 || K == Kind::kColumnS2) {
        column_pixels<kN, K == Kind::kColumnS1 ? 1 : 2>(t, j0, rows, ch, c);
      } else {
        shared_pixels<kN, kPairs, TAPS_H>(t, j0, rows, ch, c);
      }
    };
    for (; j + N <= width; j += N) {
      pixels(j, std::integral_constant<int, N>{});
    }
    if constexpr (REST > 0) {
      pixels(j, std::integral_constant<int, REST>{});
    }
  }
}

template <Kind K, int TAPS_H, int N, int... Rs>
small_window_i8_fn by_rest(size_t width, std::integer_sequence<int, Rs...>) {
  static constexpr small_window_i8_fn table[] = {
      depthwise_run<K, TAPS_H, N, Rs>...};
  return table[width % N];
}

// 3-row windows (MobileNet's and DS-CNN's, away from the top and bottom
// borders) with the rows unrolled; any other height at run time.
template <Kind K, int N>
small_window_i8_fn by_shape(const small_window_shape *s) {
  if (s->taps_h == 3) {
    return by_rest<K, 3, N>(s->width, std::make_integer_sequence<int, N>{});
  }
  return by_rest<K, 0, N>(s->width, std::make_integer_sequence<int, N>{});
}

constexpr int kSharedPixels = 12;
constexpr int kOwnPixels = 4;

} // namespace

// Windows of at most 4 taps per row over whole 16-lane pixels; others (wider
// or dilated windows) take the 16-bit VNNI tile.
small_window_i8_fn
select_depthwise_i8_16x16__avx512vbmi(const small_window_shape *s) {
  if (s->cb != kCb || s->in_tap_w_step != kCb || s->taps_w > kMaxTaps) {
    return select_depthwise_i8_16x16__avx512vnni(s);
  }
  if (s->w_pixel_step != 0 || s->bias_pixel_step != 0) {
    return by_shape<Kind::kOwnWeights, kOwnPixels>(s);
  }
  constexpr auto kColumnRests =
      std::make_integer_sequence<int, kSharedPixels>{};
  if (s->taps_h == 3 && s->in_pixel_step == s->in_tap_h_step) {
    return by_rest<Kind::kColumnS1, 3, kSharedPixels>(s->width, kColumnRests);
  }
  if (s->taps_h == 3 && s->in_pixel_step == 2 * s->in_tap_h_step) {
    return by_rest<Kind::kColumnS2, 3, kSharedPixels>(s->width, kColumnRests);
  }
  // Half a block of channels, full 3-tap rows at stride 1: pixel pairs.
  if (s->out_lanes <= kCb / 2 && s->in_pixel_step == kCb && s->taps_w == 3 &&
      s->taps_h <= 3) {
    return HalfPairs<4>::run;
  }
  // A pair's load spans taps_w + 1 pixels: within 64 bytes.
  if (s->in_pixel_step == kCb && s->taps_w < kMaxTaps) {
    return by_shape<Kind::kSharedPairs, kSharedPixels>(s);
  }
  return by_shape<Kind::kShared, kSharedPixels>(s);
}

} // namespace small::avx512

#if defined(__clang__)
#pragma clang attribute pop
#endif
