# Writes the C of the int8 MLPerf Tiny models (models.cmake's lists, from
# models/mlperf_tiny_tflite/<net>.int8.tflite, one folder per packing
# target: small-codegen --target, and its compiled plan, --plan --target)
# that the firmware tests link:
# bare-metal builds cannot run small-codegen (a host tool), so its output is
# committed here, and the native test small_firmware_generated_is_fresh
# regenerates it and requires the same bytes. After changing the generator:
#
#   cmake -DSMALL_CODEGEN=build/onnx/small-codegen \
#         -DOUT_DIR=tests/firmware/generated \
#         -P tests/firmware/generated/regenerate.cmake
get_filename_component(root ${CMAKE_CURRENT_LIST_DIR}/../../.. ABSOLUTE)
include(${CMAKE_CURRENT_LIST_DIR}/models.cmake)
foreach(target IN LISTS SMALL_FIRMWARE_PACKING_TARGETS)
  file(MAKE_DIRECTORY ${OUT_DIR}/${target})
  foreach(net IN LISTS SMALL_FIRMWARE_INT8_NETS)
    set(out ${OUT_DIR}/${target}/${net}_int8)
    execute_process(
      COMMAND ${SMALL_CODEGEN}
              ${root}/models/mlperf_tiny_tflite/${net}.int8.tflite
              -o ${out}.c --header ${out}.h --name ${net}_int8
              --target ${target}
      RESULT_VARIABLE rc OUTPUT_QUIET)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "small-codegen failed on ${net} for ${target} "
                          "(${rc})")
    endif()
    set(out ${OUT_DIR}/${target}/${net}_plan)
    execute_process(
      COMMAND ${SMALL_CODEGEN}
              ${root}/models/mlperf_tiny_tflite/${net}.int8.tflite
              -o ${out}.c --header ${out}.h --name ${net} --target ${target}
              --plan
      RESULT_VARIABLE rc OUTPUT_QUIET)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "small-codegen --plan failed on ${net} for "
                          "${target} (${rc})")
    endif()
  endforeach()
endforeach()
