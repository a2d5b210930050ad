// AVX-512 int8 ADD through byte-plane tables (VBMI): bit for bit the
// scalar kernel, as x86/elementwise_i8.h.
//
// Each input's rescaling (TFLite's RDBPOT(SRDHM((x - zp) << 20, m), e),
// about 12 instructions per 16 values even on the 32-bit shortcut) depends
// on one byte, so it is computed once per call for the 256 byte values by
// the exact vector path, and its four bytes are kept as four 256-byte
// planes. A 64-byte load of inputs then indexes each plane with two
// two-register byte permutes (vpermi2b: 128 entries each) and a blend on
// the index's top bit, and byte/word unpacks assemble the int32 values:
// 22 instructions per 64 values and input where the arithmetic takes 48.
// The sum's requantization stays arithmetic (its int32 input has no small
// domain).
//
// The unpacks put 4 values of each 128-bit lane in each int32 vector (values
// 16 L + 4 j .. 16 L + 4 j + 3 of lane L in vector j); the saturating packs
// back to bytes undo exactly that order, and every lane requantizes with the
// same constants, so the order never shows.
//
// VBMI for this file only (active_table.cpp installs it on CPUs that report
// it), as depthwise-i8-16x16-vbmi.cpp.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512vbmi"))),            \
                             apply_to = function)
#elif defined(__GNUC__)
#pragma GCC target("avx512vbmi")
#endif

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels.h"
#include "vec_i8.h"
#include "x86/elementwise_i8.h"
#include "x86/requant_i8.h"

namespace small::avx512 {

namespace {

struct VecI8Tables : VecI8 {};
using V = VecI8Tables;

// Below this many values the tables (32 vectors of rescaling) cost more
// than they save.
constexpr size_t kTableMinCount = 256;

// Byte k of an input's rescaled value for every byte x, indexed by x as
// unsigned: plane[k][i] for x = int8_t(i).
struct Planes {
  alignas(64) uint8_t plane[4][256];

  Planes(int32_t zp, int32_t multiplier, int32_t shift,
         const small_add_i8_params *p) {
    alignas(64) int8_t bytes[256];
    for (int i = 0; i < 256; ++i) {
      bytes[i] = static_cast<int8_t>(i);
    }
    const x86::ChannelRequant<V> q(V::set1(multiplier), V::set1(shift),
                                   p->single_rounding != 0);
    const __m512i zero_point = V::set1(zp), left = V::set1(p->left_shift);
    for (int i = 0; i < 256; i += 16) {
      const __m512i value = x86::multiply_by_quantized_multiplier<V>(
          V::sllv(V::sub(V::widen(bytes + i), zero_point), left), q);
      for (int k = 0; k < 4; ++k) {
        _mm_store_si128(reinterpret_cast<__m128i *>(plane[k] + i),
                        _mm512_cvtepi32_epi8(_mm512_srai_epi32(value, 8 * k)));
      }
    }
  }

  // The rescaled values of the 64 inputs at x, as 4 int32 vectors in the
  // unpack order (above).
  void lookup(const int8_t *x, __m512i (&out)[4]) const {
    const __m512i index = _mm512_loadu_si512(x);
    const __mmask64 high = _mm512_movepi8_mask(index);
    __m512i bytes[4];
    for (int k = 0; k < 4; ++k) {
      const auto *t = reinterpret_cast<const __m512i *>(plane[k]);
      const __m512i low_half = _mm512_permutex2var_epi8(
          _mm512_load_si512(t), index, _mm512_load_si512(t + 1));
      const __m512i high_half = _mm512_permutex2var_epi8(
          _mm512_load_si512(t + 2), index, _mm512_load_si512(t + 3));
      bytes[k] = _mm512_mask_blend_epi8(high, low_half, high_half);
    }
    const __m512i words01_low = _mm512_unpacklo_epi8(bytes[0], bytes[1]);
    const __m512i words01_high = _mm512_unpackhi_epi8(bytes[0], bytes[1]);
    const __m512i words23_low = _mm512_unpacklo_epi8(bytes[2], bytes[3]);
    const __m512i words23_high = _mm512_unpackhi_epi8(bytes[2], bytes[3]);
    out[0] = _mm512_unpacklo_epi16(words01_low, words23_low);
    out[1] = _mm512_unpackhi_epi16(words01_low, words23_low);
    out[2] = _mm512_unpacklo_epi16(words01_high, words23_high);
    out[3] = _mm512_unpackhi_epi16(words01_high, words23_high);
  }
};

// The whole 64-value chunks, the sum requantized in mode M.
template <int M>
void add_chunks(const int8_t *a, const int8_t *b, int8_t *out, size_t chunks,
                const Planes &ta, const Planes &tb,
                const x86::ChannelRequant<V> &qo,
                const small_add_i8_params *p) {
  const __m512i out_zp = V::set1(p->out_zero_point);
  const __m512i lo = _mm512_set1_epi8(static_cast<char>(p->act_min));
  const __m512i hi = _mm512_set1_epi8(static_cast<char>(p->act_max));
  for (size_t c = 0; c < chunks; ++c) {
    __m512i va[4], vb[4], r[4];
    ta.lookup(a + 64 * c, va);
    tb.lookup(b + 64 * c, vb);
    for (int j = 0; j < 4; ++j) {
      r[j] = V::add(x86::multiply_by_quantized_multiplier_as<V, M>(
                        V::add(va[j], vb[j]), qo),
                    out_zp);
    }
    // Saturating to int8, then the clamp (within int8, so the same bytes as
    // clamping the int32 values).
    const __m512i bytes = _mm512_packs_epi16(_mm512_packs_epi32(r[0], r[1]),
                                             _mm512_packs_epi32(r[2], r[3]));
    _mm512_storeu_si512(out + 64 * c,
                        _mm512_min_epi8(_mm512_max_epi8(bytes, lo), hi));
  }
}

} // namespace

void add_i8__avx512vbmi(const int8_t *a, const int8_t *b, int8_t *out,
                        size_t count, const small_add_i8_params *p) {
  const size_t chunks = count / 64;
  if (count < kTableMinCount) {
    x86::add_i8<VecI8>(a, b, out, count, p);
    return;
  }
  const Planes ta(p->a_zero_point, p->a_multiplier, p->a_shift, p);
  const Planes tb(p->b_zero_point, p->b_multiplier, p->b_shift, p);
  const x86::ChannelRequant<V> qo(V::set1(p->out_multiplier),
                                  V::set1(p->out_shift),
                                  p->single_rounding != 0);
  const bool low_clamped =
      x86::RequantConsts<V>::is_low_clamped(p->out_zero_point, p->act_min);
  x86::with_store_mode(qo.mode, low_clamped, [&](auto m) {
    add_chunks<decltype(m)::value>(a, b, out, chunks, ta, tb, qo, p);
  });
  const size_t done = 64 * chunks;
  if (done < count) {
    x86::add_i8<VecI8>(a + done, b + done, out + done, count - done, p);
  }
}

} // namespace small::avx512

#if defined(__clang__)
#pragma clang attribute pop
#endif
