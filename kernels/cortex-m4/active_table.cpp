// The Cortex-M4 build's kernel table: the scalar table at Cb = 8 with the
// DSP int8 convolution (SMLAD), depthwise (SMLABB / SMLATT) and average
// pooling (SXTAB16), the 32-bit int8 ADD (cortex-m/add_i8.h), and each
// layer's fused roundings prepared once (prepared_requant.h). fp32 stays
// scalar: the FPv4 FPU has no SIMD, so a hand-written tile could only save loop
// overhead.
#include "cortex-m/add_i8.h"
#include "cortex-m4/prepared_requant.h"
#include "kernel_contract.h"
#include "kernels.h"

namespace {

small_kernel_table make_table() {
  using namespace small::cortex_m4;
  small_kernel_table t = small_kernels_scalar(kChannelBlock);
  t.isa = "cortex-m4";
  t.conv_max_width = kConvMaxWidth;
  t.conv_max_out_blocks = kConvMaxOutBlocks;
  t.conv_width_multiple = kConvWidthMultiple;
  t.window_max_width = kWindowMaxWidth;
  t.depthwise_across_blocks = kDepthwiseAcrossBlocks ? 1 : 0;
  t.conv_i8 = select_conv_i8__cortex_m4;
  t.conv_i8_k_group = kConvGroup;
  t.add_i8 = small::cortex_m::add_i8<>;
  t.depthwise_i8 = select_depthwise_i8__cortex_m4;
  t.avg_pool_i8 = select_avg_pool_i8__cortex_m4;
  t.requant_i8_bytes = sizeof(PreparedBlock);
  t.prepare_requant_i8 = prepare_requant_i8;
  return t;
}

} // namespace

extern "C" const small_kernel_table *small_kernels_active(void) {
  static const small_kernel_table table = make_table();
  return &table;
}

// Every core this build targets (-mcpu=cortex-m4) has the DSP extension.
extern "C" int small_kernels_cpu_supported(void) { return 1; }
