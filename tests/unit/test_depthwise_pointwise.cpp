// Depthwise-pointwise fusion (small_network_set_fusion_cache,
// src/layers/depthwise_pointwise.h): a fused pair computes what the two
// layers compute apart (bands of every height, batches, windows that reach
// past the band, channel counts off the block), the same floats on every
// thread split, is reported as one layer with both layers' figures, keeps
// the arena as small, and stays two layers wherever fusing would be wrong.
//
// Tolerance against the layers apart: a band's tiles are cut from its own
// rows, so a narrow tile may split a sum over other partial sums than the
// whole layer's tile of that pixel (x86/conv_tile.h): the same products
// added in another order. |fused - apart| <= 1e-5 * max(1, max |apart|).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "common/network_queries.h"
#include "common/require_ok.h"
#include "common/seeded_values.h"
#include "kernel_contract.h"
#include "small/small.h"
#include "unit/thread_test_util.h"

namespace {

struct PairSpec {
  uint32_t n = 1, c = 8, h = 9, w = 7, out = 16;
  uint32_t kernel = 3, dilation = 1, stride = 1;
  small_padding_mode padding = SMALL_PADDING_SAME;
  uint32_t pw_kernel = 1;
  small_padding_mode pw_padding = SMALL_PADDING_SAME;
  bool mid_is_output = false;
};

small_conv2d_params params(uint32_t out, uint32_t groups, uint32_t kernel,
                           uint32_t dilation, uint32_t stride,
                           small_padding_mode padding,
                           small_activation_kind act) {
  small_conv2d_params p;
  small_conv2d_params_init(&p);
  p.out_channels = out;
  p.groups = groups;
  p.kernel_h = p.kernel_w = kernel;
  p.dilation_h = p.dilation_w = dilation;
  p.stride_h = p.stride_w = stride;
  p.padding_mode = padding;
  p.activation = small_activation_make(act);
  return p;
}

// Input -> depthwise (ReLU6) -> 1x1 convolution (ReLU), finalized with
// set_fusion_cache(cache) (0: apart). The depthwise output is a second
// network output with mid_is_output.
void build(small_network *net, const PairSpec &s, size_t cache) {
  small_tensor x = -1, d = -1, y = -1;
  REQUIRE_OK(small_network_add_input(net, s.n, s.c, s.h, s.w, &x));
  const small_conv2d_params dw = params(s.c, s.c, s.kernel, s.dilation,
                                        s.stride, s.padding, SMALL_ACT_RELU6);
  const std::vector<float> dw_w =
      seeded_values(size_t{s.c} * s.kernel * s.kernel, 21);
  const std::vector<float> dw_b = seeded_values(s.c, 22);
  REQUIRE_OK(
      small_network_add_conv2d(net, x, &dw, dw_w.data(), dw_b.data(), &d));
  const small_conv2d_params pw =
      params(s.out, 1, s.pw_kernel, 1, 1, s.pw_padding, SMALL_ACT_RELU);
  const std::vector<float> pw_w =
      seeded_values(size_t{s.out} * s.c * s.pw_kernel * s.pw_kernel, 23);
  const std::vector<float> pw_b = seeded_values(s.out, 24);
  REQUIRE_OK(
      small_network_add_conv2d(net, d, &pw, pw_w.data(), pw_b.data(), &y));
  REQUIRE_OK(small_network_mark_output(net, y));
  if (s.mid_is_output) {
    REQUIRE_OK(small_network_mark_output(net, d));
  }
  REQUIRE_OK(small_network_set_fusion_cache(net, cache));
  REQUIRE_OK(small_network_finalize(net));
}

// Within the header's tolerance of `want`, and no NaN (an element left
// unwritten).
bool close_to(const std::vector<float> &got, const std::vector<float> &want) {
  if (got.size() != want.size()) {
    return false;
  }
  float scale = 1.0f;
  for (float v : want) {
    scale = std::max(scale, std::fabs(v));
  }
  for (size_t i = 0; i < got.size(); ++i) {
    if (!(std::fabs(got[i] - want[i]) <= 1e-5f * scale)) {
      return false;
    }
  }
  return true;
}

// Bytes of one row of the depthwise output in blocks of the active Cb.
size_t mid_row_bytes(const PairSpec &s) {
  const size_t cb = small_kernels_active()->channel_block;
  return (s.c + cb - 1) / cb * cb * s.w * sizeof(float);
}

// The cache that makes bands of `rows` rows (a ring of a quarter of it)
// and fuses (the whole depthwise output is larger), or 0 if none can.
size_t cache_for_rows(const PairSpec &s, size_t rows) {
  const size_t cache = 4 * rows * mid_row_bytes(s);
  return cache < s.n * s.h * mid_row_bytes(s) ? cache : 0;
}

} // namespace

TEST_CASE("A fused depthwise-pointwise pair gives the same floats",
          "[fusion][depthwise_pointwise]") {
  std::vector<PairSpec> specs;
  for (uint32_t c : {8u, 20u, 33u}) {
    PairSpec s;
    s.c = c;
    s.out = c == 8 ? 16 : 24;
    specs.push_back(s);
  }
  PairSpec wide; // a 5x5 window, and one dilated: bands read 4 rows beyond
  wide.kernel = 5;
  wide.h = 11;
  specs.push_back(wide);
  PairSpec dilated = wide;
  dilated.kernel = 3;
  dilated.dilation = 2;
  specs.push_back(dilated);
  PairSpec batch; // bands of every item
  batch.n = 3;
  batch.h = 5;
  batch.w = 13;
  specs.push_back(batch);
  PairSpec one_row;
  one_row.h = 1;
  one_row.n = 2;
  specs.push_back(one_row);
  for (const PairSpec &s : specs) {
    Net apart;
    build(apart, s, 0);
    REQUIRE(layer_count(apart) == 2);
    const std::vector<float> x =
        seeded_values(size_t{s.n} * s.c * s.h * s.w, 30 + s.c);
    const std::vector<float> want = run_output0(apart, x);
    for (size_t rows : {1, 2, 3, 4, 100}) {
      const size_t cache = cache_for_rows(s, rows);
      if (cache == 0) {
        continue;
      }
      INFO(s.n << "x" << s.c << "x" << s.h << "x" << s.w << " -> " << s.out
               << ", kernel " << s.kernel << " dilation " << s.dilation
               << ", cache " << cache << " (bands of " << rows << " rows)");
      Net fused;
      build(fused, s, cache);
      REQUIRE(layer_count(fused) == 1);
      CHECK(arena_of(fused) <= arena_of(apart));
      CHECK(close_to(run_output0(fused, x), want));
      // Split over threads: each part its bands and its own ring, the
      // same floats as one thread.
      threadtest::check_same_on_all_thread_counts(fused, {x});
    }
  }
}

TEST_CASE("A fused depthwise-pointwise pair is one layer with both layers' "
          "figures",
          "[fusion][depthwise_pointwise]") {
  PairSpec s;
  Net apart, fused;
  build(apart, s, 0);
  build(fused, s, cache_for_rows(s, 2));
  small_layer_info dw{}, pw{}, pair{};
  REQUIRE_OK(small_network_layer_info(apart, 0, &dw));
  REQUIRE_OK(small_network_layer_info(apart, 1, &pw));
  REQUIRE_OK(small_network_layer_info(fused, 0, &pair));
  CHECK(pair.kind == SMALL_LAYER_DEPTHWISE);
  CHECK(std::string(pair.kind_name) == "depthwise+conv2d");
  CHECK(std::string(dw.kind_name) == "depthwise");
  CHECK(pair.macs == dw.macs + pw.macs);
  CHECK(pair.weight_bytes == dw.weight_bytes + pw.weight_bytes);
  CHECK(pair.activation == SMALL_ACT_RELU); // the pointwise layer's
  CHECK(pair.output == pw.output);
  for (int d = 0; d < 4; ++d) {
    CHECK(pair.input_dims[d] == dw.input_dims[d]);
    CHECK(pair.output_dims[d] == pw.output_dims[d]);
  }
  size_t weights_apart = 0, weights_fused = 0;
  REQUIRE_OK(small_network_weight_bytes(apart, &weights_apart));
  REQUIRE_OK(small_network_weight_bytes(fused, &weights_fused));
  CHECK(weights_fused == weights_apart);
}

TEST_CASE("A depthwise-pointwise pair stays two layers when fusing would be "
          "wrong or useless",
          "[fusion][depthwise_pointwise]") {
  const auto layers_with = [](const PairSpec &s, size_t cache) {
    Net net;
    build(net, s, cache);
    return layer_count(net);
  };
  PairSpec s;
  const size_t cache = cache_for_rows(s, 1);
  REQUIRE(cache != 0);
  REQUIRE(layers_with(s, cache) == 1);
  SECTION("fusion off") { CHECK(layers_with(s, 0) == 2); }
  SECTION("the depthwise output fits the cache") {
    CHECK(layers_with(s, s.n * s.h * mid_row_bytes(s)) == 2);
  }
  // A cache far below any depthwise output here: only the shape can refuse.
  const size_t tiny = 64;
  SECTION("a strided depthwise (its output smaller than its input)") {
    s.stride = 2;
    CHECK(layers_with(s, tiny) == 2);
  }
  SECTION("a depthwise without padding (its output smaller)") {
    s.padding = SMALL_PADDING_VALID;
    CHECK(layers_with(s, tiny) == 2);
  }
  SECTION("a 3x3 consumer, padded or not") {
    s.pw_kernel = 3;
    CHECK(layers_with(s, cache) == 2);
    s.pw_padding = SMALL_PADDING_VALID;
    CHECK(layers_with(s, cache) == 2);
  }
  SECTION("the depthwise output is a network output too") {
    s.mid_is_output = true;
    CHECK(layers_with(s, cache) == 2);
  }
}

TEST_CASE("small_network_set_fusion_cache checks its network and state",
          "[fusion][depthwise_pointwise][errors]") {
  CHECK(small_network_set_fusion_cache(nullptr, 1024) ==
        SMALL_ERR_NULL_POINTER);
  Net net;
  build(net, PairSpec{}, 0);
  CHECK(small_network_set_fusion_cache(net, 1024) == SMALL_ERR_INVALID_STATE);
  CHECK(std::string(small_last_error()).find("set_fusion_cache") !=
        std::string::npos);
}
