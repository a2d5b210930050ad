// The scalar kernel table: the base every ISA table starts from. The scalar
// window kernels handle every shape, so their selectors ignore it.
#include "kernel_contract.h"
#include "scalar_kernels.h"

namespace {

small_window_fn select_conv(const small_window_shape *) {
  return small::scalar::conv_f32__scalar;
}
small_window_fn select_depthwise(const small_window_shape *) {
  return small::scalar::depthwise_f32__scalar;
}
small_window_fn select_max_pool(const small_window_shape *) {
  return small::scalar::max_pool_f32__scalar;
}
small_window_fn select_avg_pool(const small_window_shape *) {
  return small::scalar::avg_pool_f32__scalar;
}

small_window_i8_fn select_conv_i8(const small_window_shape *) {
  return small::scalar::conv_i8__scalar;
}
small_window_i8_fn select_depthwise_i8(const small_window_shape *) {
  return small::scalar::depthwise_i8__scalar;
}
small_window_i8_fn select_max_pool_i8(const small_window_shape *) {
  return small::scalar::max_pool_i8__scalar;
}
small_window_i8_fn select_avg_pool_i8(const small_window_shape *) {
  return small::scalar::avg_pool_i8__scalar;
}

} // namespace

extern "C" small_kernel_table small_kernels_scalar(size_t channel_block) {
  small_kernel_table t{};
  t.isa = "scalar";
  t.channel_block = channel_block;
  // The scalar tiles have no register limit; these widths only bound how
  // much work one call does.
  t.conv_max_width = 8;
  t.conv_max_out_blocks = 1;
  t.conv_width_multiple = 1;
  t.window_max_width = 64;
  t.depthwise_across_blocks = 1;
  t.conv = select_conv;
  t.conv_residual = 1;
  t.depthwise = select_depthwise;
  t.max_pool = select_max_pool;
  t.avg_pool = select_avg_pool;
  t.activation = small::scalar::activation_f32__scalar;
  t.add = small::scalar::add_f32__scalar;
  t.softmax = small::scalar::softmax_f32__scalar;
  t.conv_i8 = select_conv_i8;
  t.depthwise_i8 = select_depthwise_i8;
  t.max_pool_i8 = select_max_pool_i8;
  t.avg_pool_i8 = select_avg_pool_i8;
  t.add_i8 = small::scalar::add_i8__scalar;
  t.requant_i8 = small::scalar::requant_i8__scalar;
  t.softmax_i8 = small::scalar::softmax_i8__scalar;
  t.conv_i8_k_group = 1;
  return t;
}
