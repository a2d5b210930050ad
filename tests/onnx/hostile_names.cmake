# Checks the program generated from a model with hostile names: no name
# became code (no symbol or line the names tried to inject), then the
# generated network matches the importer bit for bit.
# -DNM=... -DGEN_C=... -DGEN_H=... plus codegen_compare.cmake's variables.
execute_process(COMMAND ${NM} ${GEN_PROG} OUTPUT_VARIABLE symbols
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nm ${GEN_PROG} failed (${rc})")
endif()
# A name's sanitized text may appear inside our own identifiers
# (l1_a_b__int_injected_...), never as a symbol of its own.
if(symbols MATCHES "[ \t]injected_")
  message(FATAL_ERROR "a model name injected a symbol:\n${symbols}")
endif()
foreach(generated ${GEN_C} ${GEN_H})
  file(STRINGS ${generated} lines)
  foreach(line IN LISTS lines)
    if(line MATCHES "^(int injected|#define injected|#include <stdlib.h>)")
      message(FATAL_ERROR "${generated}: a model name became code: ${line}")
    endif()
  endforeach()
endforeach()
message(STATUS "no model name reached the generated code unescaped")
include(${CMAKE_CURRENT_LIST_DIR}/codegen_compare.cmake)
