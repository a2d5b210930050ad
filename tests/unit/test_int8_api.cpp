// int8 API: bad input gets a status and a message; type queries; run_int8
// refuses float tensors; the arena of an int8 network equals its liveness
// lower bound and takes a quarter of the float network's.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "small/small.h"

namespace {

struct NetGuard {
  small_network *net = nullptr;
  NetGuard() { REQUIRE(small_network_create(&net) == SMALL_OK); }
  ~NetGuard() { small_network_destroy(net); }
};

void require_failure(small_status got, small_status want,
                     const char *text_in_message) {
  INFO(small_last_error());
  REQUIRE(got == want);
  CHECK(std::string(small_last_error()).find(text_in_message) !=
        std::string::npos);
}

const small_quant kQ{0.05f, -3};

} // namespace

TEST_CASE("int8 inputs refuse bad quantization", "[int8][api][errors]") {
  NetGuard g;
  small_tensor t = -1;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  for (float scale : {0.0f, -1.0f, nan, inf}) {
    require_failure(
        small_network_add_input_int8(g.net, 1, 3, 4, 4, {scale, 0}, &t),
        SMALL_ERR_INVALID_ARGUMENT, "scale");
  }
  for (int32_t zp : {128, -129, 100000}) {
    require_failure(
        small_network_add_input_int8(g.net, 1, 3, 4, 4, {0.1f, zp}, &t),
        SMALL_ERR_INVALID_ARGUMENT, "zero point");
  }
  REQUIRE(small_network_add_input_int8(g.net, 1, 3, 4, 4, kQ, &t) == SMALL_OK);
}

TEST_CASE("int8 layers refuse float inputs, float layers int8 inputs, and "
          "bad weights",
          "[int8][api][errors]") {
  NetGuard g;
  small_tensor f = -1, q = -1, y = -1;
  REQUIRE(small_network_add_input(g.net, 1, 4, 5, 5, &f) == SMALL_OK);
  REQUIRE(small_network_add_input_int8(g.net, 1, 4, 5, 5, kQ, &q) == SMALL_OK);
  small_conv2d_params p;
  small_conv2d_params_init(&p);
  p.out_channels = 4;
  p.kernel_h = p.kernel_w = 3;
  std::vector<int8_t> w(4 * 4 * 9, 1);
  std::vector<float> scales(4, 0.01f);
  small_int8_weights wt{w.data(), scales.data(), 4, nullptr};

  require_failure(small_network_add_conv2d_int8(g.net, f, &p, &wt, kQ, &y),
                  SMALL_ERR_INVALID_ARGUMENT, "float tensor");
  std::vector<float> fw(4 * 4 * 9, 0.1f);
  require_failure(
      small_network_add_conv2d(g.net, q, &p, fw.data(), nullptr, &y),
      SMALL_ERR_INVALID_ARGUMENT, "int8 tensor");
  require_failure(small_network_add_softmax(g.net, q, &y),
                  SMALL_ERR_INVALID_ARGUMENT, "int8 tensor");

  wt.scale_count = 2; // neither 1 nor out_channels
  require_failure(small_network_add_conv2d_int8(g.net, q, &p, &wt, kQ, &y),
                  SMALL_ERR_INVALID_ARGUMENT, "scale_count");
  wt.scale_count = 4;
  scales[2] = std::numeric_limits<float>::quiet_NaN();
  require_failure(small_network_add_conv2d_int8(g.net, q, &p, &wt, kQ, &y),
                  SMALL_ERR_INVALID_ARGUMENT, "weight scale 2");
  scales[2] = 0.01f;
  require_failure(
      small_network_add_conv2d_int8(g.net, q, &p, &wt, {0.0f, 0}, &y),
      SMALL_ERR_INVALID_ARGUMENT, "output");
  wt.values = nullptr;
  require_failure(small_network_add_conv2d_int8(g.net, q, &p, &wt, kQ, &y),
                  SMALL_ERR_NULL_POINTER, "values");
  wt.values = w.data();
  p.activation = small_activation_make(SMALL_ACT_SIGMOID);
  require_failure(small_network_add_conv2d_int8(g.net, q, &p, &wt, kQ, &y),
                  SMALL_ERR_UNSUPPORTED, "RELU");
  require_failure(small_network_add_conv2d_int8(g.net, q, &p, nullptr, kQ, &y),
                  SMALL_ERR_NULL_POINTER, "weights");
  p.activation = small_activation_make(SMALL_ACT_RELU6);
  REQUIRE(small_network_add_conv2d_int8(g.net, q, &p, &wt, kQ, &y) == SMALL_OK);

  require_failure(small_network_add_softmax_int8(g.net, y, 1.0f, kQ, &y),
                  SMALL_ERR_UNSUPPORTED, "1/256");
  require_failure(small_network_add_dequantize(g.net, f, &y),
                  SMALL_ERR_INVALID_ARGUMENT, "float tensor");
  small_tensor pair[2] = {q, f};
  require_failure(small_network_add_concat_int8(g.net, pair, 2, kQ, &y),
                  SMALL_ERR_INVALID_ARGUMENT, "float tensor");
  // ADD's output scale must exceed 2 * max(input scales) / 2^20.
  require_failure(
      small_network_add_add_int8(
          g.net, q, q, small_activation_make(SMALL_ACT_NONE), {1e-9f, 0}, &y),
      SMALL_ERR_UNSUPPORTED, "too small");
  require_failure(small_network_set_rounding(g.net, (small_rounding)7),
                  SMALL_ERR_INVALID_ARGUMENT, "rounding");
}

TEST_CASE("Type queries and run_int8 on float networks",
          "[int8][api][errors]") {
  NetGuard g;
  small_tensor f = -1, q = -1, d = -1;
  REQUIRE(small_network_add_input(g.net, 1, 2, 2, 2, &f) == SMALL_OK);
  REQUIRE(small_network_add_quantize(g.net, f, kQ, &q) == SMALL_OK);
  REQUIRE(small_network_add_dequantize(g.net, q, &d) == SMALL_OK);
  REQUIRE(small_network_mark_output(g.net, d) == SMALL_OK);
  REQUIRE(small_network_finalize(g.net) == SMALL_OK);
  small_dtype dtype = SMALL_DTYPE_INT8;
  small_quant quant{1.0f, 1};
  REQUIRE(small_network_input_type(g.net, 0, &dtype, &quant) == SMALL_OK);
  CHECK(dtype == SMALL_DTYPE_FLOAT32);
  CHECK(quant.scale == 0.0f);
  REQUIRE(small_network_tensor_type(g.net, q, &dtype, nullptr) == SMALL_OK);
  CHECK(dtype == SMALL_DTYPE_INT8);
  require_failure(small_network_output_type(g.net, 1, &dtype, &quant),
                  SMALL_ERR_NOT_FOUND, "output index 1");
  require_failure(small_network_input_type(g.net, 0, nullptr, &quant),
                  SMALL_ERR_NULL_POINTER, "dtype");
  std::vector<int8_t> in(8), out(8);
  const int8_t *ins[1] = {in.data()};
  int8_t *outs[1] = {out.data()};
  require_failure(
      small_network_run_int8(g.net, ins, 1, outs, 1, SMALL_LAYOUT_NCHW),
      SMALL_ERR_INVALID_ARGUMENT, "float tensor");
  require_failure(small_network_set_rounding(g.net, SMALL_ROUNDING_SINGLE),
                  SMALL_ERR_INVALID_STATE, "finalized");
}

TEST_CASE("An int8 network's arena equals its liveness lower bound",
          "[int8][api][memory]") {
  // conv -> depthwise -> conv, a residual add, pooling, dense, softmax.
  NetGuard g;
  small_tensor x = -1, a = -1, b = -1, c = -1, s = -1, p = -1, d = -1, y = -1;
  REQUIRE(small_network_add_input_int8(g.net, 1, 3, 16, 16, kQ, &x) ==
          SMALL_OK);
  small_conv2d_params cp;
  small_conv2d_params_init(&cp);
  cp.out_channels = 16;
  cp.kernel_h = cp.kernel_w = 3;
  cp.padding_mode = SMALL_PADDING_SAME;
  cp.activation = small_activation_make(SMALL_ACT_RELU);
  std::vector<int8_t> w(16 * 16 * 9, 3);
  std::vector<float> scales(16, 0.02f);
  small_int8_weights wt{w.data(), scales.data(), 16, nullptr};
  REQUIRE(small_network_add_conv2d_int8(g.net, x, &cp, &wt, kQ, &a) ==
          SMALL_OK);
  cp.groups = 16;
  REQUIRE(small_network_add_conv2d_int8(g.net, a, &cp, &wt, kQ, &b) ==
          SMALL_OK);
  cp.groups = 1;
  REQUIRE(small_network_add_conv2d_int8(g.net, b, &cp, &wt, kQ, &c) ==
          SMALL_OK);
  REQUIRE(small_network_add_add_int8(g.net, a, c,
                                     small_activation_make(SMALL_ACT_NONE), kQ,
                                     &s) == SMALL_OK);
  REQUIRE(small_network_add_global_avgpool_int8(g.net, s, kQ, &p) == SMALL_OK);
  small_int8_weights dw{w.data(), scales.data(), 1, nullptr};
  REQUIRE(small_network_add_dense_int8(g.net, p, 10, &dw,
                                       small_activation_make(SMALL_ACT_NONE),
                                       kQ, &d) == SMALL_OK);
  REQUIRE(small_network_add_softmax_int8(g.net, d, 1.0f, {1.0f / 256, -128},
                                         &y) == SMALL_OK);
  REQUIRE(small_network_mark_output(g.net, y) == SMALL_OK);
  REQUIRE(small_network_finalize(g.net) == SMALL_OK);
  size_t arena = 0, bound = 0;
  REQUIRE(small_network_arena_size(g.net, &arena) == SMALL_OK);
  REQUIRE(small_network_arena_lower_bound(g.net, &bound) == SMALL_OK);
  CHECK(arena == bound);
  // The 16x16x16 activations are one byte per lane: the busiest step holds
  // three of them (a, b -> c while a waits for the add): 3 * 4096 bytes.
  small_kernel_info info;
  REQUIRE(small_kernel_config(&info) == SMALL_OK);
  const size_t lanes16 =
      (16 + info.channel_block - 1) / info.channel_block * info.channel_block;
  CHECK(bound == 3 * 16 * 16 * lanes16);
  std::vector<int8_t> in(3 * 16 * 16, 5), out(10);
  const int8_t *ins[1] = {in.data()};
  int8_t *outs[1] = {out.data()};
  REQUIRE(small_network_run_int8(g.net, ins, 1, outs, 1, SMALL_LAYOUT_NHWC) ==
          SMALL_OK);
}
