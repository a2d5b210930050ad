// The Cortex-M4 assembly loops' store of one int32 sum (the convolution's
// 4- and 8-pixel loops, the depthwise window loops): requant_i8.h's fused
// rounding in 7 instructions, as an assembly string over the registers the
// caller names. The 64-bit addend's low word (2^30 with the sum's sign bit)
// goes in lo, its high word (the rounding's `high` plus the sign) in hi;
// SMLAL adds sum * multiplier, the high word shifted right by `shift`
// saturates to int8 (SSAT: a clamp to the whole int8 range) and is stored
// at `address`. hi may be the register that holds `high` (the depthwise
// loop reloads it per sum).
#ifndef SMALL_KERNELS_CORTEX_M4_FUSED_STORE_ASM_H
#define SMALL_KERNELS_CORTEX_M4_FUSED_STORE_ASM_H

// clang-format off
// The rounding's high word, shifted (both stores' first 5 instructions).
#define SMALL_M4_ROUNDED_HIGH(sum, lo, hi, multiplier, high, shift)          \
  "and " lo ", " sum ", #0x80000000\n\t"                                      \
  "orr " lo ", " lo ", #0x40000000\n\t"                                       \
  "add " hi ", " high ", " sum ", asr #31\n\t"                                \
  "smlal " lo ", " hi ", " sum ", " multiplier "\n\t"                         \
  "asr " hi ", " hi ", " shift "\n\t"
#define SMALL_M4_SATURATED_STORE(hi, address)                                 \
  "ssat " hi ", #8, " hi "\n\t"                                               \
  "strb " hi ", " address "\n\t"
#define SMALL_M4_FUSED_STORE(sum, lo, hi, multiplier, high, shift, address)   \
  SMALL_M4_ROUNDED_HIGH(sum, lo, hi, multiplier, high, shift)                 \
  SMALL_M4_SATURATED_STORE(hi, address)

// The store of a wide() channel (fused_rounding.h): `shift` holds zp * 256
// + e - 1 (the shift reads its low byte), `high` 2^(e-2); the zero point
// joins after the shift, one instruction more.
#define SMALL_M4_WIDE_STORE(sum, lo, hi, multiplier, high, shift, address)    \
  SMALL_M4_ROUNDED_HIGH(sum, lo, hi, multiplier, high, shift)                 \
  "add " hi ", " hi ", " shift ", asr #8\n\t"                                 \
  SMALL_M4_SATURATED_STORE(hi, address)
// clang-format on

#endif
