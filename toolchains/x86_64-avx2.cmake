# Native x86-64 build with the avx2 kernels.
# Usage: cmake -S . -B build-avx2 --toolchain toolchains/x86_64-avx2.cmake
set(SMALL_ISA avx2 CACHE STRING "SMaLL kernel ISA" FORCE)
