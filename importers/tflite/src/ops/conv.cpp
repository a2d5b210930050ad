// CONV_2D and DEPTHWISE_CONV_2D -> conv2d (grouped and depthwise), with a
// preceding PAD folded into the convolution's explicit padding.
#include "op_table.h"
#include "ops/window_options.h"

namespace small_tflite {
namespace {

struct Window {
  uint32_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w;
  fb::Padding padding;
};

// The padding of the convolution: TFLite's mode, plus the zeros a PAD
// added before it (then explicit: SAME is resolved on the padded size).
void set_padding(const Importer &im, const Value &x, const Window &w,
                 small_conv2d_params &p) {
  const small_padding_mode mode = padding_mode(im, w.padding);
  if (!x.padded()) {
    p.padding_mode = mode;
    return;
  }
  const uint32_t *in = im.shape_of(x.tensor);
  uint32_t same[4] = {0, 0, 0, 0};
  if (mode == SMALL_PADDING_SAME &&
      (small_padding_same(in[2] + x.pad[0] + x.pad[1], w.kernel_h, w.stride_h,
                          w.dilation_h, &same[0], &same[1]) != SMALL_OK ||
       small_padding_same(in[3] + x.pad[2] + x.pad[3], w.kernel_w, w.stride_w,
                          w.dilation_w, &same[2], &same[3]) != SMALL_OK)) {
    im.op_fail(SMALL_ERR_INVALID_ARGUMENT,
               std::string("SAME padding after PAD: ") + small_last_error());
  }
  p.padding_mode = SMALL_PADDING_EXPLICIT;
  p.pad_top = x.pad[0] + same[0];
  p.pad_bottom = x.pad[1] + same[1];
  p.pad_left = x.pad[2] + same[2];
  p.pad_right = x.pad[3] + same[3];
}

std::vector<float> optional_bias(const Importer &im, int64_t out_channels) {
  if (!im.has_input(2)) {
    return {};
  }
  std::vector<float> b = im.constant_floats(2, "bias");
  if (static_cast<int64_t>(b.size()) != out_channels) {
    im.op_fail(SMALL_ERR_SHAPE_MISMATCH,
               "bias holds " + std::to_string(b.size()) + " values for " +
                   std::to_string(out_channels) + " output channels");
  }
  return b;
}

small_conv2d_params conv_params(const Importer &im, const Value &x,
                                const Window &w, uint32_t out_channels,
                                uint32_t groups,
                                fb::ActivationFunctionType act) {
  small_conv2d_params p;
  small_conv2d_params_init(&p);
  p.out_channels = out_channels;
  p.kernel_h = w.kernel_h;
  p.kernel_w = w.kernel_w;
  p.stride_h = w.stride_h;
  p.stride_w = w.stride_w;
  p.dilation_h = w.dilation_h;
  p.dilation_w = w.dilation_w;
  p.groups = groups;
  p.weight_layout = SMALL_WEIGHTS_HWIO;
  p.activation = im.activation(act);
  set_padding(im, x, w, p);
  return p;
}

// OHWI [O][KH][KW][I] -> HWIO [KH][KW][I][O].
template <typename T>
std::vector<T> ohwi_to_hwio(const std::vector<T> &ohwi, int64_t out_c,
                            int64_t taps, int64_t in_per_group) {
  std::vector<T> hwio(ohwi.size());
  for (int64_t oc = 0; oc < out_c; ++oc) {
    for (int64_t r = 0; r < taps; ++r) {
      for (int64_t i = 0; i < in_per_group; ++i) {
        hwio[(r * in_per_group + i) * out_c + oc] =
            ohwi[(oc * taps + r) * in_per_group + i];
      }
    }
  }
  return hwio;
}

// Describes the convolution (float, or int8 when its input is) and sets the
// operator's output; `to_hwio` reorders the file's filter values.
template <typename Reorder>
void add_conv(Importer &im, const Value &x, const Window &w,
              uint32_t out_channels, uint32_t groups,
              fb::ActivationFunctionType act, Reorder to_hwio) {
  const small_conv2d_params params =
      conv_params(im, x, w, out_channels, groups, act);
  const std::string ops = x.padded() ? "PAD+" + im.op().op_name : "";
  if (im.int8_input(0)) {
    small_import::Conv2dInt8Params p;
    p.params = params;
    p.weights = im.int8_weights(1, 2, out_channels);
    p.weights.values = to_hwio(p.weights.values);
    p.output = im.output_quant();
    im.set_output(im.add_layer(std::move(p), {x.tensor}, ops));
    return;
  }
  small_import::Conv2dParams p;
  p.params = params;
  p.weights = to_hwio(im.constant_floats(1, "filter"));
  p.bias = optional_bias(im, out_channels);
  im.set_output(im.add_layer(std::move(p), {x.tensor}, ops));
}

// A filter's dims, each at least 1 and at most 2^31-1 (the reader bounds
// the element count).
void check_filter(const Importer &im, const TensorInfo &w, const char *layout) {
  bool ok = w.dims.size() == 4;
  for (int64_t d : w.dims) {
    ok = ok && d >= 1;
  }
  if (!ok) {
    im.op_fail(SMALL_ERR_PARSE, "filter " + w.label() + " has shape " +
                                    dims_str(w.dims) + "; expected " + layout);
  }
}

} // namespace

void lower_conv_2d(Importer &im) {
  im.expect_io(2, 3);
  const auto *o = im.options<fb::Conv2DOptions>();
  if (o == nullptr) {
    im.op_fail(SMALL_ERR_PARSE, "has no Conv2DOptions");
  }
  const Value &x = im.runtime_input(0, kPadded);
  const uint32_t in_c = spatial_input(im, x)[1];
  const TensorInfo &wt = im.input_tensor(1);
  check_filter(im, wt, "[O, KH, KW, I]");
  const int64_t out_c = wt.dims[0], kh = wt.dims[1], kw = wt.dims[2],
                in_per_group = wt.dims[3];
  if (in_c % in_per_group != 0 || out_c % (in_c / in_per_group) != 0) {
    im.op_fail(SMALL_ERR_SHAPE_MISMATCH,
               "filter " + dims_str(wt.dims) + " does not fit " +
                   std::to_string(in_c) +
                   " input channels (their count must be a multiple of the "
                   "filter's I, and O a multiple of the groups)");
  }
  const Window w{static_cast<uint32_t>(kh),
                 static_cast<uint32_t>(kw),
                 window_size(im, o->stride_h(), "stride_h"),
                 window_size(im, o->stride_w(), "stride_w"),
                 window_size(im, o->dilation_h_factor(), "dilation_h_factor"),
                 window_size(im, o->dilation_w_factor(), "dilation_w_factor"),
                 o->padding()};
  add_conv(im, x, w, static_cast<uint32_t>(out_c),
           in_c / static_cast<uint32_t>(in_per_group),
           o->fused_activation_function(), [&](const auto &ohwi) {
             return ohwi_to_hwio(ohwi, out_c, kh * kw, in_per_group);
           });
}

void lower_depthwise_conv_2d(Importer &im) {
  im.expect_io(2, 3);
  const auto *o = im.options<fb::DepthwiseConv2DOptions>();
  if (o == nullptr) {
    im.op_fail(SMALL_ERR_PARSE, "has no DepthwiseConv2DOptions");
  }
  const Value &x = im.runtime_input(0, kPadded);
  const uint32_t in_c = spatial_input(im, x)[1];
  const TensorInfo &wt = im.input_tensor(1);
  check_filter(im, wt, "[1, KH, KW, C * multiplier]");
  const int64_t out_c = wt.dims[3];
  if (wt.dims[0] != 1 || out_c % in_c != 0) {
    im.op_fail(SMALL_ERR_SHAPE_MISMATCH,
               "filter " + dims_str(wt.dims) + " does not fit " +
                   std::to_string(in_c) +
                   " input channels (expected [1, KH, KW, C * multiplier])");
  }
  const Window w{static_cast<uint32_t>(wt.dims[1]),
                 static_cast<uint32_t>(wt.dims[2]),
                 window_size(im, o->stride_h(), "stride_h"),
                 window_size(im, o->stride_w(), "stride_w"),
                 window_size(im, o->dilation_h_factor(), "dilation_h_factor"),
                 window_size(im, o->dilation_w_factor(), "dilation_w_factor"),
                 o->padding()};
  // [1][KH][KW][C*M] is HWIO with one input channel per group, output
  // channel c*M + m reading input channel c: SMaLL's grouped order.
  add_conv(im, x, w, static_cast<uint32_t>(out_c), in_c,
           o->fused_activation_function(),
           [](const auto &hwio) { return hwio; });
}

} // namespace small_tflite
