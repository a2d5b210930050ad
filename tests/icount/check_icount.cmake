# Runs PROGRAM under QEMU (sysroot SYSROOT) with the instruction-count
# plugin, twice: by class only (per-block counting, as the benchmark runs
# it), then with mnemonics=on. The region lines of each run must be those of
# EXPECTED (the class line; then the class line and every mnemonic line).
file(STRINGS ${EXPECTED} want_classes REGEX "^insn_count scope=region ")
file(STRINGS ${EXPECTED} want_all REGEX "^insn_count (scope=region|region_mnemonic=)")
foreach(mode IN ITEMS classes all)
  set(args "${PLUGIN},outfile=${OUTPUT}")
  set(pattern "^insn_count scope=region ")
  if(mode STREQUAL "all")
    string(APPEND args ",mnemonics=on")
    set(pattern "^insn_count (scope=region|region_mnemonic=)")
  endif()
  file(REMOVE ${OUTPUT})
  execute_process(COMMAND ${QEMU} -L ${SYSROOT} -plugin ${args} ${PROGRAM}
                  RESULT_VARIABLE status ERROR_VARIABLE errors)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${QEMU} -plugin ${args} ${PROGRAM} failed "
                        "(${status}): ${errors}")
  endif()
  file(STRINGS ${OUTPUT} got REGEX "${pattern}")
  string(REPLACE ";" "\n  " shown "${got}")
  message(STATUS "-plugin ${args}:\n  ${shown}")
  if(NOT got STREQUAL want_${mode})
    message(FATAL_ERROR "instruction counts differ from ${EXPECTED}")
  endif()
endforeach()
