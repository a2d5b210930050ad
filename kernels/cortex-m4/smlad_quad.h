// The Cortex-M4 convolution's 4-pixel assembly blocks (conv_i8_smlad.cpp):
// one group of 4 input lanes of one output for 4 pixels (quad_group, 15
// instructions for 16 multiply-accumulates) and the fused requantization
// and stores of an output's 4 sums (store_quad, 7 instructions per sum).
#ifndef SMALL_KERNELS_CORTEX_M4_SMLAD_QUAD_H
#define SMALL_KERNELS_CORTEX_M4_SMLAD_QUAD_H

#include <cstddef>
#include <cstdint>

#include "cortex-m/fused_rounding.h"
#include "cortex-m4/fused_store_asm.h"
#include "cortex-m4/geometry.h"

namespace small::cortex_m4 {

// Weight bytes from one group of 4 input lanes to the next (Cb outputs).
// The kernel serves the table's Cb only (t->cb == kChannelBlock), which makes
// this step a constant of the inner loop.
constexpr size_t kGroupStep = kChannelBlock * kConvGroup;

// One group of 4 input lanes of one output for 4 pixels: the output's
// weight word (then w moves to the next group), split by two SXTB16 (the
// even bytes last, into the word's register), and each pixel's two scratch
// words (LDRD; then x moves on) into two SMLAD: 16 multiply-accumulates in
// 15 instructions. In assembly because GCC 12 splits the paired loads into
// single ones and runs out of registers.
#define SMALL_M4_QUAD_GROUP_HEAD                                               \
  "ldr %[e], [%[w]], %[step]\n\t"                                              \
  "ldrd %[lo], %[hi], [%[x]], #8\n\t"                                          \
  "sxtb16 %[o], %[e], ror #8\n\t"                                              \
  "sxtb16 %[e], %[e]\n\t"
// One pixel's two SMLAD into sum c, the first adding to `from`.
#define SMALL_M4_QUAD_PIXEL(c, from)                                           \
  "smlad %[" c "], %[lo], %[e], %[" from "]\n\t"                               \
  "smlad %[" c "], %[hi], %[o], %[" c "]\n\t"
#define SMALL_M4_QUAD_NEXT_PIXEL "ldrd %[lo], %[hi], [%[x]], #8\n\t"
// The 4 pixels, the first three adding to from0..from2, the last to c3.
#define SMALL_M4_QUAD_PIXELS(from0, from1, from2)                              \
  SMALL_M4_QUAD_PIXEL("c0", from0)                                             \
  SMALL_M4_QUAD_NEXT_PIXEL SMALL_M4_QUAD_PIXEL("c1", from1)                    \
  SMALL_M4_QUAD_NEXT_PIXEL                                                     \
  SMALL_M4_QUAD_PIXEL("c2", from2)                                             \
  SMALL_M4_QUAD_NEXT_PIXEL SMALL_M4_QUAD_PIXEL("c3", "c3")
inline void quad_group(const int32_t *&x, const int8_t *&w, int32_t &c0,
                       int32_t &c1, int32_t &c2, int32_t &c3) {
  int32_t e, o, lo, hi;
  // clang-format off
  __asm__(SMALL_M4_QUAD_GROUP_HEAD
          SMALL_M4_QUAD_PIXELS("c0", "c1", "c2")
          : [e] "=&r"(e), [o] "=&r"(o), [lo] "=&r"(lo), [hi] "=&r"(hi),
            [x] "+r"(x), [w] "+r"(w), [c0] "+r"(c0), [c1] "+r"(c1),
            [c2] "+r"(c2), [c3] "+r"(c3)
          : [step] "n"(kGroupStep),
            "m"(*reinterpret_cast<const int32_t(*)[8]>(x)),
            "m"(*reinterpret_cast<const int8_t(*)[kConvGroup]>(w)));
  // clang-format on
}

// quad_group for an output's first group: the 4 sums start from its bias
// (loaded into c3, which the first three SMLAD pairs add to their products
// before c3 takes its own; then bias moves to the next output), which
// spares copying the bias into 4 registers.
inline void quad_group_from_bias(const int32_t *&x, const int8_t *&w,
                                 const int32_t *&bias, int32_t &c0, int32_t &c1,
                                 int32_t &c2, int32_t &c3) {
  int32_t e, o, lo, hi;
  // clang-format off
  __asm__(SMALL_M4_QUAD_GROUP_HEAD
          "ldr %[c3], [%[bias]], #4\n\t"
          SMALL_M4_QUAD_PIXELS("c3", "c3", "c3")
          : [e] "=&r"(e), [o] "=&r"(o), [lo] "=&r"(lo), [hi] "=&r"(hi),
            [c0] "=&r"(c0), [c1] "=&r"(c1), [c2] "=&r"(c2), [c3] "=&r"(c3),
            [x] "+r"(x), [w] "+r"(w), [bias] "+r"(bias)
          : [step] "n"(kGroupStep),
            "m"(*reinterpret_cast<const int32_t(*)[8]>(x)),
            "m"(*reinterpret_cast<const int8_t(*)[kConvGroup]>(w)),
            "m"(*bias));
  // clang-format on
}
#undef SMALL_M4_QUAD_PIXELS
#undef SMALL_M4_QUAD_NEXT_PIXEL
#undef SMALL_M4_QUAD_PIXEL
#undef SMALL_M4_QUAD_GROUP_HEAD

// The 4 sums' stores at p, p + step, p + 2 step and p + 3 step with STORE
// (a sum's requantization and byte store, fused_store_asm.h), after `load`
// brought the constants into m, h and sh (and moved f past them).
// clang-format off
#define SMALL_M4_QUAD_STORES(load, STORE)                                      \
  __asm__ volatile(load                                                        \
                   STORE("c0", "[%[p]]")                                       \
                   STORE("c1", "[%[p], %[step]]")                              \
                   "add %[p], %[p], %[step], lsl #1\n\t"                       \
                   STORE("c2", "[%[p]]")                                       \
                   STORE("c3", "[%[p], %[step]]")                              \
                   : [lo] "=&r"(lo), [hi] "=&r"(hi), [m] "=&r"(m),             \
                     [h] "=&r"(h), [sh] "=&r"(sh), [p] "+r"(p), [f] "+r"(f)    \
                   : [c0] "r"(c0), [c1] "r"(c1), [c2] "r"(c2), [c3] "r"(c3),   \
                     [step] "r"(step), "m"(*f)                                 \
                   : "memory")
#define SMALL_M4_QUAD_FUSED(c, address)                                        \
  SMALL_M4_FUSED_STORE("%[" c "]", "%[lo]", "%[hi]", "%[m]", "%[h]", "%[sh]",  \
                       address)
#define SMALL_M4_QUAD_WIDE(c, address)                                         \
  SMALL_M4_WIDE_STORE("%[" c "]", "%[lo]", "%[hi]", "%[m]", "%[h]", "%[sh]",   \
                      address)
// clang-format on

// The 4 pixels' sums c0..c3 of one output, requantized with *f (the fused
// rounding of cortex-m/requant_i8.h, whose result SSAT saturates to int8;
// then f moves to the next output's) and stored at p, p + step, p + 2 step
// and p + 3 step: 7 instructions per sum and 2 loads for the constants. In
// assembly because GCC 12, short of registers here, kept the 4 output
// addresses on the stack and took 13 per sum.
inline void store_quad(int32_t c0, int32_t c1, int32_t c2, int32_t c3,
                       const cortex_m::FusedRounding *&f, int8_t *p,
                       size_t step) {
  static_assert(sizeof(cortex_m::FusedRounding) == 12 &&
                    offsetof(cortex_m::FusedRounding, high) == 4 &&
                    offsetof(cortex_m::FusedRounding, high_shift) == 8,
                "store_quad loads the fused rounding as three words");
  int32_t lo, hi, m, h, sh;
  SMALL_M4_QUAD_STORES("ldrd %[m], %[h], [%[f]], #8\n\t"
                       "ldr %[sh], [%[f]], #4\n\t",
                       SMALL_M4_QUAD_FUSED);
}

// store_quad for a wide() channel (fused_rounding.h): its high field holds
// zp * 256 + e - 1, which becomes the shift register (a shift reads its low
// byte, ASR #8 gives the zero point back) and 2^(e-2) the high word; 8
// instructions per sum.
inline void store_quad_wide(int32_t c0, int32_t c1, int32_t c2, int32_t c3,
                            const cortex_m::FusedRounding *&f, int8_t *p,
                            size_t step) {
  int32_t lo, hi, m, h, sh;
  SMALL_M4_QUAD_STORES("ldrd %[m], %[sh], [%[f]], #12\n\t"
                       "and %[lo], %[sh], #255\n\t"
                       "sub %[lo], %[lo], #1\n\t"
                       "mov %[h], #1\n\t"
                       "lsl %[h], %[h], %[lo]\n\t",
                       SMALL_M4_QUAD_WIDE);
}
#undef SMALL_M4_QUAD_WIDE
#undef SMALL_M4_QUAD_FUSED
#undef SMALL_M4_QUAD_STORES

} // namespace small::cortex_m4

#endif
