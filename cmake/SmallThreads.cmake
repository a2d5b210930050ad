# Threads (src/threads/: the thread pool, the CPU topology) and hwloc.
#
# SMALL_THREADS: ON for Linux targets, OFF for bare metal (CMAKE_SYSTEM_NAME
# Generic), so firmware builds contain no pthread code; the thread pool API
# then only offers a pool of one thread (the caller).
#
# hwloc (Debian libhwloc-dev) gives the topology: physical cores (SMT
# siblings counted once) and the L1d/L2/L3 sizes. It is optional: where it
# is not found for the target (a cross sysroot without it) the topology comes
# from sysconf. Either way configure says which and why.
if(CMAKE_SYSTEM_NAME STREQUAL "Linux")
  set(SMALL_THREADS_DEFAULT ON)
else()
  set(SMALL_THREADS_DEFAULT OFF)
endif()
option(SMALL_THREADS "Build the thread pool (pthreads); OFF for bare metal"
       ${SMALL_THREADS_DEFAULT})
option(SMALL_USE_HWLOC "Use hwloc for the CPU topology when it is found" ON)

set(SMALL_HWLOC OFF)
set(SMALL_HWLOC_LIBRARY "")
set(SMALL_HWLOC_INCLUDE "")
if(NOT SMALL_THREADS)
  message(STATUS "SMaLL threads: OFF (SMALL_THREADS=OFF; default for "
                 "CMAKE_SYSTEM_NAME ${CMAKE_SYSTEM_NAME})")
else()
  find_package(Threads REQUIRED)
  if(NOT SMALL_USE_HWLOC)
    set(SMALL_HWLOC_WHY "SMALL_USE_HWLOC=OFF")
  else()
    # find_library honours the toolchain's CMAKE_FIND_ROOT_PATH (only the
    # target sysroot's libraries), unlike the host's pkg-config.
    find_path(SMALL_HWLOC_INCLUDE_DIR hwloc.h)
    find_library(SMALL_HWLOC_LIB NAMES hwloc)
    if(NOT SMALL_HWLOC_INCLUDE_DIR OR NOT SMALL_HWLOC_LIB)
      set(SMALL_HWLOC_WHY
          "hwloc.h or libhwloc not found for this target (install libhwloc-dev)")
    else()
      # The headers may be the host's: prove that a target program links.
      include(CheckCXXSourceCompiles)
      set(CMAKE_REQUIRED_INCLUDES ${SMALL_HWLOC_INCLUDE_DIR})
      set(CMAKE_REQUIRED_LIBRARIES ${SMALL_HWLOC_LIB})
      check_cxx_source_compiles([=[
#include <hwloc.h>
int main() {
  hwloc_topology_t t;
  hwloc_topology_init(&t);
  hwloc_topology_destroy(t);
  return HWLOC_API_VERSION >= 0x00020000 ? 0 : 1;
}]=] SMALL_HWLOC_LINKS)
      unset(CMAKE_REQUIRED_INCLUDES)
      unset(CMAKE_REQUIRED_LIBRARIES)
      if(SMALL_HWLOC_LINKS)
        set(SMALL_HWLOC ON)
        set(SMALL_HWLOC_LIBRARY ${SMALL_HWLOC_LIB})
        set(SMALL_HWLOC_INCLUDE ${SMALL_HWLOC_INCLUDE_DIR})
        set(SMALL_HWLOC_WHY "${SMALL_HWLOC_LIB}")
      else()
        set(SMALL_HWLOC_WHY
            "a test program does not link against ${SMALL_HWLOC_LIB} for this target")
      endif()
    endif()
  endif()
  if(SMALL_HWLOC)
    message(STATUS "SMaLL threads: ON, topology from hwloc ON (${SMALL_HWLOC_WHY})")
  else()
    message(STATUS "SMaLL threads: ON, topology from hwloc OFF (${SMALL_HWLOC_WHY}); "
                   "falling back to sysconf")
  endif()
endif()

# Applies the choices to the library's object set and its two archives.
function(small_apply_threads objects)
  if(SMALL_THREADS)
    target_compile_definitions(${objects} PRIVATE SMALL_HAVE_THREADS=1)
  endif()
  if(SMALL_HWLOC)
    target_compile_definitions(${objects} PRIVATE SMALL_HAVE_HWLOC=1)
    target_include_directories(${objects} PRIVATE ${SMALL_HWLOC_INCLUDE})
  endif()
endfunction()

function(small_link_threads lib)
  if(SMALL_HWLOC)
    target_link_libraries(${lib} PRIVATE ${SMALL_HWLOC_LIBRARY})
  endif()
  if(SMALL_THREADS AND CMAKE_THREAD_LIBS_INIT)
    target_link_libraries(${lib} PRIVATE ${CMAKE_THREAD_LIBS_INIT})
  endif()
endfunction()
