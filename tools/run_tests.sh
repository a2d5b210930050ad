#!/usr/bin/env bash
# Builds and tests every SMaLL configuration (CI runs it through .ci/run).
#
# Jobs, in this order (each has a time bound; a timing summary ends the run):
#   native      no toolchain file: configure picks the host's best ISA; also
#               runs the port test (a new ISA from one folder + one toolchain)
#   <toolchain> one job per toolchains/*.cmake, named after the file (e.g.
#               x86_64-avx2, aarch64-linux-gnu). cmake/SmallToolchainProbe.cmake
#               decides whether this machine can run it: for a native ISA the
#               check in kernels/<isa>/isa.cmake, for a cross one its compilers
#               and emulator (qemu-user; qemu-system-arm for the bare-metal
#               Cortex-M builds, whose tests run as firmware on an emulated
#               board: targets/cortex-m/). A build that cannot run here is
#               reported SKIPPED with the reason; so is one with the native
#               build's ISA (the native job covered it), and x86_64-scalar
#               when the noexcept job runs too (it builds that toolchain
#               file). aarch64-linux-gnu and arm-linux-gnueabihf first
#               unpack Debian's arm64 / armhf XNNPACK into their build folders
#               (tools/fetch_arm64_xnnpack.sh) for the instruction-count
#               benchmark (benchmarks/icount), whose per-MAC counts end up
#               in the summary.
#   install     installs the native build; find_package and pkg-config
#               consumers; only small_* symbols exported
#   python      the README's Python install (venv with Debian's packages, pip
#               install --no-build-isolation ./python) in a temporary folder;
#               the package's tests and the KWS example against it
#   asan        clang-14 -fsanitize=address,undefined -fno-sanitize-recover=all -O1
#               (in kernels/, UBSan's address checks left to ASan: job_asan),
#               every test (two report themselves skipped, with the reason:
#               the no-heap test, as the sanitizer owns malloc, and the
#               Python ctypes test, as python cannot load an instrumented .so)
#   fuzz        clang-14 build instrumented for libFuzzer + ASan + UBSan (-O1,
#               scalar kernels); runs
#               the C API call-sequence fuzzer and the ONNX and TFLite
#               importer fuzzers (tests/fuzz) for SMALL_FUZZ_SECONDS (30) each
#   tsan        clang-14 -fsanitize=thread, small_tests "[concurrency]" (fails
#               if no test carries that tag)
#   noexcept    toolchains/x86_64-scalar.cmake with -DSMALL_NO_EXCEPTIONS=ON
#               (the library without exceptions and RTTI, as microcontroller
#               firmware builds it), every test
#
# Usage: bash tools/run_tests.sh [job...]    no job: all of them
#        e.g. bash tools/run_tests.sh asan tsan,  bash tools/run_tests.sh x86_64-avx2
# Build folders: $SMALL_TEST_BUILD_DIR (default build-tests)/<job>. Installs
# missing Debian packages first. Exits nonzero if any job failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
out=${SMALL_TEST_BUILD_DIR:-build-tests}
mkdir -p "$out"
out=$(cd "$out" && pwd)
jobs=$(nproc)
fuzz_seconds=${SMALL_FUZZ_SECONDS:-30}
sanitizer_cc=clang-14
sanitizer_cxx=clang++-14

toolchain_jobs() {
  local t
  for t in toolchains/*.cmake; do basename "$t" .cmake; done
}
all_jobs() {
  echo native
  toolchain_jobs
  echo install python asan fuzz tsan noexcept
}
# Minutes each job may take before it is stopped (and counted as failed):
# about three times what it takes on an idle 2-core machine.
job_minutes() {
  case $1 in
    install) echo 5 ;;
    python) echo 10 ;;
    asan) echo 25 ;;
    fuzz) echo $(((fuzz_seconds * 3 + 59) / 60 + 15)) ;;
    *) echo 15 ;;
  esac
}

# ---------------------------------------------------------------------------
# Building blocks (each job runs in its own process; see the end of the file)

# configure <name> <cmake args...>
configure() {
  local name=$1
  shift
  echo "== [$name] configure"
  cmake -S . -B "$out/$name" -DCMAKE_BUILD_TYPE=Release "$@" \
    >"$out/$name.configure.log" 2>&1 ||
    { cat "$out/$name.configure.log"; return 1; }
  grep "SMaLL" "$out/$name.configure.log" || true
}

# build <name> [targets...]
build() {
  local name=$1
  shift
  local targets=()
  [ $# -eq 0 ] || targets=(--target "$@")
  echo "== [$name] build ${*:-all}"
  cmake --build "$out/$name" -j"$jobs" "${targets[@]}" >"$out/$name.build.log" 2>&1 ||
    { tail -50 "$out/$name.build.log"; return 1; }
}

# run_ctest <name> [ctest args...]
run_ctest() {
  local name=$1
  shift
  echo "== [$name] test"
  # -V keeps every test's own summary (Catch2 counts, conformance lines) in
  # the log; the console gets ctest's verdicts and any failure's output.
  if ! ctest --test-dir "$out/$name" -V -j"$jobs" "$@" >"$out/$name.ctest.log" 2>&1; then
    grep -E "Test +#|tests passed|FAILED|failed" "$out/$name.ctest.log" | tail -40
    echo "== [$name] FAILED: full log in $out/$name.ctest.log"
    tail -200 "$out/$name.ctest.log"
    return 1
  fi
  grep -E "^ *[0-9]+/[0-9]+ Test +#|tests passed|Skipped|SKIP" "$out/$name.ctest.log" || true
  local num catch ctests
  num=$(grep -Eo 'Start +[0-9]+: small_tests$' "$out/$name.ctest.log" | grep -Eo '[0-9]+' | head -1 || true)
  catch=""
  [ -z "$num" ] ||
    catch=$(grep -E "^$num: (All tests passed|test cases:|assertions:)" "$out/$name.ctest.log" | cut -d' ' -f2- | tr -s ' ' | paste -sd' ' || true)
  ctests=$(grep -Eo '[0-9]+% tests passed.*' "$out/$name.ctest.log" | tail -1 || true)
  note "ctest $ctests${catch:+; small_tests: $catch}"
}

# A line for the final summary.
note() { echo "$*" >>"$out/$current_job.note"; }

skip() {
  echo "== [$current_job] SKIPPED: $*"
  note "$*"
  return 77
}

need_sanitizer_compilers() {
  if ! command -v "$sanitizer_cxx" >/dev/null || ! command -v "$sanitizer_cc" >/dev/null; then
    echo "== [$current_job] needs $sanitizer_cxx (clang-14, libclang-rt-14-dev)"
    return 1
  fi
}

# The ISA a configure without toolchain file picks on this host.
native_isa() {
  cmake -P cmake/SmallToolchainProbe.cmake | sed -n 's/^best //p'
}

# ---------------------------------------------------------------------------
# Jobs

job_native() {
  configure native || return 1
  build native || return 1
  run_ctest native || return 1
}

# One toolchain file: probe, then build and test (the port test ran in native).
job_toolchain() {
  local file=toolchains/$current_job.cmake verdict isa
  verdict=$(cmake -DTOOLCHAIN="$file" -P cmake/SmallToolchainProbe.cmake) || return 1
  case $verdict in
    skip*) skip "${verdict#skip }"; return ;;
  esac
  isa=$(echo "$verdict" | cut -d' ' -f2)
  if [ "$verdict" = "run $isa native" ] && [ "$isa" = "$(native_isa)" ]; then
    skip "same ISA as the native build ($isa), which the native job tests"
    return
  fi
  # The scalar kernels under every test, built twice (with and without
  # exceptions) for the same coverage, were a full build's minutes of CI:
  # the noexcept job builds this file, and the native and ISA jobs run the
  # library with exceptions.
  if [ "$current_job" = x86_64-scalar ] && [[ " ${SMALL_SELECTED_JOBS:-} " == *" noexcept "* ]]; then
    skip "the noexcept job builds this toolchain file (with -DSMALL_NO_EXCEPTIONS=ON) and runs every test"
    return
  fi
  fetch_arm64_peer
  # The ONNX importer's fuzz test does not depend on the kernels: the native
  # build and the fuzz job run it.
  configure "$current_job" --toolchain "$file" -DSMALL_ONNX_FUZZ_TEST=OFF ||
    return 1
  build "$current_job" || return 1
  run_ctest "$current_job" -LE port || return 1
  # The bare-metal builds' network tests print their instruction counts.
  local counts
  counts=$(grep -v ' cpuinfo=' "$out/$current_job.ctest.log" |
    grep -o 'net=[a-z0-9_]* .*instructions_per_mac=[0-9.]*' |
    sed -E 's/net=([a-z0-9_]*) .* instructions=([0-9]*) instructions_per_mac=([0-9.]*)/\1: \2 instructions (\3 per MAC);/' || true)
  [ -z "$counts" ] || note "$counts"
  # The aarch64 build's instruction-count benchmark (benchmarks/icount):
  # instructions per MAC of one inference, per network, engine and board.
  counts=$(grep -o 'net=[a-z0-9_]* engine=[a-z]* isa=[a-z0-9]* cpuinfo=[a-z0-9]* instructions=[0-9]* instructions_per_mac=[0-9.]*' \
    "$out/$current_job.ctest.log" |
    sed -E 's/net=([a-z0-9_]*) engine=([a-z]*) .* cpuinfo=([a-z0-9]*) .* instructions_per_mac=([0-9.]*)/\1 \2 \3 \4;/' || true)
  [ -z "$counts" ] || note "instructions per MAC: $counts"
}

# aarch64 and armv7: Debian's arm64 (armhf) XNNPACK, unpacked into the build
# folder for the instruction-count benchmark's peer
# (tools/fetch_arm64_xnnpack.sh). When it cannot be had (offline, or apt
# still waiting after 5 minutes), the benchmark runs SMaLL alone and ctest
# reports it skipped; the reason is printed and kept for the summary.
fetch_arm64_peer() {
  local arch
  case $current_job in
    aarch64-linux-gnu) arch=arm64 ;;
    arm-linux-gnueabihf) arch=armhf ;;
    *) return 0 ;;
  esac
  if ! timeout 300 bash tools/fetch_arm64_xnnpack.sh "$out/$current_job/$arch-xnnpack" "$arch" \
    >"$out/$current_job.fetch.log" 2>&1; then
    echo "== [$current_job] XNNPACK $arch peer SKIPPED: $(tail -1 "$out/$current_job.fetch.log")"
    note "XNNPACK $arch peer SKIPPED: $(tail -1 "$out/$current_job.fetch.log");"
  fi
}

job_install() {
  [ -d "$out/native" ] || { job_native || return 1; }
  echo "== [install] install the native build and use it from another project"
  rm -rf "$out/prefix" "$out/consumer"
  cmake --install "$out/native" --prefix "$out/prefix" >/dev/null || return 1
  cmake -S tests/install -B "$out/consumer" -DCMAKE_PREFIX_PATH="$out/prefix" >/dev/null || return 1
  cmake --build "$out/consumer" -j"$jobs" >/dev/null || return 1
  "$out/consumer/consumer_static" || return 1
  LD_LIBRARY_PATH="$out/prefix/lib" "$out/consumer/consumer_shared" || return 1
  local pc="$out/prefix/lib/pkgconfig"
  # shellcheck disable=SC2046
  cc -std=c99 examples/hello.c $(PKG_CONFIG_PATH="$pc" pkg-config --cflags --libs --static small) \
    -o "$out/consumer/hello_pkgconfig" || return 1
  LD_LIBRARY_PATH="$out/prefix/lib" "$out/consumer/hello_pkgconfig" >/dev/null || return 1
  local exported
  exported=$(nm -D --defined-only "$out/prefix/lib/libsmall.so" | awk '{print $3}' | grep -v '^small_' || true)
  [ -z "$exported" ] || { echo "libsmall.so exports non-API symbols:"; echo "$exported"; return 1; }
  note "find_package (static, shared) and pkg-config consumers OK; only small_* exported"
}

# The Python package as a user installs it (README, section Python): Debian's
# /usr/bin/python3, a venv that sees its numpy and pytest, pip without an
# index. The tests import the installed package, not the source tree.
job_python() {
  local venv
  venv=$(mktemp -d)/venv
  echo "== [python] venv + pip install --no-build-isolation ./python in $venv"
  rm -rf python/build python/small.egg-info # as in a fresh clone
  /usr/bin/python3 -m venv --system-site-packages "$venv" || return 1
  SMALL_BUILD_JOBS=$jobs "$venv/bin/pip" install --no-build-isolation --no-index ./python \
    >"$out/python.pip.log" 2>&1 || { tail -20 "$out/python.pip.log"; return 1; }
  (cd "$venv" && ./bin/python -c "import small, sys; assert small.__file__.startswith(sys.prefix), small.__file__") || return 1
  "$venv/bin/python" -m pytest -q -rs -p no:cacheprovider python/tests || return 1
  "$venv/bin/python" examples/python/kws.py || return 1
  note "pip install into a venv ($("$venv/bin/python" --version 2>&1)): package tests and KWS example OK"
  rm -rf "$(dirname "$venv")" python/build python/small.egg-info
}

job_asan() {
  need_sanitizer_compilers || return 1
  # In the kernels (kernels/: the ISA folders and their x86/arm templates)
  # UBSan's address checks are left to ASan, which checks every load and
  # store itself: pointer-overflow, bounds, alignment, null and object-size
  # instrument each address of the unrolled register tiles and made the
  # AVX-512 kernel objects most of the job (the 12x32 convolution tile 223 s
  # to compile, 81 s without them). Every other UBSan check (shifts, signed
  # overflow, float casts: the int8 arithmetic) stays on in the kernels, and
  # all of them elsewhere.
  local ignorelist="$out/asan-kernel-ignorelist.txt"
  printf '[pointer-overflow|bounds|alignment|null|object-size]\nsrc:%s/kernels/*\n' \
    "$PWD" >"$ignorelist"
  local flags="-fsanitize=address,undefined -fno-sanitize-recover=all -fsanitize-ignorelist=$ignorelist -fno-omit-frame-pointer -g"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  # The C programs link libsmall.a with the C driver, which leaves out
  # UBSan's C++ runtime (and the libstdc++ it needs) unless asked for.
  local link="-fsanitize-link-c++-runtime -Wl,--push-state,--no-as-needed,-lstdc++,--pop-state"
  # The benchmark programs (and their peer engines) are left out: they test
  # no library code the other tests do not, and cost minutes of ASan build.
  # -O1, as the sanitizer's documentation suggests: every check stays, and
  # the build (most of the job) takes a minute less than at -O3.
  CC=$sanitizer_cc CXX=$sanitizer_cxx configure asan \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
    -DCMAKE_C_FLAGS_RELEASE="-O1 -DNDEBUG" -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" \
    -DCMAKE_EXE_LINKER_FLAGS="$link" -DSMALL_BUILD_BENCHMARKS=OFF \
    -DSMALL_ONNX_FUZZ_TEST=OFF || return 1
  build asan || return 1
  run_ctest asan -LE port || return 1
}

job_fuzz() {
  need_sanitizer_compilers || return 1
  local flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -g"
  # The fuzzers aim at the C API and the model readers, so they take the
  # scalar kernels (the SIMD ones run under ASan in the asan job) and -O1:
  # the build, most of the job, takes minutes less.
  CC=$sanitizer_cc CXX=$sanitizer_cxx configure fuzz -DSMALL_BUILD_FUZZERS=ON \
    -DSMALL_ISA=scalar -DSMALL_FUZZ_SECONDS="$fuzz_seconds" \
    -DSMALL_BUILD_BENCHMARKS=OFF \
    -DSMALL_BUILD_EXAMPLES=OFF -DCMAKE_C_FLAGS="$flags" \
    -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_C_FLAGS_RELEASE="-O1 -DNDEBUG" \
    -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" || return 1
  local fuzzers f num
  fuzzers=$(sed -n 's/.*SMaLL fuzzers: \([^(]*\) (.*/\1/p' "$out/fuzz.configure.log" | tr ';' ' ')
  [ -n "$fuzzers" ] || { echo "== [fuzz] no fuzz targets configured"; return 1; }
  # shellcheck disable=SC2086
  build fuzz $fuzzers || return 1
  run_ctest fuzz -L fuzz || return 1
  for f in $fuzzers; do
    num=$(grep -Eo "Start +[0-9]+: $f\$" "$out/fuzz.ctest.log" | grep -Eo '[0-9]+' | head -1)
    note "$f: $(grep -Eo "^$num: stat::number_of_executed_units: [0-9]+" "$out/fuzz.ctest.log" | grep -Eo '[0-9]+$') execs"
  done
}

job_tsan() {
  need_sanitizer_compilers || return 1
  local flags="-fsanitize=thread -g"
  CC=$sanitizer_cc CXX=$sanitizer_cxx configure tsan -DSMALL_BUILD_BENCHMARKS=OFF \
    -DSMALL_BUILD_EXAMPLES=OFF -DSMALL_BUILD_ONNX=OFF \
    -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" || return 1
  build tsan small_tests || return 1
  echo "== [tsan] test: small_tests \"[concurrency]\""
  local log="$out/tsan.test.log"
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
    "$out/tsan/tests/small_tests" "[concurrency]" >"$log" 2>&1
  local rc=$?
  tail -5 "$log"
  if grep -q "No test cases matched" "$log" || ! grep -Eq "All tests passed|test cases:" "$log"; then
    echo "== [tsan] FAILED: no test is tagged [concurrency] (tests/unit/test_concurrency.cpp)"
    return 1
  fi
  [ "$rc" -eq 0 ] || { echo "== [tsan] FAILED: full log in $log"; return 1; }
  note "small_tests [concurrency]: $(grep -E "All tests passed|test cases:" "$log" | tail -1)"
}

job_noexcept() {
  # The library without exceptions; the benchmark programs are not part of it.
  # The scalar toolchain: no kernel throws, so the ISA changes nothing here,
  # and this job is also the scalar kernels' test (the x86_64-scalar job
  # is skipped when this one runs).
  configure noexcept --toolchain toolchains/x86_64-scalar.cmake \
    -DSMALL_NO_EXCEPTIONS=ON -DSMALL_BUILD_BENCHMARKS=OFF \
    -DSMALL_ONNX_FUZZ_TEST=OFF || return 1
  # Without the option the build would silently be the ordinary one.
  grep -q '^SMALL_NO_EXCEPTIONS:BOOL=ON$' "$out/noexcept/CMakeCache.txt" ||
    { echo "== [noexcept] FAILED: this tree has no SMALL_NO_EXCEPTIONS option"; return 1; }
  build noexcept || return 1
  local objects
  for objects in small_objects small_kernel_objects; do
    grep -q -- "-fno-exceptions" "$out/noexcept/CMakeFiles/$objects.dir/flags.make" ||
      { echo "== [noexcept] FAILED: $objects is not built with -fno-exceptions"; return 1; }
  done
  run_ctest noexcept -LE port || return 1
}

run_job() {
  current_job=$1
  case $1 in
    native | install | python | asan | fuzz | tsan | noexcept) "job_$1" ;;
    *)
      if [ -f "toolchains/$1.cmake" ]; then
        job_toolchain
      else
        echo "unknown job '$1'; jobs: $(all_jobs | tr '\n' ' ')"
        return 2
      fi
      ;;
  esac
}

# ---------------------------------------------------------------------------
# Main: each job in its own bounded process, then the summary.

if [ "${1:-}" = "--job" ]; then
  run_job "$2"
  exit $?
fi

if [ $# -gt 0 ]; then selected=("$@"); else mapfile -t selected < <(all_jobs | tr ' ' '\n'); fi
for job in "${selected[@]}"; do
  all_jobs | tr ' ' '\n' | grep -qx -- "$job" ||
    { echo "unknown job '$job'; jobs: $(all_jobs | tr '\n' ' ')"; exit 2; }
done
bash tools/install_deps.sh test || exit 1
export SMALL_SELECTED_JOBS="${selected[*]}"
summary=()
failed=0
total_start=$SECONDS
for job in "${selected[@]}"; do
  rm -f "$out/$job.note"
  start=$SECONDS
  timeout -k 30 "$(job_minutes "$job")m" bash "$0" --job "$job"
  rc=$?
  took=$((SECONDS - start))
  case $rc in
    0) verdict=PASSED ;;
    77) verdict=SKIPPED ;;
    124 | 137) verdict="FAILED (over its $(job_minutes "$job") min bound)"; failed=1 ;;
    *) verdict="FAILED (exit $rc)"; failed=1 ;;
  esac
  details=$(paste -sd' ' "$out/$job.note" 2>/dev/null || true)
  summary+=("$(printf '%-22s %4d s  %s  %s' "$job" "$took" "$verdict" "$details")")
done

echo
echo "== summary (job, seconds, verdict)"
printf '%s\n' "${summary[@]}"
echo "total: $((SECONDS - total_start)) s"
exit $failed
