// The Cortex-M55 build's kernel table: the scalar table at Cb = 16 with the
// Helium convolution and depthwise, fp32 and int8, the int8 average pooling,
// and the 32-bit int8 ADD (cortex-m/add_i8.h) with its table loop in MVE
// (add_i8_mve.h); the other pooling, element-wise kernels and softmax stay
// scalar.
#include "add_i8_mve.h"
#include "kernel_contract.h"
#include "kernels.h"

namespace {

small_kernel_table make_table() {
  using namespace small::helium;
  small_kernel_table t = small_kernels_scalar(kChannelBlock);
  t.isa = "helium";
  t.conv_max_width = kConvMaxWidth;
  t.conv_max_out_blocks = kConvMaxOutBlocks;
  t.conv_width_multiple = kConvWidthMultiple;
  t.window_max_width = kWindowMaxWidth;
  t.depthwise_across_blocks = kDepthwiseAcrossBlocks ? 1 : 0;
  t.conv = select_conv_f32__helium;
  t.conv_residual = 1; // conv_f32_mve.cpp adds it per pixel
  t.depthwise = select_depthwise_f32__helium;
  t.conv_i8 = select_conv_i8__helium;
  t.conv_i8_k_group = kConvGroup;
  t.add_i8 = small::cortex_m::add_i8<VectorTables>;
  t.depthwise_i8 = select_depthwise_i8__helium;
  t.avg_pool_i8 = select_avg_pool_i8__helium;
  return t;
}

} // namespace

extern "C" const small_kernel_table *small_kernels_active(void) {
  static const small_kernel_table table = make_table();
  return &table;
}

// Every core this build targets (-mcpu=cortex-m55) has MVE.
extern "C" int small_kernels_cpu_supported(void) { return 1; }
