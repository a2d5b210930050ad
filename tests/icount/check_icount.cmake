# Runs PROGRAM under QEMU (sysroot SYSROOT) with the instruction-count
# plugin and checks the plugin's region line against the one in EXPECTED.
execute_process(
  COMMAND ${QEMU} -L ${SYSROOT} -plugin ${PLUGIN},outfile=${OUTPUT} ${PROGRAM}
  RESULT_VARIABLE status ERROR_VARIABLE errors)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${QEMU} -plugin ${PLUGIN} ${PROGRAM} failed "
                      "(${status}): ${errors}")
endif()
file(STRINGS ${OUTPUT} got REGEX "^insn_count scope=region ")
file(STRINGS ${EXPECTED} want REGEX "^insn_count scope=region ")
message(STATUS "plugin:   ${got}")
message(STATUS "expected: ${want}")
if(NOT got STREQUAL want)
  message(FATAL_ERROR "instruction counts differ from ${EXPECTED}")
endif()
