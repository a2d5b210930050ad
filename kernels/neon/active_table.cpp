// The aarch64 NEON build's kernel table (arm/table.h): Cb = 16, 5x16
// convolution tiles; int8 on SMLAL (conv-i8-5x16.cpp).
#include "arm/table.h"
#include "kernel_contract.h"
#include "kernels.h"

namespace {

small_kernel_table neon_table() {
  // Whole rows where they are cheaper (arm/table.h): MobileNet's 6x6
  // layers then run in whole rows, its 3x3 ones across blocks (3,124,579 ->
  // 3,094,009 instructions on the A72 model).
  return small::arm::with_whole_rows(
      small::arm::with_int8(
          small::arm::table<4>("neon", 5,
                               small::neon::select_conv_f32_5x16__neon,
                               small::neon::select_depthwise_f32_2x16__neon),
          small::neon::select_conv_i8_5x16__neon, 1,
          small::neon::select_depthwise_i8_4x16__neon),
      small::neon::select_depthwise_rows_f32__neon);
}

} // namespace

extern "C" const small_kernel_table *small_kernels_active(void) {
  static const small_kernel_table table = neon_table();
  return &table;
}

// Every CPU of this target runs these kernels (NEON is mandatory on ARMv8
// and assumed by the armv7 toolchain's hard-float NEON ABI).
extern "C" int small_kernels_cpu_supported(void) { return 1; }
