#include "layers/conv2d.h"

#include <algorithm>

#include "engine/window_parts.h"
#include "engine/winograd.h"
#include "graph/network.h"
#include "layers/activation_params.h"
#include "layers/conv_packing.h"
#include "layers/padding.h"
#include "layers/window_geometry.h"
#include "util/checked_math.h"
#include "util/error.h"

namespace small {

small_status check_conv_params(const ConvSpec &s, const std::string &name) {
  if (s.kernel_h == 0 || s.kernel_w == 0 || s.stride_h == 0 ||
      s.stride_w == 0 || s.dilation_h == 0 || s.dilation_w == 0 ||
      s.groups == 0 || s.out_channels == 0) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << name
           << ": out_channels, kernel, stride, dilation and groups must all "
              "be >= 1";
  }
  if (s.input.c % s.groups != 0 || s.out_channels % s.groups != 0) {
    return fail(SMALL_ERR_SHAPE_MISMATCH)
           << name << ": groups (" << s.groups
           << ") must divide the input channels (" << s.input.c
           << ") and out_channels (" << s.out_channels << ")";
  }
  return SMALL_OK;
}

small_status conv_output_shape(const ConvSpec &s, const std::string &name,
                               Shape &output) {
  SMALL_TRY(check_conv_params(s, name));
  SMALL_TRY(check_conv_padding(s.input.h, s.kernel_h, s.dilation_h, s.pad_top,
                               s.pad_bottom, name, "vertical"));
  SMALL_TRY(check_conv_padding(s.input.w, s.kernel_w, s.dilation_w, s.pad_left,
                               s.pad_right, name, "horizontal"));
  Shape o;
  o.n = s.input.n;
  o.c = s.out_channels;
  SMALL_TRY(window_output_size(s.input.h, s.kernel_h, s.stride_h, s.dilation_h,
                               s.pad_top, s.pad_bottom, o.h, name, "vertical"));
  SMALL_TRY(window_output_size(s.input.w, s.kernel_w, s.stride_w, s.dilation_w,
                               s.pad_left, s.pad_right, o.w, name,
                               "horizontal"));
  size_t bytes = 0;
  SMALL_TRY(blocked_bytes(o, 64, bytes, name + " output"));
  output = o;
  return SMALL_OK;
}

small_status Conv2DLayer::create(small_layer_kind kind, const std::string &name,
                                 const ConvSpec &spec,
                                 std::vector<float> weights_oihw,
                                 std::vector<float> bias,
                                 std::unique_ptr<Conv2DLayer> &layer) {
  Shape output;
  SMALL_TRY(conv_output_shape(spec, name, output));
  if (!bias.empty() && bias.size() != spec.out_channels) {
    return fail(SMALL_ERR_INTERNAL) << name << ": bias size mismatch";
  }
  layer.reset(new Conv2DLayer(kind, spec, output, std::move(weights_oihw),
                              std::move(bias)));
  return SMALL_OK;
}

Conv2DLayer::Conv2DLayer(small_layer_kind kind, const ConvSpec &spec,
                         const Shape &output, std::vector<float> weights_oihw,
                         std::vector<float> bias)
    : Layer(kind), spec_(spec), output_(output),
      weights_(std::move(weights_oihw)), bias_(std::move(bias)) {
  if (bias_.empty()) {
    bias_.assign(spec_.out_channels, 0.0f);
  }
}

uint64_t Conv2DLayer::macs() const {
  // Output elements times the taps each reads; saturates instead of
  // wrapping.
  uint64_t m = saturating_mul(output_.n, output_.c);
  m = saturating_mul(m, output_.h);
  m = saturating_mul(m, output_.w);
  m = saturating_mul(m, spec_.input.c / spec_.groups);
  m = saturating_mul(m, spec_.kernel_h);
  m = saturating_mul(m, spec_.kernel_w);
  if (pointwise_ != nullptr) {
    const uint64_t pw = pointwise_->macs();
    m = m > UINT64_MAX - pw ? UINT64_MAX : m + pw;
  }
  return m;
}

size_t Conv2DLayer::weight_bytes() const {
  return packed_weights_.size_bytes() + winograd_weights_.size_bytes() +
         packed_bias_.size_bytes() +
         (pointwise_ != nullptr ? pointwise_->weight_bytes() : 0);
}

const char *Conv2DLayer::kind_name() const {
  return pointwise_ != nullptr ? "depthwise+conv2d" : Layer::kind_name();
}

bool Conv2DLayer::plain_pointwise() const {
  const ConvSpec &s = spec_;
  return !depthwise() && s.groups == 1 && s.kernel_h == 1 && s.kernel_w == 1 &&
         s.stride_h == 1 && s.stride_w == 1 && s.pad_top == 0 &&
         s.pad_bottom == 0 && s.pad_left == 0 && s.pad_right == 0 &&
         !residual_ && input_lanes_ == 0 && pointwise_ == nullptr;
}

bool Conv2DLayer::fuse_pointwise(Layer &consumer,
                                 const small_kernel_table &kernels,
                                 size_t cache_bytes) {
  // Every float layer of kind conv2d is a Conv2DLayer (int8 ones are not
  // float).
  if (!depthwise() || pointwise_ != nullptr || cache_bytes == 0 ||
      consumer.kind() != SMALL_LAYER_CONV2D ||
      consumer.input_dtype() != SMALL_DTYPE_FLOAT32 ||
      consumer.output_dtype() != SMALL_DTYPE_FLOAT32) {
    return false;
  }
  auto &pointwise = static_cast<Conv2DLayer &>(consumer);
  // The fused step holds the input and the pair's output where the
  // unfused steps held (input, mid) and then (mid, output): no more bytes
  // when the mid tensor is as large as the input.
  const bool same_size = output_.h == spec_.input.h &&
                         output_.w == spec_.input.w &&
                         output_.n == spec_.input.n;
  // A mid tensor that fits the L1 cache stays there unfused.
  // (Its size was checked when the layer was added.)
  size_t mid_bytes = 0;
  if (!same_size || !pointwise.plain_pointwise() ||
      blocked_bytes(output_, kernels.channel_block, mid_bytes,
                    "depthwise output") != SMALL_OK ||
      mid_bytes <= cache_bytes) {
    return false;
  }
  pointwise_ = &pointwise;
  fusion_cache_ = cache_bytes;
  return true;
}

void Conv2DLayer::fold_batchnorm(const std::vector<float> &scale,
                                 const std::vector<float> &shift) {
  const size_t per_out = weights_.size() / spec_.out_channels;
  for (size_t k = 0; k < spec_.out_channels; ++k) {
    for (size_t i = 0; i < per_out; ++i) {
      weights_[k * per_out + i] *= scale[k];
    }
    bias_[k] = bias_[k] * scale[k] + shift[k];
  }
  fused_batchnorm_ = true;
}

small_status Conv2DLayer::pack_conv(size_t cb) {
  const size_t lanes = input_lanes_ != 0 ? input_lanes_ : cb;
  return pack_conv_weights(spec_, lanes, cb, weights_, op_.input_ranges,
                           packed_weights_);
}

small_status Conv2DLayer::pack_depthwise(size_t cb) {
  return pack_depthwise_weights(spec_, cb, weights_, packed_weights_);
}

small_status Conv2DLayer::prepare_winograd(const small_kernel_table &kernels) {
  winograd_weights_.release();
  op_.winograd_weights = nullptr;
  if (depthwise() || !winograd_eligible(op_, kernels)) {
    return SMALL_OK;
  }
  const size_t direct = packed_weights_.size_bytes() / sizeof(float);
  SMALL_TRY(winograd_weights_.reset(winograd_offset(direct) * sizeof(float),
                                    "Winograd weights"));
  winograd_weights(packed_weights_.floats(), direct, kernels.channel_block,
                   winograd_weights_.floats());
  op_.winograd_weights = winograd_weights_.floats();
  return SMALL_OK;
}

small_status Conv2DLayer::prepare(const small_kernel_table &kernels) {
  const size_t cb = kernels.channel_block;
  if (depthwise()) {
    SMALL_TRY(pack_depthwise(cb));
  } else {
    SMALL_TRY(pack_conv(cb));
  }
  const size_t out_blocks = ceil_div(spec_.out_channels, cb);
  SMALL_TRY(packed_bias_.reset(out_blocks * cb * sizeof(float), "bias"));
  std::copy(bias_.begin(), bias_.end(), packed_bias_.floats());

  op_.geometry = conv_geometry(spec_, output_);
  op_.family = depthwise() ? WindowFamily::kDepthwise : WindowFamily::kConv;
  op_.input_lanes = input_lanes_;
  op_.residual = residual_;
  op_.weights = packed_weights_.floats();
  op_.bias = packed_bias_.floats();
  op_.act = spec_.act;
  SMALL_TRY(prepare_winograd(kernels));
  plan_window(op_, kernels);
  if (op_.winograd_weights != nullptr && !uses_winograd(op_)) {
    // No interior tile took it (an image too narrow for a pair).
    winograd_weights_.release();
    op_.winograd_weights = nullptr;
  }
  // The OIHW copy is no longer needed: the packed form is the truth now.
  std::vector<float>().swap(weights_);
  if (pointwise_ != nullptr) {
    // Bands of a quarter of the L1 cache: the band's input rows, the ring
    // and the pointwise weights and output rows share the rest.
    SMALL_TRY(pointwise_->prepare(kernels));
    fused_ = std::make_unique<DepthwisePointwise>();
    SMALL_TRY(fused_->plan(op_, pointwise_->op_, kernels, fusion_cache_ / 4));
  }
  return SMALL_OK;
}

void Conv2DLayer::run(const small_kernel_table &kernels,
                      const std::vector<const float *> &inputs,
                      float *out) const {
  if (fused_ != nullptr) {
    fused_->run(kernels, inputs[0], out);
    return;
  }
  run_window(op_, kernels, inputs[0], out, residual_ ? inputs[1] : nullptr);
}

small_status conv_spec_from_params(const Shape &input,
                                   const small_conv2d_params &p,
                                   const std::string &name, ConvSpec &s,
                                   size_t &weight_count) {
  s.input = input;
  s.out_channels = p.out_channels;
  s.kernel_h = p.kernel_h;
  s.kernel_w = p.kernel_w;
  s.stride_h = p.stride_h;
  s.stride_w = p.stride_w;
  s.dilation_h = p.dilation_h;
  s.dilation_w = p.dilation_w;
  s.pad_top = p.pad_top;
  s.pad_bottom = p.pad_bottom;
  s.pad_left = p.pad_left;
  s.pad_right = p.pad_right;
  s.groups = p.groups;
  // Before SAME padding, which needs positive sizes.
  SMALL_TRY(check_conv_params(s, name));
  SMALL_TRY(resolve_padding(p.padding_mode, s.input.h, p.kernel_h, p.stride_h,
                            p.dilation_h, s.pad_top, s.pad_bottom, name));
  SMALL_TRY(resolve_padding(p.padding_mode, s.input.w, p.kernel_w, p.stride_w,
                            p.dilation_w, s.pad_left, s.pad_right, name));
  const size_t cin = s.input.c / p.groups;
  const std::string what = name + " weights";
  size_t count = 0;
  SMALL_TRY(checked_mul(p.out_channels, cin, count, what));
  SMALL_TRY(checked_mul(count, p.kernel_h, count, what));
  SMALL_TRY(checked_mul(count, p.kernel_w, count, what));
  if (count > kMaxTensorBytes / sizeof(float)) {
    return fail(SMALL_ERR_OVERFLOW) << what << ": too many weights";
  }
  const int layout = enum_value(p.weight_layout);
  if (layout != SMALL_WEIGHTS_OIHW && layout != SMALL_WEIGHTS_HWIO) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << name << ": unknown weight_layout " << layout;
  }
  // The shape check before the weights are copied: fail fast.
  Shape checked;
  SMALL_TRY(conv_output_shape(s, name, checked));
  weight_count = count;
  return SMALL_OK;
}

small_status add_conv2d(Network &net, int input, const small_conv2d_params &p,
                        const float *weights, const float *bias, int &output) {
  SMALL_TRY(net.require_building("add layer"));
  const std::string name = net.next_name("conv2d");
  ConvSpec s;
  Shape in;
  SMALL_TRY(net.tensor_shape(input, name + " input", in));
  SMALL_TRY(lower_activation(p.activation, name, s.act));
  size_t count = 0;
  SMALL_TRY(conv_spec_from_params(in, p, name, s, count));
  std::vector<float> w = oihw_weights(weights, count, p, s);
  std::vector<float> b;
  if (bias != nullptr) {
    b.assign(bias, bias + p.out_channels);
  }
  std::unique_ptr<Conv2DLayer> layer;
  SMALL_TRY(Conv2DLayer::create(
      is_depthwise(s.input.c, p.groups, p.out_channels) ? SMALL_LAYER_DEPTHWISE
                                                        : SMALL_LAYER_CONV2D,
      name, s, std::move(w), std::move(b), layer));
  return net.add_node(std::move(layer), {input}, name, output);
}

bool Conv2DLayer::plan_parts(const small_kernel_table &, size_t parts) {
  return fused_ != nullptr ? fused_->plan_parts(parts)
                           : plan_window_parts(op_, parts);
}

void Conv2DLayer::run_part(const small_kernel_table &kernels,
                           const std::vector<const float *> &inputs, float *out,
                           size_t part) const {
  if (fused_ != nullptr) {
    fused_->run_part(kernels, inputs[0], out, part);
    return;
  }
  run_window_part(op_, inputs[0], out, part, residual_ ? inputs[1] : nullptr);
}

} // namespace small
