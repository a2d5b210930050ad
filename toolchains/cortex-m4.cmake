# Bare-metal Cortex-M4 with the single-precision FPU (e.g. STM32L4R5, MLPerf
# Tiny's reference board). Static library only; the tests run as firmware on
# QEMU's mps2-an386 board (targets/cortex-m/).
# Needs: gcc-arm-none-eabi libnewlib-arm-none-eabi
#        libstdc++-arm-none-eabi-newlib qemu-system-arm
set(CMAKE_SYSTEM_PROCESSOR cortex-m4)
set(SMALL_CORTEX_M_CPU_FLAGS
    "-mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard -mthumb")
set(SMALL_FIRMWARE_BOARD mps2-an386)
# int8 convolution on the DSP extension's SMLAD (kernels/cortex-m4).
set(SMALL_CORTEX_M_ISA cortex-m4)
include(${CMAKE_CURRENT_LIST_DIR}/../targets/cortex-m/toolchain-common.cmake)
