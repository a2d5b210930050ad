/* Counting the instructions of a run on the emulated boards: QEMU runs with
 * -icount shift=0 (one instruction per virtual nanosecond), so SysTick on
 * the processor clock counts SMALL_FIRMWARE_SYSCLK_HZ ticks per 1e9
 * instructions. SysTick has 24 bits: a run must stay below 2^24 ticks
 * (524 M instructions at 32 MHz). */
#ifndef SMALL_TESTS_FIRMWARE_INSTRUCTION_COUNT_H
#define SMALL_TESTS_FIRMWARE_INSTRUCTION_COUNT_H

#include <stdint.h>

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SYST_MAX 0x00FFFFFFu

/* Starts SysTick from its top; returns the value to pass to systick_stop. */
static uint32_t systick_start(void) {
  SYST_RVR = SYST_MAX;
  SYST_CVR = 0;
  SYST_CSR = 5; /* enabled, processor clock, no interrupt */
  return SYST_CVR;
}

/* Stops SysTick; returns the ticks since systick_start (it counts down). */
static uint32_t systick_stop(uint32_t start) {
  const uint32_t ticks = (start - SYST_CVR) & SYST_MAX;
  SYST_CSR = 0;
  return ticks;
}

/* Region markers for the instruction-count plugin (tools/qemu_insn_count,
 * used by tools/firmware_report.sh --functions): the T32 hints #0x7e and
 * #0x7f, which ARMv7-M and ARMv8.1-M execute as NOPs. */
static inline void icount_region_begin(void) {
  __asm__ volatile(".inst.w 0xf3af807e" ::: "memory");
}
static inline void icount_region_end(void) {
  __asm__ volatile(".inst.w 0xf3af807f" ::: "memory");
}

static inline double ticks_to_instructions(uint32_t ticks) {
  return (double)ticks * 1e9 / SMALL_FIRMWARE_SYSCLK_HZ;
}

#endif
