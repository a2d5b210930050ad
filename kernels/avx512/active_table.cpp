// The AVX-512 build's kernel table: the scalar table at Cb = 16 with this
// folder's kernels in their slots (softmax stays scalar: it runs once per
// network on a handful of classes).
#include "kernel_contract.h"
#include "kernels.h"

extern "C" const small_kernel_table *small_kernels_active(void) {
  static const small_kernel_table table = [] {
    small_kernel_table t = small_kernels_scalar(16);
    t.isa = "avx512";
    t.conv_max_width = 12;
    t.conv_max_out_blocks = 2;
    t.window_max_width = 64;
    t.conv = small::avx512::conv_f32_12x32__avx512;
    t.depthwise = small::avx512::depthwise_f32_16x16__avx512;
    t.max_pool = small::avx512::max_pool_f32_16__avx512;
    t.avg_pool = small::avx512::avg_pool_f32_16__avx512;
    t.activation = small::avx512::activation_f32__avx512;
    t.add = small::avx512::add_f32__avx512;
    return t;
  }();
  return &table;
}

extern "C" int small_kernels_cpu_supported(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") &&
         __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vl");
}
