// The ARMv7E-M DSP operations the Cortex-M4 int8 kernels are built from.
// ACLE (<arm_acle.h>) has SXTB16, SXTAB16 and SMLAD, but not their forms that
// rotate the source by 8 bits first, which pick the odd bytes of a word; GCC
// does not fold a separate rotate into them, so those two are inline asm.
#ifndef SMALL_KERNELS_CORTEX_M4_DSP_H
#define SMALL_KERNELS_CORTEX_M4_DSP_H

#include <arm_acle.h>
#include <cstdint>
#include <cstring>

namespace small::cortex_m4 {

// Four int8 values as one word (LDR; the M4 allows unaligned loads).
inline int32_t load_word(const int8_t *p) {
  int32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Bytes 0 and 2 of v sign-extended to the two halves of a word.
inline int32_t even_bytes(int32_t v) { return __sxtb16(v); }

// Bytes 1 and 3 of v sign-extended to the two halves of a word.
inline int32_t odd_bytes(int32_t v) {
  int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
  return r;
}

// Each half of `offset` plus the sign-extended even (odd) bytes of v.
inline int32_t offset_even_bytes(int32_t offset, int32_t v) {
  return __sxtab16(offset, v);
}
inline int32_t offset_odd_bytes(int32_t offset, int32_t v) {
  int32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(offset), "r"(v));
  return r;
}

// acc + a.lo * b.lo + a.hi * b.hi (int16 halves, wrapping int32 sum).
inline int32_t dual_mac(int32_t a, int32_t b, int32_t acc) {
  return __smlad(a, b, acc);
}

// acc + the low (high) halves of a and b multiplied.
inline int32_t mac_low(int32_t a, int32_t b, int32_t acc) {
  return __smlabb(a, b, acc);
}
inline int32_t mac_high(int32_t a, int32_t b, int32_t acc) {
  return __smlatt(a, b, acc);
}

// The low half of lo and the low half of hi as one word (PKHBT).
inline int32_t pack_halves(int32_t lo, int32_t hi) {
  int32_t r;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(lo), "r"(hi));
  return r;
}

// The high half of hi and the high half of lo as one word (PKHTB): the
// low half from lo.
inline int32_t pack_high_halves(int32_t lo, int32_t hi) {
  int32_t r;
  __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(hi), "r"(lo));
  return r;
}

// Both halves of a word holding -zp: SXTAB16 adds it while widening.
inline int32_t negated_pair(int32_t zero_point) {
  const uint32_t half = static_cast<uint16_t>(-zero_point);
  return static_cast<int32_t>(half | half << 16);
}

} // namespace small::cortex_m4

#endif
