// An independent, naive NCHW reference for every SMaLL layer.
//
// Written from the operator definitions (PyTorch / ONNX / TensorFlow
// semantics as documented in include/small/small.h), not from the library's
// code: plain loops over logical (n, c, h, w) coordinates, bounds tested at
// every tap, accumulation in double and one rounding to float at the end.
// Nothing here knows about channel blocks, tiles or packed weights.
#ifndef SMALL_TESTS_REFERENCE_NAIVE_OPS_H
#define SMALL_TESTS_REFERENCE_NAIVE_OPS_H

#include <cstddef>
#include <cstdint>
#include <vector>

#include "small/small.h"

namespace ref {

// A dense NCHW float tensor.
struct Tensor {
  int n = 0, c = 0, h = 0, w = 0;
  std::vector<float> data;

  Tensor() = default;
  Tensor(int n_, int c_, int h_, int w_)
      : n(n_), c(c_), h(h_), w(w_),
        data(static_cast<size_t>(n_) * c_ * h_ * w_, 0.0f) {}

  size_t size() const { return data.size(); }
  size_t index(int in, int ic, int ih, int iw) const {
    return ((static_cast<size_t>(in) * c + ic) * h + ih) * w + iw;
  }
  float &at(int in, int ic, int ih, int iw) {
    return data[index(in, ic, ih, iw)];
  }
  float at(int in, int ic, int ih, int iw) const {
    return data[index(in, ic, ih, iw)];
  }
  bool same_shape(const Tensor &o) const {
    return n == o.n && c == o.c && h == o.h && w == o.w;
  }
};

// Geometry of a convolution or pooling window.
struct Window {
  int kernel_h = 1, kernel_w = 1;
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  int pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
};

// floor((in + before + after - ((k - 1) * d + 1)) / s) + 1, or 0 when the
// window does not fit into the padded input.
int window_out_size(int in, int kernel, int stride, int dilation, int before,
                    int after);

// TensorFlow SAME padding along one axis:
//   out = ceil(in / stride)
//   total = max(0, (out - 1) * stride + (kernel - 1) * dilation + 1 - in)
//   before = total / 2, after = total - before.
struct SamePad {
  int before = 0, after = 0;
};
SamePad same_padding(int in, int kernel, int stride, int dilation);

// One activation applied to a double (the public semantics in small.h).
double activate(double x, const small_activation &act);

// Conv2D. weights: OIHW [out][in / groups][kh][kw]; bias: out_channels
// floats or empty (no bias). Output channel k belongs to group
// k / (out_channels / groups) and reads input channels
// [g * in / groups, (g + 1) * in / groups).
Tensor conv2d(const Tensor &in, const std::vector<float> &weights_oihw,
              const std::vector<float> &bias, int out_channels,
              const Window &win, int groups, const small_activation &act);

// HWIO [kh][kw][in / groups][out] -> OIHW [out][in / groups][kh][kw].
std::vector<float> oihw_to_hwio(const std::vector<float> &oihw, int out,
                                int in_per_group, int kh, int kw);

// Max pooling: taps in the padding are ignored (as if -infinity).
Tensor max_pool(const Tensor &in, const Window &win);
// Average pooling. count_include_pad: divide by kernel_h * kernel_w (padded
// taps count as zeros); otherwise divide by the taps inside the input.
Tensor avg_pool(const Tensor &in, const Window &win, bool count_include_pad);
// Mean over all of H x W: output (n, c, 1, 1).
Tensor global_avg_pool(const Tensor &in);

// Fully connected. x = the (c, h, w) item flattened in NCHW order;
// weights [out][c*h*w]; bias out floats or empty. Output (n, out, 1, 1).
Tensor dense(const Tensor &in, const std::vector<float> &weights,
             const std::vector<float> &bias, int out_features,
             const small_activation &act);

Tensor add(const Tensor &a, const Tensor &b, const small_activation &act);
// Concatenation along channels in argument order.
Tensor concat(const std::vector<Tensor> &inputs);
Tensor activation(const Tensor &in, const small_activation &act);
// softmax over channels at each (n, h, w): exp(x_c - max) / sum exp(x - max).
Tensor softmax(const Tensor &in);
// y = gamma * (x - mean) / sqrt(var + eps) + beta per channel.
Tensor batchnorm(const Tensor &in, const std::vector<float> &gamma,
                 const std::vector<float> &beta, const std::vector<float> &mean,
                 const std::vector<float> &var, float epsilon);
// Same NCHW element order, new (c, h, w) per batch item.
Tensor reshape(const Tensor &in, int c, int h, int w);
Tensor flatten(const Tensor &in);

// Layout helpers for the NHWC runs: NCHW <-> NHWC element order.
std::vector<float> to_nhwc(const Tensor &t);
Tensor from_nhwc(const std::vector<float> &data, int n, int c, int h, int w);

} // namespace ref

#endif
