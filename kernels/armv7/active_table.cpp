// The armv7 NEON build's kernel table (arm/table.h): Cb = 8, 3x8
// convolution tiles; int8 on VMLAL.S16 (conv-i8-3x8.cpp).
#include "arm/table.h"
#include "kernel_contract.h"
#include "kernels.h"

extern "C" const small_kernel_table *small_kernels_active(void) {
  static const small_kernel_table table = small::arm::with_int8(
      small::arm::table<2>("armv7", 3, small::armv7::select_conv_f32_3x8__armv7,
                           small::armv7::select_depthwise_f32_4x8__armv7),
      small::armv7::select_conv_i8_3x8__armv7, 1,
      small::armv7::select_depthwise_i8_4x8__armv7);
  return &table;
}

// Every CPU of this target runs these kernels (NEON is mandatory on ARMv8
// and assumed by the armv7 toolchain's hard-float NEON ABI).
extern "C" int small_kernels_cpu_supported(void) { return 1; }
