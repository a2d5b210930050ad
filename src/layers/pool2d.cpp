#include "layers/pool2d.h"

#include "engine/window_parts.h"
#include "graph/network.h"
#include "layers/padding.h"
#include "layers/window_geometry.h"
#include "plan/plan_op.h"
#include "util/error.h"

namespace small {

small_status Pool2DLayer::create(small_layer_kind kind, const std::string &name,
                                 const PoolSpec &s,
                                 std::unique_ptr<Pool2DLayer> &layer,
                                 const PoolInt8 &int8) {
  if (s.kernel_h == 0 || s.kernel_w == 0 || s.stride_h == 0 ||
      s.stride_w == 0) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << name << ": kernel and stride must be >= 1";
  }
  // A window that lies entirely in the padding has no taps to pool; the
  // PyTorch/ONNX rule pad < kernel rules that out.
  if (s.pad_top >= s.kernel_h || s.pad_bottom >= s.kernel_h ||
      s.pad_left >= s.kernel_w || s.pad_right >= s.kernel_w) {
    return fail(SMALL_ERR_UNSUPPORTED)
           << name << ": each padding must be smaller than the kernel";
  }
  Shape output = s.input;
  SMALL_TRY(window_output_size(s.input.h, s.kernel_h, s.stride_h, 1, s.pad_top,
                               s.pad_bottom, output.h, name, "vertical"));
  SMALL_TRY(window_output_size(s.input.w, s.kernel_w, s.stride_w, 1, s.pad_left,
                               s.pad_right, output.w, name, "horizontal"));
  layer.reset(new Pool2DLayer(kind, s, output, int8));
  return SMALL_OK;
}

small_status Pool2DLayer::prepare(const small_kernel_table &kernels) {
  op_.geometry = window_geometry(spec_, output_);
  op_.family = spec_.is_max ? WindowFamily::kMaxPool : WindowFamily::kAvgPool;
  op_.count_include_pad = spec_.count_include_pad;
  if (int8_.enabled) {
    const QuantizedMultiplier q =
        int8_.requantize
            ? quantize_multiplier(static_cast<double>(int8_.input.scale) /
                                      static_cast<double>(int8_.output.scale),
                                  single_rounding_)
            : kIdentityMultiplier;
    multiplier_ = q.multiplier;
    shift_ = q.shift;
    op_.int8 = true;
    op_.quant.multiplier = &multiplier_;
    op_.quant.shift = &shift_;
    op_.quant.in_zero_point = int8_.requantize ? int8_.input.zero_point : 0;
    op_.quant.out_zero_point = int8_.requantize ? int8_.output.zero_point : 0;
    op_.quant.act_min = int8_.range.lo;
    op_.quant.act_max = int8_.range.hi;
    op_.quant.single_rounding = single_rounding_;
  }
  plan_window(op_, kernels);
  return SMALL_OK;
}

void Pool2DLayer::run(const small_kernel_table &kernels,
                      const std::vector<const float *> &inputs,
                      float *out) const {
  if (int8_.enabled) {
    run_window_int8(op_, as_int8(inputs[0]), as_int8(out));
  } else {
    run_window(op_, kernels, inputs[0], out);
  }
}

bool Pool2DLayer::describe_plan_op(const small_kernel_table & /*kernels*/,
                                   PlanOp &op) const {
  if (!int8_.enabled) {
    return false;
  }
  op.kind = SMALL_PLAN_STEP_WINDOW;
  op.window = &op_;
  op.channel_count = 1; // multiplier[0] and shift[0]
  return true;
}

namespace {

// The spec of small_pool2d_params on `input`: kind, sizes and padding mode
// checked, padding resolved.
small_status pool_spec_from_params(Network &net, int input,
                                   const small_pool2d_params &p,
                                   small_layer_kind &kind, std::string &name,
                                   PoolSpec &s) {
  const int kind_value = enum_value(p.kind);
  if (kind_value != SMALL_POOL_MAX && kind_value != SMALL_POOL_AVG) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << net.next_name("pool2d") << ": unknown pool kind " << kind_value;
  }
  kind =
      kind_value == SMALL_POOL_MAX ? SMALL_LAYER_MAXPOOL : SMALL_LAYER_AVGPOOL;
  name = net.next_name(layer_kind_name(kind));
  SMALL_TRY(net.tensor_shape(input, name + " input", s.input));
  if (p.kernel_h == 0 || p.kernel_w == 0 || p.stride_h == 0 ||
      p.stride_w == 0) {
    // Checked before SAME padding, which needs positive sizes.
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << name << ": kernel and stride must be >= 1";
  }
  s.is_max = kind == SMALL_LAYER_MAXPOOL;
  s.kernel_h = p.kernel_h;
  s.kernel_w = p.kernel_w;
  s.stride_h = p.stride_h;
  s.stride_w = p.stride_w;
  s.pad_top = p.pad_top;
  s.pad_bottom = p.pad_bottom;
  s.pad_left = p.pad_left;
  s.pad_right = p.pad_right;
  s.count_include_pad = p.count_include_pad != 0;
  SMALL_TRY(resolve_padding(p.padding_mode, s.input.h, p.kernel_h, p.stride_h,
                            1, s.pad_top, s.pad_bottom, name));
  SMALL_TRY(resolve_padding(p.padding_mode, s.input.w, p.kernel_w, p.stride_w,
                            1, s.pad_left, s.pad_right, name));
  return SMALL_OK;
}

// The int8 input's quantization, refused for a float input.
small_status int8_input(const Network &net, int input, const std::string &name,
                        small_quant &quant) {
  small_dtype dtype = SMALL_DTYPE_FLOAT32;
  SMALL_TRY(net.tensor_type(input, name + " input", dtype, quant));
  if (dtype != SMALL_DTYPE_INT8) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << name << ": the input is a float tensor; an int8 layer takes an "
           << "int8 one (small_network_add_quantize)";
  }
  return SMALL_OK;
}

} // namespace

small_status add_pool2d(Network &net, int input, const small_pool2d_params &p,
                        int &output) {
  SMALL_TRY(net.require_building("add layer"));
  small_layer_kind kind = SMALL_LAYER_MAXPOOL;
  std::string name;
  PoolSpec s;
  SMALL_TRY(pool_spec_from_params(net, input, p, kind, name, s));
  std::unique_ptr<Pool2DLayer> layer;
  SMALL_TRY(Pool2DLayer::create(kind, name, s, layer));
  return net.add_node(std::move(layer), {input}, name, output);
}

small_status add_pool2d_int8(Network &net, int input,
                             const small_pool2d_params &p,
                             const small_activation &activation, int &output) {
  SMALL_TRY(net.require_building("add layer"));
  small_layer_kind kind = SMALL_LAYER_MAXPOOL;
  std::string name;
  PoolSpec s;
  SMALL_TRY(pool_spec_from_params(net, input, p, kind, name, s));
  PoolInt8 q;
  q.enabled = true;
  SMALL_TRY(int8_input(net, input, name, q.input));
  q.output = q.input;
  SMALL_TRY(int8_activation_range(activation, q.output, name, q.act, q.range));
  std::unique_ptr<Pool2DLayer> layer;
  SMALL_TRY(Pool2DLayer::create(kind, name, s, layer, q));
  return net.add_node(std::move(layer), {input}, name, output);
}

small_status add_global_avgpool_int8(Network &net, int input,
                                     const small_quant &quant, int &output) {
  SMALL_TRY(net.require_building("add layer"));
  const std::string name = net.next_name("global_avgpool");
  PoolSpec s;
  SMALL_TRY(net.tensor_shape(input, name + " input", s.input));
  PoolInt8 q;
  q.enabled = true;
  q.requantize = true;
  SMALL_TRY(int8_input(net, input, name, q.input));
  SMALL_TRY(check_quant(quant, name + " output"));
  q.output = quant;
  s.is_max = false;
  s.kernel_h = s.input.h;
  s.kernel_w = s.input.w;
  std::unique_ptr<Pool2DLayer> layer;
  SMALL_TRY(Pool2DLayer::create(SMALL_LAYER_GLOBAL_AVGPOOL, name, s, layer, q));
  return net.add_node(std::move(layer), {input}, name, output);
}

small_status add_global_avgpool(Network &net, int input, int &output) {
  SMALL_TRY(net.require_building("add layer"));
  const std::string name = net.next_name("global_avgpool");
  PoolSpec s;
  SMALL_TRY(net.tensor_shape(input, name + " input", s.input));
  s.is_max = false;
  s.kernel_h = s.input.h;
  s.kernel_w = s.input.w;
  std::unique_ptr<Pool2DLayer> layer;
  SMALL_TRY(Pool2DLayer::create(SMALL_LAYER_GLOBAL_AVGPOOL, name, s, layer));
  return net.add_node(std::move(layer), {input}, name, output);
}

bool Pool2DLayer::plan_parts(const small_kernel_table &, size_t parts) {
  return plan_window_parts(op_, parts);
}

void Pool2DLayer::run_part(const small_kernel_table &,
                           const std::vector<const float *> &inputs, float *out,
                           size_t part) const {
  if (int8_.enabled) {
    run_window_part_int8(op_, as_int8(inputs[0]), as_int8(out), part);
  } else {
    run_window_part(op_, inputs[0], out, part);
  }
}

} // namespace small
