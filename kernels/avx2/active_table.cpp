// The AVX2 build's kernel table (x86/table.h): 6x16 convolution tiles.
#include "kernel_contract.h"
#include "kernels.h"
#include "vec.h"
#include "vec_i8.h"
#include "x86/table.h"
#include "x86/vec_i8_pair.h"

extern "C" const small_kernel_table *small_kernels_active(void) {
  static const small_kernel_table table =
      small::x86::with_int8<small::x86::VecI8Pair<small::avx2::VecI8>>(
          small::x86::table<small::avx2::Vec>(
              "avx2", 6, 1, small::avx2::select_conv_f32_6x16__avx2,
              small::avx2::select_depthwise_f32_6x16__avx2),
          small::avx2::select_conv_i8_6x16__avx2, 2,
          small::avx2::select_depthwise_i8_4x16__avx2);
  return &table;
}

extern "C" int small_kernels_cpu_supported(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
