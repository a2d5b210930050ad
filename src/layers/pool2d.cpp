#include "layers/pool2d.h"

#include "engine/window_parts.h"
#include "graph/network.h"
#include "layers/padding.h"
#include "layers/window_geometry.h"
#include "util/error.h"

namespace small {

small_status Pool2DLayer::create(small_layer_kind kind, const std::string &name,
                                 const PoolSpec &s,
                                 std::unique_ptr<Pool2DLayer> &layer) {
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
  layer.reset(new Pool2DLayer(kind, s, output));
  return SMALL_OK;
}

small_status Pool2DLayer::prepare(const small_kernel_table &kernels) {
  op_.geometry = window_geometry(spec_, output_);
  op_.family = spec_.is_max ? WindowFamily::kMaxPool : WindowFamily::kAvgPool;
  op_.count_include_pad = spec_.count_include_pad;
  plan_window(op_, kernels);
  return SMALL_OK;
}

void Pool2DLayer::run(const small_kernel_table &kernels,
                      const std::vector<const float *> &inputs,
                      float *out) const {
  run_window(op_, kernels, inputs[0], out);
}

small_status add_pool2d(Network &net, int input, const small_pool2d_params &p,
                        int &output) {
  SMALL_TRY(net.require_building("add layer"));
  const int kind_value = enum_value(p.kind);
  if (kind_value != SMALL_POOL_MAX && kind_value != SMALL_POOL_AVG) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << net.next_name("pool2d") << ": unknown pool kind " << kind_value;
  }
  const small_layer_kind kind =
      kind_value == SMALL_POOL_MAX ? SMALL_LAYER_MAXPOOL : SMALL_LAYER_AVGPOOL;
  const std::string name = net.next_name(layer_kind_name(kind));
  PoolSpec s;
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
  std::unique_ptr<Pool2DLayer> layer;
  SMALL_TRY(Pool2DLayer::create(kind, name, s, layer));
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
  plan_window_parts(op_, parts);
  return true;
}

void Pool2DLayer::run_part(const small_kernel_table &,
                           const std::vector<const float *> &inputs, float *out,
                           size_t part) const {
  run_window_part(op_, inputs[0], out, part);
}

} // namespace small
