// Conv2D in all its forms, all one WindowOp: dense and grouped convolution
// (kernel family conv), depthwise with multiplier 1 (family depthwise), Dense
// (a convolution whose window is the whole input, see dense.h) and
// standalone BatchNorm (a 1x1 depthwise convolution, see batchnorm.h).
#ifndef SMALL_LAYERS_CONV2D_H
#define SMALL_LAYERS_CONV2D_H

#include <memory>
#include <string>
#include <vector>

#include "engine/window_loop.h"
#include "layers/depthwise_pointwise.h"
#include "layers/layer.h"
#include "small/small.h"
#include "util/aligned_buffer.h"
#include "util/error.h"

namespace small {

class Network;

struct ConvSpec {
  Shape input;
  uint32_t out_channels = 0;
  uint32_t kernel_h = 1, kernel_w = 1;
  uint32_t stride_h = 1, stride_w = 1;
  uint32_t dilation_h = 1, dilation_w = 1;
  uint32_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  uint32_t groups = 1;
  small_act_params act{};
};

// The depthwise test, in one place: every input channel is its own group
// with one output channel.
inline bool is_depthwise(uint32_t in_channels, uint32_t groups,
                         uint32_t out_channels) {
  return groups == in_channels && out_channels == in_channels;
}

class Conv2DLayer : public Layer {
public:
  // Validates `spec` (errors name `name`) and creates the layer.
  // weights_oihw: out * (in/groups) * kh * kw floats; bias: out floats or
  // empty (zeros).
  [[nodiscard]] static small_status
  create(small_layer_kind kind, const std::string &name, const ConvSpec &spec,
         std::vector<float> weights_oihw, std::vector<float> bias,
         std::unique_ptr<Conv2DLayer> &layer);

  Shape output_shape() const override { return output_; }
  [[nodiscard]] small_status
  prepare(const small_kernel_table &kernels) override;
  void run(const small_kernel_table &kernels,
           const std::vector<const float *> &inputs, float *out) const override;
  [[nodiscard]] bool plan_parts(const small_kernel_table &kernels,
                                size_t parts) override;
  void run_part(const small_kernel_table &kernels,
                const std::vector<const float *> &inputs, float *out,
                size_t part) const override;
  // With a fused pointwise consumer: the pair's (depthwise_pointwise.h).
  uint64_t macs() const override;
  size_t weight_bytes() const override;
  const small_act_params *activation() const override {
    return pointwise_ != nullptr ? pointwise_->activation() : &spec_.act;
  }
  const char *kind_name() const override;
  bool fused_batchnorm() const override {
    return fused_batchnorm_ ||
           (pointwise_ != nullptr && pointwise_->fused_batchnorm());
  }

  // Nothing more once a pointwise consumer is fused: its output is the
  // pair's.
  bool accepts_activation() const override {
    return spec_.act.op == SMALL_ACT_OP_NONE && !residual_ &&
           pointwise_ == nullptr;
  }
  void fuse_activation(const small_act_params &act) override {
    spec_.act = act;
  }
  bool accepts_batchnorm() const override {
    return spec_.act.op == SMALL_ACT_OP_NONE && !residual_ &&
           pointwise_ == nullptr;
  }
  // A convolution (not depthwise) without an activation of its own, on a
  // table whose convolution tiles add tile->residual.
  bool accepts_residual(const small_kernel_table &kernels) const override {
    return kernels.conv_residual != 0 && !depthwise() &&
           spec_.act.op == SMALL_ACT_OP_NONE && !residual_;
  }
  bool fuse_pointwise(Layer &consumer, const small_kernel_table &kernels,
                      size_t cache_bytes) override;
  void fuse_residual(const small_act_params &act) override {
    spec_.act = act;
    residual_ = true;
  }
  void fold_batchnorm(const std::vector<float> &scale,
                      const std::vector<float> &shift) override;
  // Dense (non-grouped) convolutions reduce over input blocks and lanes
  // alike, so they read a planar input as blocks of one channel.
  // Not with a residual: the planar tiles do not add one.
  size_t narrow_input_lanes(const small_kernel_table &) const override {
    return !depthwise() && spec_.groups == 1 && !residual_ ? 1 : 0;
  }
  void set_input_lanes(size_t lanes) override { input_lanes_ = lanes; }

  const ConvSpec &spec() const { return spec_; }
  bool depthwise() const {
    return is_depthwise(spec_.input.c, spec_.groups, spec_.out_channels);
  }

protected:
  Conv2DLayer(small_layer_kind kind, const ConvSpec &spec, const Shape &output,
              std::vector<float> weights_oihw, std::vector<float> bias);

private:
  [[nodiscard]] small_status pack_conv(size_t cb);
  [[nodiscard]] small_status pack_depthwise(size_t cb);
  // The Winograd copy of the packed weights, for a layer the table's
  // Winograd tiles take (engine/winograd.h); none otherwise.
  [[nodiscard]] small_status
  prepare_winograd(const small_kernel_table &kernels);
  // A 1x1, stride-1, unpadded, ungrouped convolution of a blocked input
  // without a residual: what a depthwise layer can fuse.
  bool plain_pointwise() const;

  ConvSpec spec_;
  Shape output_;
  std::vector<float> weights_; // OIHW, kept until finalize
  std::vector<float> bias_;    // out_channels
  AlignedBuffer packed_weights_;
  AlignedBuffer packed_bias_;
  AlignedBuffer winograd_weights_; // engine/winograd.h; usually empty
  size_t input_lanes_ = 0;
  bool fused_batchnorm_ = false;
  bool residual_ = false; // a folded Add: inputs[1] added before act
  WindowOp op_;
  // A fused pointwise consumer (its graph node owns it) and, once prepared,
  // the bands the pair runs in (allocated only for a fused layer);
  // fusion_cache_ the L1 bytes they are sized for.
  Conv2DLayer *pointwise_ = nullptr;
  size_t fusion_cache_ = 0;
  std::unique_ptr<DepthwisePointwise> fused_;
};

// Positive sizes, groups dividing both channel counts.
[[nodiscard]] small_status check_conv_params(const ConvSpec &spec,
                                             const std::string &name);
// Validates a convolution spec (padding bound included) and computes its
// output shape.
[[nodiscard]] small_status
conv_output_shape(const ConvSpec &spec, const std::string &name, Shape &output);

// The spec of small_conv2d_params on `input` (everything but the
// activation): validated, padding resolved, the weight count checked
// against the size limit and the weight layout range-checked.
[[nodiscard]] small_status conv_spec_from_params(const Shape &input,
                                                 const small_conv2d_params &p,
                                                 const std::string &name,
                                                 ConvSpec &spec,
                                                 size_t &weight_count);

// The caller's weights (count values in p.weight_layout order) as OIHW.
template <typename T>
std::vector<T> oihw_weights(const T *w, size_t count,
                            const small_conv2d_params &p, const ConvSpec &s) {
  if (enum_value(p.weight_layout) == SMALL_WEIGHTS_OIHW) {
    return std::vector<T>(w, w + count);
  }
  // HWIO [kh][kw][cin][cout] -> OIHW [cout][cin][kh][kw].
  const size_t kh = s.kernel_h, kw = s.kernel_w;
  const size_t cin = s.input.c / s.groups, cout = s.out_channels;
  std::vector<T> out(count);
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

// small_network_add_conv2d: validation, padding mode, weight layout, kind.
[[nodiscard]] small_status add_conv2d(Network &net, int input,
                                      const small_conv2d_params &params,
                                      const float *weights, const float *bias,
                                      int &output);

} // namespace small

#endif
