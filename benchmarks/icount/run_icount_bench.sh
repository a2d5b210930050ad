#!/usr/bin/env bash
# Instructions of one inference of each MLPerf Tiny network, SMaLL and
# XNNPACK, as an aarch64 board would execute them: small_icount_bench under
# qemu-aarch64 with the instruction-count plugin (tools/qemu_insn_count),
# once per board model:
#   a72  Raspberry Pi 4 (Cortex-A72 r0p3)    a53  Raspberry Pi 3 (Cortex-A53 r0p4)
#   a55  a Cortex-A55 r2p0 board (RK3566/RK3568), ARMv8.2 with the dot product
# Each board gets `-cpu` with its hwcaps (cortex-a72, cortex-a53; qemu 7.2
# has no cortex-a55, so the a55 board runs as cortex-a76, which has the same
# ARMv8.2 dot-product hwcaps) and its /proc/cpuinfo
# (cpuinfo/<board>.txt): qemu-user 7.2 serves guest /proc/cpuinfo from the
# host unless the -L prefix holds a file of that path, so each board has a
# prefix folder (build/icount-sysroot/<board>) with proc/cpuinfo and
# sys/devices/system/cpu/{possible,present,online}, and symlinks to the
# cross sysroot for the rest. XNNPACK reads them through libcpuinfo to pick
# its kernels (e.g. the Cortex-A53 assembly GEMMs); SMaLL does not look.
#
# An armv7 build (toolchains/arm-linux-gnueabihf.cmake, with XNNPACK's armhf
# packages) runs under qemu-arm as the same boards with a 32-bit OS: the
# cpuinfo such a board shows under a 32-bit kernel (cpuinfo/armv7/<board>.txt)
# and -cpu max, the AArch32 state of an ARMv8 core (qemu-arm 7.2 has no
# 32-bit Cortex-A53/A72): XNNPACK, told by cpuinfo that the core is an
# ARMv8 one, uses ARMv8's AArch32 instructions (e.g. vcvtn in its int8
# requantization), which -cpu cortex-a15 lacks (SIGILL); it still picks
# its non-dot-product kernels.
#
# Usage: run_icount_bench.sh BUILD_DIR [--dtype fp32|int8] [--functions NET]
#                            [board...]
#   default dtype fp32; default boards: a72 a53 (fp32), a72 (int8). int8
#   networks are the five .int8.tflite models; the a55 board needs a build
#   whose kernels it can run: SMaLL's aarch64 build (neon) for a72/a53, its
#   aarch64-dotprod build (neondot, SDOT kernels) for a55.
#   env SMALL_AARCH64_SYSROOT (default /usr/aarch64-linux-gnu),
#       SMALL_ARMV7_SYSROOT (default /usr/arm-linux-gnueabihf)
# One line per network, engine and board:
#   net=<n> engine=small|xnnpack isa=neon|neondot cpuinfo=a72|a53|a55
#     instructions=<i>
#     instructions_per_mac=<x> fma_share=<f> loads_per_mac=<l>
#     stores_per_mac=<s> fma_per_mac=<m> macs=<macs> dtype=fp32|int8
# With --functions NET only that network runs, and each of its lines is
# followed by the functions that executed the most of its instructions
# (the plugin's functions=on; SMaLL's are symbols of the program; XNNPACK's
# kernels are in its shared library, for which qemu has no symbols:
# "(no-symbol)"), one line each:
#   function net=<n> engine=<e> cpuinfo=<b> instructions=<i> share=<of the
#     run> fma_share=<f> loads_per_instruction=<l> name=<demangled name>
# (fma_share: multiply-accumulate instructions / all instructions; 0.25
# fma_per_mac is one 4-lane fmla per 4 MACs). A missing engine prints a
# SKIPPED line. Exit status: 1 if a run failed or an output was wrong, else
# 77 if an engine was skipped (ctest reports the test skipped), else 0.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: run_icount_bench.sh BUILD_DIR [--dtype fp32|int8] [--functions NET] [board...]}
build=$(cd "$build" && pwd)
shift
dtype=fp32
functions_of=
while [ $# -gt 0 ]; do
  case $1 in
  --dtype) dtype=${2:?--dtype needs fp32 or int8}; shift 2 ;;
  --functions) functions_of=${2:?--functions needs a network}; shift 2 ;;
  *) break ;;
  esac
done
boards=("$@")
# How many functions --functions prints per run.
top_functions=15
case $dtype in
fp32)
  nets=(resnet8 dscnn mobilenet_vww autoencoder)
  [ ${#boards[@]} -gt 0 ] || boards=(a72 a53)
  ;;
int8)
  nets=(resnet8 dscnn mobilenet_vww autoencoder streaming_wakeword)
  [ ${#boards[@]} -gt 0 ] || boards=(a72)
  ;;
*) echo "unknown dtype $dtype"; exit 1 ;;
esac
plugin_options=
if [ -n "$functions_of" ]; then
  nets=("$functions_of")
  plugin_options=,functions=on
fi
bench=$build/benchmarks/small_icount_bench
plugin=$build/tools/qemu_insn_count/libsmall_insn_count.so
for f in "$bench" "$plugin"; do
  [ -e "$f" ] || { echo "missing $f (build small_icount_bench in an aarch64 or armv7 build)"; exit 1; }
done
# The ELF header's machine (e_machine, offset 18): 183 aarch64, 40 ARM.
case $(od -An -tu2 -j18 -N2 "$bench" | tr -d ' ') in
183)
  qemu=qemu-aarch64
  sysroot=${SMALL_AARCH64_SYSROOT:-/usr/aarch64-linux-gnu}
  cpuinfo_dir=$here/cpuinfo
  ;;
40)
  qemu=qemu-arm
  sysroot=${SMALL_ARMV7_SYSROOT:-/usr/arm-linux-gnueabihf}
  cpuinfo_dir=$here/cpuinfo/armv7
  ;;
*) echo "$bench is neither an aarch64 nor an ARM program"; exit 1 ;;
esac

# The -L prefix of one board (rebuilt every run: cheap, and never stale).
make_prefix() {
  local board=$1 prefix=$build/icount-sysroot/$1 entry
  rm -rf "$prefix"
  mkdir -p "$prefix/proc" "$prefix/sys/devices/system/cpu"
  for entry in "$sysroot"/*; do ln -s "$entry" "$prefix/$(basename "$entry")"; done
  cp "$cpuinfo_dir/$board.txt" "$prefix/proc/cpuinfo"
  local last
  last=$(($(grep -c '^processor' "$prefix/proc/cpuinfo") - 1))
  for entry in possible present online; do
    echo "0-$last" >"$prefix/sys/devices/system/cpu/$entry"
  done
  echo "$prefix"
}

# The qemu -cpu model with a board's hwcaps.
qemu_cpu() {
  if [ "$qemu" = qemu-arm ]; then
    echo max
  elif [ "$1" = a55 ]; then
    echo cortex-a76
  else
    echo "cortex-$1"
  fi
}

# field NAME LINE: the value of NAME=value in LINE.
field() { sed -n "s/.*[ ^]$1=\([^ ]*\).*/\1/p" <<<" $2"; }

# print_functions COUNTS NET ENGINE BOARD TOTAL: the top functions of a run
# (the plugin prints them most instructions first).
print_functions() {
  grep '^insn_count region_function=' "$1" | head -n "$top_functions" |
    sed -E 's/^insn_count region_function=([^ ]*) total=([0-9]*) fma=([0-9]*) loads=([0-9]*) .*/\2 \3 \4 \1/' |
    while read -r total fma loads name; do
      printf 'function net=%s engine=%s cpuinfo=%s instructions=%d share=%.3f fma_share=%.3f loads_per_instruction=%.3f name=%s\n' \
        "$2" "$3" "$4" "$total" "$(awk -v a="$total" -v b="$5" 'BEGIN { print a / b }')" \
        "$(awk -v a="$fma" -v b="$total" 'BEGIN { print a / b }')" \
        "$(awk -v a="$loads" -v b="$total" 'BEGIN { print a / b }')" \
        "$(c++filt "$name")"
    done
}

failures=0
skipped=0
for board in "${boards[@]}"; do
  [ -f "$cpuinfo_dir/$board.txt" ] || { echo "unknown board $board for $qemu"; exit 1; }
  prefix=$(make_prefix "$board")
  for net in "${nets[@]}"; do
    for engine in small xnnpack; do
      counts=$build/icount-sysroot/$board.$dtype.$net.$engine.txt
      rm -f "$counts"
      out=$($qemu -cpu "$(qemu_cpu "$board")" -L "$prefix" \
        -plugin "$plugin,outfile=$counts$plugin_options" "$bench" --net "$net" \
        --engine "$engine" --dtype "$dtype" 2>&1)
      status=$?
      if [ $status -eq 77 ]; then
        echo "net=$net engine=$engine dtype=$dtype cpuinfo=$board SKIPPED: $(grep -o 'SKIPPED: .*' <<<"$out" | cut -d' ' -f2-)"
        skipped=$((skipped + 1))
        continue
      fi
      region=$(grep '^insn_count scope=region' "$counts" 2>/dev/null)
      if [ $status -ne 0 ] || [ "$(field regions "$region")" != 1 ]; then
        echo "net=$net engine=$engine dtype=$dtype cpuinfo=$board FAILED (exit $status):"
        echo "$out" | tail -5
        failures=$((failures + 1))
        continue
      fi
      line=$(grep "^net=$net engine=$engine " <<<"$out")
      awk -v net="$net" -v engine="$engine" -v dtype="$dtype" -v board="$board" \
        -v isa="$(field isa "$line")" -v macs="$(field macs "$line")" \
        -v total="$(field total "$region")" -v fma="$(field fma "$region")" \
        -v loads="$(field loads "$region")" -v stores="$(field stores "$region")" \
        'BEGIN { printf "net=%s engine=%s isa=%s cpuinfo=%s instructions=%d instructions_per_mac=%.3f fma_share=%.3f loads_per_mac=%.3f stores_per_mac=%.3f fma_per_mac=%.3f macs=%d dtype=%s\n",
                 net, engine, isa, board, total, total / macs, fma / total, loads / macs, stores / macs, fma / macs, macs, dtype }'
      [ -z "$functions_of" ] || print_functions "$counts" "$net" "$engine" "$board" "$(field total "$region")"
    done
  done
done
[ $failures -eq 0 ] || exit 1
[ $skipped -eq 0 ] || exit 77
