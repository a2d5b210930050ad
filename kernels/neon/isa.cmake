# ARMv8-A (aarch64) NEON: part of the base ISA, so no flag check.
# -fno-schedule-insns: GCC 12's first scheduling pass (before register
# allocation) hoists the weight loads of the 5x16 tile's four-channel step
# ahead of their FMAs and then spills accumulators; without it the loop is
# FMAs and the loads they need (ResNet-8: 5.51 M -> 4.81 M instructions,
# benchmarks/icount). The pass after allocation still schedules.
set(SMALL_ISA_COMPILE_OPTIONS -fno-schedule-insns)
small_cpu_matches(SMALL_ISA_RUNS_HERE "^(aarch64|arm64)$")
set(SMALL_ISA_PREFERENCE 20)
