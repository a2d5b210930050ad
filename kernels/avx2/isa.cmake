# AVX2 with FMA (x86-64 since Haswell / Zen).
set(SMALL_ISA_COMPILE_OPTIONS -mavx2 -mfma)
small_cpu_matches(SMALL_ISA_RUNS_HERE "^(x86_64|AMD64|amd64)$" avx2 fma)
set(SMALL_ISA_PREFERENCE 20)
