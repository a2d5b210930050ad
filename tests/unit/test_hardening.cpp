// Regression tests for the hardening issue: output sizes in 64 bits, bounded
// convolution padding, out-of-range enums, saturating MACs, bounded messages
// (allocation failure: tests/alloc).
#include <catch2/catch.hpp>

#include <chrono>
#include <climits>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "common/require_ok.h"
#include "enum_as_int.h"
#include "layers/conv2d.h"
#include "small/small.h"

TEST_CASE("output sizes are computed in 64 bits and never truncated",
          "[hardening][dims]") {
  small_network *net = nullptr;
  REQUIRE_OK(small_network_create(&net));
  small_tensor x = -1, t = -1;
  REQUIRE_OK(small_network_add_input(net, 1, 1, 1, 1, &x));
  small_conv2d_params cp;
  small_conv2d_params_init(&cp);
  cp.out_channels = cp.kernel_h = cp.kernel_w = 1;
  const float w[1] = {2.0f};
  // 1 + (2^32 - 1) + 7 rows used to give an output height of 7 (and 0 with
  // pad_bottom 0, which flatten, dense, softmax and run then accepted).
  for (uint32_t bottom : {7u, 0u}) {
    cp.pad_top = UINT32_MAX;
    cp.pad_bottom = bottom;
    INFO("pad_bottom " << bottom);
    CHECK(small_network_add_conv2d(net, x, &cp, w, nullptr, &t) != SMALL_OK);
    CHECK(t == -1);
  }
  if (sizeof(size_t) >= 8) {
    // A legal padding whose output width exceeds 2^32 - 1: width 2^32 - 1,
    // padding 2^32 - 1 on both sides gives 3 * (2^32 - 1) columns.
    small_tensor wide = -1;
    REQUIRE_OK(small_network_add_input(net, 1, 1, 1, UINT32_MAX, &wide));
    cp.pad_top = cp.pad_bottom = 0;
    cp.pad_left = cp.pad_right = UINT32_MAX;
    CHECK(small_network_add_conv2d(net, wide, &cp, w, nullptr, &t) ==
          SMALL_ERR_OVERFLOW);
    CHECK(std::string(small_last_error()).find("does not fit in 32 bits") !=
          std::string::npos);
  }
  size_t layers = 9;
  REQUIRE_OK(small_network_layer_count(net, &layers));
  CHECK(layers == 0);
  small_network_destroy(net);
}

TEST_CASE("convolution padding is bounded: a huge pad fails fast",
          "[hardening][padding]") {
  small_network *net = nullptr;
  REQUIRE_OK(small_network_create(&net));
  small_tensor x = -1, t = -1;
  REQUIRE_OK(small_network_add_input(net, 1, 1, 1, 1, &x));
  small_conv2d_params cp;
  small_conv2d_params_init(&cp);
  cp.out_channels = cp.kernel_h = cp.kernel_w = 1;
  const float w[1] = {2.0f};
  // Used to plan 2^32 columns at finalize: 30 s, 2 GB.
  cp.pad_left = 0xFFFFFFF0u;
  const auto start = std::chrono::steady_clock::now();
  const small_status s = small_network_add_conv2d(net, x, &cp, w, nullptr, &t);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  CHECK(s == SMALL_ERR_UNSUPPORTED);
  CHECK(std::string(small_last_error()).find("horizontal padding") !=
        std::string::npos);
  CHECK(seconds < 1.0);
  // The largest padding allowed (input + dilated window = 2) still works:
  // outputs whose window misses the input are the bias, 0 here.
  cp.pad_left = 2;
  cp.pad_top = cp.pad_bottom = 2;
  REQUIRE_OK(small_network_add_conv2d(net, x, &cp, w, nullptr, &t));
  REQUIRE_OK(small_network_mark_output(net, t));
  REQUIRE_OK(small_network_finalize(net));
  const float in[1] = {3.0f};
  float out[5 * 3];
  const float *ins[1] = {in};
  float *outs[1] = {out};
  REQUIRE_OK(small_network_run(net, ins, 1, outs, 1, SMALL_LAYOUT_NCHW));
  for (int i = 0; i < 15; ++i) {
    INFO("output " << i);
    CHECK(out[i] == (i == 2 * 3 + 2 ? 6.0f : 0.0f));
  }
  small_network_destroy(net);
}

TEST_CASE("enums from C are range-checked as ints", "[hardening][enums]") {
  // small_status_string with values outside the enum (C passes any int).
  for (int v : {-1, 13, 99, INT_MIN, INT_MAX}) {
    INFO("status " << v);
    CHECK(std::string(status_string_of_int(v)) == "unknown status code");
  }
  // small_activation_make keeps an unknown kind for the builder to reject.
  const small_activation a = activation_make_of_int(99);
  int stored = 0;
  std::memcpy(&stored, &a.kind, sizeof stored);
  CHECK(stored == 99);
  small_network *net = nullptr;
  REQUIRE_OK(small_network_create(&net));
  small_tensor x = -1, t = -1;
  REQUIRE_OK(small_network_add_input(net, 1, 2, 2, 2, &x));
  CHECK(small_network_add_activation(net, x, a, &t) ==
        SMALL_ERR_INVALID_ARGUMENT);
  CHECK(std::string(small_last_error()).find("unknown activation kind 99") !=
        std::string::npos);
  small_network_destroy(net);
}

TEST_CASE("MACs saturate instead of wrapping", "[hardening][overflow]") {
  // 2^20 outputs x 2^31 input channels x a 2^20 x 2^20 window = 2^91 MACs.
  small::ConvSpec spec;
  spec.input = {1, 1u << 31, 1u << 20, 1u << 20};
  spec.out_channels = 1u << 20;
  spec.kernel_h = spec.kernel_w = 1u << 20;
  std::unique_ptr<small::Conv2DLayer> layer;
  REQUIRE(small::Conv2DLayer::create(SMALL_LAYER_CONV2D, "huge", spec, {}, {},
                                     layer) == SMALL_OK);
  CHECK(layer->macs() == UINT64_MAX);
  // An ordinary layer's count is exact.
  spec.input = {2, 3, 10, 12};
  spec.out_channels = 5;
  spec.kernel_h = 3;
  spec.kernel_w = 4;
  REQUIRE(small::Conv2DLayer::create(SMALL_LAYER_CONV2D, "small", spec, {}, {},
                                     layer) == SMALL_OK);
  CHECK(layer->macs() == uint64_t{2} * 5 * 8 * 9 * 3 * 3 * 4);
}

TEST_CASE("messages are formatted without the heap and cut at the buffer",
          "[hardening][messages]") {
  small_network *net = nullptr;
  REQUIRE_OK(small_network_create(&net));
  small_tensor x = -1, t = -1;
  REQUIRE_OK(small_network_add_input(net, 1, 2, 2, 2, &x));
  small_activation clip = small_activation_make(SMALL_ACT_CLIP);
  // Floats as "%f" would print them (std::to_string's old output).
  clip.min = 1.5f;
  clip.max = std::numeric_limits<float>::quiet_NaN();
  CHECK(small_network_add_activation(net, x, clip, &t) ==
        SMALL_ERR_INVALID_ARGUMENT);
  CHECK(std::string(small_last_error()) ==
        "small_network_add_activation: activation #0: Clip bounds must not be "
        "NaN (got min 1.500000, max nan)");
  clip.min = std::numeric_limits<float>::quiet_NaN();
  clip.max = 1e20f;
  CHECK(small_network_add_activation(net, x, clip, &t) ==
        SMALL_ERR_INVALID_ARGUMENT);
  CHECK(
      std::string(small_last_error()).find("(got min nan, max 1.000000e+20)") !=
      std::string::npos);
  small_network_destroy(net);

  // Long messages are cut at 511 bytes; success clears the message.
  const std::string long_message(2000, 'x');
  CHECK(small_report_error(SMALL_ERR_IO, long_message.c_str()) == SMALL_ERR_IO);
  CHECK(std::string(small_last_error()) == long_message.substr(0, 511));
  small_kernel_info info;
  REQUIRE_OK(small_kernel_config(&info));
  CHECK(std::string(small_last_error()).empty());
}
