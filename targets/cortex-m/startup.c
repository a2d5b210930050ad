/* Reset path of the bare-metal test firmware (Cortex-M4 and Cortex-M55
 * boards under QEMU). The linker scripts beside this file place the vector
 * table first in the code memory, where the core reads its initial stack
 * pointer and reset address.
 *
 * Reset: enable the FPU (before any floating-point or vector instruction:
 * the library and libc are built for the hard-float ABI), paint the stack
 * below the reset handler's frame (so that small_firmware_stack_high_water
 * can measure the deepest use), copy .data from its load address, clear
 * .bss, open the console (newlib's semihosting one unless the image links
 * its own, small_firmware.h), run the C++ constructors, call main, and
 * leave QEMU with main's status through a semihosting exit. */
#include <stdint.h>

#include "small_firmware.h"

int main(int argc, char **argv);
void __libc_init_array(void);

/* Linker-script symbols (see cortex-m-common.ld). */
extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_top[], __stack_limit[];

/* What the unused stack holds: a word that neither a return address (odd,
 * Thumb) nor a small integer is likely to be. */
#define SMALL_STACK_PAINT 0xC5AC5AC4u

/* Coprocessor Access Control Register: full access to CP10 and CP11 (the
 * FPU, and MVE on the Cortex-M55). */
#define SMALL_CPACR (*(volatile uint32_t *)0xE000ED88u)

/* newlib's __libc_init_array calls _init after the preinit arrays; with
 * -nostartfiles there is no crti.o to provide it. */
void _init(void) {}
void _fini(void) {}
/* What crtbegin.o would define: the handle static destructors register with
 * (__cxa_atexit); one image, so any unique address. */
void *__dso_handle = &__dso_handle;

void small_reset_handler(void) {
  SMALL_CPACR |= 0xFu << 20;
  __asm volatile("dsb\n\tisb" ::: "memory");

  /* After enabling the FPU: the compiler may vectorize this loop (MVE). */
  uint32_t *sp;
  __asm volatile("mov %0, sp" : "=r"(sp));
  for (uint32_t *word = __stack_limit; word < sp;)
    *word++ = SMALL_STACK_PAINT;

  for (uint32_t *src = __data_load, *dst = __data_start; dst < __data_end;)
    *dst++ = *src++;
  for (uint32_t *dst = __bss_start; dst < __bss_end;)
    *dst++ = 0;

  small_firmware_console_open();
  __libc_init_array();
  /* No command line on the board; a program name for those that read
   * argv[0] (Catch2). */
  static char program_name[] = "firmware";
  static char *argv[] = {program_name, NULL};
  small_firmware_exit(main(1, argv));
}

size_t small_firmware_stack_high_water(void) {
  const uint32_t *word = __stack_limit;
  while (word < __stack_top && *word == SMALL_STACK_PAINT)
    ++word;
  return (size_t)((uintptr_t)__stack_top - (uintptr_t)word);
}

/* A fault or an unexpected interrupt: stop with a failing status (134, what
 * a shell reports for an abort) rather than spin until the runner's
 * timeout. */
static void small_unexpected_exception(void) {
  small_firmware_semihosting_exit(134);
}

/* The vector table: initial stack pointer, then the handlers of the
 * architecture's system exceptions (reset, NMI, HardFault, MemManage,
 * BusFault, UsageFault, SecureFault, reserved x3, SVCall, DebugMonitor,
 * reserved, PendSV, SysTick). The tests enable no device interrupt. */
typedef void (*small_vector)(void);
__attribute__((section(".vectors"),
               used)) static const small_vector small_vectors[16] = {
    (small_vector)(uintptr_t)__stack_top,
    small_reset_handler,
    small_unexpected_exception,
    small_unexpected_exception,
    small_unexpected_exception,
    small_unexpected_exception,
    small_unexpected_exception,
    small_unexpected_exception,
    0,
    0,
    0,
    small_unexpected_exception,
    small_unexpected_exception,
    0,
    small_unexpected_exception,
    small_unexpected_exception,
};
