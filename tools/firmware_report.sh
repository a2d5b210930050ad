#!/usr/bin/env bash
# Footprint and instruction report of the int8 MLPerf Tiny firmware on the
# Cortex-M4 (QEMU mps2-an386) and the Cortex-M55 (QEMU mps3-an547): each
# model as the compiled plan small-codegen --plan --target wrote
# (tests/firmware/plan_model_test.c, one image per model: what firmware
# ships), and with --layers also built through the C API
# (tests/firmware/int8_model_test.c) for its per-layer profile.
#
# Usage: tools/firmware_report.sh [--layers] [cortex-m4|cortex-m55 ...]
#   Configures (when needed) and builds build-m4 / build-m55 in the source
#   tree with the toolchain files (SMALL_REPORT_JOBS parallel jobs, default
#   2), runs each image once under QEMU and prints, per model and core:
#
#   net=NAME target=T dtype=int8 flash_bytes= ram_bytes= arena_bytes=
#       instructions= instructions_per_mac=        (one line)
#
#   then the same line with dtype=fp32 for each fp32 network the board runs
#   (tests/firmware/mlperf_golden_test.c: built on the device through the C
#   API from weights read from the host through semihosting, so its flash
#   holds no weights and its RAM holds them, copied and packed, on the heap;
#   the line ends with weights=heap to say so), then a second table with
#   what the int8 images' flash holds:
#
#   net=NAME target=T runtime_flash_bytes= small_flash_bytes=
#       weight_flash_bytes= plan_flash_bytes= sample_flash_bytes=
#
# With --layers, each model's line is followed by one line per layer, from
# a profiled run of the first sample through the C API
# (small_set_profiling_clock on SysTick):
#
#   layer net=NAME target=T index=I kind=K in_channels= out_channels= taps=
#       macs= instructions= instructions_per_mac=
#
# (taps: a convolution's filter taps, 0 for other kinds; a layer's count is
# exact to within a SysTick period, 40 instructions on mps2-an386.)
#
# How each figure is found (plan images):
#   flash_bytes  text + data of arm-none-eabi-size: code, read-only data,
#                the vector table and unwinding tables, plus the initial
#                values of .data (stored in flash, copied at reset).
#   ram_bytes    data + bss (the plan's static arena and kernel slots among
#                it) + the stack's high-water mark (the reset code paints the
#                stack, the test finds the deepest word written after binding
#                and running). No heap: the images link no allocator
#                (tests/firmware/check_no_allocator.cmake, run here too).
#   arena_bytes  the plan's arena (small_network_arena_size on the host).
#   instructions the first sample's run, counted by SysTick under
#                qemu -icount shift=0 (tests/firmware/instruction_count.h):
#                ticks * 1e9 / the board's clock. Instructions are not
#                cycles.
#   instructions_per_mac  instructions / the plan's MACs (the sum over its
#                layers).
#   fp32 lines: flash_bytes as above; ram_bytes = data + bss + the heap's
#                high-water mark (newlib never returns memory, so its arena
#                size: the fixtures, the network and its weight copies) +
#                the stack's high-water mark.
#   weight_flash_bytes  the plan's packed weights and per-channel arrays
#                (symbols <net>_s<i>_weights, _bias, _multiplier, _shift,
#                _weight_sums, _requant; arm-none-eabi-nm -S).
#   plan_flash_bytes  the plan's tables: steps, windows, block groups and
#                tile grids, tensors.
#   sample_flash_bytes  the embedded test inputs and expected outputs.
#   runtime_flash_bytes flash_bytes minus those three: the library and its
#                kernels, what they use of newlib (memcpy, expf...), the
#                startup code and the test program (no stdio: it prints
#                through semihosting alone).
#   small_flash_bytes  SMaLL's share of it: the symbols of small:: and the C
#                API (small_*), not the test harness's small_firmware_*.
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
fp32_nets() { # fp32_nets BOARD: the golden images tests/firmware builds
  sed -n "s/^set(SMALL_FIRMWARE_NETS_$1 \(.*\))$/\1/p" \
    "$root/tests/firmware/CMakeLists.txt"
}

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
    names+=("small_${net}_plan_test")
    if [ "$layers" = 1 ]; then
      names+=("small_${net}_int8_test")
    fi
  done
  for net in $(fp32_nets "$board"); do
    names+=("small_${net}_golden_test")
  done
  cmake --build "$build" -j"$jobs" --target "${names[@]}" >/dev/null
  for net in $nets; do
    elf=$build/tests/firmware/small_${net}_plan_test
    line=$("$root/targets/cortex-m/run_qemu.sh" "$board" "$elf" | grep '^net=')
    if [ "$(field differing_bytes "$line")" != 0 ]; then
      echo "firmware_report.sh: $net on $target: $line" >&2
      exit 1
    fi
    cmake -DNM=arm-none-eabi-nm -DELF="$elf" \
      -P "$root/tests/firmware/check_no_allocator.cmake" >/dev/null
    read -r text data bss _ < <(arm-none-eabi-size "$elf" | tail -n 1)
    read -r weights plan samples small < <(arm-none-eabi-nm -S -t d -C "$elf" |
      awk -v net="$net" '
        $3 ~ /^[tTwWrRdD]$/ {
          name = $4; for (i = 5; i <= NF; ++i) name = name " " $i
          size = $2 + 0
          if (name ~ ("^" net "_s[0-9]+_(weights|bias|multiplier|shift|weight_sums|requant)$"))
            weights += size
          else if (name ~ ("^" net "_(s[0-9]+(_groups|_grids)?|steps|inputs|outputs|plan)$"))
            plan += size
          else if (name ~ /^small_test_(inputs|expected)$/)
            samples += size
          else if ((name ~ /small::/ || name ~ /^small_/) &&
                   name !~ /^small_(firmware|reset_handler|unexpected)/)
            small += size
        }
        END { print weights + 0, plan + 0, samples + 0, small + 0 }')
    flash=$((text + data))
    ram=$((data + bss + $(field stack_bytes "$line")))
    ticks=$(field systick_ticks "$line")
    clock=$(field sysclk_hz "$line")
    macs=$(field macs "$line")
    instructions=$((ticks * 1000000000 / clock))
    echo "net=$net target=$target dtype=int8 flash_bytes=$flash" \
      "ram_bytes=$ram arena_bytes=$(field arena_bytes "$line")" \
      "instructions=$instructions" \
      "instructions_per_mac=$(awk -v i="$instructions" -v m="$macs" \
        'BEGIN { printf "%.2f", i / m }')"
    if [ "$layers" = 1 ]; then
      "$root/targets/cortex-m/run_qemu.sh" "$board" \
        "$build/tests/firmware/small_${net}_int8_test" |
        grep '^layer=' | awk -v net="$net" -v target="$target" '{
        for (i = 1; i <= NF; ++i) { split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "layer net=%s target=%s index=%s kind=%s in_channels=%s " \
               "out_channels=%s taps=%s macs=%s instructions=%s " \
               "instructions_per_mac=%s\n", net, target, v["layer"], v["kind"],
               v["in_channels"], v["out_channels"], v["taps"], v["macs"],
               v["instructions"],
               (v["macs"] > 0 ? sprintf("%.2f", v["instructions"] / v["macs"]) : "-")
      }'
    fi
    runtime_lines+=("net=$net target=$target runtime_flash_bytes=$((flash - weights - plan - samples)) small_flash_bytes=$small weight_flash_bytes=$weights plan_flash_bytes=$plan sample_flash_bytes=$samples")
  done
  for net in $(fp32_nets "$board"); do
    elf=$build/tests/firmware/small_${net}_golden_test
    line=$("$root/targets/cortex-m/run_qemu.sh" "$board" "$elf" | grep '^net=')
    if [[ $line != *" PASS" ]]; then
      echo "firmware_report.sh: $net fp32 on $target: $line" >&2
      exit 1
    fi
    read -r text data bss _ < <(arm-none-eabi-size "$elf" | tail -n 1)
    ticks=$(field systick_ticks "$line")
    clock=$(field sysclk_hz "$line")
    macs=$(field macs "$line")
    instructions=$((ticks * 1000000000 / clock))
    echo "net=$net target=$target dtype=fp32 flash_bytes=$((text + data))" \
      "ram_bytes=$((data + bss + $(field heap_bytes "$line") + $(field stack_bytes "$line")))" \
      "arena_bytes=$(field arena_bytes "$line") instructions=$instructions" \
      "instructions_per_mac=$(awk -v i="$instructions" -v m="$macs" \
        'BEGIN { printf "%.2f", i / m }') weights=heap"
  done
done
printf '%s\n' "${runtime_lines[@]}"
