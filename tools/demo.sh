#!/usr/bin/env bash
# The main job: builds SMaLL (Release, this host's best ISA) and runs the
# MLPerf Tiny demo: ResNet-8, DS-CNN, MobileNetV1-0.25 and the Deep
# AutoEncoder, each checked against its PyTorch golden and timed.
# Usage: bash tools/demo.sh [extra cmake arguments, e.g. -DSMALL_ISA=scalar]
# The build goes to build-demo/ (or $SMALL_DEMO_BUILD_DIR). Exits nonzero if a
# network does not match its golden.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh demo
out=${SMALL_DEMO_BUILD_DIR:-build-demo}
mkdir -p "$out"
echo "== configure ($out)"
cmake -S . -B "$out" -DCMAKE_BUILD_TYPE=Release -DSMALL_BUILD_TESTS=OFF \
  -DSMALL_BUILD_BENCHMARKS=OFF -DSMALL_BUILD_EXAMPLES=ON "$@" \
  >"$out/configure.log" 2>&1 || { cat "$out/configure.log"; exit 1; }
grep "SMaLL:" "$out/configure.log" || true
echo "== build"
cmake --build "$out" -j"$(nproc)" --target small_mlperf_demo \
  >"$out/build.log" 2>&1 || { tail -50 "$out/build.log"; exit 1; }
echo "== run"
"$out/examples/mlperf_tiny/small_mlperf_demo" tests/goldens
