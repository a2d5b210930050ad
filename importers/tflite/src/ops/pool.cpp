// AVERAGE_POOL_2D and MAX_POOL_2D -> pool2d (a fused activation becomes its
// own activation layer); MEAN over H and W -> global_avgpool.
#include <algorithm>

#include "op_table.h"
#include "ops/window_options.h"

namespace small_tflite {
namespace {

void lower_pool(Importer &im, small_pool_kind kind) {
  im.expect_io(1, 1);
  const auto *o = im.options<fb::Pool2DOptions>();
  if (o == nullptr) {
    im.op_fail(SMALL_ERR_PARSE, "has no Pool2DOptions");
  }
  const Value &x = im.runtime_input(0);
  spatial_input(im, x);
  small_import::Pool2dParams p;
  small_pool2d_params_init(&p.params);
  p.params.kind = kind;
  p.params.kernel_h = window_size(im, o->filter_height(), "filter_height");
  p.params.kernel_w = window_size(im, o->filter_width(), "filter_width");
  p.params.stride_h = window_size(im, o->stride_h(), "stride_h");
  p.params.stride_w = window_size(im, o->stride_w(), "stride_w");
  p.params.padding_mode = padding_mode(im, o->padding());
  // TFLite averages over the taps inside the input.
  p.params.count_include_pad = 0;
  const small_activation act = im.activation(o->fused_activation_function());
  if (im.int8_input(0)) {
    // TFLite's int8 pooling keeps the input's quantization.
    const small_quant in = im.input_quant(0), out = im.output_quant();
    if (in.scale != out.scale || in.zero_point != out.zero_point) {
      im.op_fail(SMALL_ERR_UNSUPPORTED,
                 "int8 pooling must keep its input's quantization");
    }
    small_import::Pool2dInt8Params q;
    q.params = p.params;
    q.activation = act;
    im.set_output(im.add_layer(q, {x.tensor}));
    return;
  }
  TensorId y = im.add_layer(p, {x.tensor});
  if (act.kind != SMALL_ACT_NONE) {
    small_import::ActivationParams a;
    a.activation = act;
    y = im.add_layer(a, {y});
  }
  im.set_output(y);
}

} // namespace

void lower_average_pool_2d(Importer &im) { lower_pool(im, SMALL_POOL_AVG); }

void lower_max_pool_2d(Importer &im) { lower_pool(im, SMALL_POOL_MAX); }

void lower_mean(Importer &im) {
  im.expect_io(2, 2);
  const Value &x = im.runtime_input(0);
  spatial_input(im, x);
  std::vector<int64_t> axes = im.constant_ints(1, "axis");
  for (int64_t &a : axes) {
    if (a < -4 || a > 3) {
      im.op_fail(SMALL_ERR_PARSE,
                 "axis " + std::to_string(a) + " is out of range for rank 4");
    }
    a = a < 0 ? a + 4 : a;
  }
  std::sort(axes.begin(), axes.end());
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  if (axes != std::vector<int64_t>{1, 2}) {
    im.op_fail(SMALL_ERR_UNSUPPORTED,
               "only a MEAN over H and W (axes 1 and 2 of NHWC) is "
               "supported");
  }
  const auto *o = im.options<fb::ReducerOptions>();
  Value v;
  if (im.int8_input(0)) {
    small_import::GlobalAvgPoolInt8Params q;
    q.output = im.output_quant();
    v.tensor = im.add_layer(q, {x.tensor});
  } else {
    v.tensor = im.add_layer(small_import::GlobalAvgPoolParams{}, {x.tensor});
  }
  v.dims = o != nullptr && o->keep_dims() ? Dims{x.dims[0], 1, 1, x.dims[3]}
                                          : Dims{x.dims[0], x.dims[3]};
  im.set_output(v);
}

} // namespace small_tflite
