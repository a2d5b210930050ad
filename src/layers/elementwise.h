// Layers that touch each element on its own or move channels: activation,
// residual add, softmax over channels, concat, reshape. They run over the
// whole blocked buffer in one engine call.
#ifndef SMALL_LAYERS_ELEMENTWISE_H
#define SMALL_LAYERS_ELEMENTWISE_H

#include <string>
#include <vector>

#include "layers/layer.h"
#include "small/small.h"

namespace small {

// Elementwise layers split into ranges of whole blocked pixels: worth it
// only when every part gets at least one.
inline bool pixels_for_every_part(const Shape &shape, size_t cb, size_t parts) {
  return shape.n * shape.item_floats(cb) / cb >= parts;
}

class ActivationLayer : public Layer {
public:
  ActivationLayer(const Shape &shape, const small_act_params &act)
      : Layer(SMALL_LAYER_ACTIVATION), shape_(shape), act_(act) {}
  Shape output_shape() const override { return shape_; }
  [[nodiscard]] small_status prepare(const small_kernel_table &) override {
    return SMALL_OK;
  }
  void run(const small_kernel_table &kernels,
           const std::vector<const float *> &inputs, float *out) const override;
  const small_act_params *activation() const override { return &act_; }
  // A producer that applies an epilogue may take this activation over.
  const small_act_params *fusable_activation() const override { return &act_; }

  // Contiguous ranges of whole blocked pixels.
  [[nodiscard]] bool plan_parts(const small_kernel_table &kernels,
                                size_t parts) override {
    parts_ = parts;
    return pixels_for_every_part(shape_, kernels.channel_block, parts);
  }
  void run_part(const small_kernel_table &kernels,
                const std::vector<const float *> &inputs, float *out,
                size_t part) const override;

private:
  Shape shape_;
  small_act_params act_;
  size_t parts_ = 1;
};

class AddLayer : public Layer {
public:
  AddLayer(const Shape &shape, const small_act_params &act)
      : Layer(SMALL_LAYER_ADD), shape_(shape), act_(act) {}
  Shape output_shape() const override { return shape_; }
  [[nodiscard]] small_status prepare(const small_kernel_table &) override {
    return SMALL_OK;
  }
  void run(const small_kernel_table &kernels,
           const std::vector<const float *> &inputs, float *out) const override;
  bool accepts_activation() const override {
    return act_.op == SMALL_ACT_OP_NONE;
  }
  void fuse_activation(const small_act_params &act) override { act_ = act; }
  const small_act_params *activation() const override { return &act_; }
  const small_act_params *fusable_residual_add() const override {
    return &act_;
  }

  // Contiguous ranges of whole blocked pixels.
  [[nodiscard]] bool plan_parts(const small_kernel_table &kernels,
                                size_t parts) override {
    parts_ = parts;
    return pixels_for_every_part(shape_, kernels.channel_block, parts);
  }
  void run_part(const small_kernel_table &kernels,
                const std::vector<const float *> &inputs, float *out,
                size_t part) const override;

private:
  Shape shape_;
  small_act_params act_;
  size_t parts_ = 1;
};

class SoftmaxLayer : public Layer {
public:
  explicit SoftmaxLayer(const Shape &shape)
      : Layer(SMALL_LAYER_SOFTMAX), shape_(shape) {}
  Shape output_shape() const override { return shape_; }
  [[nodiscard]] small_status prepare(const small_kernel_table &) override {
    return SMALL_OK;
  }
  void run(const small_kernel_table &kernels,
           const std::vector<const float *> &inputs, float *out) const override;

private:
  Shape shape_;
};

class ConcatLayer : public Layer {
public:
  ConcatLayer(std::vector<Shape> inputs, const Shape &output)
      : Layer(SMALL_LAYER_CONCAT), inputs_(std::move(inputs)), output_(output) {
  }
  Shape output_shape() const override { return output_; }
  [[nodiscard]] small_status prepare(const small_kernel_table &) override {
    return SMALL_OK;
  }
  void run(const small_kernel_table &kernels,
           const std::vector<const float *> &inputs, float *out) const override;

private:
  std::vector<Shape> inputs_;
  Shape output_;
};

class ReshapeLayer : public Layer {
public:
  // kind: SMALL_LAYER_RESHAPE or SMALL_LAYER_FLATTEN. The output keeps the
  // input's element type and quantization.
  ReshapeLayer(small_layer_kind kind, const Shape &input, const Shape &output,
               small_dtype dtype, const small_quant &quant)
      : Layer(kind), input_(input), output_(output), dtype_(dtype),
        quant_(quant) {}
  Shape output_shape() const override { return output_; }
  small_dtype input_dtype() const override { return dtype_; }
  small_dtype output_dtype() const override { return dtype_; }
  small_quant output_quant() const override { return quant_; }
  [[nodiscard]] small_status prepare(const small_kernel_table &) override {
    return SMALL_OK;
  }
  void run(const small_kernel_table &kernels,
           const std::vector<const float *> &inputs, float *out) const override;

  bool describe_plan_op(const small_kernel_table &kernels,
                        PlanOp &op) const override;

private:
  Shape input_, output_;
  small_dtype dtype_;
  small_quant quant_;
};

class Network;

// The C API's builders of these layers: each validates its inputs and infers
// its output shape.
[[nodiscard]] small_status add_add(Network &net, int a, int b,
                                   const small_activation &activation,
                                   int &output);
[[nodiscard]] small_status add_concat(Network &net, const small_tensor *inputs,
                                      size_t count, int &output);
[[nodiscard]] small_status add_activation(Network &net, int input,
                                          const small_activation &activation,
                                          int &output);
[[nodiscard]] small_status add_softmax(Network &net, int input, int &output);
[[nodiscard]] small_status add_reshape(Network &net, int input, uint32_t c,
                                       uint32_t h, uint32_t w, int &output);
[[nodiscard]] small_status add_flatten(Network &net, int input, int &output);

} // namespace small

#endif
