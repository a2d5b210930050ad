/* What the test firmware's runtime (targets/cortex-m) offers the programs it
 * runs. */
#ifndef SMALL_TARGETS_CORTEX_M_SMALL_FIRMWARE_H
#define SMALL_TARGETS_CORTEX_M_SMALL_FIRMWARE_H

#include <stddef.h>
#include <stdint.h>

/* The deepest the stack has reached since reset, in bytes: the reset
 * handler paints the stack region (STACK_BYTES below the top of the data
 * memory, cortex-m-common.ld) and this finds the lowest word that changed.
 * The whole region when the stack has reached its limit (or beyond it). */
size_t small_firmware_stack_high_water(void);

/* Console output without the C library (semihosting.c): a NUL-terminated
 * text, and an unsigned integer in decimal. */
void small_firmware_print(const char *text);
void small_firmware_print_unsigned(uint32_t value);

/* Leaves the emulator with the given exit status (semihosting.c). */
void small_firmware_semihosting_exit(int status) __attribute__((noreturn));

/* The console the reset handler opens before main and the exit main's
 * status goes to: newlib's (newlib_console.c, the default) or none but
 * semihosting (no_stdio_console.c, linked by images without stdio). */
void small_firmware_console_open(void);
void small_firmware_exit(int status) __attribute__((noreturn));

#endif
