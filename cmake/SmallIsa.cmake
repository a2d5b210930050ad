# Picks the kernel ISA (SMALL_ISA) and collects its sources.
#
# The known ISAs are the kernel folders with an isa.cmake
# (SmallIsaFolders.cmake). A toolchain file pins SMALL_ISA; without one,
# configure asks every folder whether this host runs its code and picks the
# one it prefers most, and says so. A folder's compile options apply to that
# folder's *.cpp files only.
include(${CMAKE_CURRENT_LIST_DIR}/SmallIsaFolders.cmake)

set(SMALL_CPU_PROCESSOR "${CMAKE_SYSTEM_PROCESSOR}")
small_isa_list(SMALL_KNOWN_ISAS)
if(NOT SMALL_ISA)
  small_isa_best_here(detected)
  set(SMALL_ISA ${detected} CACHE STRING "Kernel ISA: ${SMALL_KNOWN_ISAS}")
  message(STATUS "SMaLL: no SMALL_ISA given; picked '${SMALL_ISA}' for this host")
endif()
if(NOT SMALL_ISA IN_LIST SMALL_KNOWN_ISAS)
  message(FATAL_ERROR
    "SMaLL: unknown SMALL_ISA '${SMALL_ISA}'. Known (folders kernels/<isa>/ "
    "with an isa.cmake): ${SMALL_KNOWN_ISAS}")
endif()
message(STATUS "SMaLL: building kernels for ISA '${SMALL_ISA}'")

small_isa_describe(${SMALL_ISA} SMALL_ACTIVE_ISA)
# A toolchain file may replace the folder's options (e.g. a -mcpu= tuning).
if(NOT DEFINED SMALL_ISA_FLAGS)
  set(SMALL_ISA_FLAGS "${SMALL_ACTIVE_ISA_COMPILE_OPTIONS}")
endif()

# The scalar kernels are always built: they fill every slot an ISA leaves
# empty and are the oracle in tests. Each ISA folder provides active_table.cpp.
file(GLOB SMALL_SCALAR_SOURCES CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/kernels/scalar/*.cpp)
list(FILTER SMALL_SCALAR_SOURCES EXCLUDE REGEX "active_table\\.cpp$")
file(GLOB SMALL_ISA_SOURCES CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/kernels/${SMALL_ISA}/*.cpp)
set_source_files_properties(${SMALL_ISA_SOURCES} PROPERTIES
  COMPILE_OPTIONS "${SMALL_ISA_FLAGS}")
set(SMALL_KERNEL_SOURCES ${SMALL_SCALAR_SOURCES} ${SMALL_ISA_SOURCES})
