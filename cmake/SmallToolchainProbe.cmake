# Can this machine build and run the tests of a toolchain file's build?
#   cmake -DTOOLCHAIN=toolchains/<file>.cmake -P cmake/SmallToolchainProbe.cmake
# prints one line: "run <isa> native", "run <isa> cross", or
# "skip <isa>: <reason>" (tools/run_tests.sh reports the reason). A native
# toolchain runs when the ISA folder's own check (kernels/<isa>/isa.cmake)
# accepts this CPU; a cross one when its compilers, its
# CMAKE_CROSSCOMPILING_EMULATOR and the programs the toolchain file lists in
# SMALL_TOOLCHAIN_REQUIRED_PROGRAMS (e.g. qemu-system-arm behind the
# bare-metal builds' wrapper script) are installed.
# Without -DTOOLCHAIN it prints "best <isa>": the ISA a configure without
# toolchain file picks on this host.
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/SmallIsaFolders.cmake)

function(report verdict)
  execute_process(COMMAND ${CMAKE_COMMAND} -E echo "${verdict}")
endfunction()

cmake_host_system_information(RESULT SMALL_CPU_PROCESSOR QUERY OS_PLATFORM)
if(NOT TOOLCHAIN)
  small_isa_best_here(best)
  report("best ${best}")
  return()
endif()
if(NOT EXISTS "${TOOLCHAIN}")
  message(FATAL_ERROR "SmallToolchainProbe: TOOLCHAIN='${TOOLCHAIN}' not found")
endif()
include("${TOOLCHAIN}")
small_isa_list(known)
if(NOT SMALL_ISA IN_LIST known)
  message(FATAL_ERROR "${TOOLCHAIN}: SMALL_ISA '${SMALL_ISA}' is not one of "
                      "the ISA folders: ${known}")
endif()

if(CMAKE_SYSTEM_NAME OR CMAKE_CROSSCOMPILING_EMULATOR)
  foreach(tool IN ITEMS "${CMAKE_C_COMPILER}" "${CMAKE_CXX_COMPILER}")
    if(tool)
      find_program(found_${tool} NAMES "${tool}")
      if(NOT found_${tool})
        report("skip ${SMALL_ISA}: cross compiler '${tool}' not installed")
        return()
      endif()
    endif()
  endforeach()
  if(NOT CMAKE_CROSSCOMPILING_EMULATOR)
    report("skip ${SMALL_ISA}: cross build without CMAKE_CROSSCOMPILING_EMULATOR: its tests cannot run here")
    return()
  endif()
  list(GET CMAKE_CROSSCOMPILING_EMULATOR 0 emulator)
  find_program(found_emulator NAMES "${emulator}")
  if(NOT found_emulator)
    report("skip ${SMALL_ISA}: emulator '${emulator}' not installed")
    return()
  endif()
  foreach(program IN LISTS SMALL_TOOLCHAIN_REQUIRED_PROGRAMS)
    find_program(found_${program} NAMES "${program}")
    if(NOT found_${program})
      report("skip ${SMALL_ISA}: '${program}' not installed")
      return()
    endif()
  endforeach()
  report("run ${SMALL_ISA} cross")
  return()
endif()

small_isa_describe(${SMALL_ISA} probe)
if(probe_RUNS_HERE)
  report("run ${SMALL_ISA} native")
else()
  report("skip ${SMALL_ISA}: this CPU (${SMALL_CPU_PROCESSOR}) fails the check in kernels/${SMALL_ISA}/isa.cmake")
endif()
