// The int8 network of every step kind a compiled plan holds (convolution,
// depthwise, add, max and average pooling, requantize, concat, reshape,
// flatten, dense, softmax), with zero points that make every term of the
// requantization count (the MLPerf models' activations mostly have zero
// point -128, which hides the weight-sum correction of the x86 and SDOT
// kernels), clipped borders and odd channel counts. Input (1, 5, 11, 13);
// outputs: 10 softmax values, then the 1200 values dense reads. Shared by
// test_plans.cpp (the plan against the network's own run) and
// every_kind_plan_gen.cpp (the C small-codegen's writer makes of its plan,
// compiled and run by ctest).
#ifndef SMALL_TESTS_TFLITE_EVERY_KIND_NET_H
#define SMALL_TESTS_TFLITE_EVERY_KIND_NET_H

#include <cstdint>
#include <random>
#include <vector>

#include "small/small.h"

namespace every_kind {

// Random int8 conv weights (OIHW) with per-channel scales and a bias.
struct RandomConv {
  std::vector<int8_t> values;
  std::vector<float> scales;
  std::vector<int32_t> bias;
  small_int8_weights weights{};
  RandomConv(std::mt19937 &rng, size_t count, size_t out_channels) {
    std::uniform_int_distribution<int> byte(-127, 127);
    std::uniform_int_distribution<int> b(-3000, 3000);
    std::uniform_real_distribution<float> scale(0.002f, 0.02f);
    for (size_t i = 0; i < count; ++i) {
      values.push_back(static_cast<int8_t>(byte(rng)));
    }
    for (size_t k = 0; k < out_channels; ++k) {
      scales.push_back(scale(rng));
      bias.push_back(b(rng));
    }
    weights.values = values.data();
    weights.scales = scales.data();
    weights.scale_count = static_cast<uint32_t>(out_channels);
    weights.bias = bias.data();
  }
};

} // namespace every_kind

// Adds the layers to an empty network and marks its output; the first
// failing call's status.
inline small_status build_every_kind_net(small_network *net) {
#define TRY_ADD(call)                                                          \
  do {                                                                         \
    const small_status status_ = (call);                                       \
    if (status_ != SMALL_OK) {                                                 \
      return status_;                                                          \
    }                                                                          \
  } while (0)
  using every_kind::RandomConv;
  std::mt19937 rng(20261205);
  small_tensor x, a, b, c, d, y;
  TRY_ADD(small_network_add_input_int8(net, 1, 5, 11, 13, {0.05f, 17}, &x));
  small_conv2d_params conv;
  small_conv2d_params_init(&conv);
  conv.out_channels = 20;
  conv.kernel_h = conv.kernel_w = 3;
  conv.padding_mode = SMALL_PADDING_SAME;
  conv.activation = small_activation_make(SMALL_ACT_RELU);
  RandomConv w1(rng, 20 * 5 * 9, 20);
  TRY_ADD(small_network_add_conv2d_int8(net, x, &conv, &w1.weights, {0.04f, -7},
                                        &a));
  small_conv2d_params dw = conv;
  dw.out_channels = 20;
  dw.groups = 20;
  dw.activation = small_activation_make(SMALL_ACT_NONE);
  RandomConv w2(rng, 20 * 9, 20);
  TRY_ADD(
      small_network_add_conv2d_int8(net, a, &dw, &w2.weights, {0.03f, 5}, &b));
  small_conv2d_params pw;
  small_conv2d_params_init(&pw);
  pw.out_channels = 20;
  pw.kernel_h = pw.kernel_w = 3; // a blocked input: the weight-sum path
  pw.padding_mode = SMALL_PADDING_SAME;
  RandomConv w3(rng, 20 * 20 * 9, 20);
  TRY_ADD(
      small_network_add_conv2d_int8(net, a, &pw, &w3.weights, {0.05f, 9}, &c));
  TRY_ADD(small_network_add_add_int8(
      net, b, c, small_activation_make(SMALL_ACT_RELU), {0.06f, -20}, &d));
  small_pool2d_params pool;
  small_pool2d_params_init(&pool);
  pool.kind = SMALL_POOL_MAX;
  pool.kernel_h = pool.kernel_w = 2;
  pool.stride_h = pool.stride_w = 2;
  TRY_ADD(small_network_add_pool2d_int8(
      net, d, &pool, small_activation_make(SMALL_ACT_NONE), &d));
  pool.kind = SMALL_POOL_AVG;
  pool.kernel_h = pool.kernel_w = 3;
  pool.stride_h = pool.stride_w = 1;
  pool.padding_mode = SMALL_PADDING_SAME;
  TRY_ADD(small_network_add_pool2d_int8(
      net, d, &pool, small_activation_make(SMALL_ACT_NONE), &d));
  // A requantized copy, a concat of both (each requantized), a reshape and
  // a flatten: (40, 5, 6) -> (60, 2, 10) -> (1200, 1, 1).
  small_tensor q, f;
  TRY_ADD(small_network_add_quantize(net, d, {0.08f, 11}, &q));
  const small_tensor parts[2] = {d, q};
  TRY_ADD(small_network_add_concat_int8(net, parts, 2, {0.07f, -3}, &f));
  TRY_ADD(small_network_add_reshape(net, f, 60, 2, 10, &f));
  TRY_ADD(small_network_add_flatten(net, f, &f));
  RandomConv w4(rng, 10 * 1200, 10);
  // Dense and softmax scaled so that their outputs do not saturate (a
  // saturated output would hide the steps before it).
  TRY_ADD(small_network_add_dense_int8(net, f, 10, &w4.weights,
                                       small_activation_make(SMALL_ACT_NONE),
                                       {1.0f, 3}, &y));
  TRY_ADD(
      small_network_add_softmax_int8(net, y, 0.05f, {1.0f / 256, -128}, &y));
  // Output 0: the softmax; output 1: the flattened concat (1200 values),
  // checked byte for byte too.
  TRY_ADD(small_network_mark_output(net, y));
  TRY_ADD(small_network_mark_output(net, f));
#undef TRY_ADD
  return SMALL_OK;
}

// A random input of the network's 5 * 11 * 13 values (any layout).
inline std::vector<int8_t> every_kind_input() {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(-128, 127);
  std::vector<int8_t> in(5 * 11 * 13);
  for (int8_t &v : in) {
    v = static_cast<int8_t>(byte(rng));
  }
  return in;
}

#endif
