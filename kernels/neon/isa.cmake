# ARMv8-A (aarch64) NEON: part of the base ISA, so no options and no flag check.
set(SMALL_ISA_COMPILE_OPTIONS "")
small_cpu_matches(SMALL_ISA_RUNS_HERE "^(aarch64|arm64)$")
set(SMALL_ISA_PREFERENCE 20)
