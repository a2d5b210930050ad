#include "random/int8_buffers.h"

#include <cmath>

namespace rand_net {
namespace {

// Where element i (NCHW order, items after each other) of tensors shaped
// `s` lies in a buffer of the run's layout.
size_t position(const ItemShape &s, size_t i, bool nhwc) {
  const size_t item = i / s.size(), c = i % s.size() / (s.h * s.w),
               pixel = i % (s.h * s.w);
  return nhwc ? item * s.size() + pixel * s.c + c : i;
}

template <typename T>
std::vector<std::vector<T>> output_buffers(const std::vector<ItemShape> &outs,
                                           size_t batch, T fill,
                                           std::vector<T *> &pointers) {
  std::vector<std::vector<T>> y;
  for (const ItemShape &o : outs) {
    y.emplace_back(o.size() * batch, fill);
  }
  for (std::vector<T> &b : y) {
    pointers.push_back(b.data());
  }
  return y;
}

template <typename T, typename V>
std::vector<std::vector<T>>
input_buffers(const ItemShape &s, const std::vector<std::vector<V>> &in,
              bool nhwc, std::vector<const T *> &pointers) {
  std::vector<std::vector<T>> x(in.size());
  for (size_t k = 0; k < in.size(); ++k) {
    x[k].resize(in[k].size());
    for (size_t i = 0; i < in[k].size(); ++i) {
      x[k][position(s, i, nhwc)] = static_cast<T>(in[k][i]);
    }
    pointers.push_back(x[k].data());
  }
  return x;
}

} // namespace

bool run_with_int8_buffers(small_network *net, bool nhwc, size_t batch,
                           const ItemShape &input,
                           const std::vector<std::vector<int32_t>> &inputs,
                           const std::vector<ItemShape> &outputs,
                           std::vector<std::vector<int32_t>> &got,
                           std::ostringstream &log) {
  std::vector<const int8_t *> x_ptrs;
  const std::vector<std::vector<int8_t>> x =
      input_buffers<int8_t>(input, inputs, nhwc, x_ptrs);
  std::vector<int8_t *> y_ptrs;
  const std::vector<std::vector<int8_t>> y =
      output_buffers<int8_t>(outputs, batch, 0, y_ptrs);
  if (small_network_run_int8(
          net, x_ptrs.data(), x_ptrs.size(), y_ptrs.data(), y_ptrs.size(),
          nhwc ? SMALL_LAYOUT_NHWC : SMALL_LAYOUT_NCHW) != SMALL_OK) {
    log << "  refused: run_int8: " << small_last_error() << "\n";
    return false;
  }
  got.assign(outputs.size(), {});
  for (size_t k = 0; k < outputs.size(); ++k) {
    got[k].resize(y[k].size());
    for (size_t i = 0; i < y[k].size(); ++i) {
      got[k][i] = y[k][position(outputs[k], i, nhwc)];
    }
  }
  return true;
}

bool run_with_float_buffers(small_network *net, bool nhwc, size_t batch,
                            const ItemShape &input,
                            const std::vector<std::vector<float>> &inputs,
                            const std::vector<ItemShape> &outputs,
                            std::vector<std::vector<int32_t>> &got,
                            std::ostringstream &log) {
  std::vector<const float *> x_ptrs;
  const std::vector<std::vector<float>> x =
      input_buffers<float>(input, inputs, nhwc, x_ptrs);
  std::vector<float *> y_ptrs;
  const std::vector<std::vector<float>> y =
      output_buffers<float>(outputs, batch, NAN, y_ptrs);
  if (small_network_run(
          net, x_ptrs.data(), x_ptrs.size(), y_ptrs.data(), y_ptrs.size(),
          nhwc ? SMALL_LAYOUT_NHWC : SMALL_LAYOUT_NCHW) != SMALL_OK) {
    log << "  refused: run: " << small_last_error() << "\n";
    return false;
  }
  got.assign(outputs.size(), {});
  for (size_t k = 0; k < outputs.size(); ++k) {
    const small_quant q = outputs[k].quant;
    got[k].resize(y[k].size());
    for (size_t i = 0; i < y[k].size(); ++i) {
      const float v = y[k][position(outputs[k], i, nhwc)];
      const int32_t value =
          static_cast<int32_t>(std::lround(v / q.scale) + q.zero_point);
      // DEQUANTIZE: (float)(scale * (q - zp)) with the product in double.
      if (!(v ==
            static_cast<float>(double{q.scale} * (value - q.zero_point)))) {
        log << "  output " << k << " element " << i << ": " << v
            << " is no dequantized int8 value\n";
        return false;
      }
      got[k][i] = value;
    }
  }
  return true;
}

} // namespace rand_net
