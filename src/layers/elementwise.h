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
      : shape_(shape), act_(act) {}
  const char *kind() const override { return "activation"; }
  Shape output_shape() const override { return shape_; }
  void prepare(const small_kernel_table &) override {}
  void run(const small_kernel_table &kernels,
           const std::vector<const float *> &inputs, float *out) const override;
  const small_act_params &act() const { return act_; }

private:
  Shape shape_;
  small_act_params act_;
};

class AddLayer : public Layer {
public:
  AddLayer(const Shape &shape, const small_act_params &act)
      : shape_(shape), act_(act) {}
  const char *kind() const override { return "add"; }
  Shape output_shape() const override { return shape_; }
  void prepare(const small_kernel_table &) override {}
  void run(const small_kernel_table &kernels,
           const std::vector<const float *> &inputs, float *out) const override;
  bool accepts_activation() const override {
    return act_.op == SMALL_ACT_OP_NONE;
  }
  void fuse_activation(const small_act_params &act) override { act_ = act; }

private:
  Shape shape_;
  small_act_params act_;
};

class SoftmaxLayer : public Layer {
public:
  explicit SoftmaxLayer(const Shape &shape) : shape_(shape) {}
  const char *kind() const override { return "softmax"; }
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
      : inputs_(std::move(inputs)), output_(output) {}
  const char *kind() const override { return "concat"; }
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
  ReshapeLayer(const char *kind, const Shape &input, const Shape &output)
      : kind_(kind), input_(input), output_(output) {}
  const char *kind() const override { return kind_; }
  Shape output_shape() const override { return output_; }
  void prepare(const small_kernel_table &) override {}
  void run(const small_kernel_table &kernels,
           const std::vector<const float *> &inputs, float *out) const override;

private:
  const char *kind_;
  Shape input_, output_;
};

} // namespace small

#endif
