// A float Add folded into the convolution that produces one of its inputs
// (kernel tables with conv_residual: Network::fold_residual_adds): the same
// floats as the Add run as a layer, on one thread and split over threads,
// and the cases where the fold must not happen.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <vector>

#include "common/network_queries.h"
#include "common/require_ok.h"
#include "common/seeded_conv.h"
#include "common/seeded_values.h"
#include "kernel_contract.h"
#include "small/small.h"
#include "unit/thread_test_util.h"

namespace {

bool folds() { return small_kernels_active()->conv_residual != 0; }

small_tensor add(small_network *net, small_tensor a, small_tensor b,
                 small_activation_kind act) {
  small_tensor out = -1;
  REQUIRE_OK(
      small_network_add_add(net, a, b, small_activation_make(act), &out));
  return out;
}

// Two ResNet-8 blocks on (1, c, 12, 10): conv3x3+ReLU, conv3x3, Add with
// the block input (act); then conv3x3/2+ReLU, conv3x3 and a 1x1/2 shortcut
// (the later producer), Add+ReLU. With `keep`, the Adds' convolution
// inputs are network outputs too, which keeps every Add a layer. Returns
// the last Add's output (output 0).
small_tensor build(small_network *net, uint32_t c, small_activation_kind act,
                   bool keep) {
  small_tensor x = -1;
  REQUIRE_OK(small_network_add_input(net, 1, c, 12, 10, &x));
  const small_tensor a = seeded_conv(net, x, c, c, 3, 1, SMALL_ACT_RELU, 1);
  const small_tensor b = seeded_conv(net, a, c, c, 3, 1, SMALL_ACT_NONE, 2);
  const small_tensor y = add(net, b, x, act);
  const small_tensor d = seeded_conv(net, y, c, 2 * c, 3, 2, SMALL_ACT_RELU, 3);
  const small_tensor e =
      seeded_conv(net, d, 2 * c, 2 * c, 3, 1, SMALL_ACT_NONE, 4);
  const small_tensor s = seeded_conv(net, y, c, 2 * c, 1, 2, SMALL_ACT_NONE, 5);
  const small_tensor z = add(net, e, s, SMALL_ACT_RELU);
  REQUIRE_OK(small_network_mark_output(net, z));
  if (keep) {
    for (small_tensor t : {b, e, s}) {
      REQUIRE_OK(small_network_mark_output(net, t));
    }
  }
  REQUIRE_OK(small_network_finalize(net));
  return z;
}

bool same_bits(const std::vector<float> &a, const std::vector<float> &b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

} // namespace

TEST_CASE("A residual Add folded into a convolution gives the same floats",
          "[fusion][residual]") {
  for (uint32_t c : {16u, 20u}) {
    for (small_activation_kind act :
         {SMALL_ACT_NONE, SMALL_ACT_RELU, SMALL_ACT_RELU6}) {
      INFO(c << " channels, first Add's activation " << act);
      Net fused, kept;
      build(fused, c, act, false);
      build(kept, c, act, true);
      // conv, conv(+Add), conv, conv, conv(+Add) against seven layers.
      CHECK(layer_count(kept) == 7);
      CHECK(layer_count(fused) == (folds() ? 5u : 7u));
      if (folds()) {
        // The first block's second convolution reads the block input too
        // and applies the Add's activation; the shortcut (produced after
        // the 3x3 convolution) takes the second Add.
        small_layer_info info{};
        REQUIRE_OK(small_network_layer_info(fused, 1, &info));
        CHECK(info.kind == SMALL_LAYER_CONV2D);
        CHECK(info.input_count == 2);
        CHECK(info.activation == act);
        REQUIRE_OK(small_network_layer_info(fused, 4, &info));
        CHECK(info.input_count == 2);
        CHECK(info.input_dims[1] == c); // the 1x1/2 shortcut
        CHECK(info.activation == SMALL_ACT_RELU);
        size_t arena_fused = 0, arena_kept = 0;
        REQUIRE_OK(small_network_arena_size(fused, &arena_fused));
        REQUIRE_OK(small_network_arena_size(kept, &arena_kept));
        CHECK(arena_fused <= arena_kept);
      }
      const std::vector<float> x = seeded_values(size_t{c} * 12 * 10, 7 + c);
      const std::vector<float> want = run_output0(kept, x);
      CHECK(same_bits(run_output0(fused, x), want));
      // Split over threads, every part adds its own tiles' residuals.
      threadtest::check_same_on_all_thread_counts(fused, {x});
    }
  }
}

TEST_CASE("A residual Add stays a layer when folding it would be wrong",
          "[fusion][residual]") {
  SECTION("the convolution has an activation of its own") {
    Net net;
    small_tensor x = -1;
    REQUIRE_OK(small_network_add_input(net, 1, 16, 6, 6, &x));
    const small_tensor a =
        seeded_conv(net, x, 16, 16, 3, 1, SMALL_ACT_RELU, 11);
    REQUIRE_OK(small_network_mark_output(net, add(net, a, x, SMALL_ACT_NONE)));
    REQUIRE_OK(small_network_finalize(net));
    CHECK(layer_count(net) == 2);
  }
  SECTION("the other input is computed after the convolution") {
    Net net;
    small_tensor x = -1, p = -1;
    REQUIRE_OK(small_network_add_input(net, 1, 16, 6, 6, &x));
    const small_tensor a =
        seeded_conv(net, x, 16, 16, 3, 1, SMALL_ACT_NONE, 12);
    small_pool2d_params pp;
    small_pool2d_params_init(&pp);
    pp.kind = SMALL_POOL_MAX;
    pp.kernel_h = pp.kernel_w = 3;
    pp.pad_top = pp.pad_bottom = pp.pad_left = pp.pad_right = 1;
    REQUIRE_OK(small_network_add_pool2d(net, x, &pp, &p));
    REQUIRE_OK(small_network_mark_output(net, add(net, a, p, SMALL_ACT_NONE)));
    REQUIRE_OK(small_network_finalize(net));
    CHECK(layer_count(net) == 3);
  }
  SECTION("the convolution's output is read by another layer too") {
    Net net;
    small_tensor x = -1;
    REQUIRE_OK(small_network_add_input(net, 1, 16, 6, 6, &x));
    const small_tensor a =
        seeded_conv(net, x, 16, 16, 3, 1, SMALL_ACT_NONE, 13);
    const small_tensor s = add(net, a, x, SMALL_ACT_NONE);
    REQUIRE_OK(small_network_mark_output(net, add(net, s, a, SMALL_ACT_NONE)));
    REQUIRE_OK(small_network_finalize(net));
    CHECK(layer_count(net) == 3);
  }
  SECTION("a depthwise convolution") {
    Net net;
    small_tensor x = -1, d = -1;
    REQUIRE_OK(small_network_add_input(net, 1, 16, 6, 6, &x));
    small_conv2d_params p;
    small_conv2d_params_init(&p);
    p.out_channels = 16;
    p.groups = 16;
    p.kernel_h = p.kernel_w = 3;
    p.padding_mode = SMALL_PADDING_SAME;
    const std::vector<float> w = seeded_values(16 * 9, 14);
    REQUIRE_OK(small_network_add_conv2d(net, x, &p, w.data(), nullptr, &d));
    REQUIRE_OK(small_network_mark_output(net, add(net, d, x, SMALL_ACT_NONE)));
    REQUIRE_OK(small_network_finalize(net));
    CHECK(layer_count(net) == 2);
  }
}
