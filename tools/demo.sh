#!/usr/bin/env bash
# The main job: builds SMaLL (Release, this host's best ISA) and runs the
# MLPerf Tiny demo in three parts:
#  1. the real trained MLPerf Tiny models (models/mlperf_tiny/*.onnx) through
#     the ONNX importer, each checked against ONNX Runtime's output and timed,
#     on the calling thread and on a pool of one thread per physical core;
#  2. the MLPerf Tiny reference int8 .tflite models (the five benchmarks) through
#     the TFLite importer, checked byte for byte against TFLite's reference
#     integer arithmetic, and timed (scalar int8 kernels on every ISA so far);
#  3. the same four architectures built layer by layer through the C API with
#     seeded weights, checked against PyTorch goldens, with MACs, GFLOP/s and
#     arena bytes.
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
cmake --build "$out" -j"$(nproc)" --target small_mlperf_demo small-run \
  >"$out/build.log" 2>&1 || { tail -50 "$out/build.log"; exit 1; }
echo "== CPU (hwloc or sysconf) and a pool of one thread per physical core"
"$out/onnx/small-run" --info --threads 0
echo "== real MLPerf Tiny models (ONNX, trained weights) vs ONNX Runtime"
# Tolerances from models/mlperf_tiny/README.md: softmax outputs atol 1e-5,
# the autoencoder's reconstruction atol 1e-2 and rtol 1e-4.
models=models/mlperf_tiny
for threads in 1 0; do
  [ "$threads" = 0 ] && echo "-- on a pool of one thread per physical core (--threads 0)"
  for sample in resnet8 resnet8.2 dscnn dscnn.2 mobilenet_vww mobilenet_vww.2 autoencoder; do
    net=${sample%.2}
    tol=(--atol 1e-5)
    [ "$net" = autoencoder ] && tol=(--atol 1e-2 --rtol 1e-4)
    "$out/onnx/small-run" "$models/$net.onnx" --input "$models/$sample.input.bin" \
      --expected "$models/$sample.expected.bin" "${tol[@]}" --bench 50 \
      --threads "$threads" --quiet
  done
done
echo
echo "== MLPerf Tiny int8 .tflite models vs TFLite's reference integer arithmetic"
if [ -x "$out/onnx/small-run" ] && grep -q "TFLite importer: ON" "$out/configure.log"; then
  tflite=models/mlperf_tiny_tflite
  for sample in resnet8 dscnn mobilenet_vww autoencoder streaming_wakeword.class0; do
    net=${sample%.class0}
    "$out/onnx/small-run" "$tflite/$net.int8.tflite" --input "$tflite/$sample.int8.input.bin" \
      --expected "$tflite/$sample.int8.expected.bin" --bench 10 --quiet
  done
else
  echo "(skipped: the TFLite importer needs libflatbuffers-dev and flatbuffers-compiler)"
fi
echo
echo "== the same architectures through the C API, seeded weights, vs PyTorch goldens"
"$out/examples/mlperf_tiny/small_mlperf_demo" tests/goldens
