// The AVX2 build's kernel table: the scalar table at Cb = 16 with this
// folder's kernels in their slots (softmax stays scalar: it runs once per
// network on a handful of classes).
#include "kernel_contract.h"
#include "kernels.h"

extern "C" const small_kernel_table *small_kernels_active(void) {
  static const small_kernel_table table = [] {
    small_kernel_table t = small_kernels_scalar(16);
    t.isa = "avx2";
    t.conv_max_width = 6;
    t.window_max_width = 64;
    t.conv = small::avx2::conv_f32_6x16__avx2;
    t.depthwise = small::avx2::depthwise_f32_6x16__avx2;
    t.max_pool = small::avx2::max_pool_f32_16__avx2;
    t.avg_pool = small::avx2::avg_pool_f32_16__avx2;
    t.activation = small::avx2::activation_f32__avx2;
    t.add = small::avx2::add_f32__avx2;
    return t;
  }();
  return &table;
}

extern "C" int small_kernels_cpu_supported(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
