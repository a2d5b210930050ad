// Layers that touch each element on its own or move channels: activation,
// residual add, softmax over channels, concat, reshape. They run over the
// whole blocked buffer in one engine call.
#ifndef SMALL_LAYERS_ELEMENTWISE_H
#define SMALL_LAYERS_ELEMENTWISE_H

#include <string>
#include <vector>

#include "layers/layer.h"

namespace small {

class ActivationLayer : public Layer {
public:
  ActivationLayer(const Shape &shape, const small_act_params &act)
      : Layer(SMALL_LAYER_ACTIVATION), shape_(shape), act_(act) {}
  Shape output_shape() const override { return shape_; }
  void prepare(const small_kernel_table &) override {}
  void run(const small_kernel_table &kernels,
           const std::vector<const float *> &inputs, float *out) const override;
  const small_act_params &act() const { return act_; }
  const small_act_params *activation() const override { return &act_; }

private:
  Shape shape_;
  small_act_params act_;
};

class AddLayer : public Layer {
public:
  AddLayer(const Shape &shape, const small_act_params &act)
      : Layer(SMALL_LAYER_ADD), shape_(shape), act_(act) {}
  Shape output_shape() const override { return shape_; }
  void prepare(const small_kernel_table &) override {}
  void run(const small_kernel_table &kernels,
           const std::vector<const float *> &inputs, float *out) const override;
  bool accepts_activation() const override {
    return act_.op == SMALL_ACT_OP_NONE;
  }
  void fuse_activation(const small_act_params &act) override { act_ = act; }
  const small_act_params *activation() const override { return &act_; }

private:
  Shape shape_;
  small_act_params act_;
};

class SoftmaxLayer : public Layer {
public:
  explicit SoftmaxLayer(const Shape &shape)
      : Layer(SMALL_LAYER_SOFTMAX), shape_(shape) {}
  Shape output_shape() const override { return shape_; }
  void prepare(const small_kernel_table &) override {}
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
  void prepare(const small_kernel_table &) override {}
  void run(const small_kernel_table &kernels,
           const std::vector<const float *> &inputs, float *out) const override;

private:
  std::vector<Shape> inputs_;
  Shape output_;
};

class ReshapeLayer : public Layer {
public:
  // kind: SMALL_LAYER_RESHAPE or SMALL_LAYER_FLATTEN.
  ReshapeLayer(small_layer_kind kind, const Shape &input, const Shape &output)
      : Layer(kind), input_(input), output_(output) {}
  Shape output_shape() const override { return output_; }
  void prepare(const small_kernel_table &) override {}
  void run(const small_kernel_table &kernels,
           const std::vector<const float *> &inputs, float *out) const override;

private:
  Shape input_, output_;
};

} // namespace small

#endif
