// The scalar kernel table: the base every ISA table starts from.
#include "kernel_contract.h"
#include "scalar_kernels.h"

extern "C" small_kernel_table small_kernels_scalar(size_t channel_block) {
  small_kernel_table t{};
  t.isa = "scalar";
  t.channel_block = channel_block;
  // The scalar tiles have no register limit; these widths only bound how
  // much work one call does.
  t.conv_max_width = 8;
  t.conv_max_out_blocks = 1;
  t.window_max_width = 64;
  t.conv = small::scalar::conv_f32__scalar;
  t.depthwise = small::scalar::depthwise_f32__scalar;
  t.max_pool = small::scalar::max_pool_f32__scalar;
  t.avg_pool = small::scalar::avg_pool_f32__scalar;
  t.activation = small::scalar::activation_f32__scalar;
  t.add = small::scalar::add_f32__scalar;
  t.softmax = small::scalar::softmax_f32__scalar;
  return t;
}
