# Shared part of the bare-metal Cortex-M toolchain files
# (toolchains/cortex-m4.cmake, toolchains/cortex-m55.cmake). They set
# SMALL_CORTEX_M_CPU_FLAGS (the -mcpu/-mfpu/-mfloat-abi triple) and
# SMALL_FIRMWARE_BOARD (a QEMU machine with a linker script beside this file)
# and SMALL_CORTEX_M_ISA (the kernel folder: kernels/cortex-m4, kernels/helium)
# before including it.
#
# The build: arm-none-eabi-gcc with newlib, the static library only, no
# exceptions/RTTI, no threads, the core's kernel folder; the test firmware links
# targets/cortex-m/startup.c and the board's linker script, talks through
# semihosting (newlib's rdimon), and runs under qemu-system-arm.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_CXX_COMPILER arm-none-eabi-g++)
# No OS to link a test program against before the startup code exists.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# Only the toolchain's own libraries and headers: never the host's (ONNX,
# protobuf, OpenBLAS, Catch2's package file).
set(CMAKE_FIND_ROOT_PATH /usr/lib/arm-none-eabi)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(SMALL_FIRMWARE_DIR ${CMAKE_CURRENT_LIST_DIR})
# Sections per function and per object so that --gc-sections keeps only
# what a firmware image uses. -fno-short-enums: the C API's enums are
# int-sized (src/util/error.h checks it), while the bare-metal EABI default
# sizes an enum by its values; firmware including small.h must use the same
# flag (the linker's enum-size warning about newlib's objects is silenced in
# targets/cortex-m/CMakeLists.txt: they pass no enum across the API).
set(SMALL_CORTEX_M_COMPILE_FLAGS
    "${SMALL_CORTEX_M_CPU_FLAGS} -fno-short-enums -ffunction-sections -fdata-sections")
set(CMAKE_C_FLAGS_INIT "${SMALL_CORTEX_M_COMPILE_FLAGS}")
set(CMAKE_CXX_FLAGS_INIT "${SMALL_CORTEX_M_COMPILE_FLAGS}")
set(CMAKE_ASM_FLAGS_INIT "${SMALL_CORTEX_M_CPU_FLAGS}")

set(CMAKE_CROSSCOMPILING_EMULATOR
    ${SMALL_FIRMWARE_DIR}/run_qemu.sh ${SMALL_FIRMWARE_BOARD})
# What the toolchain probe (cmake/SmallToolchainProbe.cmake) must find besides
# the compilers and the emulator (the wrapper above is a script).
set(SMALL_TOOLCHAIN_REQUIRED_PROGRAMS qemu-system-arm timeout)

set(SMALL_ISA ${SMALL_CORTEX_M_ISA} CACHE STRING "SMaLL kernel ISA" FORCE)
set(SMALL_NO_EXCEPTIONS ON CACHE BOOL "Firmware: no exceptions/RTTI" FORCE)
set(SMALL_BUILD_BENCHMARKS OFF CACHE BOOL "No benchmarks on bare metal" FORCE)
set(SMALL_BUILD_EXAMPLES OFF CACHE BOOL "No host examples on bare metal" FORCE)
set(SMALL_FIRMWARE_BOARD ${SMALL_FIRMWARE_BOARD} CACHE STRING
    "QEMU machine (and linker script) of the test firmware" FORCE)
