#include "layers/conv2d.h"

#include <algorithm>

#include "engine/window_parts.h"
#include "graph/network.h"
#include "layers/activation_params.h"
#include "layers/padding.h"
#include "layers/window_geometry.h"
#include "util/checked_math.h"
#include "util/error.h"

namespace small {

namespace {

// HWIO [kh][kw][cin][cout] -> OIHW [cout][cin][kh][kw].
std::vector<float> hwio_to_oihw(const float *w, size_t kh, size_t kw,
                                size_t cin, size_t cout) {
  std::vector<float> out(cout * cin * kh * kw);
  for (size_t h = 0; h < kh; ++h) {
    for (size_t x = 0; x < kw; ++x) {
      for (size_t i = 0; i < cin; ++i) {
        for (size_t o = 0; o < cout; ++o) {
          out[((o * cin + i) * kh + h) * kw + x] =
              w[((h * kw + x) * cin + i) * cout + o];
        }
      }
    }
  }
  return out;
}

} // namespace

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
  return saturating_mul(m, spec_.kernel_w);
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

// Packed convolution weights: [out block][input block][tap][lane][Cb], one
// lanes x Cb matrix per (input block, tap). Input blocks hold Cb channels,
// or one channel for a planar network input (input_lanes_ == 1).
small_status Conv2DLayer::pack_conv(size_t cb) {
  const ConvSpec &s = spec_;
  const size_t C = s.input.c, K = s.out_channels;
  const size_t Cg = C / s.groups, Kg = K / s.groups;
  const size_t taps = size_t{s.kernel_h} * s.kernel_w;
  const size_t out_blocks = ceil_div(K, cb);
  const size_t lanes = input_lanes_ != 0 ? input_lanes_ : cb;
  const std::string what = "conv2d packed weights";

  op_.input_ranges.assign(out_blocks, {});
  size_t total = 0;
  for (size_t ob = 0; ob < out_blocks; ++ob) {
    const size_t k0 = ob * cb, k1 = std::min(K, k0 + cb);
    const size_t c0 = k0 / Kg * Cg, c1 = ((k1 - 1) / Kg + 1) * Cg;
    InputBlockRange &r = op_.input_ranges[ob];
    r.first_block = c0 / lanes;
    const size_t end_block = ceil_div(c1, lanes);
    r.count = end_block - r.first_block;
    r.last_channels = std::min(C, end_block * lanes) - (end_block - 1) * lanes;
    r.weight_offset = total;
    size_t block_floats = 0;
    SMALL_TRY(checked_mul(r.count, taps, block_floats, what));
    SMALL_TRY(checked_mul(block_floats, lanes * cb, block_floats, what));
    SMALL_TRY(checked_add(total, block_floats, total, what));
  }
  size_t bytes = 0;
  SMALL_TRY(checked_mul(total, sizeof(float), bytes, what));
  SMALL_TRY(packed_weights_.reset(bytes, "conv2d packed weights"));
  float *packed = packed_weights_.floats();
  for (size_t ob = 0; ob < out_blocks; ++ob) {
    const InputBlockRange &r = op_.input_ranges[ob];
    for (size_t b = 0; b < r.count; ++b) {
      for (size_t t = 0; t < taps; ++t) {
        float *dst = packed + r.weight_offset + (b * taps + t) * lanes * cb;
        for (size_t i = 0; i < lanes; ++i) {
          const size_t c = (r.first_block + b) * lanes + i;
          for (size_t o = 0; o < cb; ++o) {
            const size_t k = ob * cb + o;
            if (c >= C || k >= K || c / Cg != k / Kg) {
              continue; // stays zero: padding or another group
            }
            dst[i * cb + o] = weights_[(k * Cg + (c - k / Kg * Cg)) * taps + t];
          }
        }
      }
    }
  }
  return SMALL_OK;
}

small_status Conv2DLayer::pack_depthwise(size_t cb) {
  const size_t C = spec_.input.c;
  const size_t taps = size_t{spec_.kernel_h} * spec_.kernel_w;
  const std::string what = "depthwise packed weights";
  size_t bytes = 0;
  SMALL_TRY(checked_mul(ceil_div(C, cb) * cb, taps, bytes, what));
  SMALL_TRY(checked_mul(bytes, sizeof(float), bytes, what));
  SMALL_TRY(packed_weights_.reset(bytes, "depthwise packed weights"));
  float *packed = packed_weights_.floats();
  for (size_t c = 0; c < C; ++c) {
    for (size_t t = 0; t < taps; ++t) {
      packed[(c / cb * taps + t) * cb + c % cb] = weights_[c * taps + t];
    }
  }
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

  WindowGeometry &g = op_.geometry;
  g = window_geometry(spec_, output_);
  // A 1x1, stride-1, unpadded window maps pixel p to pixel p: view the image
  // as one row of h*w pixels so tiles stay full on small images (a 3x3 image
  // is one 9-wide tile instead of three 3-wide ones). Only when h*w fits the
  // geometry's 32-bit width.
  const uint64_t pixels = uint64_t{g.in_h} * g.in_w;
  if (g.kernel_h == 1 && g.kernel_w == 1 && g.stride_h == 1 &&
      g.stride_w == 1 && spec_.pad_top == 0 && spec_.pad_bottom == 0 &&
      spec_.pad_left == 0 && spec_.pad_right == 0 && pixels <= UINT32_MAX) {
    g.in_w = g.out_w = static_cast<uint32_t>(pixels);
    g.in_h = g.out_h = 1;
  }
  op_.family = depthwise() ? WindowFamily::kDepthwise : WindowFamily::kConv;
  op_.input_lanes = input_lanes_;
  op_.weights = packed_weights_.floats();
  op_.bias = packed_bias_.floats();
  op_.act = spec_.act;
  plan_window(op_, kernels);
  // The OIHW copy is no longer needed: the packed form is the truth now.
  std::vector<float>().swap(weights_);
  return SMALL_OK;
}

void Conv2DLayer::run(const small_kernel_table &kernels,
                      const std::vector<const float *> &inputs,
                      float *out) const {
  run_window(op_, kernels, inputs[0], out);
}

small_status add_conv2d(Network &net, int input, const small_conv2d_params &p,
                        const float *weights, const float *bias, int &output) {
  SMALL_TRY(net.require_building("add layer"));
  const std::string name = net.next_name("conv2d");
  ConvSpec s;
  SMALL_TRY(net.tensor_shape(input, name + " input", s.input));
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
  SMALL_TRY(lower_activation(p.activation, name, s.act));
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
  std::vector<float> w =
      layout == SMALL_WEIGHTS_OIHW
          ? std::vector<float>(weights, weights + count)
          : hwio_to_oihw(weights, p.kernel_h, p.kernel_w, cin, p.out_channels);
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
  plan_window_parts(op_, parts);
  return true;
}

void Conv2DLayer::run_part(const small_kernel_table &,
                           const std::vector<const float *> &inputs, float *out,
                           size_t part) const {
  run_window_part(op_, inputs[0], out, part);
}

} // namespace small
