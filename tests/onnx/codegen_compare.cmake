# Runs the importer (small-run) and the generated C program on the same
# input and requires bit-identical outputs.
# -DSMALL_RUN=... -DGEN_PROG=... -DMODEL=... -DINPUT=... -DWORK=...
file(MAKE_DIRECTORY ${WORK})
execute_process(COMMAND ${SMALL_RUN} ${MODEL} --input ${INPUT}
                        --output ${WORK}/importer.bin --quiet
                RESULT_VARIABLE rc1)
if(NOT rc1 EQUAL 0)
  message(FATAL_ERROR "small-run failed (${rc1})")
endif()
execute_process(COMMAND ${GEN_PROG} ${INPUT} ${WORK}/generated.bin
                RESULT_VARIABLE rc2)
if(NOT rc2 EQUAL 0)
  message(FATAL_ERROR "the generated program failed (${rc2})")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files
                        ${WORK}/importer.bin ${WORK}/generated.bin
                RESULT_VARIABLE rc3)
if(NOT rc3 EQUAL 0)
  message(FATAL_ERROR "generated C output differs from the importer's")
endif()
message(STATUS "generated C output is bitwise identical to the importer's")
