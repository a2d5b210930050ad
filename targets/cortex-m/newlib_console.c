/* The default console and exit of the test firmware: newlib's semihosting
 * library (rdimon), so that printf, Catch2's std::cout and exit's static
 * destructors work. An image that links no stdio links
 * no_stdio_console.c instead; its definitions then keep this member of the
 * runtime archive out of the image, and newlib's stdio with it. */
#include <stdlib.h>

#include "small_firmware.h"

void initialise_monitor_handles(void);

void small_firmware_console_open(void) { initialise_monitor_handles(); }

void small_firmware_exit(int status) { exit(status); }
