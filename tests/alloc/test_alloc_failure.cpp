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

} // namespace

TEST_CASE("every allocation of build and finalize may fail: each call "
          "reports a status, nothing leaks",
          "[hardening][oom]") {
  const alloc_injection::BufferHook hook;
  const Weights w;
  std::vector<float> want;
  {
    small_network *net = nullptr;
    REQUIRE_OK(small_network_create(&net));
    REQUIRE(build(net, w, true, [](small_status) {}) == SMALL_OK);
    want = run4(net);
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
      st = build(net, w, true, [&](small_status s) {
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
      CHECK(run4(net) == want);
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
