// Allocation failure through build and finalize (the hardening issue):
// every allocation the library makes, in turn, is made to fail; each call
// must then report a status, leak nothing, and leave a network that is safe
// to call. A separate executable because it replaces the global operator new
// (alloc_injection.cpp), which a sanitizer runtime also owns.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "alloc_injection.h"
#include "small/small.h"

namespace {

#define REQUIRE_OK(call)                                                       \
  do {                                                                         \
    const small_status s_ = (call);                                            \
    INFO(#call << ": " << small_last_error());                                 \
    REQUIRE(s_ == SMALL_OK);                                                   \
  } while (0)

#if defined(SMALL_LIBRARY_NO_EXCEPTIONS)
// Without exceptions only the library's own buffers (and its nothrow new)
// can fail and be reported; a container's throwing new would terminate.
constexpr bool kNothrowOnly = true;
#else
constexpr bool kNothrowOnly = false;
#endif

std::vector<float> values(size_t count, float scale) {
  std::vector<float> v(count);
  for (size_t i = 0; i < count; ++i) {
    v[i] = scale * static_cast<float>(static_cast<int>(i % 11) - 5);
  }
  return v;
}

struct Weights {
  std::vector<float> conv = values(8 * 3 * 9, 0.05f), conv_b = values(8, 0.1f);
  std::vector<float> gamma = values(8, 0.1f), beta = values(8, 0.2f),
                     mean = values(8, 0.05f), var = std::vector<float>(8, 1.5f);
  std::vector<float> dw = values(8 * 9, 0.1f);
  std::vector<float> fc = values(4 * 16, 0.2f), fc_b = values(4, 0.3f);
};

// Builds input (1,3,8,8) -> conv 3x3 SAME -> BN -> ReLU -> depthwise ->
// concat(relu, depthwise) -> maxpool 2x2 -> global avgpool -> dense (4) ->
// softmax -> output, then finalizes (unless `finalize` is false). Stops at
// the first failed call and returns its status; `check` sees every status.
template <typename Check>
small_status build(small_network *net, const Weights &w, bool finalize,
                   Check &&check) {
  small_tensor x, c, b, r, d, cat, p, g, f, s;
  small_tensor both[2];
  small_conv2d_params cp;
  small_conv2d_params_init(&cp);
  cp.out_channels = 8;
  cp.kernel_h = cp.kernel_w = 3;
  cp.padding_mode = SMALL_PADDING_SAME;
  small_conv2d_params dwp = cp;
  dwp.groups = 8;
  small_pool2d_params pp;
  small_pool2d_params_init(&pp);
  pp.kernel_h = pp.kernel_w = pp.stride_h = pp.stride_w = 2;
  small_status st = SMALL_OK;
  // Each step runs only while the previous ones succeeded.
  const auto step = [&](small_status status) {
    check(status);
    st = status;
    return status == SMALL_OK;
  };
  step(small_network_add_input(net, 1, 3, 8, 8, &x)) &&
      step(small_network_add_conv2d(net, x, &cp, w.conv.data(), w.conv_b.data(),
                                    &c)) &&
      step(small_network_add_batchnorm(net, c, w.gamma.data(), w.beta.data(),
                                       w.mean.data(), w.var.data(), 1e-5f,
                                       &b)) &&
      step(small_network_add_activation(
          net, b, small_activation_make(SMALL_ACT_RELU), &r)) &&
      step(small_network_add_conv2d(net, r, &dwp, w.dw.data(), nullptr, &d)) &&
      (both[0] = r, both[1] = d,
       step(small_network_add_concat(net, both, 2, &cat))) &&
      step(small_network_add_pool2d(net, cat, &pp, &p)) &&
      step(small_network_add_global_avgpool(net, p, &g)) &&
      step(small_network_add_dense(net, g, 4, w.fc.data(), w.fc_b.data(),
                                   small_activation_make(SMALL_ACT_NONE),
                                   &f)) &&
      step(small_network_add_softmax(net, f, &s)) &&
      step(small_network_mark_output(net, s)) &&
      (!finalize || step(small_network_finalize(net)));
  return st;
}

std::vector<float> run4(small_network *net) {
  const std::vector<float> x = values(3 * 8 * 8, 0.25f);
  std::vector<float> y(4, -1.0f);
  const float *ins[1] = {x.data()};
  float *outs[1] = {y.data()};
  REQUIRE_OK(small_network_run(net, ins, 1, outs, 1, SMALL_LAYOUT_NCHW));
  return y;
}

// The int8 layers: input (1,3,8,8) -> conv 3x3 SAME + ReLU -> depthwise ->
// concat(conv, depthwise) requantized -> maxpool 2x2 -> mean -> dense (4) ->
// softmax -> output.
struct Int8Weights {
  std::vector<int8_t> conv = ints(8 * 3 * 9), dw = ints(8 * 9),
                      fc = ints(4 * 16);
  std::vector<float> scales = std::vector<float>(8, 0.02f);
  std::vector<int32_t> bias = std::vector<int32_t>(8, 100);
  static std::vector<int8_t> ints(size_t count) {
    std::vector<int8_t> v(count);
    for (size_t i = 0; i < count; ++i) {
      v[i] = static_cast<int8_t>(static_cast<int>(i % 23) - 11);
    }
    return v;
  }
};

template <typename Check>
small_status build_int8(small_network *net, const Int8Weights &w, bool finalize,
                        Check &&check) {
  small_tensor x, c, d, cat, p, g, f, s;
  small_tensor both[2];
  const small_quant q{0.05f, -3}, q2{0.1f, 5};
  small_conv2d_params cp;
  small_conv2d_params_init(&cp);
  cp.out_channels = 8;
  cp.kernel_h = cp.kernel_w = 3;
  cp.padding_mode = SMALL_PADDING_SAME;
  cp.activation = small_activation_make(SMALL_ACT_RELU);
  small_conv2d_params dwp = cp;
  dwp.groups = 8;
  dwp.activation = small_activation_make(SMALL_ACT_NONE);
  small_pool2d_params pp;
  small_pool2d_params_init(&pp);
  pp.kernel_h = pp.kernel_w = pp.stride_h = pp.stride_w = 2;
  const small_int8_weights conv{w.conv.data(), w.scales.data(), 8,
                                w.bias.data()};
  const small_int8_weights dw{w.dw.data(), w.scales.data(), 1, nullptr};
  const small_int8_weights fc{w.fc.data(), w.scales.data(), 1, nullptr};
  small_status st = SMALL_OK;
  const auto step = [&](small_status status) {
    check(status);
    st = status;
    return status == SMALL_OK;
  };
  step(small_network_add_input_int8(net, 1, 3, 8, 8, q, &x)) &&
      step(small_network_add_conv2d_int8(net, x, &cp, &conv, q, &c)) &&
      step(small_network_add_conv2d_int8(net, c, &dwp, &dw, q2, &d)) &&
      (both[0] = c, both[1] = d,
       step(small_network_add_concat_int8(net, both, 2, q, &cat))) &&
      step(small_network_add_pool2d_int8(
          net, cat, &pp, small_activation_make(SMALL_ACT_NONE), &p)) &&
      step(small_network_add_global_avgpool_int8(net, p, q2, &g)) &&
      step(small_network_add_dense_int8(
          net, g, 4, &fc, small_activation_make(SMALL_ACT_NONE), q, &f)) &&
      step(small_network_add_softmax_int8(net, f, 1.0f, {1.0f / 256, -128},
                                          &s)) &&
      step(small_network_mark_output(net, s)) &&
      (!finalize || step(small_network_finalize(net)));
  return st;
}

std::vector<float> run4_int8(small_network *net) {
  std::vector<int8_t> x(3 * 8 * 8);
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<int8_t>(static_cast<int>(i * 7 % 200) - 100);
  }
  std::vector<int8_t> y(4, 0);
  const int8_t *ins[1] = {x.data()};
  int8_t *outs[1] = {y.data()};
  REQUIRE_OK(small_network_run_int8(net, ins, 1, outs, 1, SMALL_LAYOUT_NCHW));
  return std::vector<float>(y.begin(), y.end());
}

// The float and the int8 network, for the test below.
struct FloatNetwork {
  const Weights w;
  template <typename Check>
  small_status build(small_network *net, bool finalize, Check &&check) const {
    return ::build(net, w, finalize, check);
  }
  std::vector<float> run(small_network *net) const { return run4(net); }
};
struct Int8Network {
  const Int8Weights w;
  template <typename Check>
  small_status build(small_network *net, bool finalize, Check &&check) const {
    return build_int8(net, w, finalize, check);
  }
  std::vector<float> run(small_network *net) const { return run4_int8(net); }
};

} // namespace

namespace {

// Every allocation of building and finalizing `network`, in turn, fails.
template <typename Network> void every_allocation_may_fail() {
  const alloc_injection::BufferHook hook;
  const Network network;
  std::vector<float> want;
  {
    small_network *net = nullptr;
    REQUIRE_OK(small_network_create(&net));
    REQUIRE(network.build(net, true, [](small_status) {}) == SMALL_OK);
    want = network.run(net);
    small_network_destroy(net);
  }
  size_t failures = 0;
  for (size_t k = 1;; ++k) {
    INFO("allocation " << k << " fails");
    bool bad_status = false, bad_message = false;
    small_network *net = nullptr;
    alloc_injection::arm(k, kNothrowOnly);
    small_status st = small_network_create(&net);
    const bool create_ok = st == SMALL_OK;
    bool message_ok = create_ok == (small_last_error()[0] == '\0');
    if (create_ok) {
      st = network.build(net, true, [&](small_status s) {
        bad_status =
            bad_status || (s != SMALL_OK && s != SMALL_ERR_OUT_OF_MEMORY);
        const bool empty = small_last_error()[0] == '\0';
        bad_message = bad_message || (s == SMALL_OK) != empty;
      });
    }
    bool retry_reported = true;
    if (st != SMALL_OK && create_ok) {
      // Whatever failed, the network is still safe to call: a second
      // finalize either works or reports a status, never crashes.
      const small_status again = small_network_finalize(net);
      retry_reported = small_last_error()[0] != '\0' || again == SMALL_OK;
    }
    // Ends the injection before run (which allocates nothing anyway).
    alloc_injection::Counts counts = alloc_injection::disarm();
    CHECK_FALSE(bad_status);
    CHECK_FALSE(bad_message);
    CHECK(message_ok);
    CHECK(retry_reported);
    if (st == SMALL_OK) {
      // Either no allocation failed, or the failure was one the standard
      // library recovers from (std::stable_sort's temporary buffer): the
      // network must then be exactly right.
      CHECK(network.run(net) == want);
    } else {
      CHECK(st == SMALL_ERR_OUT_OF_MEMORY);
      ++failures;
    }
    alloc_injection::arm(0, kNothrowOnly);
    small_network_destroy(net);
    const alloc_injection::Counts destroyed = alloc_injection::disarm();
    // Every allocation that succeeded was freed by the destroy at the latest.
    CHECK(destroyed.live == 0);
    if (!counts.failed) {
      break; // past the last allocation
    }
    REQUIRE(k < 100000);
  }
  CHECK(failures > 3);
}

} // namespace

TEST_CASE("every allocation of build and finalize may fail: each call "
          "reports a status, nothing leaks",
          "[hardening][oom]") {
  every_allocation_may_fail<FloatNetwork>();
}

TEST_CASE("every allocation of an int8 network's build and finalize may "
          "fail: each call reports a status, nothing leaks",
          "[hardening][oom][int8]") {
  every_allocation_may_fail<Int8Network>();
}

TEST_CASE("a finalize that fails late leaves a network that reports it",
          "[hardening][finalize]") {
  const alloc_injection::BufferHook hook;
  const Weights w;
  const auto finalize_failing_at = [](small_network *net, size_t k) {
    alloc_injection::arm(k, kNothrowOnly);
    const small_status s = small_network_finalize(net);
    return std::make_pair(s, alloc_injection::disarm());
  };
  // How many allocations a successful finalize makes...
  small_network *counted = nullptr;
  REQUIRE_OK(small_network_create(&counted));
  REQUIRE(build(counted, w, false, [](small_status) {}) == SMALL_OK);
  const auto ok = finalize_failing_at(counted, 0);
  REQUIRE(ok.first == SMALL_OK);
  const size_t total = ok.second.allocations;
  REQUIRE(total >= 2);
  small_network_destroy(counted);

  // ...then fail the last one: fusion folded the BatchNorm and the weights
  // were packed (their unpacked copies freed) before it.
  small_network *net = nullptr;
  REQUIRE_OK(small_network_create(&net));
  REQUIRE(build(net, w, false, [](small_status) {}) == SMALL_OK);
  const auto bad = finalize_failing_at(net, total);
  REQUIRE(bad.second.failed);
  CHECK(bad.first == SMALL_ERR_OUT_OF_MEMORY);
  CHECK(std::string(small_last_error()).find("small_network_finalize") == 0);
  // Retrying does not crash (it used to dereference the freed weights):
  // every later call reports the failed state.
  CHECK(small_network_finalize(net) == SMALL_ERR_INVALID_STATE);
  CHECK(std::string(small_last_error()).find("unusable") != std::string::npos);
  const std::vector<float> in(3 * 8 * 8, 1.0f);
  std::vector<float> out(4, -7.0f);
  const float *ins[1] = {in.data()};
  float *outs[1] = {out.data()};
  CHECK(small_network_run(net, ins, 1, outs, 1, SMALL_LAYOUT_NCHW) ==
        SMALL_ERR_INVALID_STATE);
  CHECK(out == std::vector<float>(4, -7.0f));
  small_tensor t = -1;
  CHECK(small_network_add_input(net, 1, 1, 1, 1, &t) ==
        SMALL_ERR_INVALID_STATE);
  CHECK(t == -1);
  size_t count = 0;
  CHECK(small_network_layer_count(net, &count) == SMALL_ERR_INVALID_STATE);
  small_network_destroy(net);
}
