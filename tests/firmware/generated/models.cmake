# The int8 MLPerf Tiny models whose small-codegen output is committed here
# (models/mlperf_tiny_tflite/<net>.int8.tflite -> <net>_int8.c/.h, build
# function <net>_int8_build), and the samples each firmware test runs
# (models/mlperf_tiny_tflite/<sample>.int8.input.bin / .expected.bin).
# regenerate.cmake, check_fresh.cmake and tests/firmware/CMakeLists.txt read
# this list.
set(SMALL_FIRMWARE_INT8_NETS
    dscnn resnet8 mobilenet_vww autoencoder streaming_wakeword)
set(SMALL_FIRMWARE_INT8_SAMPLES_dscnn dscnn dscnn.2)
set(SMALL_FIRMWARE_INT8_SAMPLES_resnet8 resnet8 resnet8.2)
set(SMALL_FIRMWARE_INT8_SAMPLES_mobilenet_vww mobilenet_vww mobilenet_vww.2)
set(SMALL_FIRMWARE_INT8_SAMPLES_autoencoder autoencoder)
set(SMALL_FIRMWARE_INT8_SAMPLES_streaming_wakeword
    streaming_wakeword.class0 streaming_wakeword.class1
    streaming_wakeword.class2)
