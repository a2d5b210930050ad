// The aarch64 dot-product build's kernel table (arm/table.h): the neon
// table's float kernels and int8 depthwise and element-wise kernels, with
// the int8 convolution on SDOT (conv-i8-5x16-sdot.cpp).
#include <sys/auxv.h>

#include "arm/table.h"
#include "kernel_contract.h"
#include "kernels.h"

namespace {

small_kernel_table neondot_table() {
  small_kernel_table t = small::arm::with_int8(
      small::arm::table<4>("neondot", 5,
                           small::neondot::select_conv_f32_5x16__neondot,
                           small::neondot::select_depthwise_f32_2x16__neondot),
      small::neondot::select_conv_i8_5x16__neondot, 4,
      small::neondot::select_depthwise_i8_4x16__neondot);
  t.conv_i8_weight_sums = 1; // the SDOT tile's zero-point term
  // As the neon table (neon/active_table.cpp).
  return small::arm::with_whole_rows(
      t, small::neondot::select_depthwise_rows_f32__neondot);
}

} // namespace

extern "C" const small_kernel_table *small_kernels_active(void) {
  static const small_kernel_table table = neondot_table();
  return &table;
}

// The build targets ARMv8.2 with the dot product; a CPU without it would
// fault on the first SDOT, so ask the kernel.
extern "C" int small_kernels_cpu_supported(void) {
  return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0 ? 1 : 0;
}
