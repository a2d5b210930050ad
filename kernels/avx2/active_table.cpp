// The AVX2 build's kernel table (x86/table.h): 6x16 convolution tiles; int8
// on 8-bit dot products where the CPU has AVX-VNNI, else on 16-bit pairs
// (SMALL_X86_INT8 caps it: x86/int8_extensions.h).
#include <cpuid.h>

#include "kernel_contract.h"
#include "kernels.h"
#include "vec.h"
#include "vec_i8.h"
#include "x86/int8_extensions.h"
#include "x86/table.h"
#include "x86/vec_i8_pair.h"

namespace {

// AVX-VNNI (CPUID leaf 7, subleaf 1, EAX bit 4): the 8-bit dot products of
// AVX-512 VNNI on ymm, on AVX2 CPUs from Alder Lake on (and AMD Zen 5).
// Asked of CPUID directly: clang 14's __builtin_cpu_supports has no name
// for it.
bool cpu_has_avx_vnni() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  return __get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx) != 0 &&
         (eax >> 4 & 1u) != 0;
}

small_kernel_table avx2_table() {
  using Block = small::x86::VecI8Pair<small::avx2::VecI8>;
  small_kernel_table t = small::x86::table<small::avx2::Vec>(
      "avx2", 6, 1, small::avx2::select_conv_f32_6x16__avx2,
      small::avx2::select_depthwise_f32_6x16__avx2);
  // A planar input into at most 8 channels: tiles of 12 one-ymm pixels.
  t.conv_planar_lanes_channels = 8;
  t.conv_planar_lanes_max_width = small::avx2::kPlanarMaxWidth;
  t.conv_f32_dense_out_blocks = small::avx2::kDenseOutBlocks;
  t.conv_f32_winograd = small::avx2::select_conv_f32_winograd__avx2;
  t.conv_f32_winograd_blocks = small::avx2::kWinogradBlocks;
  t.depthwise_rows = small::avx2::select_depthwise_rows_f32__avx2;
  if (small::x86::int8_extensions(cpu_has_avx_vnni(), false).vnni) {
    small_kernel_table v = small::x86::with_int8<Block>(
        t, small::avx2::select_conv_i8_6x16__avxvnni, 4,
        small::avx2::select_depthwise_i8_4x16__avxvnni);
    v.conv_i8_weight_sums = 1; // for the u8 input offset of vpdpbusd
    return v;
  }
  return small::x86::with_int8<Block>(
      t, small::avx2::select_conv_i8_6x16__avx2, 2,
      small::avx2::select_depthwise_i8_4x16__avx2);
}

} // namespace

extern "C" const small_kernel_table *small_kernels_active(void) {
  static const small_kernel_table table = avx2_table();
  return &table;
}

extern "C" int small_kernels_cpu_supported(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
