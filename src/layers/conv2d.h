// Conv2D in all its forms, all one WindowOp: dense and grouped convolution
// (kernel family conv), depthwise with multiplier 1 (family depthwise), Dense
// (a convolution whose window is the whole input) and standalone BatchNorm
// (a 1x1 depthwise convolution).
#ifndef SMALL_LAYERS_CONV2D_H
#define SMALL_LAYERS_CONV2D_H

#include <string>
#include <vector>

#include "engine/window_loop.h"
#include "layers/layer.h"
#include "util/aligned_buffer.h"

namespace small {

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

class Conv2DLayer : public Layer {
public:
  // weights_oihw: out * (in/groups) * kh * kw floats; bias: out floats or
  // empty. Validates everything and throws small::Error naming `name`.
  Conv2DLayer(small_layer_kind kind, const std::string &name,
              const ConvSpec &spec, std::vector<float> weights_oihw,
              std::vector<float> bias);

  Shape output_shape() const override { return output_; }
  void prepare(const small_kernel_table &kernels) override;
  void run(const small_kernel_table &kernels,
           const std::vector<const float *> &inputs, float *out) const override;
  size_t macs() const override;
  size_t weight_bytes() const override {
    return packed_weights_.size_bytes() + packed_bias_.size_bytes();
  }
  const small_act_params *activation() const override { return &spec_.act; }
  bool fused_batchnorm() const override { return fused_batchnorm_; }

  bool accepts_activation() const override {
    return spec_.act.op == SMALL_ACT_OP_NONE;
  }
  void fuse_activation(const small_act_params &act) override {
    spec_.act = act;
  }
  bool accepts_batchnorm() const override {
    return spec_.act.op == SMALL_ACT_OP_NONE;
  }
  void fold_batchnorm(const std::vector<float> &scale,
                      const std::vector<float> &shift) override;

  const ConvSpec &spec() const { return spec_; }
  // Read the input as blocks of `lanes` channels instead of Cb: 1 for a
  // narrow network input stored planar (NCHW); only for the conv family.
  // Call before prepare().
  void set_input_lanes(size_t lanes) { input_lanes_ = lanes; }
  bool is_depthwise() const;

private:
  void pack_conv(size_t cb);
  void pack_depthwise(size_t cb);

  ConvSpec spec_;
  Shape output_;
  std::vector<float> weights_; // OIHW, kept until finalize
  std::vector<float> bias_;    // out_channels
  AlignedBuffer packed_weights_;
  AlignedBuffer packed_bias_;
  size_t input_lanes_ = 0;
  bool fused_batchnorm_ = false;
  WindowOp op_;
};

// Output size along one axis, or an error naming the layer and axis.
uint32_t window_output_size(uint32_t in, uint32_t kernel, uint32_t stride,
                            uint32_t dilation, uint32_t pad_before,
                            uint32_t pad_after, const std::string &where,
                            const char *axis);

} // namespace small

#endif
