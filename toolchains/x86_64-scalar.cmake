# Native x86-64 build with the scalar kernels.
# Usage: cmake -S . -B build-scalar --toolchain toolchains/x86_64-scalar.cmake
set(SMALL_ISA scalar CACHE STRING "SMaLL kernel ISA" FORCE)
