// The aarch64 NEON build's kernel table: the scalar table at Cb = 16 with
// this folder's kernels in their slots.
#include "arm/neon_tiles.h"
#include "kernel_contract.h"
#include "kernels.h"

extern "C" const small_kernel_table *small_kernels_active(void) {
  static const small_kernel_table table = [] {
    small_kernel_table t = small_kernels_scalar(16);
    t.isa = "neon";
    t.conv_max_width = 5;
    t.window_max_width = 64;
    t.conv = small::neon::select_conv_f32_5x16__neon;
    t.depthwise = small::neon::select_depthwise_f32_2x16__neon;
    t.max_pool = small::neon::select_max_pool_f32_16__neon;
    t.avg_pool = small::neon::select_avg_pool_f32_16__neon;
    t.activation = small::arm::activation;
    t.add = small::arm::add;
    return t;
  }();
  return &table;
}

// Every CPU of this target runs these kernels (NEON is mandatory on ARMv8
// and assumed by the armv7 toolchain's hard-float NEON ABI).
extern "C" int small_kernels_cpu_supported(void) { return 1; }
