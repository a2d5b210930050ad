# A port is one folder and one toolchain file. In a scratch copy of the source
# tree this script does what a porter does, and nothing else:
#   1. copies kernels/scalar to kernels/<NEW_ISA> and renames "scalar" to the
#      new name inside it (file names, namespace, kernel suffixes, ISA string;
#      the contract's small_kernels_scalar keeps its name). The copied base
#      table (table.cpp) is left out: it is scalar's, and every port starts
#      from it; active_table.cpp is written from tests/port/active_table.cpp.in
#      with the copied kernels in the slots that table.cpp fills;
#   2. copies toolchains/x86_64-scalar.cmake to x86_64-<NEW_ISA>.cmake, renamed;
# then configures with that toolchain, builds the kernel tests and runs them,
# and checks that the new folder's kernels are the ones linked.
#   cmake -DSOURCE=<tree> -DWORK=<scratch> -DNEW_ISA=<name>
#         [-DC_COMPILER=...] [-DCXX_COMPILER=...] -P port_test.cmake
cmake_minimum_required(VERSION 3.25)
foreach(var SOURCE WORK NEW_ISA)
  if(NOT ${var})
    message(FATAL_ERROR "port_test: -D${var}= is required")
  endif()
endforeach()
set(tree ${WORK}/src)
set(build ${WORK}/build)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${tree})

# The tree as it is, without build folders and version control data.
file(GLOB entries LIST_DIRECTORIES true RELATIVE ${SOURCE} ${SOURCE}/*)
foreach(entry IN LISTS entries)
  string(FIND "${WORK}/" "${SOURCE}/${entry}/" work_inside)
  if(entry MATCHES "^build" OR work_inside EQUAL 0)
    continue()
  endif()
  file(COPY ${SOURCE}/${entry} DESTINATION ${tree})
endforeach()

string(TOUPPER "${NEW_ISA}" NEW_ISA_UPPER)
# The porter's rename: scalar -> NEW_ISA, SCALAR -> NEW_ISA_UPPER, except
# the contract's small_kernels_scalar.
function(port_rename text out)
  string(REPLACE "small_kernels_scalar" "@CONTRACT_BASE_TABLE@" text "${text}")
  string(REPLACE "scalar" "${NEW_ISA}" text "${text}")
  string(REPLACE "SCALAR" "${NEW_ISA_UPPER}" text "${text}")
  string(REPLACE "@CONTRACT_BASE_TABLE@" "small_kernels_scalar" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

set(scalar_dir ${tree}/kernels/scalar)
set(port_dir ${tree}/kernels/${NEW_ISA})
if(EXISTS ${port_dir})
  message(FATAL_ERROR "port_test: kernels/${NEW_ISA} exists already")
endif()
file(GLOB scalar_files RELATIVE ${scalar_dir} ${scalar_dir}/*)
foreach(name IN LISTS scalar_files)
  if(name STREQUAL "table.cpp" OR name STREQUAL "active_table.cpp")
    continue()
  endif()
  file(READ ${scalar_dir}/${name} text)
  port_rename("${text}" text)
  port_rename("${name}" new_name)
  file(WRITE ${port_dir}/${new_name} "${text}")
endforeach()

# The slots and includes of scalar's table, renamed.
file(READ ${scalar_dir}/table.cpp table)
port_rename("${table}" table)
string(REGEX MATCHALL "t\\.[a-z_]+ = small::${NEW_ISA}::[A-Za-z0-9_]+"
       slots "${table}")
list(LENGTH slots slot_count)
if(slot_count EQUAL 0)
  message(FATAL_ERROR "port_test: no 't.<slot> = small::scalar::<kernel>;' "
                      "lines in kernels/scalar/table.cpp; update this test")
endif()
string(REGEX MATCHALL "#include \"[^\"]+\"" includes "${table}")
list(REMOVE_ITEM includes "#include \"kernel_contract.h\"")
set(PORT_SLOTS "")
foreach(slot IN LISTS slots)
  string(APPEND PORT_SLOTS "    ${slot};\n")
endforeach()
list(JOIN includes "\n" PORT_INCLUDES)
configure_file(${CMAKE_CURRENT_LIST_DIR}/active_table.cpp.in
               ${port_dir}/active_table.cpp @ONLY)

set(toolchain ${tree}/toolchains/x86_64-${NEW_ISA}.cmake)
file(READ ${tree}/toolchains/x86_64-scalar.cmake text)
port_rename("${text}" text)
file(WRITE ${toolchain} "${text}")
message(STATUS "port_test: ${slot_count} slots in kernels/${NEW_ISA}, "
               "toolchain ${toolchain}")

function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "port_test: ${what} failed (${rc}):\n${out}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

set(compilers "")
if(C_COMPILER)
  list(APPEND compilers -DCMAKE_C_COMPILER=${C_COMPILER})
endif()
if(CXX_COMPILER)
  list(APPEND compilers -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
endif()
run_step(configure ${CMAKE_COMMAND} -S ${tree} -B ${build}
         --toolchain ${toolchain} -DCMAKE_BUILD_TYPE=Release ${compilers}
         -DSMALL_BUILD_BENCHMARKS=OFF -DSMALL_BUILD_EXAMPLES=OFF
         -DSMALL_BUILD_ONNX=OFF)
if(NOT step_output MATCHES "building kernels for ISA '${NEW_ISA}'")
  message(FATAL_ERROR "port_test: configure did not select ${NEW_ISA}:\n"
                      "${step_output}")
endif()
run_step(build ${CMAKE_COMMAND} --build ${build} -j2
         --target small_kernel_tests)
run_step("kernel tests" ${build}/tests/small_kernel_tests)
if(NOT step_output MATCHES "All tests passed \\(([0-9]+) assertions")
  message(FATAL_ERROR "port_test: unexpected kernel test output:\n"
                      "${step_output}")
endif()
set(assertions ${CMAKE_MATCH_1})

# The new folder's kernels, not scalar's, must be behind the active table.
find_program(NM NAMES nm REQUIRED)
run_step(nm ${NM} -C ${build}/tests/small_kernel_tests)
string(REGEX MATCHALL "small::${NEW_ISA}::[A-Za-z0-9_]+__${NEW_ISA}"
       port_kernels "${step_output}")
list(REMOVE_DUPLICATES port_kernels)
list(LENGTH port_kernels port_kernel_count)
if(port_kernel_count EQUAL 0)
  message(FATAL_ERROR "port_test: no small::${NEW_ISA}:: kernel is linked")
endif()
message(STATUS "port_test: ISA '${NEW_ISA}' from one folder and one "
               "toolchain file: ${assertions} kernel test assertions passed, "
               "${port_kernel_count} of its kernels linked")
