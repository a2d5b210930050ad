#!/usr/bin/env bash
# Installs the Debian packages SMaLL's builds, tests and demo need, if any is
# missing. Usage: tools/install_deps.sh [demo|test]
set -euo pipefail
what=${1:-test}
pkgs=(cmake g++ make pkg-config catch2 libopenblas-dev python3)
# The thread pool's CPU topology (cores, caches); without it, sysconf.
pkgs+=(libhwloc-dev)
# The ONNX importer (the demo runs the real trained models through it).
pkgs+=(libonnx-dev libprotobuf-dev)
# The TFLite importer: flatc generates its schema header at build time.
pkgs+=(flatbuffers-compiler libflatbuffers-dev)
# The Python package (python/): numpy at run time, pytest for its tests,
# venv + setuptools + wheel for `pip install --no-build-isolation ./python`.
pkgs+=(python3-numpy python3-pytest python3-venv python3-setuptools
       python3-wheel)
if [ "$what" = test ]; then
  pkgs+=(g++-aarch64-linux-gnu g++-arm-linux-gnueabihf qemu-user binutils)
  # ONNX conformance data and the importer's libFuzzer test; clang-14 and
  # its runtimes for the sanitizer and fuzzer jobs.
  pkgs+=(protobuf-compiler libonnx-testdata clang clang-14 libclang-rt-14-dev)
  # The network benchmark's peers (its smoke test checks every engine's
  # output against ONNX Runtime's) and its chart.
  pkgs+=(libdnnl-dev libxnnpack-dev libpthreadpool-dev python3-matplotlib)
  # The Python package's small.Network is checked against PyTorch (float64).
  pkgs+=(python3-torch)
  # The bare-metal Cortex-M builds (toolchains/cortex-m*.cmake) and the
  # boards they run on.
  pkgs+=(gcc-arm-none-eabi libnewlib-arm-none-eabi
         libstdc++-arm-none-eabi-newlib qemu-system-arm)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "== installing: ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
