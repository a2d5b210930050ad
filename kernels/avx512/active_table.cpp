// The AVX-512 build's kernel table (x86/table.h): 12x32 convolution tiles,
// two output blocks each.
#include "kernel_contract.h"
#include "kernels.h"
#include "vec.h"
#include "vec_i8.h"
#include "x86/int8_extensions.h"
#include "x86/table.h"

namespace {

// VNNI's int8 dot products are not on every AVX-512 CPU (Skylake-SP lacks
// them): without VNNI the int8 convolution runs on 16-bit pair products.
// SMALL_X86_INT8 caps the extensions taken (x86/int8_extensions.h).
small_kernel_table avx512_table() {
  small_kernel_table t = small::x86::table<small::avx512::Vec>(
      "avx512", 12, 2, small::avx512::select_conv_f32_12x32__avx512,
      small::avx512::select_depthwise_f32_16x16__avx512);
  // A planar input into at most 8 channels: up to 48 pixels in the lanes.
  t.conv_planar_lanes_channels = 8;
  t.conv_planar_lanes_max_width = small::avx512::kPlanarLanesMaxWidth;
  t.conv_f32_dense_out_blocks = small::avx512::kDenseOutBlocks;
  t.conv_f32_winograd = small::avx512::select_conv_f32_winograd__avx512;
  t.conv_f32_winograd_blocks = small::avx512::kWinogradBlocks;
  t.conv_one_block_max_width = small::avx512::kOneBlockMaxWidth;
  t.conv_narrow_pointwise_max_width = small::avx512::kNarrowPointwiseMaxWidth;
  t.depthwise_rows = small::avx512::select_depthwise_rows_f32__avx512;
  __builtin_cpu_init();
  const small::x86::Int8Extensions cpu =
      small::x86::int8_extensions(__builtin_cpu_supports("avx512vnni") != 0,
                                  __builtin_cpu_supports("avx512vbmi") != 0);
  if (cpu.vnni) {
    // VBMI's byte permutes (Ice Lake, Zen 4 and later) arrange the
    // depthwise rows for byte dot products.
    const small_window_i8_select_fn depthwise =
        cpu.vbmi ? small::avx512::select_depthwise_i8_16x16__avx512vbmi
                 : small::avx512::select_depthwise_i8_16x16__avx512vnni;
    t = small::x86::with_int8<small::avx512::VecI8>(
        t, small::avx512::select_conv_i8_12x32__avx512vnni, 4, depthwise);
    t.conv_i8_weight_sums = 1; // for the u8 input offset of vpdpbusd
    if (cpu.vbmi) {
      t.add_i8 = small::avx512::add_i8__avx512vbmi;
      t.rgb_to_lanes4_i8 = small::avx512::rgb_to_lanes4_i8__avx512vbmi;
    }
    return t;
  }
  return small::x86::with_int8<small::avx512::VecI8>(
      t, small::avx512::select_conv_i8_12x32__avx512, 2,
      small::avx512::select_depthwise_i8_16x16__avx512);
}

} // namespace

extern "C" const small_kernel_table *small_kernels_active(void) {
  static const small_kernel_table table = avx512_table();
  return &table;
}

extern "C" int small_kernels_cpu_supported(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") &&
         __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vl");
}
