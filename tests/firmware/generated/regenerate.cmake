# Writes the C of the int8 DS-CNN (MLPerf Tiny keyword spotting,
# models/mlperf_tiny_tflite/dscnn.int8.tflite) that the firmware test links:
# bare-metal builds cannot run small-codegen (a host tool), so its output is
# committed here, and the native test small_firmware_generated_is_fresh
# regenerates it and requires the same bytes. After changing the generator:
#
#   cmake -DSMALL_CODEGEN=build/onnx/small-codegen \
#         -DOUT_DIR=tests/firmware/generated \
#         -P tests/firmware/generated/regenerate.cmake
get_filename_component(root ${CMAKE_CURRENT_LIST_DIR}/../../.. ABSOLUTE)
execute_process(
  COMMAND ${SMALL_CODEGEN} ${root}/models/mlperf_tiny_tflite/dscnn.int8.tflite
          -o ${OUT_DIR}/dscnn_int8.c --header ${OUT_DIR}/dscnn_int8.h
          --name dscnn_int8
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "small-codegen failed (${rc})")
endif()
