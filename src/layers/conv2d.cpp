#include "layers/conv2d.h"

#include <algorithm>

#include "util/checked_math.h"
#include "util/error.h"

namespace small {

uint32_t window_output_size(uint32_t in, uint32_t kernel, uint32_t stride,
                            uint32_t dilation, uint32_t pad_before,
                            uint32_t pad_after, const std::string &where,
                            const char *axis) {
  const uint64_t extent = (uint64_t{kernel} - 1) * dilation + 1;
  const uint64_t padded = uint64_t{in} + pad_before + pad_after;
  if (extent > padded) {
    fail(SMALL_ERR_SHAPE_MISMATCH,
         where + ": the " + axis + " window (" + std::to_string(extent) +
             " with dilation) is larger than the padded input (" +
             std::to_string(padded) + ")");
  }
  return static_cast<uint32_t>((padded - extent) / stride + 1);
}

namespace {

void require_positive(uint32_t v, const std::string &where, const char *what) {
  if (v == 0) {
    fail(SMALL_ERR_INVALID_ARGUMENT, where + ": " + what + " must be >= 1");
  }
}

} // namespace

Conv2DLayer::Conv2DLayer(small_layer_kind kind, const std::string &name,
                         const ConvSpec &spec, std::vector<float> weights_oihw,
                         std::vector<float> bias)
    : Layer(kind), spec_(spec), weights_(std::move(weights_oihw)),
      bias_(std::move(bias)) {
  const ConvSpec &s = spec_;
  require_positive(s.out_channels, name, "out_channels");
  require_positive(s.kernel_h, name, "kernel_h");
  require_positive(s.kernel_w, name, "kernel_w");
  require_positive(s.stride_h, name, "stride_h");
  require_positive(s.stride_w, name, "stride_w");
  require_positive(s.dilation_h, name, "dilation_h");
  require_positive(s.dilation_w, name, "dilation_w");
  require_positive(s.groups, name, "groups");
  if (s.input.c % s.groups != 0 || s.out_channels % s.groups != 0) {
    fail(SMALL_ERR_SHAPE_MISMATCH,
         name + ": groups (" + std::to_string(s.groups) +
             ") must divide both input channels (" + std::to_string(s.input.c) +
             ") and out_channels (" + std::to_string(s.out_channels) + ")");
  }
  output_.n = s.input.n;
  output_.c = s.out_channels;
  output_.h =
      window_output_size(s.input.h, s.kernel_h, s.stride_h, s.dilation_h,
                         s.pad_top, s.pad_bottom, name, "vertical");
  output_.w =
      window_output_size(s.input.w, s.kernel_w, s.stride_w, s.dilation_w,
                         s.pad_left, s.pad_right, name, "horizontal");
  blocked_bytes(output_, 64, name + " output");
  if (!bias_.empty() && bias_.size() != s.out_channels) {
    fail(SMALL_ERR_INTERNAL, name + ": bias size mismatch");
  }
  if (bias_.empty()) {
    bias_.assign(s.out_channels, 0.0f);
  }
}

bool Conv2DLayer::is_depthwise() const {
  return spec_.groups == spec_.input.c && spec_.out_channels == spec_.input.c;
}

size_t Conv2DLayer::macs() const {
  return size_t{output_.n} * output_.c * output_.h * output_.w *
         (spec_.input.c / spec_.groups) * spec_.kernel_h * spec_.kernel_w;
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
void Conv2DLayer::pack_conv(size_t cb) {
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
    total = checked_add(
        total, checked_mul(checked_mul(r.count, taps, what), lanes * cb, what),
        what);
  }
  packed_weights_.reset(checked_mul(total, sizeof(float), what));
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
}

void Conv2DLayer::pack_depthwise(size_t cb) {
  const size_t C = spec_.input.c;
  const size_t taps = size_t{spec_.kernel_h} * spec_.kernel_w;
  const std::string what = "depthwise packed weights";
  packed_weights_.reset(checked_mul(
      checked_mul(ceil_div(C, cb) * cb, taps, what), sizeof(float), what));
  float *packed = packed_weights_.floats();
  for (size_t c = 0; c < C; ++c) {
    for (size_t t = 0; t < taps; ++t) {
      packed[(c / cb * taps + t) * cb + c % cb] = weights_[c * taps + t];
    }
  }
}

void Conv2DLayer::prepare(const small_kernel_table &kernels) {
  const size_t cb = kernels.channel_block;
  const bool depthwise = is_depthwise();
  if (depthwise) {
    pack_depthwise(cb);
  } else {
    pack_conv(cb);
  }
  const size_t out_blocks = ceil_div(spec_.out_channels, cb);
  packed_bias_.reset(out_blocks * cb * sizeof(float));
  std::copy(bias_.begin(), bias_.end(), packed_bias_.floats());

  WindowGeometry &g = op_.geometry;
  g.batch = spec_.input.n;
  g.in_c = spec_.input.c;
  g.in_h = spec_.input.h;
  g.in_w = spec_.input.w;
  g.out_c = output_.c;
  g.out_h = output_.h;
  g.out_w = output_.w;
  g.kernel_h = spec_.kernel_h;
  g.kernel_w = spec_.kernel_w;
  g.stride_h = spec_.stride_h;
  g.stride_w = spec_.stride_w;
  g.dilation_h = spec_.dilation_h;
  g.dilation_w = spec_.dilation_w;
  g.pad_top = spec_.pad_top;
  g.pad_left = spec_.pad_left;
  // A 1x1, stride-1, unpadded window maps pixel p to pixel p: view the image
  // as one row of h*w pixels so tiles stay full on small images (a 3x3 image
  // is one 9-wide tile instead of three 3-wide ones).
  if (g.kernel_h == 1 && g.kernel_w == 1 && g.stride_h == 1 &&
      g.stride_w == 1 && spec_.pad_top == 0 && spec_.pad_bottom == 0 &&
      spec_.pad_left == 0 && spec_.pad_right == 0) {
    g.in_w = g.out_w = g.in_h * g.in_w;
    g.in_h = g.out_h = 1;
  }
  op_.family = depthwise ? WindowFamily::kDepthwise : WindowFamily::kConv;
  op_.input_lanes = input_lanes_;
  op_.weights = packed_weights_.floats();
  op_.bias = packed_bias_.floats();
  op_.act = spec_.act;
  plan_window(op_, kernels);
  // The OIHW copy is no longer needed: the packed form is the truth now.
  std::vector<float>().swap(weights_);
}

void Conv2DLayer::run(const small_kernel_table &kernels,
                      const std::vector<const float *> &inputs,
                      float *out) const {
  run_window(op_, kernels, inputs[0], out);
}

} // namespace small
