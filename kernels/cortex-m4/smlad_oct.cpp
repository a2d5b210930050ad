// The 8-pixel loop of smlad_oct.h in assembly. Registers: the 8 sums in
// r4-r11, the weight word's even and odd halves in r0 and r1, a pixel's two
// scratch words in r2 and r3, the scratch pointer in r12 and the weight
// pointer in lr; the OctBlock is copied to the stack (sp + 0 ... 28).
// During the requantization r0, r1 and r12 hold the fused rounding's
// multiplier, high word and shift, r2 and r3 the 64-bit product, lr the
// output address, and r4 (its sum stored first) the pixel step. An output
// whose rounding is wide() (its shift field -1, its high field zp * 256 +
// e - 1) takes the stores after the function's return instead: r12 gets the
// packed field, r1 2^(e-2), and each sum one instruction more
// (fused_store_asm.h); a test of r12 per output decides.
#include "cortex-m4/smlad_oct.h"

#include <cstddef>

#include "cortex-m4/fused_store_asm.h"
#include "cortex-m4/geometry.h"

namespace small::cortex_m4 {

static_assert(sizeof(void *) == 4 && sizeof(size_t) == 4,
              "the assembly reads OctBlock as 8 words");
static_assert(offsetof(OctBlock, weights) == 0 &&
                  offsetof(OctBlock, bias) == 4 &&
                  offsetof(OctBlock, fused) == 8 &&
                  offsetof(OctBlock, out) == 12 &&
                  offsetof(OctBlock, scratch) == 16 &&
                  offsetof(OctBlock, scratch_end) == 20 &&
                  offsetof(OctBlock, out_pixel_step) == 24 &&
                  offsetof(OctBlock, out_end) == 28 && sizeof(OctBlock) == 32,
              "the assembly's stack offsets");
static_assert(sizeof(cortex_m::FusedRounding) == 12,
              "LDM loads the fused rounding as three words");
// The weight pointer steps by #32 from one group to the next and by #4 from
// one output to the next.
static_assert(kChannelBlock * kConvGroup == 32 && kConvGroup == 4,
              "the assembly's weight steps");

// clang-format off
// One pixel's two SMLAD into sum c, the first adding to `from`.
#define SMALL_M4_OCT_PIXEL(c, from)                                            \
  "ldrd r2, r3, [r12], #8\n\t"                                                 \
  "smlad " c ", r2, r0, " from "\n\t"                                          \
  "smlad " c ", r3, r1, " c "\n\t"
// The group's weight word split into its even (r0) and odd (r1) halves.
#define SMALL_M4_OCT_WEIGHTS                                                   \
  "ldr r0, [lr], #32\n\t"                                                      \
  "sxtb16 r1, r0, ror #8\n\t"                                                  \
  "sxtb16 r0, r0\n\t"
// One group of 4 input lanes of one output for the 8 pixels.
#define SMALL_M4_OCT_GROUP                                                     \
  SMALL_M4_OCT_WEIGHTS                                                         \
  SMALL_M4_OCT_PIXEL("r4", "r4")                                               \
  SMALL_M4_OCT_PIXEL("r5", "r5")                                               \
  SMALL_M4_OCT_PIXEL("r6", "r6")                                               \
  SMALL_M4_OCT_PIXEL("r7", "r7")                                               \
  SMALL_M4_OCT_PIXEL("r8", "r8")                                               \
  SMALL_M4_OCT_PIXEL("r9", "r9")                                               \
  SMALL_M4_OCT_PIXEL("r10", "r10")                                             \
  SMALL_M4_OCT_PIXEL("r11", "r11")
// An output's first group, every sum starting from the bias (in r11, whose
// own sum comes last).
#define SMALL_M4_OCT_FIRST_GROUP                                               \
  "ldr r0, [sp, #4]\n\t"                                                       \
  "ldr r11, [r0], #4\n\t"                                                      \
  "str r0, [sp, #4]\n\t"                                                       \
  SMALL_M4_OCT_WEIGHTS                                                         \
  SMALL_M4_OCT_PIXEL("r4", "r11")                                              \
  SMALL_M4_OCT_PIXEL("r5", "r11")                                              \
  SMALL_M4_OCT_PIXEL("r6", "r11")                                              \
  SMALL_M4_OCT_PIXEL("r7", "r11")                                              \
  SMALL_M4_OCT_PIXEL("r8", "r11")                                              \
  SMALL_M4_OCT_PIXEL("r9", "r11")                                              \
  SMALL_M4_OCT_PIXEL("r10", "r11")                                             \
  SMALL_M4_OCT_PIXEL("r11", "r11")
// Sum c requantized and stored at `address` (fused_store_asm.h).
#define SMALL_M4_OCT_STORE(c, address)                                         \
  SMALL_M4_FUSED_STORE(c, "r2", "r3", "r0", "r1", "r12", address)
#define SMALL_M4_OCT_WIDE_STORE(c, address)                                    \
  SMALL_M4_WIDE_STORE(c, "r2", "r3", "r0", "r1", "r12", address)
// The 8 sums r4-r11 stored with STORE at lr, lr + step, ... (the step in r4
// once r4's sum is stored).
#define SMALL_M4_OCT_STORES(STORE)                                             \
  STORE("r4", "[lr]")                                                          \
  "ldr r4, [sp, #24]\n\t"                                                      \
  STORE("r5", "[lr, r4]")                                                      \
  "add lr, lr, r4, lsl #1\n\t"                                                 \
  STORE("r6", "[lr]")                                                          \
  STORE("r7", "[lr, r4]")                                                      \
  "add lr, lr, r4, lsl #1\n\t"                                                 \
  STORE("r8", "[lr]")                                                          \
  STORE("r9", "[lr, r4]")                                                      \
  "add lr, lr, r4, lsl #1\n\t"                                                 \
  STORE("r10", "[lr]")                                                         \
  STORE("r11", "[lr, r4]")
// The whole loop; `extra` is one more group after the first when the run's
// group count is even, so that the rest goes in pairs.
#define SMALL_M4_OCT_BLOCK(extra)                                              \
  "push {r4-r11, lr}\n\t"                                                      \
  "sub sp, sp, #32\n\t"                                                        \
  "ldm r0, {r1-r8}\n\t"                                                        \
  "stm sp, {r1-r8}\n\t"                                                        \
  "1:\n\t"                                                                     \
  "ldr lr, [sp, #0]\n\t"                                                       \
  "add r0, lr, #4\n\t"                                                         \
  "str r0, [sp, #0]\n\t"                                                       \
  "ldr r12, [sp, #16]\n\t"                                                     \
  SMALL_M4_OCT_FIRST_GROUP                                                     \
  extra                                                                        \
  "ldr r0, [sp, #20]\n\t"                                                      \
  "cmp r12, r0\n\t"                                                            \
  "beq 3f\n\t"                                                                 \
  "2:\n\t"                                                                     \
  SMALL_M4_OCT_GROUP                                                           \
  SMALL_M4_OCT_GROUP                                                           \
  "ldr r0, [sp, #20]\n\t"                                                      \
  "cmp r12, r0\n\t"                                                            \
  "bne 2b\n\t"                                                                 \
  "3:\n\t"                                                                     \
  "ldr lr, [sp, #8]\n\t"                                                       \
  "ldm lr!, {r0, r1, r12}\n\t"                                                 \
  "str lr, [sp, #8]\n\t"                                                       \
  "ldr lr, [sp, #12]\n\t"                                                      \
  "cmn r12, #1\n\t"                                                            \
  "beq.w 5f\n\t"                                                               \
  SMALL_M4_OCT_STORES(SMALL_M4_OCT_STORE)                                      \
  "4:\n\t"                                                                     \
  "ldr lr, [sp, #12]\n\t"                                                      \
  "add lr, lr, #1\n\t"                                                         \
  "str lr, [sp, #12]\n\t"                                                      \
  "ldr r0, [sp, #28]\n\t"                                                      \
  "cmp lr, r0\n\t"                                                             \
  "bne 1b\n\t"                                                                 \
  "add sp, sp, #32\n\t"                                                        \
  "pop {r4-r11, pc}\n\t"                                                       \
  "5:\n\t"                                                                     \
  "mov r12, r1\n\t"                                                            \
  "and r2, r1, #255\n\t"                                                       \
  "sub r2, r2, #1\n\t"                                                         \
  "mov r1, #1\n\t"                                                             \
  "lsl r1, r1, r2\n\t"                                                         \
  SMALL_M4_OCT_STORES(SMALL_M4_OCT_WIDE_STORE)                                 \
  "b.w 4b\n\t"
// clang-format on

__attribute__((naked)) void oct_block_odd_groups(const OctBlock *) {
  __asm__ volatile(SMALL_M4_OCT_BLOCK(""));
}

__attribute__((naked)) void oct_block_even_groups(const OctBlock *) {
  __asm__ volatile(SMALL_M4_OCT_BLOCK(SMALL_M4_OCT_GROUP));
}

#undef SMALL_M4_OCT_BLOCK
#undef SMALL_M4_OCT_STORES
#undef SMALL_M4_OCT_WIDE_STORE
#undef SMALL_M4_OCT_STORE
#undef SMALL_M4_OCT_FIRST_GROUP
#undef SMALL_M4_OCT_GROUP
#undef SMALL_M4_OCT_WEIGHTS
#undef SMALL_M4_OCT_PIXEL

} // namespace small::cortex_m4
