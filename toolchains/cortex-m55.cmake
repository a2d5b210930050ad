# Bare-metal Cortex-M55 with Helium (MVE, integer and float) and the FPU.
# Static library only; the tests run as firmware on QEMU's mps3-an547 board
# (targets/cortex-m/).
# Needs: gcc-arm-none-eabi libnewlib-arm-none-eabi
#        libstdc++-arm-none-eabi-newlib qemu-system-arm
set(CMAKE_SYSTEM_PROCESSOR cortex-m55)
set(SMALL_CORTEX_M_CPU_FLAGS "-mcpu=cortex-m55 -mfloat-abi=hard -mthumb")
set(SMALL_FIRMWARE_BOARD mps3-an547)
# int8 convolution on Helium (MVE) vectors (kernels/helium).
set(SMALL_CORTEX_M_ISA helium)
include(${CMAKE_CURRENT_LIST_DIR}/../targets/cortex-m/toolchain-common.cmake)
