// An int8 reference for the randomized test, written from TFLite's published
// integer arithmetic (the reference kernels TFLite Micro and CMSIS-NN
// match) apart from the library and from tests/reference/: naive loops over
// NCHW tensors whose results the library must equal bit for bit. Softmax's
// fixed-point exp is not rebuilt here: softmax gives the float64
// probabilities its output is held to (docs/numerics.md, "How the contract
// is tested).
#ifndef SMALL_TESTS_RANDOM_REFERENCE_INT8_H
#define SMALL_TESTS_RANDOM_REFERENCE_INT8_H

#include <cstddef>
#include <cstdint>
#include <vector>

#include "small/small.h"

namespace ref8 {

struct Tensor {
  size_t c = 0, h = 0, w = 0;
  std::vector<int32_t> q; // int8 values
  small_quant quant{1.0f, 0};
  // Softmax only: the float64 probabilities its output is held to (q unused).
  std::vector<double> probability;
  size_t size() const { return c * h * w; }
  size_t at(size_t ch, size_t y, size_t x) const {
    return (ch * h + y) * w + x;
  }
};

// int8 weights as the C API takes them, kept in OIHW order here.
struct Weights {
  std::vector<int8_t> values;
  std::vector<float> scales; // one per output channel, or one
  std::vector<int32_t> bias; // empty: none
};

// TFLite QUANTIZE of float data: round half away (x / scale) + zp, clamped.
Tensor quantize(size_t c, size_t h, size_t w, const std::vector<float> &data,
                small_quant quant);
// Conv2D with explicit padding (weights OIHW), grouped or depthwise.
Tensor conv2d(const Tensor &x, const small_conv2d_params &p, const Weights &w,
              small_quant out, small_rounding rounding);
Tensor dense(const Tensor &x, size_t out_features, const Weights &w,
             const small_activation &act, small_quant out,
             small_rounding rounding);
// Pooling with explicit padding; the output keeps x's quantization.
Tensor pool2d(const Tensor &x, const small_pool2d_params &p,
              const small_activation &act);
Tensor global_avgpool(const Tensor &x, small_quant out,
                      small_rounding rounding);
Tensor add(const Tensor &a, const Tensor &b, const small_activation &act,
           small_quant out, small_rounding rounding);
// QUANTIZE int8 -> int8.
Tensor requantize(const Tensor &x, small_quant out, small_rounding rounding);
// Along channels; inputs quantized otherwise than `out` are requantized.
Tensor concat(const Tensor &a, const Tensor &b, small_quant out,
              small_rounding rounding);
Tensor reshape(const Tensor &x, size_t c, size_t h, size_t w);
// Softmax over channels of beta * scale * (q - zp) at every pixel, in
// float64 (output quantization 1/256, -128).
Tensor softmax(const Tensor &x, float beta);

} // namespace ref8

#endif
