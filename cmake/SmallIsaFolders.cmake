# The ISA folders: every kernels/<isa>/ that holds an isa.cmake is an ISA.
# Used at configure time (SmallIsa.cmake) and in script mode
# (SmallToolchainProbe.cmake), so nothing here needs a project.
#
# An isa.cmake is included inside small_isa_describe() and sets:
#   SMALL_ISA_COMPILE_OPTIONS  options for the folder's own *.cpp files only
#   SMALL_ISA_RUNS_HERE        TRUE if the CPU at hand runs this ISA's code
#                              (set it with small_cpu_matches below)
#   SMALL_ISA_PREFERENCE       integer; auto-detection picks, among the ISAs
#                              the CPU runs, the one with the highest value
set(SMALL_KERNELS_DIR "${CMAKE_CURRENT_LIST_DIR}/../kernels")
get_filename_component(SMALL_KERNELS_DIR "${SMALL_KERNELS_DIR}" ABSOLUTE)

# The sorted list of ISA folder names.
function(small_isa_list out)
  file(GLOB descriptions RELATIVE "${SMALL_KERNELS_DIR}"
       "${SMALL_KERNELS_DIR}/*/isa.cmake")
  set(names "")
  foreach(d IN LISTS descriptions)
    get_filename_component(name "${d}" DIRECTORY)
    list(APPEND names "${name}")
  endforeach()
  list(SORT names)
  set(${out} "${names}" PARENT_SCOPE)
endfunction()

# TRUE in <out> when the CPU at hand has a processor name matching
# <processor_regex> and, on Linux, every word in <flags> among the CPU flags
# of /proc/cpuinfo ("flags" on x86, "Features" on ARM). The CPU at hand is
# the target processor of a configure (CMAKE_SYSTEM_PROCESSOR, which is the
# host's in a native build), or the host's in script mode.
function(small_cpu_matches out processor_regex)
  set(ok FALSE)
  if(SMALL_CPU_PROCESSOR MATCHES "${processor_regex}")
    set(ok TRUE)
    if(ARGN)
      set(flags "")
      if(EXISTS /proc/cpuinfo)
        file(STRINGS /proc/cpuinfo lines REGEX "^(flags|Features)[ \t]*:")
        list(GET lines 0 first)
        string(REGEX REPLACE "^[^:]*:" "" first "${first}")
        string(REGEX REPLACE "[ \t]+" ";" flags "${first}")
      endif()
      foreach(f IN LISTS ARGN)
        if(NOT f IN_LIST flags)
          set(ok FALSE)
        endif()
      endforeach()
    endif()
  endif()
  set(${out} ${ok} PARENT_SCOPE)
endfunction()

# Reads kernels/<isa>/isa.cmake; sets <prefix>_COMPILE_OPTIONS,
# <prefix>_RUNS_HERE and <prefix>_PREFERENCE in the caller.
function(small_isa_describe isa prefix)
  set(SMALL_ISA_COMPILE_OPTIONS "")
  set(SMALL_ISA_RUNS_HERE FALSE)
  set(SMALL_ISA_PREFERENCE 0)
  include("${SMALL_KERNELS_DIR}/${isa}/isa.cmake")
  set(${prefix}_COMPILE_OPTIONS "${SMALL_ISA_COMPILE_OPTIONS}" PARENT_SCOPE)
  set(${prefix}_RUNS_HERE ${SMALL_ISA_RUNS_HERE} PARENT_SCOPE)
  set(${prefix}_PREFERENCE ${SMALL_ISA_PREFERENCE} PARENT_SCOPE)
endfunction()

# The ISA the CPU at hand runs with the highest preference.
function(small_isa_best_here out)
  small_isa_list(isas)
  set(best "")
  set(best_preference -1)
  foreach(isa IN LISTS isas)
    small_isa_describe(${isa} d)
    if(d_RUNS_HERE AND d_PREFERENCE GREATER best_preference)
      set(best ${isa})
      set(best_preference ${d_PREFERENCE})
    endif()
  endforeach()
  set(${out} "${best}" PARENT_SCOPE)
endfunction()
