# ARMv8.2-A (aarch64) with the dot product extension (SDOT/UDOT, FEAT_DotProd:
# Cortex-A55/A75 and later, Neoverse, Apple M1): the neon kernels plus the
# int8 convolution on SDOT. The toolchain file aarch64-dotprod.cmake picks it.
# -fno-schedule-insns: as for neon (isa.cmake there), the shared fp32 tiles.
set(SMALL_ISA_COMPILE_OPTIONS -march=armv8.2-a+dotprod -fno-schedule-insns)
small_cpu_matches(SMALL_ISA_RUNS_HERE "^(aarch64|arm64)$" asimddp)
set(SMALL_ISA_PREFERENCE 25)
