# The int8 MLPerf Tiny models whose small-codegen output is committed here
# (models/mlperf_tiny_tflite/<net>.int8.tflite -> <target>/<net>_int8.c/.h,
# build function <net>_int8_build, weights packed for the target's kernels
# by small-codegen --target; <target>/<net>_plan.c/.h, the compiled plan
# <net>_plan with <net>_init and <net>_run, by --plan --target), and the samples each firmware test runs
# (models/mlperf_tiny_tflite/<sample>.int8.input.bin / .expected.bin).
# regenerate.cmake, check_fresh.cmake and tests/firmware/CMakeLists.txt read
# these lists.
set(SMALL_FIRMWARE_PACKING_TARGETS cortex-m4 cortex-m55)
# The packing target of each firmware kernel folder (SMALL_ISA).
set(SMALL_FIRMWARE_PACKING_TARGET_cortex-m4 cortex-m4)
set(SMALL_FIRMWARE_PACKING_TARGET_helium cortex-m55)
set(SMALL_FIRMWARE_INT8_NETS
    dscnn resnet8 mobilenet_vww autoencoder streaming_wakeword)
set(SMALL_FIRMWARE_INT8_SAMPLES_dscnn dscnn dscnn.2)
set(SMALL_FIRMWARE_INT8_SAMPLES_resnet8 resnet8 resnet8.2)
set(SMALL_FIRMWARE_INT8_SAMPLES_mobilenet_vww mobilenet_vww mobilenet_vww.2)
set(SMALL_FIRMWARE_INT8_SAMPLES_autoencoder autoencoder)
set(SMALL_FIRMWARE_INT8_SAMPLES_streaming_wakeword
    streaming_wakeword.class0 streaming_wakeword.class1
    streaming_wakeword.class2)
