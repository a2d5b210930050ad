// small_network_layer_info and per-layer profiling on real networks: kinds,
// fused ops, shapes, MACs (computed here from the layer parameters), arena
// placement, and the error cases.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/require_ok.h"
#include "small/small.h"

namespace {

std::vector<float> ramp(size_t count, float scale) {
  std::vector<float> v(count);
  for (size_t i = 0; i < count; ++i) {
    v[i] = scale * static_cast<float>(static_cast<int>(i % 13) - 6);
  }
  return v;
}

struct Owned {
  small_network *net = nullptr;
  Owned() { REQUIRE_OK(small_network_create(&net)); }
  ~Owned() { small_network_destroy(net); }
  Owned(const Owned &) = delete;
  Owned &operator=(const Owned &) = delete;
};

// input (1,3,8,8) -> conv 3x3 SAME (8) -> BatchNorm -> ReLU (both fused)
// -> depthwise 3x3 SAME + ReLU6 -> add(relu, depthwise) -> maxpool 2x2/2
// -> global avgpool -> dense (5) -> softmax.
// Returns the output tensor.
small_tensor build_fused_net(small_network *net) {
  small_tensor x, c, b, r, d, a, p, g, f, s;
  REQUIRE_OK(small_network_add_input(net, 1, 3, 8, 8, &x));
  small_conv2d_params cp;
  small_conv2d_params_init(&cp);
  cp.out_channels = 8;
  cp.kernel_h = cp.kernel_w = 3;
  cp.padding_mode = SMALL_PADDING_SAME;
  const std::vector<float> w1 = ramp(8 * 3 * 9, 0.05f), b1 = ramp(8, 0.1f);
  REQUIRE_OK(small_network_add_conv2d(net, x, &cp, w1.data(), b1.data(), &c));
  const std::vector<float> gamma(8, 1.5f), beta(8, 0.25f), mean(8, 0.1f),
      var(8, 2.0f);
  REQUIRE_OK(small_network_add_batchnorm(net, c, gamma.data(), beta.data(),
                                         mean.data(), var.data(), 1e-5f, &b));
  REQUIRE_OK(small_network_add_activation(
      net, b, small_activation_make(SMALL_ACT_RELU), &r));
  cp.groups = 8;
  cp.activation = small_activation_make(SMALL_ACT_RELU6);
  const std::vector<float> w2 = ramp(8 * 9, 0.1f);
  REQUIRE_OK(small_network_add_conv2d(net, r, &cp, w2.data(), nullptr, &d));
  REQUIRE_OK(small_network_add_add(net, r, d,
                                   small_activation_make(SMALL_ACT_NONE), &a));
  small_pool2d_params pp;
  small_pool2d_params_init(&pp);
  pp.kind = SMALL_POOL_MAX;
  pp.kernel_h = pp.kernel_w = pp.stride_h = pp.stride_w = 2;
  REQUIRE_OK(small_network_add_pool2d(net, a, &pp, &p));
  REQUIRE_OK(small_network_add_global_avgpool(net, p, &g));
  const std::vector<float> w3 = ramp(5 * 8, 0.2f);
  REQUIRE_OK(small_network_add_dense(net, g, 5, w3.data(), nullptr,
                                     small_activation_make(SMALL_ACT_NONE),
                                     &f));
  REQUIRE_OK(small_network_add_softmax(net, f, &s));
  REQUIRE_OK(small_network_mark_output(net, s));
  return s;
}

struct Expected {
  small_layer_kind kind;
  const char *kind_name;
  const char *name;
  uint32_t input_count;
  uint32_t in[4], out[4];
  uint32_t fused_batchnorm;
  small_activation_kind activation;
  uint64_t macs;
  uint64_t min_weight_bytes; // the unpacked weights + bias
};

void check_layer(small_network *net, size_t index, const Expected &e,
                 size_t arena) {
  small_layer_info info;
  REQUIRE_OK(small_network_layer_info(net, index, &info));
  INFO("layer " << index << " (" << e.name << ")");
  CHECK(info.kind == e.kind);
  CHECK(std::string(info.kind_name) == e.kind_name);
  CHECK(std::string(info.name) == e.name);
  CHECK(info.input_count == e.input_count);
  for (int i = 0; i < 4; ++i) {
    CHECK(info.input_dims[i] == e.in[i]);
    CHECK(info.output_dims[i] == e.out[i]);
  }
  CHECK(info.fused_batchnorm == e.fused_batchnorm);
  CHECK(info.activation == e.activation);
  CHECK(info.macs == e.macs);
  CHECK(info.weight_bytes >= e.min_weight_bytes);
  if (e.min_weight_bytes == 0) {
    CHECK(info.weight_bytes == 0);
  }
  const uint64_t elements = uint64_t{e.out[0]} * e.out[1] * e.out[2] * e.out[3];
  CHECK(info.output_bytes >= elements * sizeof(float));
  CHECK(info.arena_offset % 64 == 0);
  CHECK(info.arena_offset + info.output_bytes <= arena);
  uint32_t dims[4];
  REQUIRE_OK(small_network_tensor_shape(net, info.output, dims));
  for (int i = 0; i < 4; ++i) {
    CHECK(dims[i] == e.out[i]);
  }
}

} // namespace

TEST_CASE("layer_info describes every executed layer after fusion",
          "[api][layer_info]") {
  Owned o;
  const small_tensor output = build_fused_net(o.net);
  small_layer_info info;
  CHECK(small_network_layer_info(o.net, 0, &info) == SMALL_ERR_INVALID_STATE);
  CHECK(std::string(small_last_error()).find("finalize") != std::string::npos);
  REQUIRE_OK(small_network_finalize(o.net));
  size_t count = 0, arena = 0;
  REQUIRE_OK(small_network_layer_count(o.net, &count));
  REQUIRE_OK(small_network_arena_size(o.net, &arena));
  REQUIRE(count == 7);

  // MACs: output elements x (input channels per group x kernel taps).
  const uint64_t conv_macs = uint64_t{8} * 8 * 8 * (3 * 3 * 3);
  const uint64_t dw_macs = uint64_t{8} * 8 * 8 * (1 * 3 * 3);
  const uint64_t dense_macs = uint64_t{5} * 8;
  const Expected want[] = {
      {SMALL_LAYER_CONV2D,
       "conv2d",
       "conv2d #0",
       1,
       {1, 3, 8, 8},
       {1, 8, 8, 8},
       1,
       SMALL_ACT_RELU,
       conv_macs,
       (8 * 3 * 9 + 8) * 4},
      // Named by the call that added it (add_conv2d), kind from its shape.
      {SMALL_LAYER_DEPTHWISE,
       "depthwise",
       "conv2d #3",
       1,
       {1, 8, 8, 8},
       {1, 8, 8, 8},
       0,
       SMALL_ACT_RELU6,
       dw_macs,
       (8 * 9 + 8) * 4},
      {SMALL_LAYER_ADD,
       "add",
       "add #4",
       2,
       {1, 8, 8, 8},
       {1, 8, 8, 8},
       0,
       SMALL_ACT_NONE,
       0,
       0},
      {SMALL_LAYER_MAXPOOL,
       "maxpool",
       "maxpool #5",
       1,
       {1, 8, 8, 8},
       {1, 8, 4, 4},
       0,
       SMALL_ACT_NONE,
       0,
       0},
      {SMALL_LAYER_GLOBAL_AVGPOOL,
       "global_avgpool",
       "global_avgpool #6",
       1,
       {1, 8, 4, 4},
       {1, 8, 1, 1},
       0,
       SMALL_ACT_NONE,
       0,
       0},
      {SMALL_LAYER_DENSE,
       "dense",
       "dense #7",
       1,
       {1, 8, 1, 1},
       {1, 5, 1, 1},
       0,
       SMALL_ACT_NONE,
       dense_macs,
       (5 * 8 + 5) * 4},
      {SMALL_LAYER_SOFTMAX,
       "softmax",
       "softmax #8",
       1,
       {1, 5, 1, 1},
       {1, 5, 1, 1},
       0,
       SMALL_ACT_NONE,
       0,
       0},
  };
  for (size_t i = 0; i < count; ++i) {
    check_layer(o.net, i, want[i], arena);
  }
  // The last layer writes the network output; the fused conv writes the
  // ReLU's tensor (input 0, conv 1, BatchNorm 2, ReLU 3).
  REQUIRE_OK(small_network_layer_info(o.net, count - 1, &info));
  CHECK(info.output == output);
  REQUIRE_OK(small_network_layer_info(o.net, 0, &info));
  CHECK(info.output == 3);

  // Errors.
  CHECK(small_network_layer_info(o.net, count, &info) == SMALL_ERR_NOT_FOUND);
  CHECK(std::string(small_last_error()).find("layer index 7") !=
        std::string::npos);
  CHECK(small_network_layer_info(o.net, SIZE_MAX, &info) ==
        SMALL_ERR_NOT_FOUND);
  CHECK(small_network_layer_info(o.net, 0, nullptr) == SMALL_ERR_NULL_POINTER);
  CHECK(std::string(small_last_error()).find("info is NULL") !=
        std::string::npos);
  CHECK(small_network_layer_info(nullptr, 0, &info) == SMALL_ERR_NULL_POINTER);
}

TEST_CASE("layer_info kinds of the data-movement layers", "[api][layer_info]") {
  Owned o;
  small_tensor x, s, c, r, f, b;
  REQUIRE_OK(small_network_add_input(o.net, 1, 2, 3, 4, &x));
  REQUIRE_OK(small_network_add_activation(
      o.net, x, small_activation_make(SMALL_ACT_SIGMOID), &s));
  const small_tensor both[2] = {x, s};
  REQUIRE_OK(small_network_add_concat(o.net, both, 2, &c));
  REQUIRE_OK(small_network_add_reshape(o.net, c, 6, 2, 4, &r));
  REQUIRE_OK(small_network_add_flatten(o.net, r, &f));
  const std::vector<float> ones(48, 1.0f), zeros(48, 0.0f);
  REQUIRE_OK(small_network_add_batchnorm(o.net, f, ones.data(), zeros.data(),
                                         zeros.data(), ones.data(), 0.0f, &b));
  REQUIRE_OK(small_network_mark_output(o.net, b));
  REQUIRE_OK(small_network_finalize(o.net));
  size_t arena = 0;
  REQUIRE_OK(small_network_arena_size(o.net, &arena));
  const Expected want[] = {
      {SMALL_LAYER_ACTIVATION,
       "activation",
       "activation #0",
       1,
       {1, 2, 3, 4},
       {1, 2, 3, 4},
       0,
       SMALL_ACT_SIGMOID,
       0,
       0},
      {SMALL_LAYER_CONCAT,
       "concat",
       "concat #1",
       2,
       {1, 2, 3, 4},
       {1, 4, 3, 4},
       0,
       SMALL_ACT_NONE,
       0,
       0},
      {SMALL_LAYER_RESHAPE,
       "reshape",
       "reshape #2",
       1,
       {1, 4, 3, 4},
       {1, 6, 2, 4},
       0,
       SMALL_ACT_NONE,
       0,
       0},
      {SMALL_LAYER_FLATTEN,
       "flatten",
       "flatten #3",
       1,
       {1, 6, 2, 4},
       {1, 48, 1, 1},
       0,
       SMALL_ACT_NONE,
       0,
       0},
      // A standalone BatchNorm is a 1x1 depthwise scale-shift.
      {SMALL_LAYER_BATCHNORM,
       "batchnorm",
       "batchnorm #4",
       1,
       {1, 48, 1, 1},
       {1, 48, 1, 1},
       0,
       SMALL_ACT_NONE,
       48,
       48 * 2 * 4},
  };
  size_t count = 0;
  REQUIRE_OK(small_network_layer_count(o.net, &count));
  REQUIRE(count == 5);
  for (size_t i = 0; i < count; ++i) {
    check_layer(o.net, i, want[i], arena);
  }
}

TEST_CASE("profiling records each layer's time", "[api][profiling]") {
  Owned o;
  build_fused_net(o.net);
  double us = -1.0;
  // Enabled before finalize: times exist only after it.
  REQUIRE_OK(small_network_enable_profiling(o.net, 1));
  CHECK(small_network_layer_time(o.net, 0, &us) == SMALL_ERR_INVALID_STATE);
  REQUIRE_OK(small_network_finalize(o.net));
  size_t count = 0;
  REQUIRE_OK(small_network_layer_count(o.net, &count));
  // No profiled run yet: zero.
  REQUIRE_OK(small_network_layer_time(o.net, 0, &us));
  CHECK(us == 0.0);

  const std::vector<float> x = ramp(3 * 8 * 8, 0.3f);
  std::vector<float> y(5);
  const float *ins[1] = {x.data()};
  float *outs[1] = {y.data()};
  for (int round = 0; round < 3; ++round) {
    const auto start = std::chrono::steady_clock::now();
    REQUIRE_OK(small_network_run(o.net, ins, 1, outs, 1, SMALL_LAYOUT_NCHW));
    const double wall_us = std::chrono::duration<double, std::micro>(
                               std::chrono::steady_clock::now() - start)
                               .count();
    double sum = 0.0;
    for (size_t i = 0; i < count; ++i) {
      REQUIRE_OK(small_network_layer_time(o.net, i, &us));
      INFO("layer " << i);
      CHECK(us > 0.0);
      sum += us;
    }
    CHECK(sum <= wall_us);
  }
  CHECK(small_network_layer_time(o.net, count, &us) == SMALL_ERR_NOT_FOUND);
  CHECK(small_network_layer_time(o.net, 0, nullptr) == SMALL_ERR_NULL_POINTER);

  // Disabled: an error that says how to enable it.
  REQUIRE_OK(small_network_enable_profiling(o.net, 0));
  CHECK(small_network_layer_time(o.net, 0, &us) == SMALL_ERR_INVALID_STATE);
  CHECK(std::string(small_last_error()).find("profiling") != std::string::npos);
  REQUIRE_OK(small_network_run(o.net, ins, 1, outs, 1, SMALL_LAYOUT_NCHW));
  // Re-enabled after finalize: fresh zeroed slots until the next run.
  REQUIRE_OK(small_network_enable_profiling(o.net, 1));
  REQUIRE_OK(small_network_layer_time(o.net, count - 1, &us));
  CHECK(us == 0.0);
  REQUIRE_OK(small_network_run(o.net, ins, 1, outs, 1, SMALL_LAYOUT_NCHW));
  REQUIRE_OK(small_network_layer_time(o.net, count - 1, &us));
  CHECK(us > 0.0);
  CHECK(small_network_enable_profiling(nullptr, 1) == SMALL_ERR_NULL_POINTER);
}

namespace {

// A profiling clock that advances 1000 per reading: a profiled layer reads
// it twice, so it takes exactly 1000 counts.
uint64_t clock_readings = 0;
uint64_t counting_clock() { return 1000 * ++clock_readings; }

} // namespace

TEST_CASE("An installed profiling clock times every layer",
          "[api][profiling]") {
  Owned o;
  build_fused_net(o.net);
  REQUIRE_OK(small_network_finalize(o.net));
  REQUIRE_OK(small_network_enable_profiling(o.net, 1));
  size_t count = 0;
  REQUIRE_OK(small_network_layer_count(o.net, &count));
  const std::vector<float> x = ramp(3 * 8 * 8, 0.3f);
  std::vector<float> y(5);
  const float *ins[1] = {x.data()};
  float *outs[1] = {y.data()};

  REQUIRE_OK(small_set_profiling_clock(counting_clock));
  clock_readings = 0;
  REQUIRE_OK(small_network_run(o.net, ins, 1, outs, 1, SMALL_LAYOUT_NCHW));
  CHECK(clock_readings == 2 * count);
  for (size_t i = 0; i < count; ++i) {
    INFO("layer " << i);
    uint64_t ticks = 0;
    double us = 0.0;
    REQUIRE_OK(small_network_layer_ticks(o.net, i, &ticks));
    REQUIRE_OK(small_network_layer_time(o.net, i, &us));
    CHECK(ticks == 1000);
    CHECK(us == 1.0);
  }
  uint64_t ticks = 0;
  CHECK(small_network_layer_ticks(o.net, count, &ticks) == SMALL_ERR_NOT_FOUND);
  CHECK(small_network_layer_ticks(o.net, 0, nullptr) == SMALL_ERR_NULL_POINTER);
  CHECK(small_network_layer_ticks(nullptr, 0, &ticks) ==
        SMALL_ERR_NULL_POINTER);

  // NULL restores the default clock: the counting one is read no more.
  REQUIRE_OK(small_set_profiling_clock(nullptr));
  const uint64_t before = clock_readings;
  REQUIRE_OK(small_network_run(o.net, ins, 1, outs, 1, SMALL_LAYOUT_NCHW));
  CHECK(clock_readings == before);

  REQUIRE_OK(small_network_enable_profiling(o.net, 0));
  CHECK(small_network_layer_ticks(o.net, 0, &ticks) == SMALL_ERR_INVALID_STATE);
  CHECK(std::string(small_last_error()).find("layer_ticks") !=
        std::string::npos);
}
