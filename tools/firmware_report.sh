#!/usr/bin/env bash
# Footprint and instruction report of the int8 MLPerf Tiny firmware
# (tests/firmware/int8_model_test.c, one image per model) on the Cortex-M4
# (QEMU mps2-an386) and the Cortex-M55 (QEMU mps3-an547).
#
# Usage: tools/firmware_report.sh [--layers] [cortex-m4|cortex-m55 ...]
#   Configures (when needed) and builds build-m4 / build-m55 in the source
#   tree with the toolchain files (SMALL_REPORT_JOBS parallel jobs, default
#   2), runs each image once under QEMU and prints, per model and core:
#
#   net=NAME target=T dtype=int8 flash_bytes= ram_bytes= arena_bytes=
#       instructions= instructions_per_mac=        (one line)
#
#   then a second table with what the flash holds:
#
#   net=NAME target=T runtime_flash_bytes= weight_flash_bytes=
#       sample_flash_bytes=
#
# With --layers, each model's line is followed by one line per layer, from
# a profiled run of the first sample (small_set_profiling_clock on SysTick):
#
#   layer net=NAME target=T index=I kind=K in_channels= out_channels= taps=
#       macs= instructions= instructions_per_mac=
#
# (taps: a convolution's filter taps, 0 for other kinds; a layer's count is
# exact to within a SysTick period, 40 instructions on mps2-an386.)
#
# How each figure is found:
#   flash_bytes  text + data of arm-none-eabi-size: code, read-only data,
#                the vector table and unwinding tables, plus the initial
#                values of .data (stored in flash, copied at reset).
#   ram_bytes    data + bss (the generated code's static arena among it) +
#                the heap newlib's malloc took (mallinfo: the network object,
#                its layers and tile plans; the packed weights and their
#                per-channel requantization stay in flash) + the stack's
#                high-water mark (the reset code paints the stack, the test
#                finds the deepest word written; measured after building
#                and running, before the first printf).
#   arena_bytes  small_network_arena_size.
#   instructions the first sample's run, counted by SysTick under
#                qemu -icount shift=0 (tests/firmware/instruction_count.h).
#                Instructions are not cycles.
#   instructions_per_mac  instructions / the network's MACs (sum of
#                small_network_layer_info().macs).
#   weight_flash_bytes  the generated model's const arrays (symbols ending in
#                _packed, _requant, _weights, _scales, _bias;
#                arm-none-eabi-nm -S).
#   sample_flash_bytes  the embedded test inputs and expected outputs.
#   runtime_flash_bytes flash_bytes minus both: the library, newlib (with
#                printf and semihosting, which the test uses), the test
#                program and the generated build function.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
jobs=${SMALL_REPORT_JOBS:-2}
layers=0
if [ "${1:-}" = --layers ]; then
  layers=1
  shift
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(cortex-m4 cortex-m55)
fi
nets=$(sed -n '/^set(SMALL_FIRMWARE_INT8_NETS/,/)/p' \
  "$root/tests/firmware/generated/models.cmake" |
  sed -e 's/^set(SMALL_FIRMWARE_INT8_NETS//' -e 's/)//')

field() { # field NAME LINE: the value of NAME=value in LINE
  sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" <<<"$2"
}

runtime_lines=()
for target in "${targets[@]}"; do
  case $target in
  cortex-m4) build=$root/build-m4 ;;
  cortex-m55) build=$root/build-m55 ;;
  *)
    echo "firmware_report.sh: unknown target '$target'" >&2
    exit 2
    ;;
  esac
  if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$build" --toolchain "$root/toolchains/$target.cmake" \
      >/dev/null
  fi
  board=$(sed -n 's/^SMALL_FIRMWARE_BOARD:STRING=//p' "$build/CMakeCache.txt")
  names=()
  for net in $nets; do
    names+=("small_${net}_int8_test")
  done
  cmake --build "$build" -j"$jobs" --target "${names[@]}" >/dev/null
  for net in $nets; do
    elf=$build/tests/firmware/small_${net}_int8_test
    output=$("$root/targets/cortex-m/run_qemu.sh" "$board" "$elf")
    line=$(grep '^net=' <<<"$output")
    if [ "$(field differing_bytes "$line")" != 0 ]; then
      echo "firmware_report.sh: $net on $target differs from TFLite" >&2
      exit 1
    fi
    read -r text data bss _ < <(arm-none-eabi-size "$elf" | tail -n 1)
    weights=$(arm-none-eabi-nm -S -t d "$elf" |
      awk '$4 ~ /_(packed|requant|weights|scales|bias)$/ { sum += $2 }
           END { print sum + 0 }')
    samples=$(arm-none-eabi-nm -S -t d "$elf" |
      awk '$4 ~ /^small_test_(inputs|expected)$/ { sum += $2 }
           END { print sum + 0 }')
    flash=$((text + data))
    ram=$((data + bss + $(field heap_bytes "$line") + $(field stack_bytes "$line")))
    echo "net=$net target=$target dtype=int8 flash_bytes=$flash" \
      "ram_bytes=$ram arena_bytes=$(field arena_bytes "$line")" \
      "instructions=$(field instructions "$line")" \
      "instructions_per_mac=$(field instructions_per_mac "$line")"
    if [ "$layers" = 1 ]; then
      grep '^layer=' <<<"$output" | awk -v net="$net" -v target="$target" '{
        for (i = 1; i <= NF; ++i) { split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "layer net=%s target=%s index=%s kind=%s in_channels=%s " \
               "out_channels=%s taps=%s macs=%s instructions=%s " \
               "instructions_per_mac=%s\n", net, target, v["layer"], v["kind"],
               v["in_channels"], v["out_channels"], v["taps"], v["macs"],
               v["instructions"],
               (v["macs"] > 0 ? sprintf("%.2f", v["instructions"] / v["macs"]) : "-")
      }'
    fi
    runtime_lines+=("net=$net target=$target runtime_flash_bytes=$((flash - weights - samples)) weight_flash_bytes=$weights sample_flash_bytes=$samples")
  done
done
printf '%s\n' "${runtime_lines[@]}"
