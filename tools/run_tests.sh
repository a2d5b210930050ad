#!/usr/bin/env bash
# Builds and tests every SMaLL configuration: the host's best ISA (native),
# the scalar build, the x86 SIMD builds the CPU can run (AVX2, AVX-512; a
# build the CPU cannot run is skipped with a message), and the aarch64 and
# armv7 cross builds under qemu-user; then installs the native build and builds a consumer project
# against it with find_package and pkg-config.
# Usage: bash tools/run_tests.sh   (installs missing Debian packages first)
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh test
jobs=$(nproc)
out=${SMALL_TEST_BUILD_DIR:-build-tests}
summary=()

build_and_test() {
  local name=$1
  shift
  echo "== [$name] configure"
  cmake -S . -B "$out/$name" -DCMAKE_BUILD_TYPE=Release "$@" >"$out/$name.configure.log" 2>&1 ||
    { cat "$out/$name.configure.log"; return 1; }
  grep "SMaLL" "$out/$name.configure.log" || true
  echo "== [$name] build"
  cmake --build "$out/$name" -j"$jobs" >"$out/$name.build.log" 2>&1 ||
    { tail -50 "$out/$name.build.log"; return 1; }
  echo "== [$name] test"
  # -V keeps every test's own summary (Catch2 counts, conformance lines) in
  # the log; the console gets ctest's verdicts and any failure's output.
  if ! ctest --test-dir "$out/$name" -V -j"$jobs" >"$out/$name.ctest.log" 2>&1; then
    grep -E "Test +#|tests passed|FAILED|failed" "$out/$name.ctest.log" | tail -40
    echo "== [$name] FAILED: full log in $out/$name.ctest.log"
    tail -200 "$out/$name.ctest.log"
    return 1
  fi
  grep -E "^ *[0-9]+/[0-9]+ Test +#|tests passed|Skipped|SKIP" "$out/$name.ctest.log" || true
  local catch ctests
  local num
  num=$(grep -Eo 'Start +[0-9]+: small_tests$' "$out/$name.ctest.log" | grep -Eo '[0-9]+' | head -1 || true)
  catch=$(grep -E "^$num: (All tests passed|test cases:|assertions:)" "$out/$name.ctest.log" | cut -d' ' -f2- | tr -s ' ' | paste -sd' ' || true)
  ctests=$(grep -Eo '[0-9]+% tests passed.*' "$out/$name.ctest.log" | tail -1 || true)
  summary+=("$name: ctest $ctests; small_tests: $catch")
}

cpu_has() { grep -qw "$1" /proc/cpuinfo; }
host_isa=scalar
if cpu_has avx512f && cpu_has avx512bw && cpu_has avx512dq && cpu_has avx512vl; then
  host_isa=avx512
elif cpu_has avx2 && cpu_has fma; then
  host_isa=avx2
fi

mkdir -p "$out"
# The native build: no toolchain file, configure picks the host's best ISA.
build_and_test native
grep -q "picked '$host_isa'" "$out/native.configure.log" ||
  { echo "configure did not pick '$host_isa' for this host"; exit 1; }
build_and_test scalar --toolchain toolchains/x86_64-scalar.cmake
# The x86 SIMD builds the native one did not cover.
for isa in avx2 avx512; do
  [ "$isa" = "$host_isa" ] && continue
  case $isa in
    avx2) cpu_has avx2 && cpu_has fma && ok=1 || ok=0 ;;
    avx512) cpu_has avx512f && cpu_has avx512bw && cpu_has avx512dq && cpu_has avx512vl && ok=1 || ok=0 ;;
  esac
  if [ $ok = 1 ]; then
    build_and_test $isa --toolchain toolchains/x86_64-$isa.cmake
  else
    echo "== [$isa] SKIPPED: this CPU cannot run $isa code (see /proc/cpuinfo flags)"
    summary+=("$isa: SKIPPED (CPU lacks $isa)")
  fi
done
build_and_test aarch64 --toolchain toolchains/aarch64-linux-gnu.cmake
build_and_test armv7 --toolchain toolchains/arm-linux-gnueabihf.cmake

echo "== [install] install the native build and use it from another project"
rm -rf "$out/prefix" "$out/consumer"
cmake --install "$out/native" --prefix "$out/prefix" >/dev/null
cmake -S tests/install -B "$out/consumer" -DCMAKE_PREFIX_PATH="$PWD/$out/prefix" >/dev/null
cmake --build "$out/consumer" -j"$jobs" >/dev/null
"$out/consumer/consumer_static"
LD_LIBRARY_PATH="$PWD/$out/prefix/lib" "$out/consumer/consumer_shared"
PKG_CONFIG_PATH="$PWD/$out/prefix/lib/pkgconfig" \
  cc -std=c99 examples/hello.c $(PKG_CONFIG_PATH="$PWD/$out/prefix/lib/pkgconfig" pkg-config --cflags --libs --static small) \
  -o "$out/consumer/hello_pkgconfig"
LD_LIBRARY_PATH="$PWD/$out/prefix/lib" "$out/consumer/hello_pkgconfig" >/dev/null
exported=$(nm -D --defined-only "$out/prefix/lib/libsmall.so" | awk '{print $3}' | grep -v '^small_' || true)
[ -z "$exported" ] || { echo "libsmall.so exports non-API symbols:"; echo "$exported"; exit 1; }
summary+=("install: find_package (static, shared) and pkg-config consumers OK; only small_* exported")

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
