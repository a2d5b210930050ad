# AVX-512 F/BW/DQ/VL (x86-64 since Skylake-SP / Zen 4); preferred over AVX2.
set(SMALL_ISA_COMPILE_OPTIONS
    -mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx2 -mfma)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12's own avx512fintrin.h trips -Wmaybe-uninitialized (_mm512_undefined),
  # and -Wuninitialized in the int8 kernels (the undefined merge source of
  # unmasked integer min/max/shift intrinsics).
  list(APPEND SMALL_ISA_COMPILE_OPTIONS -Wno-maybe-uninitialized
       -Wno-uninitialized)
endif()
small_cpu_matches(SMALL_ISA_RUNS_HERE "^(x86_64|AMD64|amd64)$"
                  avx512f avx512bw avx512dq avx512vl)
set(SMALL_ISA_PREFERENCE 30)
