/* The console and exit of an image that links no stdio (the compiled-plan
 * tests, whose flash is meant to be what firmware running a plan needs):
 * nothing to open, and exit straight through semihosting, with no atexit
 * handlers or stream flushing. Linked as a source of the image, it keeps
 * newlib_console.c's member of the runtime archive (and newlib's stdio and
 * semihosting file layer) out; the program prints with
 * small_firmware_print. */
#include "small_firmware.h"

void small_firmware_console_open(void) {}

void small_firmware_exit(int status) {
  small_firmware_semihosting_exit(status);
}
