# Runs the generated C program on INPUT and requires its output to be
# bit-identical to the importer's (small-run on MODEL) or, when EXPECTED is
# given, to those reference bytes.
# -DGEN_PROG=... -DINPUT=... -DWORK=...
# and -DSMALL_RUN=... -DMODEL=... or -DEXPECTED=...
file(MAKE_DIRECTORY ${WORK})
if(DEFINED EXPECTED)
  set(reference ${EXPECTED})
else()
  set(reference ${WORK}/importer.bin)
  execute_process(COMMAND ${SMALL_RUN} ${MODEL} --input ${INPUT}
                          --output ${reference} --quiet
                  RESULT_VARIABLE rc1)
  if(NOT rc1 EQUAL 0)
    message(FATAL_ERROR "small-run failed (${rc1})")
  endif()
endif()
execute_process(COMMAND ${GEN_PROG} ${INPUT} ${WORK}/generated.bin
                RESULT_VARIABLE rc2)
if(NOT rc2 EQUAL 0)
  message(FATAL_ERROR "the generated program failed (${rc2})")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files
                        ${reference} ${WORK}/generated.bin
                RESULT_VARIABLE rc3)
if(NOT rc3 EQUAL 0)
  message(FATAL_ERROR "generated C output differs from ${reference}")
endif()
message(STATUS "generated C output is bitwise identical to ${reference}")
