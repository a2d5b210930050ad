/* What the test firmware's runtime (startup.c) offers the programs it runs. */
#ifndef SMALL_TARGETS_CORTEX_M_SMALL_FIRMWARE_H
#define SMALL_TARGETS_CORTEX_M_SMALL_FIRMWARE_H

#include <stddef.h>

/* The deepest the stack has reached since reset, in bytes: the reset
 * handler paints the stack region (STACK_BYTES below the top of the data
 * memory, cortex-m-common.ld) and this finds the lowest word that changed.
 * The whole region when the stack has reached its limit (or beyond it). */
size_t small_firmware_stack_high_water(void);

#endif
