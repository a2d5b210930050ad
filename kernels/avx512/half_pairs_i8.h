// The epilogue of AVX-512 int8 tiles that hold two output pixels in one
// vector: layers of at most 8 channels in 16-lane blocks (MobileNet's
// 8-channel layers), int32 lanes 0-7 the first pixel's channels and 8-15
// the second's, so a pair costs one requantization where whole-block
// pixels compute 8 dead lanes each. The bias, multipliers and shifts of
// lanes 0-7 are copied to lanes 8-15, and each stored pixel's 8 pad bytes
// are the clamped output zero point (what any pad lane holds:
// kernel_contract.h's out_last_channels).
#ifndef SMALL_KERNELS_AVX512_HALF_PAIRS_I8_H
#define SMALL_KERNELS_AVX512_HALF_PAIRS_I8_H

#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "kernel_contract.h"
#include "x86/requant_i8.h"

namespace small::avx512 {

// Lanes 0-7 of v in lanes 8-15 too.
inline __m512i twice_low_half(__m512i v) {
  return _mm512_shuffle_i64x2(v, v, 0x44);
}

template <class V> struct HalfPairStore {
  x86::ChannelRequant<V> q;
  x86::RequantConsts<V> c;
  __m128i pad;

  explicit HalfPairStore(const small_window_tile_i8 *t)
      : q(twice_low_half(V::load(t->multiplier)),
          twice_low_half(V::load(t->shift)), t->single_rounding != 0),
        c(t), pad(_mm_set1_epi8(static_cast<char>(std::min(
                  std::max(t->out_zero_point, t->act_min), t->act_max)))) {}

  // Calls f(mode, clamp) with the epilogue's compile-time choices.
  template <class F> void with_mode(F &&f) const {
    x86::with_store_mode(q.mode, c.low_clamped, [&](auto mode) {
      x86::with_clamp(c.clamp, [&](auto clamp) { f(mode, clamp); });
    });
  }

  // Pixels j and j + 1 (only j when j + 1 == width) from their sums
  // (bias included), requantized in mode M.
  template <int M, bool CLAMP>
  void store(const small_window_tile_i8 *t, __m512i sums, size_t j,
             size_t width) const {
    const __m128i bytes =
        _mm512_cvtsepi32_epi8(x86::requantize_as<V, M, CLAMP>(sums, q, c));
    auto *first = reinterpret_cast<__m128i *>(t->out + j * t->out_pixel_step);
    _mm_storeu_si128(first, _mm_unpacklo_epi64(bytes, pad));
    if (j + 1 < width) {
      auto *second =
          reinterpret_cast<__m128i *>(t->out + (j + 1) * t->out_pixel_step);
      _mm_storeu_si128(second, _mm_unpackhi_epi64(bytes, pad));
    }
  }
};

} // namespace small::avx512

#endif
