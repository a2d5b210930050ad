#!/usr/bin/env bash
# Instructions of one inference of each MLPerf Tiny fp32 network, SMaLL and
# XNNPACK, as an aarch64 board would execute them: small_icount_bench under
# qemu-aarch64 with the instruction-count plugin (tools/qemu_insn_count),
# once per board model:
#   a72  Raspberry Pi 4 (Cortex-A72 r0p3)    a53  Raspberry Pi 3 (Cortex-A53 r0p4)
# Each board gets `-cpu cortex-a72|a53` (its hwcaps) and its /proc/cpuinfo
# (cpuinfo/<board>.txt): qemu-user 7.2 serves guest /proc/cpuinfo from the
# host unless the -L prefix holds a file of that path, so each board has a
# prefix folder (build/icount-sysroot/<board>) with proc/cpuinfo and
# sys/devices/system/cpu/{possible,present,online}, and symlinks to the
# cross sysroot for the rest. XNNPACK reads them through libcpuinfo to pick
# its kernels (e.g. the Cortex-A53 assembly GEMMs); SMaLL does not look.
#
# Usage: run_icount_bench.sh BUILD_DIR [board...]   (default: a72 a53)
#   env SMALL_AARCH64_SYSROOT (default /usr/aarch64-linux-gnu)
# One line per network, engine and board:
#   net=<n> engine=small|xnnpack isa=neon cpuinfo=a72|a53 instructions=<i>
#     instructions_per_mac=<x> fma_share=<f> loads_per_mac=<l>
#     stores_per_mac=<s> fma_per_mac=<m> macs=<macs>
# (fma_share: multiply-accumulate instructions / all instructions; 0.25
# fma_per_mac is one 4-lane fmla per 4 MACs). A missing engine prints a
# SKIPPED line. Exit status: 1 if a run failed or an output was wrong, else
# 77 if an engine was skipped (ctest reports the test skipped), else 0.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: run_icount_bench.sh BUILD_DIR [board...]}
build=$(cd "$build" && pwd)
shift
boards=("$@")
[ ${#boards[@]} -gt 0 ] || boards=(a72 a53)
sysroot=${SMALL_AARCH64_SYSROOT:-/usr/aarch64-linux-gnu}
bench=$build/benchmarks/small_icount_bench
plugin=$build/tools/qemu_insn_count/libsmall_insn_count.so
nets=(resnet8 dscnn mobilenet_vww autoencoder)
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

# field NAME LINE: the value of NAME=value in LINE.
field() { sed -n "s/.*[ ^]$1=\([^ ]*\).*/\1/p" <<<" $2"; }

failures=0
skipped=0
for board in "${boards[@]}"; do
  [ -f "$here/cpuinfo/$board.txt" ] || { echo "unknown board $board"; exit 1; }
  prefix=$(make_prefix "$board")
  for net in "${nets[@]}"; do
    for engine in small xnnpack; do
      counts=$build/icount-sysroot/$board.$net.$engine.txt
      rm -f "$counts"
      out=$(qemu-aarch64 -cpu "cortex-$board" -L "$prefix" \
        -plugin "$plugin,outfile=$counts" "$bench" --net "$net" --engine "$engine" 2>&1)
      status=$?
      if [ $status -eq 77 ]; then
        echo "net=$net engine=$engine cpuinfo=$board SKIPPED: $(grep -o 'SKIPPED: .*' <<<"$out" | cut -d' ' -f2-)"
        skipped=$((skipped + 1))
        continue
      fi
      region=$(grep '^insn_count scope=region' "$counts" 2>/dev/null)
      if [ $status -ne 0 ] || [ "$(field regions "$region")" != 1 ]; then
        echo "net=$net engine=$engine cpuinfo=$board FAILED (exit $status):"
        echo "$out" | tail -5
        failures=$((failures + 1))
        continue
      fi
      line=$(grep "^net=$net engine=$engine " <<<"$out")
      awk -v net="$net" -v engine="$engine" -v board="$board" \
        -v isa="$(field isa "$line")" -v macs="$(field macs "$line")" \
        -v total="$(field total "$region")" -v fma="$(field fma "$region")" \
        -v loads="$(field loads "$region")" -v stores="$(field stores "$region")" \
        'BEGIN { printf "net=%s engine=%s isa=%s cpuinfo=%s instructions=%d instructions_per_mac=%.3f fma_share=%.3f loads_per_mac=%.3f stores_per_mac=%.3f fma_per_mac=%.3f macs=%d\n",
                 net, engine, isa, board, total, total / macs, fma / total, loads / macs, stores / macs, fma / macs, macs }'
    done
  done
done
[ $failures -eq 0 ] || exit 1
[ $skipped -eq 0 ] || exit 77
