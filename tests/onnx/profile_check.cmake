# Runs small-run --profile and checks its output: every line parses, every
# executed layer appears once and in order, and the layers' summed time
# (median over runs) fits within the measured run time.
# -DSMALL_RUN=... -DMODEL=... -DINPUT=... -DMACS=<expected total>
# [-DEXECUTED=<layer count>: for runners that print no ONNX layer summary]
execute_process(COMMAND ${SMALL_RUN} ${MODEL} --input ${INPUT}
                        --profile --runs 20
                OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "small-run --profile failed (${rc}):\n${out}")
endif()
if(DEFINED EXECUTED)
  set(executed ${EXECUTED})
elseif(out MATCHES "layers: [0-9]+ added, ([0-9]+) executed after fusion")
  set(executed ${CMAKE_MATCH_1})
else()
  message(FATAL_ERROR "no layer count in:\n${out}")
endif()
string(REPLACE "\n" ";" lines "${out}")
set(next 0)
set(total_seen FALSE)
foreach(line IN LISTS lines)
  if(line MATCHES "^profile index=")
    if(NOT line MATCHES "^profile index=([0-9]+) op=[a-z_0-9]+ name=[^ ]+ median_us=[0-9]+\\.[0-9]+ macs=[0-9]+ gflops=[0-9]+\\.[0-9]+ threads=[0-9]+$")
      message(FATAL_ERROR "malformed layer line: ${line}")
    endif()
    if(NOT CMAKE_MATCH_1 EQUAL next)
      message(FATAL_ERROR "layer ${next} expected, got: ${line}")
    endif()
    math(EXPR next "${next} + 1")
  elseif(line MATCHES "^profile total")
    if(NOT line MATCHES "^profile total runs=20 layers=([0-9]+) median_us=([0-9]+\\.[0-9]+) layer_sum_median_us=([0-9]+\\.[0-9]+) macs=([0-9]+) gflops=[0-9]+\\.[0-9]+$")
      message(FATAL_ERROR "malformed total line: ${line}")
    endif()
    set(total_seen TRUE)
    if(NOT CMAKE_MATCH_1 EQUAL executed OR NOT CMAKE_MATCH_4 EQUAL MACS)
      message(FATAL_ERROR "total line disagrees (layers ${executed}, macs "
                          "${MACS}): ${line}")
    endif()
    if(CMAKE_MATCH_3 GREATER CMAKE_MATCH_2 OR NOT CMAKE_MATCH_3 GREATER 0)
      message(FATAL_ERROR "layer times do not fit the run time: ${line}")
    endif()
  endif()
endforeach()
if(NOT next EQUAL executed OR NOT total_seen)
  message(FATAL_ERROR "${next} layer lines for ${executed} executed layers "
                      "(total line seen: ${total_seen}):\n${out}")
endif()
message(STATUS "${executed} layer lines and a total that covers them")
