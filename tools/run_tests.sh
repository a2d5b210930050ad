#!/usr/bin/env bash
# Builds and tests every SMaLL configuration: the host's best ISA, the scalar
# build, AVX2 (on x86 with AVX2), and the aarch64 and armv7 cross builds under
# qemu-user; then installs the native build and builds a consumer project
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
  ctest --test-dir "$out/$name" --output-on-failure -j"$jobs" -O "$out/$name.ctest.log"
  local catch ctests
  catch=$(grep -Eo '(All tests passed|test cases:).*' "$out/$name.ctest.log" | head -1)
  ctests=$(grep -Eo '[0-9]+% tests passed.*' "$out/$name.ctest.log" | tail -1)
  summary+=("$name: ctest $ctests; small_tests: $catch")
}

mkdir -p "$out"
build_and_test native
build_and_test scalar --toolchain toolchains/x86_64-scalar.cmake
if grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
  build_and_test avx2 --toolchain toolchains/x86_64-avx2.cmake
else
  echo "== [avx2] SKIPPED: this CPU has no AVX2/FMA"
  summary+=("avx2: SKIPPED (CPU has no AVX2/FMA)")
fi
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
"$out/consumer/hello_pkgconfig" >/dev/null
summary+=("install: find_package (static, shared) and pkg-config consumers OK")

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
