// The armv7 NEON build's kernel table: the scalar table at Cb = 8 with this
// folder's kernels in their slots.
#include "arm/neon_tiles.h"
#include "kernel_contract.h"
#include "kernels.h"

extern "C" const small_kernel_table *small_kernels_active(void) {
  static const small_kernel_table table = [] {
    small_kernel_table t = small_kernels_scalar(8);
    t.isa = "armv7";
    t.conv_max_width = 3;
    t.window_max_width = 64;
    t.conv = small::armv7::select_conv_f32_3x8__armv7;
    t.depthwise = small::armv7::select_depthwise_f32_4x8__armv7;
    t.max_pool = small::armv7::select_max_pool_f32_8__armv7;
    t.avg_pool = small::armv7::select_avg_pool_f32_8__armv7;
    t.activation = small::arm::activation;
    t.add = small::arm::add;
    return t;
  }();
  return &table;
}

// Every CPU of this target runs these kernels (NEON is mandatory on ARMv8
// and assumed by the armv7 toolchain's hard-float NEON ABI).
extern "C" int small_kernels_cpu_supported(void) { return 1; }
