// Max and average pooling (global average pooling is average pooling whose
// window is the whole input). One WindowOp each.
#ifndef SMALL_LAYERS_POOL2D_H
#define SMALL_LAYERS_POOL2D_H

#include <memory>
#include <string>

#include "engine/window_loop.h"
#include "layers/layer.h"
#include "quant/quant_params.h"
#include "small/small.h"

namespace small {

class Network;

struct PoolSpec {
  Shape input;
  bool is_max = true;
  uint32_t kernel_h = 1, kernel_w = 1;
  uint32_t stride_h = 1, stride_w = 1;
  uint32_t dilation_h = 1, dilation_w = 1; // always 1; for window_geometry
  uint32_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  bool count_include_pad = false;
};

// An int8 pooling layer's quantization (docs/int8.md). Max and average
// pooling keep the input's quantization (zero points cancel, the identity
// multiplier); the mean over H x W (requantize) subtracts the input zero
// point, rescales by in_scale / out_scale and adds the output zero point.
struct PoolInt8 {
  bool enabled = false;
  bool requantize = false;
  small_quant input{}, output{};
  Int8Range range;
  small_act_params act{}; // for layer tables
};

class Pool2DLayer : public Layer {
public:
  // Validates `spec` (errors name `name`) and creates the layer.
  [[nodiscard]] static small_status create(small_layer_kind kind,
                                           const std::string &name,
                                           const PoolSpec &spec,
                                           std::unique_ptr<Pool2DLayer> &layer,
                                           const PoolInt8 &int8 = PoolInt8{});
  Shape output_shape() const override { return output_; }
  [[nodiscard]] small_status
  prepare(const small_kernel_table &kernels) override;
  void run(const small_kernel_table &kernels,
           const std::vector<const float *> &inputs, float *out) const override;
  const small_act_params *activation() const override {
    return int8_.enabled ? &int8_.act : nullptr;
  }
  small_dtype input_dtype() const override {
    return int8_.enabled ? SMALL_DTYPE_INT8 : SMALL_DTYPE_FLOAT32;
  }
  small_dtype output_dtype() const override { return input_dtype(); }
  small_quant output_quant() const override {
    return int8_.enabled ? int8_.output : small_quant{0.0f, 0};
  }
  void set_rounding(small_rounding rounding) override {
    single_rounding_ = rounding == SMALL_ROUNDING_SINGLE;
  }
  [[nodiscard]] bool plan_parts(const small_kernel_table &kernels,
                                size_t parts) override;
  void run_part(const small_kernel_table &kernels,
                const std::vector<const float *> &inputs, float *out,
                size_t part) const override;
  bool describe_plan_op(const small_kernel_table &kernels,
                        PlanOp &op) const override;

private:
  Pool2DLayer(small_layer_kind kind, const PoolSpec &spec, const Shape &output,
              const PoolInt8 &int8)
      : Layer(kind), spec_(spec), output_(output), int8_(int8) {}

  PoolSpec spec_;
  Shape output_;
  PoolInt8 int8_;
  bool single_rounding_ = false;
  int32_t multiplier_ = 0, shift_ = 0; // int8 average: the requantization
  WindowOp op_;
};

// small_network_add_pool2d (pool kind and padding mode range-checked).
[[nodiscard]] small_status add_pool2d(Network &net, int input,
                                      const small_pool2d_params &params,
                                      int &output);
[[nodiscard]] small_status add_global_avgpool(Network &net, int input,
                                              int &output);
// small_network_add_pool2d_int8 and small_network_add_global_avgpool_int8.
[[nodiscard]] small_status add_pool2d_int8(Network &net, int input,
                                           const small_pool2d_params &params,
                                           const small_activation &activation,
                                           int &output);
[[nodiscard]] small_status add_global_avgpool_int8(Network &net, int input,
                                                   const small_quant &quant,
                                                   int &output);

} // namespace small

#endif
