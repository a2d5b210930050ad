# small-run and small-codegen on .tflite models (included from
# importers/onnx/CMakeLists.txt, where the tools are defined, when the TFLite
# importer is built).
set(tflite_models ${PROJECT_SOURCE_DIR}/models/mlperf_tiny_tflite)
set(onnx_tests ${PROJECT_SOURCE_DIR}/tests/onnx)

# small-run: layer table, run, the LiteRT comparison and the benchmark line.
add_test(NAME small_tflite_small_run
  COMMAND small-run ${tflite_models}/resnet8.fp32.tflite
          --input ${tflite_models}/resnet8.fp32.input.bin
          --expected ${tflite_models}/resnet8.fp32.litert.bin --bench 3)
set_tests_properties(small_tflite_small_run PROPERTIES PASS_REGULAR_EXPRESSION
  "layout NHWC.*CONV_2D +conv2d .*10 float32 values, argmax 3.*check resnet8.fp32: max_abs_diff=[0-9.e-]+ \\(int8 values differing: 0; float atol 1e-05, rtol 0\\) argmax agrees: MATCH.*net=resnet8.fp32 engine=small")

# --profile on an int8 model: ResNet-8's 15 executed layers in order, their
# MACs summing to the model's (as for ONNX: tests/onnx/profile_check.cmake).
add_test(NAME small_tflite_small_run_profile
  COMMAND ${CMAKE_COMMAND} -DSMALL_RUN=$<TARGET_FILE:small-run>
          -DMODEL=${tflite_models}/resnet8.int8.tflite
          -DINPUT=${tflite_models}/resnet8.int8.input.bin -DMACS=12501632
          -DEXECUTED=15 -P ${onnx_tests}/profile_check.cmake)

# int8 models: raw int8 NHWC buffers, outputs compared byte for byte with
# TFLite's reference arithmetic (double rounding) and with LiteRT (single).
add_test(NAME small_tflite_small_run_int8
  COMMAND small-run ${tflite_models}/streaming_wakeword.int8.tflite
          --input ${tflite_models}/streaming_wakeword.class0.int8.input.bin
          --expected
          ${tflite_models}/streaming_wakeword.class0.int8.expected.bin)
set_tests_properties(small_tflite_small_run_int8 PROPERTIES
  PASS_REGULAR_EXPRESSION "int8 values differing: 0;.*: MATCH")
add_test(NAME small_tflite_small_run_int8_single_rounding
  COMMAND small-run ${tflite_models}/streaming_wakeword.int8.tflite
          --input ${tflite_models}/streaming_wakeword.class0.int8.input.bin
          --expected ${tflite_models}/streaming_wakeword.class0.int8.litert.bin
          --rounding single --quiet)
set_tests_properties(small_tflite_small_run_int8_single_rounding PROPERTIES
  PASS_REGULAR_EXPRESSION "int8 values differing: 0;.*: MATCH")
# The two references differ (class0 by 7 LSB): the default double rounding
# must not match LiteRT's bytes.
add_test(NAME small_tflite_small_run_int8_rounding_matters
  COMMAND small-run ${tflite_models}/streaming_wakeword.int8.tflite
          --input ${tflite_models}/streaming_wakeword.class0.int8.input.bin
          --expected ${tflite_models}/streaming_wakeword.class0.int8.litert.bin
          --quiet)
set_tests_properties(small_tflite_small_run_int8_rounding_matters PROPERTIES
  WILL_FAIL TRUE)

# small-codegen round trip: generate C for `model_file` (extra small-codegen
# arguments after the name) and build the program small_tflite_codegen_<name>
# that runs it on raw NHWC buffers.
include(${onnx_tests}/codegen_program.cmake)
function(small_tflite_codegen_program name model_file)
  set(gen_c ${CMAKE_CURRENT_BINARY_DIR}/tflite_${name}_gen.c)
  set(gen_h ${CMAKE_CURRENT_BINARY_DIR}/tflite_${name}_gen.h)
  add_custom_command(OUTPUT ${gen_c} ${gen_h}
    COMMAND small-codegen ${model_file} -o ${gen_c} --header ${gen_h}
            --name tflite_${name} ${ARGN}
    DEPENDS small-codegen ${model_file}
    COMMENT "small-codegen: tflite_${name}_gen.c")
  small_codegen_program(small_tflite_codegen_${name} ${gen_c} tflite_${name}
                        NHWC)
endfunction()

# fp32: bitwise equality with small-run (HWIO and depthwise weights, a
# permuted dense).
foreach(model dscnn resnet8)
  small_tflite_codegen_program(${model} ${tflite_models}/${model}.fp32.tflite)
  add_test(NAME small_tflite_codegen_${model}
    COMMAND ${CMAKE_COMMAND} -DSMALL_RUN=$<TARGET_FILE:small-run>
            -DGEN_PROG=$<TARGET_FILE:small_tflite_codegen_${model}>
            -DMODEL=${tflite_models}/${model}.fp32.tflite
            -DINPUT=${tflite_models}/${model}.fp32.input.bin
            -DWORK=${CMAKE_CURRENT_BINARY_DIR}/tflite_codegen_${model}
            -P ${onnx_tests}/codegen_compare.cmake)
endforeach()

# int8: the generated program's output bytes equal TFLite's reference
# arithmetic (*.int8.expected.bin) exactly, and with --rounding single
# LiteRT's (*.int8.litert.bin), which differ from them for this sample.
foreach(model resnet8 dscnn mobilenet_vww autoencoder streaming_wakeword)
  set(sample ${model})
  if(model STREQUAL "streaming_wakeword")
    set(sample streaming_wakeword.class0)
  endif()
  small_tflite_codegen_program(${model}_int8
                               ${tflite_models}/${model}.int8.tflite)
  add_test(NAME small_tflite_codegen_${model}_int8
    COMMAND ${CMAKE_COMMAND}
            -DGEN_PROG=$<TARGET_FILE:small_tflite_codegen_${model}_int8>
            -DINPUT=${tflite_models}/${sample}.int8.input.bin
            -DEXPECTED=${tflite_models}/${sample}.int8.expected.bin
            -DWORK=${CMAKE_CURRENT_BINARY_DIR}/tflite_codegen_${model}_int8
            -P ${onnx_tests}/codegen_compare.cmake)
endforeach()
small_tflite_codegen_program(streaming_wakeword_int8_single
  ${tflite_models}/streaming_wakeword.int8.tflite --rounding single)
add_test(NAME small_tflite_codegen_streaming_wakeword_int8_single
  COMMAND ${CMAKE_COMMAND}
          -DGEN_PROG=$<TARGET_FILE:small_tflite_codegen_streaming_wakeword_int8_single>
          -DINPUT=${tflite_models}/streaming_wakeword.class0.int8.input.bin
          -DEXPECTED=${tflite_models}/streaming_wakeword.class0.int8.litert.bin
          -DWORK=${CMAKE_CURRENT_BINARY_DIR}/tflite_codegen_wakeword_single
          -P ${onnx_tests}/codegen_compare.cmake)

# small-codegen --plan for this build's kernels: the compiled plan
# (small_plan.h) of an int8 model, compiled as C99 with warnings as errors
# and run by plan_main.c, gives TFLite's reference bytes exactly. Three
# models cover the MLPerf step kinds (window, add, softmax); the plans of
# all five run in-process (test_plans.cpp), and every step kind's C in
# tests/tflite (small_every_kind_plan), without compiling 3 MB more of C in
# every build.
foreach(model resnet8 dscnn streaming_wakeword)
  set(sample ${model})
  if(model STREQUAL "streaming_wakeword")
    set(sample streaming_wakeword.class2)
  endif()
  set(gen_c ${CMAKE_CURRENT_BINARY_DIR}/tflite_${model}_plan.c)
  set(gen_h ${CMAKE_CURRENT_BINARY_DIR}/tflite_${model}_plan.h)
  add_custom_command(OUTPUT ${gen_c} ${gen_h}
    COMMAND small-codegen ${tflite_models}/${model}.int8.tflite -o ${gen_c}
            --header ${gen_h} --name ${model} --plan
    DEPENDS small-codegen ${tflite_models}/${model}.int8.tflite
    COMMENT "small-codegen --plan: tflite_${model}_plan.c")
  add_executable(small_tflite_plan_${model}
                 ${PROJECT_SOURCE_DIR}/tests/tflite/plan_main.c ${gen_c})
  set_target_properties(small_tflite_plan_${model} PROPERTIES
    C_STANDARD 99 C_EXTENSIONS OFF LINKER_LANGUAGE C)
  target_include_directories(small_tflite_plan_${model} PRIVATE
                             ${CMAKE_CURRENT_BINARY_DIR})
  target_compile_definitions(small_tflite_plan_${model} PRIVATE
    SMALL_PLAN_HEADER="tflite_${model}_plan.h" SMALL_PLAN_INIT=${model}_init
    SMALL_PLAN_RUN=${model}_run SMALL_PLAN_PLAN=${model}_plan)
  target_compile_options(small_tflite_plan_${model} PRIVATE
                         -Wall -Wextra -pedantic -Werror)
  target_link_libraries(small_tflite_plan_${model} PRIVATE small_static)
  add_test(NAME small_tflite_plan_${model}
    COMMAND ${CMAKE_COMMAND}
            -DGEN_PROG=$<TARGET_FILE:small_tflite_plan_${model}>
            -DINPUT=${tflite_models}/${sample}.int8.input.bin
            -DEXPECTED=${tflite_models}/${sample}.int8.expected.bin
            -DWORK=${CMAKE_CURRENT_BINARY_DIR}/tflite_plan_${model}
            -P ${onnx_tests}/codegen_compare.cmake)
endforeach()

# The int8 MLPerf Tiny C the firmware tests link (tests/firmware/generated,
# made by small-codegen --target and committed, since bare-metal builds have
# no host tools) is what small-codegen writes today.
add_test(NAME small_firmware_generated_is_fresh
  COMMAND ${CMAKE_COMMAND} -DSMALL_CODEGEN=$<TARGET_FILE:small-codegen>
          -DCOMMITTED=${PROJECT_SOURCE_DIR}/tests/firmware/generated
          -DWORK=${CMAKE_CURRENT_BINARY_DIR}/firmware_generated
          -P ${PROJECT_SOURCE_DIR}/tests/firmware/generated/check_fresh.cmake)

# --target names a firmware build whose kernels the weights are packed for:
# an unknown one, or one given with an ONNX model, is an error.
add_test(NAME small_codegen_refuses_unknown_target
  COMMAND small-codegen ${tflite_models}/dscnn.int8.tflite
          -o ${CMAKE_CURRENT_BINARY_DIR}/refused.c --target cortex-m7)
set_tests_properties(small_codegen_refuses_unknown_target PROPERTIES
  PASS_REGULAR_EXPRESSION "--target must be cortex-m4 or cortex-m55")
add_test(NAME small_codegen_refuses_target_for_onnx
  COMMAND small-codegen ${PROJECT_SOURCE_DIR}/models/mlperf_tiny/dscnn.onnx
          -o ${CMAKE_CURRENT_BINARY_DIR}/refused.c --target cortex-m4)
set_tests_properties(small_codegen_refuses_target_for_onnx PROPERTIES
  PASS_REGULAR_EXPRESSION "--target and --plan apply to int8 .tflite models only")
add_test(NAME small_codegen_refuses_plan_for_onnx
  COMMAND small-codegen ${PROJECT_SOURCE_DIR}/models/mlperf_tiny/dscnn.onnx
          -o ${CMAKE_CURRENT_BINARY_DIR}/refused.c --plan)
set_tests_properties(small_codegen_refuses_plan_for_onnx PROPERTIES
  PASS_REGULAR_EXPRESSION "--target and --plan apply to int8 .tflite models only")
# --plan on a float model: its layers have no plan form, said by name.
add_test(NAME small_codegen_refuses_plan_for_float
  COMMAND small-codegen ${tflite_models}/dscnn.fp32.tflite
          -o ${CMAKE_CURRENT_BINARY_DIR}/refused.c --plan)
set_tests_properties(small_codegen_refuses_plan_for_float PROPERTIES
  PASS_REGULAR_EXPRESSION "plans run int8 networks only")
