/* Console output and exit through Arm semihosting (the debugger interface
 * QEMU implements), without the C library: what an image that links no
 * stdio uses to report (see small_firmware.h). */
#include <stdint.h>

#include "small_firmware.h"

/* Operation numbers of the Arm semihosting specification. */
#define SMALL_SYS_OPEN 0x01u
#define SMALL_SYS_WRITE 0x05u
#define SMALL_SYS_EXIT_EXTENDED 0x20u
#define SMALL_ADP_STOPPED_APPLICATION_EXIT 0x20026u
/* SYS_OPEN's mode "w": on the special file ":tt", the host's stdout. */
#define SMALL_OPEN_MODE_W 4u

/* One semihosting call: the operation in r0, its argument in r1, the
 * result in r0 (BKPT 0xAB on M-profile cores). */
static uint32_t small_semihosting_call(uint32_t operation, const void *arg) {
  register uint32_t r0 __asm__("r0") = operation;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

/* The host's stdout, opened on first use (SYS_WRITE0 would write to the
 * emulator's stderr). */
static uint32_t small_console_handle(void) {
  static uint32_t handle;
  static int opened;
  if (!opened) {
    static const char name[] = ":tt";
    const uint32_t block[3] = {(uint32_t)(uintptr_t)name, SMALL_OPEN_MODE_W,
                               sizeof name - 1};
    handle = small_semihosting_call(SMALL_SYS_OPEN, block);
    opened = 1;
  }
  return handle;
}

void small_firmware_print(const char *text) {
  uint32_t length = 0;
  while (text[length] != '\0')
    ++length;
  const uint32_t block[3] = {small_console_handle(), (uint32_t)(uintptr_t)text,
                             length};
  small_semihosting_call(SMALL_SYS_WRITE, block);
}

void small_firmware_print_unsigned(uint32_t value) {
  char digits[11];
  char *first = digits + sizeof digits - 1;
  *first = '\0';
  do {
    *--first = (char)('0' + value % 10u);
    value /= 10u;
  } while (value != 0);
  small_firmware_print(first);
}

void small_firmware_semihosting_exit(int status) {
  /* SYS_EXIT_EXTENDED carries the status; plain SYS_EXIT on a 32-bit core
   * only tells success from failure. */
  const uint32_t block[2] = {SMALL_ADP_STOPPED_APPLICATION_EXIT,
                             (uint32_t)status};
  small_semihosting_call(SMALL_SYS_EXIT_EXTENDED, block);
  for (;;) {
  }
}
