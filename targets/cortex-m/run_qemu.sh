#!/usr/bin/env bash
# Runs a bare-metal test ELF on an emulated Cortex-M board and returns the
# program's exit status (it leaves QEMU through a semihosting exit).
# Usage: run_qemu.sh <machine> <elf> [args ignored]
# The toolchain files use it as CMAKE_CROSSCOMPILING_EMULATOR.
#   -icount shift=0: one instruction per virtual nanosecond, so the board's
#     timers count instructions and every run counts the same.
#   SMALL_QEMU_TIMEOUT (seconds, default 300; the longest test, the kernel
#     testers, takes about 30 s on an idle machine) bounds a run that hangs:
#     nothing inside the board would stop it.
set -u
machine=$1
elf=$2
exec timeout --kill-after=5 "${SMALL_QEMU_TIMEOUT:-300}" \
  qemu-system-arm -machine "$machine" -nographic -monitor none \
  -semihosting-config enable=on,target=native -icount shift=0 \
  -kernel "$elf"
