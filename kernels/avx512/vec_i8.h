// AVX-512 int32 vector traits for the int8 kernels (kernels/x86/*_i8*.h):
// 16 int32 lanes in a zmm, one per output channel of a Cb = 16 block.
#ifndef SMALL_KERNELS_AVX512_VEC_I8_H
#define SMALL_KERNELS_AVX512_VEC_I8_H

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace small::avx512 {

struct VecI8 {
  using type = __m512i;
  static constexpr size_t kLanes = 16;
  // The traits whose ChannelRequant layout a layer prepares (requant_i8.h);
  // kernel files' derived traits inherit it.
  using Base = VecI8;
  // Tiles read requantization constants prepared per layer (requant_i8.h).
  static constexpr bool kPrepareRequant = true;

  static type load(const int32_t *p) { return _mm512_loadu_si512(p); }
  static type set1(int32_t x) { return _mm512_set1_epi32(x); }
  static type add(type a, type b) { return _mm512_add_epi32(a, b); }
  static type sub(type a, type b) { return _mm512_sub_epi32(a, b); }
  static type mullo(type a, type b) { return _mm512_mullo_epi32(a, b); }
  static type min(type a, type b) { return _mm512_min_epi32(a, b); }
  static type max(type a, type b) { return _mm512_max_epi32(a, b); }
  static type and_(type a, type b) { return _mm512_and_si512(a, b); }
  static type sllv(type a, type n) { return _mm512_sllv_epi32(a, n); }
  static type srav(type a, type n) { return _mm512_srav_epi32(a, n); }
  template <int N> static type srli(type a) { return _mm512_srli_epi32(a, N); }
  template <int N> static type srai(type a) { return _mm512_srai_epi32(a, N); }

  // floor((a * b + 2^30) / 2^31) per lane (x86/requant_i8.h), INT32_MAX for
  // INT32_MIN * INT32_MIN. Even lanes from the low halves of the 64-bit
  // lanes, odd lanes from the high halves; the result is bits 31..62.
  static type srdhm_unsaturated(type a, type b) {
    const __m512i nudge = _mm512_set1_epi64(int64_t{1} << 30);
    const __m512i even =
        _mm512_srli_epi64(_mm512_add_epi64(_mm512_mul_epi32(a, b), nudge), 31);
    const __m512i odd = _mm512_slli_epi64(
        _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(a, 32),
                                          _mm512_srli_epi64(b, 32)),
                         nudge),
        1);
    return _mm512_mask_blend_epi32(0xAAAA, even, odd);
  }
  static type srdhm(type a, type b) {
    const __m512i min = _mm512_set1_epi32(INT32_MIN);
    const __mmask16 saturate =
        _mm512_cmpeq_epi32_mask(a, min) & _mm512_cmpeq_epi32_mask(b, min);
    return _mm512_mask_mov_epi32(srdhm_unsaturated(a, b), saturate,
                                 _mm512_set1_epi32(INT32_MAX));
  }
  // Double rounding (requant_i8.h) in one rounding shift of the 64-bit
  // product P = a * m per lane: with f = floor((P + 2^30) / 2^31) and e the
  // lane's right shift, RoundingDivideByPOT(f, e) = floor((f + 2^(e-1) -
  // [f < 0]) / 2^e) for e > 0, and floor((floor(Q) + c) / n) = floor((Q + c)
  // / n) for integer c, so the result is
  //   (P + 2^30 + 2^(30+e) - [P < -2^30] 2^31) >> (31 + e)     (e > 0)
  //   (P + 2^30) >> 31                                         (e = 0)
  // (|P| <= 2^62: no int64 overflow). 12 instructions per vector where the
  // two steps take 15. The constants per lane, for even lanes (the low
  // halves of the 64-bit lanes) and odd ones:
  struct FusedDouble {
    __m512i multiplier, multiplier_odd;
    __m512i round_even, round_odd; // 2^30 + 2^(30+e) [e > 0]
    __m512i low_even, low_odd;     // the same, - 2^31 [e > 0]
    __m512i shift_even, shift_odd; // 31 + e
    FusedDouble(type m, type right) : multiplier(m) {
      multiplier_odd = _mm512_srli_epi64(m, 32);
      const __m512i e_even =
          _mm512_and_si512(right, _mm512_set1_epi64(0xffffffff));
      const __m512i e_odd = _mm512_srli_epi64(right, 32);
      const auto constants = [](__m512i e, __m512i &round, __m512i &low,
                                __m512i &shift) {
        const __mmask8 positive =
            _mm512_cmpgt_epi64_mask(e, _mm512_setzero_si512());
        const __m512i thirty = _mm512_set1_epi64(30);
        const __m512i power = _mm512_maskz_sllv_epi64(
            positive, _mm512_set1_epi64(1), _mm512_add_epi64(e, thirty));
        round = _mm512_add_epi64(_mm512_set1_epi64(int64_t{1} << 30), power);
        low = _mm512_mask_sub_epi64(round, positive, round,
                                    _mm512_set1_epi64(int64_t{1} << 31));
        shift = _mm512_add_epi64(e, _mm512_set1_epi64(31));
      };
      constants(e_even, round_even, low_even, shift_even);
      constants(e_odd, round_odd, low_odd, shift_odd);
    }
  };
  static type double_round(type a, const FusedDouble &f) {
    return fused_round<true>(a, f);
  }
  // double_round without the - 2^31 for P < -2^30. That term only lowers
  // results that are <= 0 (P + 2^30 + 2^(30+e) < 2^(31+e) there), so when
  // every result <= 0 clamps to the same byte (requant_i8.h's
  // kRequantDoubleLowClamped) the stored bytes are the same. 8 instructions
  // per vector where double_round takes 12.
  static type double_round_floor(type a, const FusedDouble &f) {
    return fused_round<false>(a, f);
  }
  template <bool kExactNegatives>
  static type fused_round(type a, const FusedDouble &f) {
    const __m512i limit = _mm512_set1_epi64(-(int64_t{1} << 30));
    const auto half = [&](__m512i p, __m512i round, __m512i low,
                          __m512i shift) {
      const __m512i rounded = _mm512_add_epi64(p, round);
      const __m512i sum =
          kExactNegatives
              ? _mm512_mask_add_epi64(rounded,
                                      _mm512_cmplt_epi64_mask(p, limit), p, low)
              : rounded;
      return _mm512_srav_epi64(sum, shift);
    };
    const __m512i even = half(_mm512_mul_epi32(a, f.multiplier), f.round_even,
                              f.low_even, f.shift_even);
    const __m512i odd =
        half(_mm512_mul_epi32(_mm512_srli_epi64(a, 32), f.multiplier_odd),
             f.round_odd, f.low_odd, f.shift_odd);
    // Lane 2i from even's low half, lane 2i + 1 from odd's low half.
    const __m512i interleave = _mm512_set_epi32(30, 14, 28, 12, 26, 10, 24, 8,
                                                22, 6, 20, 4, 18, 2, 16, 0);
    return _mm512_permutex2var_epi32(even, interleave, odd);
  }

  static bool any_positive(type a) {
    return _mm512_cmpgt_epi32_mask(a, _mm512_setzero_si512()) != 0;
  }
  static bool any_int32_min(type a) {
    return _mm512_cmpeq_epi32_mask(a, _mm512_set1_epi32(INT32_MIN)) != 0;
  }

  // (a * b + 2^(n - 1)) >> n per lane in 64 bits, n in [1, 62], low 32 bits.
  static type mul_round_shift(type a, type b, type n) {
    const __m512i one = _mm512_set1_epi64(1);
    const __m512i n_even = _mm512_and_si512(n, _mm512_set1_epi64(0xffffffff));
    const __m512i n_odd = _mm512_srli_epi64(n, 32);
    const __m512i p_even = _mm512_mul_epi32(a, b);
    const __m512i p_odd =
        _mm512_mul_epi32(_mm512_srli_epi64(a, 32), _mm512_srli_epi64(b, 32));
    const __m512i even = _mm512_srav_epi64(
        _mm512_add_epi64(p_even,
                         _mm512_sllv_epi64(one, _mm512_sub_epi64(n_even, one))),
        n_even);
    const __m512i odd = _mm512_srav_epi64(
        _mm512_add_epi64(p_odd,
                         _mm512_sllv_epi64(one, _mm512_sub_epi64(n_odd, one))),
        n_odd);
    return _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
  }

  // fixed::rounding_divide(s, n) per lane (n > 0): (s +- n/2) / n toward
  // zero, the quotient of two int32 in double (exact: the distance of a
  // non-integral quotient to an integer, >= 1/n, exceeds the rounding error
  // of |s| / n < 2^31), then truncated.
  static type rounding_divide(type s, int32_t n) {
    const __m512i half = _mm512_set1_epi32(n / 2);
    const __mmask16 positive =
        _mm512_cmpgt_epi32_mask(s, _mm512_setzero_si512());
    const __m512i num =
        _mm512_mask_add_epi32(_mm512_sub_epi32(s, half), positive, s, half);
    const __m512d d = _mm512_set1_pd(static_cast<double>(n));
    const __m256i lo = _mm512_cvttpd_epi32(
        _mm512_div_pd(_mm512_cvtepi32_pd(_mm512_castsi512_si256(num)), d));
    const __m256i hi = _mm512_cvttpd_epi32(_mm512_div_pd(
        _mm512_cvtepi32_pd(_mm512_extracti64x4_epi64(num, 1)), d));
    return _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
  }

  // Saturated to [-128, 127] (the requantization's clamp can rely on it).
  static void store_i8(int8_t *p, type v) {
    _mm_storeu_si128(reinterpret_cast<__m128i *>(p), _mm512_cvtsepi32_epi8(v));
  }

  // The four-pixel store below (x86/requant_i8.h's store_pixels).
  static constexpr bool kStore4 = true;
  // Four pixels' vectors saturated to int8 in one register, pixel i in bytes
  // 16 i .. 16 i + 15: two packs and one dword permute, where four store_i8
  // take four two-uop vpmovsdb. The packs leave, in 128-bit lane l, dword
  // 4 l + i = channels 4 l .. 4 l + 3 of pixel i; the permute moves it to
  // dword 4 i + l. Saturating twice (int16, then int8) is saturating once.
  [[gnu::always_inline]] static __m512i pack4_i8(type a, type b, type c,
                                                 type d) {
    const __m512i bytes =
        _mm512_packs_epi16(_mm512_packs_epi32(a, b), _mm512_packs_epi32(c, d));
    const __m512i order =
        _mm512_set_epi32(15, 11, 7, 3, 14, 10, 6, 2, 13, 9, 5, 1, 12, 8, 4, 0);
    return _mm512_permutexvar_epi32(order, bytes);
  }
  // pack4_i8's bytes clamped to [lo, hi] (within int8, so clamping after the
  // saturation is clamping before it), stored at p + i * step, i < 4.
  template <bool CLAMP>
  [[gnu::always_inline]] static void
  store4_i8(int8_t *p, size_t step, __m512i bytes, __m512i lo, __m512i hi) {
    if constexpr (CLAMP) {
      bytes = _mm512_min_epi8(_mm512_max_epi8(bytes, lo), hi);
    }
    if (step == kLanes) {
      _mm512_storeu_si512(p, bytes);
      return;
    }
    _mm_storeu_si128(reinterpret_cast<__m128i *>(p),
                     _mm512_castsi512_si128(bytes));
    _mm_storeu_si128(reinterpret_cast<__m128i *>(p + step),
                     _mm512_extracti32x4_epi32(bytes, 1));
    _mm_storeu_si128(reinterpret_cast<__m128i *>(p + 2 * step),
                     _mm512_extracti32x4_epi32(bytes, 2));
    _mm_storeu_si128(reinterpret_cast<__m128i *>(p + 3 * step),
                     _mm512_extracti32x4_epi32(bytes, 3));
  }
  static __m512i set1_i8(int32_t x) {
    return _mm512_set1_epi8(static_cast<char>(x));
  }

  // kLanes int8 values sign-extended to int32.
  static type widen(const int8_t *p) {
    return _mm512_cvtepi8_epi32(
        _mm_loadu_si128(reinterpret_cast<const __m128i *>(p)));
  }
  // kLanes int8 values as int16 in the low half of each int32 lane, high
  // half zero: a pmaddwd with it multiplies only the low halves.
  static type widen_low16(const int8_t *p) {
    return _mm512_cvtepu16_epi32(_mm256_cvtepi8_epi16(
        _mm_loadu_si128(reinterpret_cast<const __m128i *>(p))));
  }
  // Each int32 lane: acc + lo16(a) * lo16(b) + hi16(a) * hi16(b), exact
  // (pmaddwd; one vpdpwssd with AVX-512 VNNI).
  static type dot16(type acc, type a, type b) {
    return _mm512_add_epi32(acc, _mm512_madd_epi16(a, b));
  }

  // 2 * kLanes int8 values (kLanes pairs) sign-extended to int16.
  static type widen_pairs(const int8_t *p) {
    return _mm512_cvtepi8_epi16(
        _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p)));
  }
  // dst[l] = p[l] - zp as int16, l < kLanes.
  static void store_minus_zp16(int16_t *dst, const int8_t *p, int16_t zp) {
    _mm256_storeu_si256(
        reinterpret_cast<__m256i *>(dst),
        _mm256_sub_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128(
                             reinterpret_cast<const __m128i *>(p))),
                         _mm256_set1_epi16(zp)));
  }
  // The int16 pair at p (two lanes of store_minus_zp16) in every lane.
  static type broadcast_pair(const int16_t *p) {
    int32_t v;
    std::memcpy(&v, p, sizeof v);
    return _mm512_set1_epi32(v);
  }
};

// The mask of the first n bytes of a 64-byte vector (all of them from 64 on).
inline __mmask64 first_bytes(size_t n) {
  return n >= 64 ? ~__mmask64{0} : (__mmask64{1} << n) - 1;
}

} // namespace small::avx512

#endif
