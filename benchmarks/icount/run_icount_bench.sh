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
# Usage: run_icount_bench.sh BUILD_DIR [--dtype fp32|int8] [board...]
#   default dtype fp32; default boards: a72 a53 (fp32), a72 (int8). int8
#   networks are the five .int8.tflite models; the a55 board needs a build
#   whose kernels it can run: SMaLL's aarch64 build (neon) for a72/a53, its
#   aarch64-dotprod build (neondot, SDOT kernels) for a55.
#   env SMALL_AARCH64_SYSROOT (default /usr/aarch64-linux-gnu)
# One line per network, engine and board:
#   net=<n> engine=small|xnnpack isa=neon|neondot cpuinfo=a72|a53|a55
#     instructions=<i>
#     instructions_per_mac=<x> fma_share=<f> loads_per_mac=<l>
#     stores_per_mac=<s> fma_per_mac=<m> macs=<macs> dtype=fp32|int8
# (fma_share: multiply-accumulate instructions / all instructions; 0.25
# fma_per_mac is one 4-lane fmla per 4 MACs). A missing engine prints a
# SKIPPED line. Exit status: 1 if a run failed or an output was wrong, else
# 77 if an engine was skipped (ctest reports the test skipped), else 0.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: run_icount_bench.sh BUILD_DIR [--dtype fp32|int8] [board...]}
build=$(cd "$build" && pwd)
shift
dtype=fp32
if [ "${1:-}" = --dtype ]; then
  dtype=${2:?--dtype needs fp32 or int8}
  shift 2
fi
boards=("$@")
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
sysroot=${SMALL_AARCH64_SYSROOT:-/usr/aarch64-linux-gnu}
bench=$build/benchmarks/small_icount_bench
plugin=$build/tools/qemu_insn_count/libsmall_insn_count.so
for f in "$bench" "$plugin"; do
  [ -e "$f" ] || { echo "missing $f (build small_icount_bench in an aarch64 build)"; exit 1; }
done

# The -L prefix of one board (rebuilt every run: cheap, and never stale).
make_prefix() {
  local board=$1 prefix=$build/icount-sysroot/$1 entry
  rm -rf "$prefix"
  mkdir -p "$prefix/proc" "$prefix/sys/devices/system/cpu"
  for entry in "$sysroot"/*; do ln -s "$entry" "$prefix/$(basename "$entry")"; done
  cp "$here/cpuinfo/$board.txt" "$prefix/proc/cpuinfo"
  local last
  last=$(($(grep -c '^processor' "$prefix/proc/cpuinfo") - 1))
  for entry in possible present online; do
    echo "0-$last" >"$prefix/sys/devices/system/cpu/$entry"
  done
  echo "$prefix"
}

# The qemu -cpu model with a board's hwcaps.
qemu_cpu() { if [ "$1" = a55 ]; then echo cortex-a76; else echo "cortex-$1"; fi; }

# field NAME LINE: the value of NAME=value in LINE.
field() { sed -n "s/.*[ ^]$1=\([^ ]*\).*/\1/p" <<<" $2"; }

failures=0
skipped=0
for board in "${boards[@]}"; do
  [ -f "$here/cpuinfo/$board.txt" ] || { echo "unknown board $board"; exit 1; }
  prefix=$(make_prefix "$board")
  for net in "${nets[@]}"; do
    for engine in small xnnpack; do
      counts=$build/icount-sysroot/$board.$dtype.$net.$engine.txt
      rm -f "$counts"
      out=$(qemu-aarch64 -cpu "$(qemu_cpu "$board")" -L "$prefix" \
        -plugin "$plugin,outfile=$counts" "$bench" --net "$net" \
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
    done
  done
done
[ $failures -eq 0 ] || exit 1
[ $skipped -eq 0 ] || exit 77
