# ARMv7-A NEON with VFPv4 FMA, hard-float ABI (Cortex-A7/A15/A17, and ARMv8
# cores running a 32-bit OS).
set(SMALL_ISA_COMPILE_OPTIONS -mfpu=neon-vfpv4 -mfloat-abi=hard)
small_cpu_matches(SMALL_ISA_RUNS_HERE "^armv7")
set(SMALL_ISA_PREFERENCE 20)
