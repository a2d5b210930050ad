// AVX-512 VNNI int8 convolution tile: up to 12 output pixels x 32 output
// channels (two blocks of Cb = 16, one int32 zmm accumulator each), the
// register tile of the float one (conv-f32-12x32.cpp): 24 accumulators + 2
// weight vectors + the broadcast input + the sign-flip constant.
//
// vpdpbusd multiplies unsigned by signed bytes, 4 consecutive input lanes
// into one int32 lane, so the weights are packed in groups of 4 input lanes
// per output lane (conv_i8_k_group 4) and the signed input x is read as the
// unsigned u = x ^ 0x80 = x + 128. Then
//     sum (x - zp) w = sum u w - (128 + zp) sum w
// where sum w runs over exactly the weights the tile multiplied (its taps,
// clipped at the borders, and its input blocks). That weight sum is taken in
// a second pass over the same weight vectors, one vpdpbusd with all-ones per
// vector: 1 / width of the tile's dot products, no extra registers in the
// main loop, and no per-grid table that would have to follow every clipped
// window. int32 arithmetic wraps exactly like the scalar sum, so the result
// is bit for bit the scalar kernel's.
//
// Compiled for avx512vnni by a target attribute only: the folder's flags
// stay those of AVX-512 F/BW/DQ/VL, and active_table.cpp installs these
// tiles only on CPUs that report VNNI.
#include <immintrin.h>

#include <cstring>

#include "kernels.h"
#include "vec_i8.h"
#include "x86/conv_i8_madd_tile.h"
#include "x86/conv_i8_select.h"

#define SMALL_VNNI __attribute__((target("avx512vnni")))

namespace small::avx512 {

namespace {

constexpr size_t kCb = 16;
constexpr size_t kGroup = 4;

// The 4 input lanes at p, every int32 lane.
SMALL_VNNI inline __m512i broadcast4(const int8_t *p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return _mm512_set1_epi32(v);
}

template <int W, int OB, size_t STEP>
SMALL_VNNI void conv_i8_vnni_tile(const small_window_tile_i8 *t) {
  const size_t step = STEP != 0 ? STEP : t->in_pixel_step;
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  __m512i acc[OB][W];
#pragma GCC unroll 2
  for (int k = 0; k < OB; ++k) {
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      acc[k][j] = _mm512_setzero_si512();
    }
  }
  for (size_t b = 0; b < t->in_blocks; ++b) {
    const size_t lanes =
        b + 1 == t->in_blocks ? t->in_last_channels : t->in_lanes;
    const size_t groups = (lanes + kGroup - 1) / kGroup;
    for (size_t r = 0; r < t->taps_h; ++r) {
      for (size_t s = 0; s < t->taps_w; ++s) {
        const int8_t *in = t->in + b * t->in_block_step + r * t->in_tap_h_step +
                           s * t->in_tap_w_step;
        const int8_t *w = t->weights + b * t->w_block_step +
                          r * t->w_tap_h_step + s * t->w_tap_w_step;
        for (size_t g = 0; g < groups; ++g) {
          __m512i wv[OB];
#pragma GCC unroll 2
          for (int k = 0; k < OB; ++k) {
            wv[k] = _mm512_loadu_si512(w + k * t->w_out_block_step +
                                       g * kGroup * kCb);
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
  }
  // The correction -(128 + zp) * (sum of the weights read above).
  const __m512i ones = _mm512_set1_epi8(1);
  __m512i correction[OB];
#pragma GCC unroll 2
  for (int k = 0; k < OB; ++k) {
    correction[k] = _mm512_setzero_si512();
  }
  for (size_t b = 0; b < t->in_blocks; ++b) {
    const size_t lanes =
        b + 1 == t->in_blocks ? t->in_last_channels : t->in_lanes;
    const size_t groups = (lanes + kGroup - 1) / kGroup;
    for (size_t r = 0; r < t->taps_h; ++r) {
      for (size_t s = 0; s < t->taps_w; ++s) {
        const int8_t *w = t->weights + b * t->w_block_step +
                          r * t->w_tap_h_step + s * t->w_tap_w_step;
        for (size_t g = 0; g < groups; ++g) {
#pragma GCC unroll 2
          for (int k = 0; k < OB; ++k) {
            correction[k] = _mm512_dpbusd_epi32(
                correction[k], ones,
                _mm512_loadu_si512(w + k * t->w_out_block_step +
                                   g * kGroup * kCb));
          }
        }
      }
    }
  }
  const __m512i offset = _mm512_set1_epi32(-(128 + t->in_zero_point));
#pragma GCC unroll 2
  for (int k = 0; k < OB; ++k) {
    correction[k] = _mm512_mullo_epi32(correction[k], offset);
  }
  x86::conv_i8_store<VecI8, W, OB>(t, acc, correction);
}

struct VnniTiles {
  template <int W, int OB, size_t STEP>
  static void blocked(const small_window_tile_i8 *t) {
    conv_i8_vnni_tile<W, OB, STEP>(t);
  }
  template <int W, int OB, size_t STEP>
  static void planar(const small_window_tile_i8 *t) {
    x86::conv_i8_planar_tile<VecI8, W, OB, STEP>(t);
  }
};

} // namespace

small_window_i8_fn
select_conv_i8_12x32__avx512vnni(const small_window_shape *s) {
  return x86::conv_i8_select<VnniTiles, kCb, 12, 2>(s);
}

} // namespace small::avx512
