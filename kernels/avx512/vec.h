// The AVX-512 vector for the x86 tile templates (kernels/x86/): 16 floats in
// a zmm register, so one Cb = 16 block is one vector.
#ifndef SMALL_KERNELS_AVX512_VEC_H
#define SMALL_KERNELS_AVX512_VEC_H

#include <immintrin.h>

#include <cstddef>

namespace small::avx512 {

struct Vec {
  using type = __m512;
  static constexpr size_t kLanes = 16;

  static type load(const float *p) { return _mm512_loadu_ps(p); }
  static void store(float *p, type v) { _mm512_storeu_ps(p, v); }
  static type broadcast(const float *p) { return _mm512_set1_ps(*p); }
  static type set1(float x) { return _mm512_set1_ps(x); }
  static type zero() { return _mm512_setzero_ps(); }
  static type add(type a, type b) { return _mm512_add_ps(a, b); }
  static type sub(type a, type b) { return _mm512_sub_ps(a, b); }
  static type mul(type a, type b) { return _mm512_mul_ps(a, b); }
  static type div(type a, type b) { return _mm512_div_ps(a, b); }
  static type min(type a, type b) { return _mm512_min_ps(a, b); }
  static type max(type a, type b) { return _mm512_max_ps(a, b); }
  // a * b + c and c - a * b.
  static type fmadd(type a, type b, type c) { return _mm512_fmadd_ps(a, b, c); }
  static type fnmadd(type a, type b, type c) {
    return _mm512_fnmadd_ps(a, b, c);
  }
  static type round(type x) {
    return _mm512_roundscale_ps(x,
                                _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  // x where x >= 0, x * alpha where x < 0.
  static type leaky(type x, float alpha) {
    const __mmask16 neg =
        _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
    return _mm512_mask_mul_ps(x, neg, x, _mm512_set1_ps(alpha));
  }
  // p * 2^n for integral n.
  static type scale_by_pow2(type p, type n) { return _mm512_scalef_ps(p, n); }

  // The first n (< kLanes) lanes, for element-wise tails.
  using mask = __mmask16;
  static mask tail_mask(size_t n) {
    return static_cast<__mmask16>((1u << n) - 1);
  }
  static type load(const float *p, mask m) {
    return _mm512_maskz_loadu_ps(m, p);
  }
  static void store(float *p, mask m, type v) {
    _mm512_mask_storeu_ps(p, m, v);
  }
};

// A 16-lane pixel of a layer of at most 8 channels from a vector holding
// two pixels' 8 channels (lanes 0-7 and 8-15): the low or the high half in
// lanes 0-7, `pad` (act(0)) in the padding lanes 8-15.
inline __m512 half_with_padding(__m512 two_pixels, bool high, __m512 pad) {
  return high ? _mm512_shuffle_f32x4(two_pixels, pad, _MM_SHUFFLE(3, 2, 3, 2))
              : _mm512_mask_mov_ps(pad, 0x00ff, two_pixels);
}

} // namespace small::avx512

#endif
