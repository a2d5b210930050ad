# Native x86-64 build with the avx512 kernels.
# Usage: cmake -S . -B build-avx512 --toolchain toolchains/x86_64-avx512.cmake
set(SMALL_ISA avx512 CACHE STRING "SMaLL kernel ISA" FORCE)
