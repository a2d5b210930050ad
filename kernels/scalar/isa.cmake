# Plain C++ kernels: every CPU runs them; the fallback of auto-detection.
set(SMALL_ISA_COMPILE_OPTIONS "")
set(SMALL_ISA_RUNS_HERE TRUE)
set(SMALL_ISA_PREFERENCE 0)
