# Runs the libFuzzer target for a fixed time on a fresh work corpus seeded
# with the real models. -DFUZZER=... -DSEEDS=... -DWORK=... -DSECONDS=...
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
execute_process(COMMAND ${FUZZER} -max_total_time=${SECONDS} -seed=1
                        -timeout=20 -rss_limit_mb=2048 -print_final_stats=1
                        ${WORK} ${SEEDS}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the fuzzer found a problem (exit ${rc}); see the "
                      "crash-* file in the test's working directory")
endif()
