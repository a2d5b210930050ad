# Picks the kernel ISA (SMALL_ISA) and collects its sources.
#
# A toolchain file pins SMALL_ISA; without one, configure picks the best ISA
# the host supports among those SMaLL implements, and says so. ISA compiler
# flags apply to that ISA's kernel folder only.
set(SMALL_KNOWN_ISAS scalar avx2 avx512 neon armv7)

function(small_detect_host_isa out)
  set(isa scalar)
  if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
    if(EXISTS /proc/cpuinfo)
      file(READ /proc/cpuinfo cpuinfo)
      if(cpuinfo MATCHES "avx512f" AND cpuinfo MATCHES "avx512bw"
         AND cpuinfo MATCHES "avx512vl" AND cpuinfo MATCHES "avx512dq")
        set(isa avx512)
      elseif(cpuinfo MATCHES "avx2" AND cpuinfo MATCHES " fma")
        set(isa avx2)
      endif()
    endif()
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
    set(isa neon)
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^armv7")
    set(isa armv7)
  endif()
  set(${out} ${isa} PARENT_SCOPE)
endfunction()

if(NOT SMALL_ISA)
  small_detect_host_isa(detected)
  set(SMALL_ISA ${detected} CACHE STRING "Kernel ISA: ${SMALL_KNOWN_ISAS}")
  message(STATUS "SMaLL: no SMALL_ISA given; picked '${SMALL_ISA}' for this host")
endif()
if(NOT SMALL_ISA IN_LIST SMALL_KNOWN_ISAS)
  message(FATAL_ERROR
    "SMaLL: unknown SMALL_ISA '${SMALL_ISA}'. Known: ${SMALL_KNOWN_ISAS}")
endif()
message(STATUS "SMaLL: building kernels for ISA '${SMALL_ISA}'")

# Flags for the ISA's own kernel folder (toolchain files may override).
set(SMALL_ISA_FLAGS_scalar "")
set(SMALL_ISA_FLAGS_avx2 "-mavx2;-mfma")
# GCC 12's own avx512fintrin.h trips -Wmaybe-uninitialized (_mm512_undefined).
set(SMALL_ISA_FLAGS_avx512
    "-mavx512f;-mavx512bw;-mavx512dq;-mavx512vl;-mavx2;-mfma;-Wno-maybe-uninitialized")
set(SMALL_ISA_FLAGS_neon "")
set(SMALL_ISA_FLAGS_armv7 "-mfpu=neon-vfpv4;-mfloat-abi=hard")
if(NOT DEFINED SMALL_ISA_FLAGS)
  set(SMALL_ISA_FLAGS "${SMALL_ISA_FLAGS_${SMALL_ISA}}")
endif()

# The scalar kernels are always built: they fill every slot an ISA leaves
# empty and are the oracle in tests. Each ISA folder provides active_table.cpp.
file(GLOB SMALL_SCALAR_SOURCES CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/kernels/scalar/*.cpp)
list(FILTER SMALL_SCALAR_SOURCES EXCLUDE REGEX "active_table\\.cpp$")
file(GLOB SMALL_ISA_SOURCES CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/kernels/${SMALL_ISA}/*.cpp)
if(NOT SMALL_ISA STREQUAL "scalar")
  set_source_files_properties(${SMALL_ISA_SOURCES} PROPERTIES
    COMPILE_OPTIONS "${SMALL_ISA_FLAGS}")
endif()
set(SMALL_KERNEL_SOURCES ${SMALL_SCALAR_SOURCES} ${SMALL_ISA_SOURCES})
