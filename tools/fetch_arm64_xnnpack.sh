#!/usr/bin/env bash
# Unpacks Debian's arm64 (or armhf) XNNPACK, with pthreadpool and cpuinfo,
# into DEST for the instruction-count benchmark (benchmarks/icount) of the
# aarch64 (or armv7) build, which links them with an RPATH. The packages are
# downloaded with apt-get download and unpacked with dpkg-deb -x: never
# installed (they are not Multi-Arch: the foreign ones would replace the
# amd64 XNNPACK the x86 network benchmark builds against). Adds the
# architecture to dpkg and refreshes apt's lists when they lack it (needs
# root then).
#
# Usage: tools/fetch_arm64_xnnpack.sh DEST [arm64|armhf]   (default arm64)
#   e.g. build-a64/arm64-xnnpack, or build-armv7/armhf-xnnpack armhf
# Idempotent: a DEST already unpacked is left as it is (no network needed).
# Exit status 0 when DEST holds the libraries, 1 (with the reason) if not,
# e.g. when the Debian mirror cannot be reached.
set -uo pipefail
dest=${1:?usage: fetch_arm64_xnnpack.sh DEST [arm64|armhf]}
arch=${2:-arm64}
case $arch in
arm64) triplet=aarch64-linux-gnu ;;
armhf) triplet=arm-linux-gnueabihf ;;
*) echo "fetch_arm64_xnnpack: unknown architecture $arch (arm64 or armhf)" >&2; exit 1 ;;
esac
packages=(libxnnpack0 libxnnpack-dev libpthreadpool0 libpthreadpool-dev libcpuinfo0)
stamp=$dest/unpacked.txt

fail() {
  echo "fetch_arm64_xnnpack: $*" >&2
  exit 1
}

if [ -f "$stamp" ] && [ -f "$dest/usr/include/xnnpack.h" ] &&
  [ -f "$dest/usr/lib/$triplet/libXNNPACK.so.0" ]; then
  echo "fetch_arm64_xnnpack: $dest already holds $(paste -sd' ' "$stamp")"
  exit 0
fi
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null ||
  fail "needs Debian's apt-get and dpkg-deb"

if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
  dpkg --add-architecture "$arch" || fail "dpkg --add-architecture $arch failed (needs root)"
fi
if ! apt-cache show "libxnnpack0:$arch" >/dev/null 2>&1; then
  apt-get update -qq >/dev/null 2>&1 ||
    fail "apt-get update failed: the Debian mirror cannot be reached (offline?)"
  apt-cache show "libxnnpack0:$arch" >/dev/null 2>&1 ||
    fail "no libxnnpack0:$arch in apt's lists after apt-get update"
fi

work=$(mktemp -d) || fail "mktemp failed"
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -qq -o APT::Sandbox::User=root \
  "${packages[@]/%/:$arch}" >/dev/null 2>&1) ||
  fail "apt-get download ${packages[*]/%/:$arch} failed: the Debian mirror cannot be reached (offline?)"
mkdir -p "$work/root"
for deb in "$work"/*.deb; do
  dpkg-deb -x "$deb" "$work/root" || fail "dpkg-deb -x $deb failed"
done
rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
mv "$work/root" "$dest" || fail "cannot move the unpacked files to $dest"
for deb in "$work"/*.deb; do basename "$deb" .deb; done >"$stamp"
echo "fetch_arm64_xnnpack: unpacked into $dest: $(paste -sd' ' "$stamp")"
