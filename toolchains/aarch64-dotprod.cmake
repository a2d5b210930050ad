# Cross build for 64-bit ARM with the ARMv8.2 dot product (SDOT), e.g.
# Raspberry Pi 5 (Cortex-A76), Jetson Orin, Graviton 2/3, Apple M-series
# Linux VMs: the neon build plus the int8 convolution on SDOT
# (kernels/neondot). Tests run under qemu-user as a Cortex-A76, a CPU with
# the dot product (-cpu max has it too, but also emulates SVE and pointer
# authentication: the tests ran a third slower). The CI job builds the tests
# only (benchmarks and examples are the aarch64-linux-gnu job's), to stay
# cheap; -D...=ON brings them back.
# Needs: g++-aarch64-linux-gnu qemu-user
include(${CMAKE_CURRENT_LIST_DIR}/aarch64-linux-gnu.cmake)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -cpu cortex-a76 -L
                                  /usr/aarch64-linux-gnu)
set(SMALL_ISA neondot CACHE STRING "SMaLL kernel ISA" FORCE)
set(SMALL_BUILD_BENCHMARKS OFF CACHE BOOL "Build the benchmark programs")
set(SMALL_BUILD_EXAMPLES OFF CACHE BOOL "Build the examples")
