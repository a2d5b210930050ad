// AVX-512 VBMI: an RGB network input's pixels in 4 lanes
// (kernel_contract.h's rgb_to_lanes4_i8), 16 pixels per step: one masked
// 48-byte load and one zero-masking vpermb, where the scalar loop moves a
// pixel at a time (4% of MobileNet int8's run).
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

namespace small::avx512 {

namespace {

// Byte 4 p + l of the result is byte 3 p + l of the source (l < 3); the
// zeroing mask clears byte 4 p + 3.
struct Expand {
  alignas(64) uint8_t bytes[64];
};
constexpr Expand expand_index() {
  Expand index{};
  for (int p = 0; p < 16; ++p) {
    for (int l = 0; l < 4; ++l) {
      index.bytes[4 * p + l] = static_cast<uint8_t>(l < 3 ? 3 * p + l : 0);
    }
  }
  return index;
}
constexpr Expand kExpand = expand_index();
constexpr __mmask64 kColorBytes = 0x7777777777777777ull;

} // namespace

void rgb_to_lanes4_i8__avx512vbmi(const int8_t *rgb, int8_t *out,
                                  size_t pixels) {
  const __m512i index = _mm512_load_si512(kExpand.bytes);
  size_t p = 0;
  for (; p + 16 <= pixels; p += 16) {
    const __m512i x = _mm512_maskz_loadu_epi8(first_bytes(48), rgb + 3 * p);
    _mm512_storeu_si512(out + 4 * p,
                        _mm512_maskz_permutexvar_epi8(kColorBytes, index, x));
  }
  if (p < pixels) { // masked: nothing read or written past the last pixel
    const size_t rest = pixels - p;
    const __m512i x =
        _mm512_maskz_loadu_epi8(first_bytes(3 * rest), rgb + 3 * p);
    _mm512_mask_storeu_epi8(
        out + 4 * p, first_bytes(4 * rest),
        _mm512_maskz_permutexvar_epi8(kColorBytes, index, x));
  }
}

} // namespace small::avx512

#if defined(__clang__)
#pragma clang attribute pop
#endif
