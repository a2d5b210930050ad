// int8 layers that touch each element on its own or move channels: add,
// softmax over channels, concat with requantization, and the QUANTIZE /
// DEQUANTIZE conversions (docs/int8.md). Reshape and flatten are the float
// layers (elementwise.h), which move int8 lanes too.
#ifndef SMALL_LAYERS_ELEMENTWISE_INT8_H
#define SMALL_LAYERS_ELEMENTWISE_INT8_H

#include <string>
#include <vector>

#include "layers/layer.h"
#include "quant/quant_params.h"
#include "small/small.h"

namespace small {

// Common to layers with one int8 output: its quantization and the rounding.
class Int8OutputLayer : public Layer {
public:
  Int8OutputLayer(small_layer_kind kind, const Shape &shape,
                  const small_quant &output)
      : Layer(kind), shape_(shape), output_(output) {}
  Shape output_shape() const override { return shape_; }
  small_dtype input_dtype() const override { return SMALL_DTYPE_INT8; }
  small_dtype output_dtype() const override { return SMALL_DTYPE_INT8; }
  small_quant output_quant() const override { return output_; }
  void set_rounding(small_rounding rounding) override {
    single_rounding_ = rounding == SMALL_ROUNDING_SINGLE;
  }

protected:
  Shape shape_;
  small_quant output_;
  bool single_rounding_ = false;
};

class AddInt8Layer : public Int8OutputLayer {
public:
  AddInt8Layer(const Shape &shape, const small_quant &a, const small_quant &b,
               const small_quant &output, const small_act_params &act,
               const Int8Range &range)
      : Int8OutputLayer(SMALL_LAYER_ADD, shape, output), a_(a), b_(b),
        act_(act), range_(range) {}
  [[nodiscard]] small_status prepare(const small_kernel_table &) override;
  void run(const small_kernel_table &kernels,
           const std::vector<const float *> &inputs, float *out) const override;
  const small_act_params *activation() const override { return &act_; }

  bool describe_plan_op(const small_kernel_table &kernels,
                        PlanOp &op) const override;

private:
  small_quant a_, b_;
  small_act_params act_;
  Int8Range range_;
  small_add_i8_params params_{};
};

class SoftmaxInt8Layer : public Int8OutputLayer {
public:
  SoftmaxInt8Layer(const Shape &shape, const small_quant &input, float beta,
                   const small_quant &output)
      : Int8OutputLayer(SMALL_LAYER_SOFTMAX, shape, output), input_(input),
        beta_(beta) {}
  [[nodiscard]] small_status prepare(const small_kernel_table &) override;
  void run(const small_kernel_table &kernels,
           const std::vector<const float *> &inputs, float *out) const override;

  bool describe_plan_op(const small_kernel_table &kernels,
                        PlanOp &op) const override;

private:
  small_quant input_;
  float beta_;
  small_softmax_i8_params params_{};
};

class ConcatInt8Layer : public Int8OutputLayer {
public:
  ConcatInt8Layer(std::vector<Shape> inputs, std::vector<small_quant> quants,
                  const Shape &output, const small_quant &quant)
      : Int8OutputLayer(SMALL_LAYER_CONCAT, output, quant),
        inputs_(std::move(inputs)), quants_(std::move(quants)) {}
  [[nodiscard]] small_status prepare(const small_kernel_table &) override;
  void run(const small_kernel_table &kernels,
           const std::vector<const float *> &inputs, float *out) const override;

  bool describe_plan_op(const small_kernel_table &kernels,
                        PlanOp &op) const override;

private:
  std::vector<Shape> inputs_;
  std::vector<small_quant> quants_;
  // Per input: requantize (its quantization differs from the output's).
  std::vector<bool> requantize_;
  std::vector<small_requant_i8_params> params_;
};

// QUANTIZE: float -> int8, or int8 -> int8 (requantization).
class QuantizeLayer : public Int8OutputLayer {
public:
  QuantizeLayer(const Shape &shape, small_dtype input_dtype,
                const small_quant &input, const small_quant &output)
      : Int8OutputLayer(SMALL_LAYER_QUANTIZE, shape, output),
        input_dtype_(input_dtype), input_(input) {}
  small_dtype input_dtype() const override { return input_dtype_; }
  [[nodiscard]] small_status prepare(const small_kernel_table &) override;
  void run(const small_kernel_table &kernels,
           const std::vector<const float *> &inputs, float *out) const override;

  bool describe_plan_op(const small_kernel_table &kernels,
                        PlanOp &op) const override;

private:
  small_dtype input_dtype_;
  small_quant input_;
  small_requant_i8_params params_{};
};

class DequantizeLayer : public Layer {
public:
  DequantizeLayer(const Shape &shape, const small_quant &input)
      : Layer(SMALL_LAYER_DEQUANTIZE), shape_(shape), input_(input) {}
  Shape output_shape() const override { return shape_; }
  small_dtype input_dtype() const override { return SMALL_DTYPE_INT8; }
  [[nodiscard]] small_status prepare(const small_kernel_table &) override {
    return SMALL_OK;
  }
  void run(const small_kernel_table &kernels,
           const std::vector<const float *> &inputs, float *out) const override;

private:
  Shape shape_;
  small_quant input_;
};

class Network;

// The C API's builders of these layers.
[[nodiscard]] small_status add_add_int8(Network &net, int a, int b,
                                        const small_activation &activation,
                                        const small_quant &output, int &out);
[[nodiscard]] small_status add_concat_int8(Network &net,
                                           const small_tensor *inputs,
                                           size_t count,
                                           const small_quant &output, int &out);
[[nodiscard]] small_status add_softmax_int8(Network &net, int input, float beta,
                                            const small_quant &output,
                                            int &out);
[[nodiscard]] small_status add_quantize(Network &net, int input,
                                        const small_quant &output, int &out);
[[nodiscard]] small_status add_dequantize(Network &net, int input, int &out);

} // namespace small

#endif
