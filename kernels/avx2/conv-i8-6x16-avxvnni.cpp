// AVX-VNNI int8 kernels for the AVX2 build (CPUs with AVX2 and AVX-VNNI
// but no AVX-512: Alder Lake and later Intel client cores; active_table.cpp
// installs them only where CPUID reports AVX-VNNI).
//
// The convolution tile is the AVX-512 VNNI one (avx512/conv-i8-12x32-vnni.cpp)
// at half the width: vpdpbusd on ymm multiplies 4 consecutive input lanes
// (conv_i8_k_group 4) by 4 weights into each int32 lane, unsigned by signed,
// so the signed input x is read as u = x ^ 0x80 = x + 128 and the tile
// subtracts (128 + zp) times the sum of the weights it read, added up from
// the per-tap sums the layer prepared (x86/conv_i8_weight_sums.h). One block of
// Cb = 16 output channels is two ymm; 6 pixels give 12 accumulators + 2 weight
// vectors + the broadcast input + the sign-flip constant = the 16 ymm
// registers. Against vpmaddwd on int16 pairs (conv-i8-6x16.cpp) this is one
// instruction per 4 input lanes instead of two (multiply, add) per 2.
//
// The planar-input tile and the depthwise tile are the x86 templates with
// vpdpwssd as their multiply-add (one instruction where pmaddwd + paddd
// were two).
//
// AVX-VNNI for this file only: the folder's flags stay AVX2 + FMA. The target
// applies to every function defined below it; the x86 templates are
// instantiated here with VecI8AvxVnni, a type of this file only, and the
// inline functions other files define too (VecI8's members, the standard
// library's) hold no dot product, so whichever copy the linker keeps runs
// on any AVX2 CPU.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avxvnni"))),               \
                             apply_to = function)
#elif defined(__GNUC__)
#pragma GCC target("avxvnni")
#endif

#include <immintrin.h>

#include <cstring>
#include <type_traits>

#include "kernels.h"
#include "vec_i8.h"
#include "x86/conv_i8_madd_tile.h"
#include "x86/conv_i8_select.h"
#include "x86/conv_i8_weight_sums.h"
#include "x86/depthwise_i8_tile.h"
#include "x86/vec_i8_pair.h"

namespace small::avx2 {

namespace {

constexpr size_t kCb = 16;
constexpr size_t kGroup = 4;
constexpr size_t kHalf = 32; // bytes of one ymm of grouped weights

// The int32 vector with AVX-VNNI's fused 16-bit multiply-add.
struct VecI8AvxVnni : VecI8 {
  static type dot16(type acc, type a, type b) {
    return _mm256_dpwssd_avx_epi32(acc, a, b);
  }
};
using Block = x86::VecI8Pair<VecI8AvxVnni>;
using LowBlock = x86::VecI8LowPair<VecI8AvxVnni>;
// Depthwise pixels per register tile of a LowBlock (one ymm per pixel).
constexpr int kLowPixels = 8;

// The 4 input lanes at p, every int32 lane.
inline __m256i broadcast4(const int8_t *p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return _mm256_set1_epi32(v);
}

// The products of one filter row (taps_w taps of one input block): `in` is
// the row's first tap of pixel 0; each broadcast is flipped to u8. LOW: the
// block's high 8 lanes are padding (out_lanes <= 8): their products are
// zero and skipped.
template <int W, bool LOW>
inline void accumulate_row(__m256i (&lo)[W], __m256i (&hi)[W], const int8_t *in,
                           size_t step, const int8_t *w, size_t groups,
                           const small_window_tile_i8 *t) {
  const __m256i flip = _mm256_set1_epi8(static_cast<char>(0x80));
  for (size_t s = 0; s < t->taps_w;
       ++s, in += t->in_tap_w_step, w += t->w_tap_w_step) {
    for (size_t g = 0; g < groups; ++g) {
      const int8_t *wg = w + g * kGroup * kCb;
      const __m256i w_lo =
          _mm256_loadu_si256(reinterpret_cast<const __m256i *>(wg));
      const __m256i w_hi =
          LOW ? w_lo
              : _mm256_loadu_si256(
                    reinterpret_cast<const __m256i *>(wg + kHalf));
#pragma GCC unroll 8
      for (int j = 0; j < W; ++j) {
        const __m256i u =
            _mm256_xor_si256(broadcast4(in + j * step + g * kGroup), flip);
        lo[j] = _mm256_dpbusd_avx_epi32(lo[j], u, w_lo);
        if constexpr (!LOW) {
          hi[j] = _mm256_dpbusd_avx_epi32(hi[j], u, w_hi);
        }
      }
    }
  }
}

template <int W, size_t STEP, bool LOW>
void conv_i8_avxvnni_tile(const small_window_tile_i8 *t) {
  const size_t step = STEP != 0 ? STEP : t->in_pixel_step;
  __m256i lo[W], hi[W];
#pragma GCC unroll 8
  for (int j = 0; j < W; ++j) {
    lo[j] = hi[j] = _mm256_setzero_si256();
  }
  for (size_t b = 0; b < t->in_blocks; ++b) {
    const size_t lanes =
        b + 1 == t->in_blocks ? t->in_last_channels : t->in_lanes;
    const size_t groups = (lanes + kGroup - 1) / kGroup;
    for (size_t r = 0; r < t->taps_h; ++r) {
      const int8_t *in = t->in + b * t->in_block_step + r * t->in_tap_h_step;
      const int8_t *w = t->weights + b * t->w_block_step + r * t->w_tap_h_step;
      accumulate_row<W, LOW>(lo, hi, in, step, w, groups, t);
    }
  }
  using B = std::conditional_t<LOW, LowBlock, Block>;
  typename B::type acc[1][W];
#pragma GCC unroll 8
  for (int j = 0; j < W; ++j) {
    acc[0][j] = {lo[j], hi[j]};
  }
  typename B::type sums[1];
  x86::tap_weight_sums<B, 1>(t, sums);
  const typename B::type correction[1] = {
      B::mullo(sums[0], B::set1(-(128 + t->in_zero_point)))};
  x86::conv_i8_store<B, W, 1>(t, acc, correction);
}

// LOW: tiles of a block with at most 8 channels (its high ymm is padding).
template <bool LOW> struct AvxVnniTiles {
  template <int W, int OB, size_t STEP>
  static void blocked(const small_window_tile_i8 *t) {
    static_assert(OB == 1, "the AVX2 table has one output block per tile");
    conv_i8_avxvnni_tile<W, STEP, LOW>(t);
  }
  template <int W, int OB, size_t STEP>
  static void planar(const small_window_tile_i8 *t) {
    x86::conv_i8_planar_tile<std::conditional_t<LOW, LowBlock, Block>, W, OB,
                             STEP>(t);
  }
};

} // namespace

small_window_i8_fn select_conv_i8_6x16__avxvnni(const small_window_shape *s) {
  if (s->out_lanes <= VecI8::kLanes) {
    return x86::conv_i8_select<AvxVnniTiles<true>, kCb, 6, 1>(s);
  }
  return x86::conv_i8_select<AvxVnniTiles<false>, kCb, 6, 1>(s);
}

small_window_i8_fn
select_depthwise_i8_4x16__avxvnni(const small_window_shape *s) {
  if (s->out_lanes <= VecI8::kLanes && s->w_pixel_step == 0) {
    return x86::depthwise_i8_select<LowBlock, kLowPixels>(s);
  }
  return x86::depthwise_i8_select<Block, 4>(s);
}

} // namespace small::avx2

#if defined(__clang__)
#pragma clang attribute pop
#endif
