// The AVX2 build's kernel table: the scalar table at Cb = 16 with this
// folder's kernels in their slots (softmax stays scalar: it runs once per
// network on a handful of classes).
#include "kernel_contract.h"
#include "kernels.h"
#include "vec.h"
#include "x86/elementwise.h"
#include "x86/pool.h"

namespace {

small_window_fn select_max_pool(const small_window_shape *) {
  return small::x86::pool<small::avx2::Vec, 16, true>;
}
small_window_fn select_avg_pool(const small_window_shape *) {
  return small::x86::pool<small::avx2::Vec, 16, false>;
}

} // namespace

extern "C" const small_kernel_table *small_kernels_active(void) {
  static const small_kernel_table table = [] {
    using small::avx2::Vec;
    small_kernel_table t = small_kernels_scalar(16);
    t.isa = "avx2";
    t.conv_max_width = 6;
    t.window_max_width = 64;
    t.conv = small::avx2::select_conv_f32_6x16__avx2;
    t.depthwise = small::avx2::select_depthwise_f32_6x16__avx2;
    t.max_pool = select_max_pool;
    t.avg_pool = select_avg_pool;
    t.activation = small::x86::activation<Vec>;
    t.add = small::x86::add<Vec>;
    return t;
  }();
  return &table;
}

extern "C" int small_kernels_cpu_supported(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
