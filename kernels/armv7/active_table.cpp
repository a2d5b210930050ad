// The armv7 NEON build's kernel table (arm/table.h): Cb = 8, 3x8
// convolution tiles, whole-row depthwise tiles; int8 on VMLAL.S16
// (conv-i8-3x8.cpp).
#include "arm/table.h"
#include "kernel_contract.h"
#include "kernels.h"

namespace {

small_kernel_table armv7_table() {
  // Whole rows where they are cheaper (arm/table.h): unpriced, MobileNet's
  // 6x6 layers went across blocks (5,379,661 instructions against
  // 5,134,107).
  return small::arm::with_whole_rows(
      small::arm::with_int8(
          small::arm::table<2>("armv7", 3,
                               small::armv7::select_conv_f32_3x8__armv7,
                               small::armv7::select_depthwise_f32_4x8__armv7),
          small::armv7::select_conv_i8_3x8__armv7, 1,
          small::armv7::select_depthwise_i8_4x8__armv7),
      small::armv7::select_depthwise_rows_f32__armv7);
}

} // namespace

extern "C" const small_kernel_table *small_kernels_active(void) {
  static const small_kernel_table table = armv7_table();
  return &table;
}

// Every CPU of this target runs these kernels (NEON is mandatory on ARMv8
// and assumed by the armv7 toolchain's hard-float NEON ABI).
extern "C" int small_kernels_cpu_supported(void) { return 1; }
