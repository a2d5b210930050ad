# Runs a libFuzzer target for a fixed time on a fresh work corpus, seeded
# read-only from SEEDS; prints libFuzzer's final statistics.
#   cmake -DFUZZER=... -DSEEDS=... -DWORK=... -DSECONDS=... -P run_fuzzer.cmake
# Out-of-memory and timeouts count as failures; ASan may return NULL from a
# failed allocation so that the library's own out-of-memory path is fuzzed.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/corpus ${WORK}/artifacts)
set(ENV{ASAN_OPTIONS} "allocator_may_return_null=1:detect_leaks=1")
set(ENV{UBSAN_OPTIONS} "print_stacktrace=1:halt_on_error=1")
execute_process(COMMAND ${FUZZER} -max_total_time=${SECONDS} -seed=1
                        -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048
                        -print_final_stats=1
                        -artifact_prefix=${WORK}/artifacts/
                        ${WORK}/corpus ${SEEDS}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(GLOB found ${WORK}/artifacts/*)
  message(FATAL_ERROR "${FUZZER} found a problem (exit ${rc}); reproduce with: "
                      "${FUZZER} ${found}")
endif()
