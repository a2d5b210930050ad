// A float64 reference for the randomized differential test, written apart
// from the library and from tests/reference/ (which is float32): NCHW
// tensors of doubles, each element with the error bound docs/numerics.md
// allows the library's float32 result (the propagated bound of its inputs
// plus the op's own rounding bound).
#ifndef SMALL_TESTS_RANDOM_REFERENCE64_H
#define SMALL_TESTS_RANDOM_REFERENCE64_H

#include <cstddef>
#include <vector>

#include "small/small.h"

namespace ref64 {

// How a Conv2D or Dense output without activation was summed, per element,
// so that a BatchNorm the library folds into its weights and bias can be
// bounded (docs/numerics.md): bound = propagated + gamma * (bias +
// magnitude) + folding. Empty for any other tensor.
struct LinearTrace {
  std::vector<double> propagated; // sum |w| * (input bound)
  std::vector<double> magnitude;  // sum |w| * (|x| + input bound)
  std::vector<double> bias;       // |bias| (after folds: its bound)
  std::vector<double> folding;    // rounding of folded weights and bias
  std::vector<double> gamma;      // gamma_(K+1) of the element's K taps
  bool empty() const { return gamma.empty(); }
};

struct Tensor {
  size_t c = 0, h = 0, w = 0;
  std::vector<double> value; // the exact result on float32 parameters
  std::vector<double> bound; // |float32 result - value| allowed
  LinearTrace linear;
  size_t size() const { return c * h * w; }
  size_t at(size_t ch, size_t y, size_t x) const {
    return (ch * h + y) * w + x;
  }
};

Tensor input(size_t c, size_t h, size_t w, const std::vector<float> &data);

// Convolution with explicit padding (weights OIHW), grouped or depthwise
// (with any depth multiplier).
Tensor conv2d(const Tensor &x, const small_conv2d_params &p,
              const std::vector<float> &weights,
              const std::vector<float> &bias);
// Dense over the NCHW flatten order: weights [out][c*h*w].
Tensor dense(const Tensor &x, size_t out_features,
             const std::vector<float> &weights, const std::vector<float> &bias,
             const small_activation &act);
// Pooling with explicit padding; padded taps are skipped.
Tensor pool2d(const Tensor &x, const small_pool2d_params &p);
Tensor global_avgpool(const Tensor &x);
Tensor add(const Tensor &a, const Tensor &b, const small_activation &act);
Tensor activation(const Tensor &x, const small_activation &act);
// y = gamma (x - mean) / sqrt(var + epsilon) + beta per channel, computed by
// the library as x * scale + shift with float32 scale and shift, or folded
// into the Conv2D/Dense that produced x when x carries a LinearTrace: the
// bound is the larger of the two (whether the library folds depends on the
// rest of the graph), and the result keeps a trace for a further fold.
Tensor batchnorm(const Tensor &x, const std::vector<float> &gamma,
                 const std::vector<float> &beta, const std::vector<float> &mean,
                 const std::vector<float> &var, float epsilon);
// Softmax over channels at every pixel.
Tensor softmax(const Tensor &x);
// Concatenation along channels (a, then b).
Tensor concat(const Tensor &a, const Tensor &b);
// The same elements in NCHW order as (c, h, w).
Tensor reshape(const Tensor &x, size_t c, size_t h, size_t w);

} // namespace ref64

#endif
