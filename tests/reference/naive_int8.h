// An independent, naive NCHW reference for SMaLL's int8 layers, written from
// TensorFlow Lite's documented integer semantics (docs/int8.md), not from
// the library's code: plain loops over logical coordinates, bounds tested at
// every tap, and the fixed-point primitives restated as exact integer
// formulas in 64 bits (floor divisions) instead of gemmlowp's bit
// tricks. Nothing here knows about channel blocks or packed weights.
#ifndef SMALL_TESTS_REFERENCE_NAIVE_INT8_H
#define SMALL_TESTS_REFERENCE_NAIVE_INT8_H

#include <cstdint>
#include <vector>

#include "reference/naive_ops.h"
#include "small/small.h"

namespace ref8 {

// A dense NCHW int8 tensor with its quantization.
struct QTensor {
  int n = 0, c = 0, h = 0, w = 0;
  small_quant q{1.0f, 0};
  std::vector<int8_t> data;

  QTensor() = default;
  QTensor(int n_, int c_, int h_, int w_, small_quant q_)
      : n(n_), c(c_), h(h_), w(w_), q(q_),
        data(static_cast<size_t>(n_) * c_ * h_ * w_, 0) {}
  size_t index(int in, int ic, int ih, int iw) const {
    return ((static_cast<size_t>(in) * c + ic) * h + ih) * w + iw;
  }
  int32_t at(int in, int ic, int ih, int iw) const {
    return data[index(in, ic, ih, iw)];
  }
  int8_t &at(int in, int ic, int ih, int iw) {
    return data[index(in, ic, ih, iw)];
  }
};

// --- Fixed-point primitives, as exact formulas ----------------------------
// m = multiplier * 2^(shift - 31) with multiplier in [2^30, 2^31), found by
// scaling m into [0.5, 1) one power of two at a time.
struct Multiplier {
  int32_t multiplier = 0;
  int shift = 0;
};
Multiplier quantize_multiplier(double m, bool single_rounding);
// floor((a * b + 2^30) / 2^31): ties toward +infinity; MIN*MIN -> MAX.
int32_t srdhm(int32_t a, int32_t b);
// x / 2^e rounded to nearest, ties away from zero.
int32_t rounding_shift_right(int32_t x, int e);
// Double or single rounding MultiplyByQuantizedMultiplier.
int32_t requantize(int32_t x, Multiplier m, bool single_rounding);

// The int8 clamp of a fused activation with output quantization q.
struct Range {
  int32_t lo = -128, hi = 127;
};
Range activation_range(const small_activation &act, const small_quant &q);

// --- Layers ----------------------------------------------------------------
// weights: OIHW int8; scales: one per output channel; bias: int32 or empty.
QTensor conv2d(const QTensor &in, const std::vector<int8_t> &weights,
               const std::vector<float> &scales,
               const std::vector<int32_t> &bias, int out_channels,
               const ref::Window &win, int groups, const small_quant &out_q,
               const small_activation &act, bool single_rounding);
QTensor dense(const QTensor &in, const std::vector<int8_t> &weights,
              const std::vector<float> &scales,
              const std::vector<int32_t> &bias, int out_features,
              const small_quant &out_q, const small_activation &act,
              bool single_rounding);
QTensor max_pool(const QTensor &in, const ref::Window &win,
                 const small_activation &act);
QTensor avg_pool(const QTensor &in, const ref::Window &win,
                 bool count_include_pad, const small_activation &act);
QTensor mean_hw(const QTensor &in, const small_quant &out_q,
                bool single_rounding);
QTensor add(const QTensor &a, const QTensor &b, const small_quant &out_q,
            const small_activation &act, bool single_rounding);
QTensor requantize(const QTensor &in, const small_quant &out_q,
                   bool single_rounding);
QTensor concat(const std::vector<QTensor> &inputs, const small_quant &out_q,
               bool single_rounding);
QTensor softmax(const QTensor &in, float beta, bool single_rounding);
QTensor quantize(const ref::Tensor &in, const small_quant &q);
ref::Tensor dequantize(const QTensor &in);

} // namespace ref8

#endif
