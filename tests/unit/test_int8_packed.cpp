// Pre-packed int8 weights (small_network_add_conv2d_int8_packed,
// small_network_add_dense_int8_packed, small_network_packed_weights,
// small_network_set_packing): a
// network built on the packed weights another finalized network reports
// computes the same bytes, uses the caller's buffers in place and holds no
// copy; wrong layouts, sizes and arguments fail with clear statuses.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "kernel_contract.h"
#include "small/small.h"

namespace {

struct NetGuard {
  small_network *net = nullptr;
  NetGuard() { REQUIRE(small_network_create(&net) == SMALL_OK); }
  ~NetGuard() { small_network_destroy(net); }
};

void require_ok(small_status s) {
  INFO(small_last_error());
  REQUIRE(s == SMALL_OK);
}

void require_failure(small_status got, small_status want,
                     const char *text_in_message) {
  INFO(small_last_error());
  REQUIRE(got == want);
  CHECK(std::string(small_last_error()).find(text_in_message) !=
        std::string::npos);
}

const small_quant kIn{0.05f, -3}, kMid{0.08f, 5}, kOut{0.1f, -7};

// One int8 layer's unpacked weights, scales and bias.
struct LayerWeights {
  std::vector<int8_t> values;
  std::vector<float> scales;
  std::vector<int32_t> bias;
};

LayerWeights random_weights(std::mt19937 &rng, size_t count, size_t channels) {
  std::uniform_int_distribution<int> value(-127, 127), bias(-500, 500);
  std::uniform_real_distribution<float> scale(0.002f, 0.02f);
  LayerWeights w;
  for (size_t i = 0; i < count; ++i) {
    w.values.push_back(static_cast<int8_t>(value(rng)));
  }
  for (size_t k = 0; k < channels; ++k) {
    w.scales.push_back(scale(rng));
    w.bias.push_back(bias(rng));
  }
  return w;
}

// The test network: an RGB input (narrow: planar or 4 lanes, by the
// kernels), a 3x3 conv to 20 channels (a partial channel block), a
// depthwise 3x3, a 1x1 conv to 24 channels, a max pool (no weights) and a
// dense layer to 10.
struct TestWeights {
  LayerWeights conv1, depthwise, conv2, dense;
};

TestWeights make_weights() {
  std::mt19937 rng(1234);
  TestWeights t;
  t.conv1 = random_weights(rng, 20 * 3 * 3 * 3, 20);
  t.depthwise = random_weights(rng, 20 * 3 * 3, 20);
  t.conv2 = random_weights(rng, 24 * 20, 24);
  t.dense = random_weights(rng, 10 * 24 * 4 * 4, 10);
  return t;
}

small_int8_weights view(const LayerWeights &w) {
  small_int8_weights v;
  v.values = w.values.data();
  v.scales = w.scales.data();
  v.scale_count = static_cast<uint32_t>(w.scales.size());
  v.bias = w.bias.data();
  return v;
}

small_int8_packed_weights packed_view(const LayerWeights &w,
                                      const std::vector<int8_t> &packed,
                                      uint32_t layout) {
  small_int8_packed_weights v;
  small_int8_packed_weights_init(&v);
  v.packed = packed.data();
  v.bytes = packed.size();
  v.layout = layout;
  v.scales = w.scales.data();
  v.scale_count = static_cast<uint32_t>(w.scales.size());
  v.bias = w.bias.data();
  return v;
}

small_conv2d_params conv_params(uint32_t out, uint32_t kernel,
                                uint32_t groups) {
  small_conv2d_params p;
  small_conv2d_params_init(&p);
  p.out_channels = out;
  p.kernel_h = p.kernel_w = kernel;
  p.padding_mode = SMALL_PADDING_SAME;
  p.groups = groups;
  p.activation = small_activation_make(SMALL_ACT_RELU);
  return p;
}

// The packed buffers of the weighted layers, in layer order, their tags
// and their per-channel requantization (given to the layers only when
// with_requant; then without scales and bias when bare).
struct Packed {
  std::vector<std::vector<int8_t>> buffers;
  std::vector<uint32_t> layouts;
  std::vector<std::vector<int32_t>> requant;
  bool with_requant = false, bare = false;
};

small_int8_packed_weights packed_layer(const LayerWeights &w, const Packed &p,
                                       size_t i) {
  small_int8_packed_weights v = packed_view(w, p.buffers[i], p.layouts[i]);
  if (p.with_requant) {
    v.requant = p.requant[i].data();
    v.requant_count = p.requant[i].size();
    if (p.bare) {
      v.scales = nullptr;
      v.scale_count = 0;
      v.bias = nullptr;
    }
  }
  return v;
}

// Builds the network on `weights`, or on `packed` when given (each entry
// may be altered by the caller first), up to and including finalize;
// returns finalize's status. cb != 0: small_network_set_packing(cb,
// k_group) first.
small_status build(small_network *net, const TestWeights &w,
                   const Packed *packed, uint32_t cb = 0,
                   uint32_t k_group = 0) {
  small_tensor x = -1, t = -1;
  if (cb != 0) {
    require_ok(small_network_set_packing(net, cb, k_group));
  }
  require_ok(small_network_add_input_int8(net, 1, 3, 8, 8, kIn, &x));
  const LayerWeights *layers[3] = {&w.conv1, &w.depthwise, &w.conv2};
  const small_conv2d_params params[3] = {
      conv_params(20, 3, 1), conv_params(20, 3, 20), conv_params(24, 1, 1)};
  const small_quant outs[3] = {kMid, kMid, kOut};
  t = x;
  for (int i = 0; i < 3; ++i) {
    if (packed == nullptr) {
      const small_int8_weights v = view(*layers[i]);
      require_ok(
          small_network_add_conv2d_int8(net, t, &params[i], &v, outs[i], &t));
    } else {
      const small_int8_packed_weights v =
          packed_layer(*layers[i], *packed, static_cast<size_t>(i));
      require_ok(small_network_add_conv2d_int8_packed(net, t, &params[i], &v,
                                                      outs[i], &t));
    }
  }
  small_pool2d_params pool;
  small_pool2d_params_init(&pool);
  pool.kind = SMALL_POOL_MAX;
  pool.kernel_h = pool.kernel_w = 2;
  pool.stride_h = pool.stride_w = 2;
  require_ok(small_network_add_pool2d_int8(
      net, t, &pool, small_activation_make(SMALL_ACT_NONE), &t));
  const small_activation none = small_activation_make(SMALL_ACT_NONE);
  if (packed == nullptr) {
    const small_int8_weights v = view(w.dense);
    require_ok(small_network_add_dense_int8(net, t, 10, &v, none, kIn, &t));
  } else {
    const small_int8_packed_weights v = packed_layer(w.dense, *packed, 3);
    require_ok(
        small_network_add_dense_int8_packed(net, t, 10, &v, none, kIn, &t));
  }
  require_ok(small_network_mark_output(net, t));
  return small_network_finalize(net);
}

std::vector<int8_t> run(small_network *net) {
  std::vector<int8_t> input(3 * 8 * 8);
  for (size_t i = 0; i < input.size(); ++i) {
    input[i] = static_cast<int8_t>(static_cast<int>(i * 37 % 255) - 127);
  }
  std::vector<int8_t> output(10, 0);
  const int8_t *ins[1] = {input.data()};
  int8_t *outs[1] = {output.data()};
  require_ok(small_network_run_int8(net, ins, 1, outs, 1, SMALL_LAYOUT_NCHW));
  return output;
}

// The weighted layers of a finalized test network: every layer but the
// pool (index 3), which must report none.
Packed read_packed(small_network *net) {
  Packed p;
  size_t count = 0;
  require_ok(small_network_layer_count(net, &count));
  REQUIRE(count == 5);
  for (size_t i = 0; i < count; ++i) {
    small_int8_packed_weights w;
    const small_status s = small_network_packed_weights(net, i, &w);
    if (i == 3) {
      require_failure(s, SMALL_ERR_NOT_FOUND, "no packed int8 weights");
      continue;
    }
    require_ok(s);
    REQUIRE(w.packed != nullptr);
    REQUIRE(w.bytes > 0);
    CHECK(w.scales == nullptr);
    CHECK(w.bias == nullptr);
    p.buffers.emplace_back(w.packed, w.packed + w.bytes);
    p.layouts.push_back(w.layout);
    REQUIRE(w.requant != nullptr);
    p.requant.emplace_back(w.requant, w.requant + w.requant_count);
  }
  return p;
}

} // namespace

TEST_CASE("A network on packed int8 weights computes the same bytes and "
          "holds no copy",
          "[int8][api][packed]") {
  const TestWeights w = make_weights();
  std::vector<int8_t> want;
  size_t held_weights = 0, packed_bytes = 0;
  Packed packed;
  {
    NetGuard a;
    require_ok(build(a.net, w, nullptr));
    want = run(a.net);
    require_ok(small_network_weight_bytes(a.net, &held_weights));
    packed = read_packed(a.net);
  } // the first network is gone: the second reads only our copies
  for (const std::vector<int8_t> &b : packed.buffers) {
    packed_bytes += b.size();
  }
  // Depthwise and convolution layouts differ.
  CHECK(packed.layouts[0] != packed.layouts[1]);

  NetGuard b;
  require_ok(build(b.net, w, &packed));
  CHECK(run(b.net) == want);
  size_t borrowed_weights = 0;
  require_ok(small_network_weight_bytes(b.net, &borrowed_weights));
  CHECK(borrowed_weights == held_weights - packed_bytes);
  // The packed weights are used in place.
  for (size_t layer : {0u, 1u, 2u, 4u}) {
    small_int8_packed_weights got;
    require_ok(small_network_packed_weights(b.net, layer, &got));
    const size_t i = layer == 4 ? 3 : layer;
    CHECK(got.packed == packed.buffers[i].data());
    CHECK(got.bytes == packed.buffers[i].size());
    CHECK(got.layout == packed.layouts[i]);
  }
}

// The bias, multiplier and shift a network reports: three arrays of the
// output channels padded to whole blocks, the pad lanes 0, the bias the
// caller's, the multipliers those of TFLite's QuantizeMultiplier (positive,
// at least 2^30 for these scales).
TEST_CASE("Per-channel requantization is reported padded to whole blocks and "
          "can be borrowed",
          "[int8][api][packed]") {
  const TestWeights w = make_weights();
  const size_t cb = small_kernels_active()->channel_block;
  const LayerWeights *layers[4] = {&w.conv1, &w.depthwise, &w.conv2, &w.dense};
  std::vector<int8_t> want;
  size_t held = 0;
  Packed packed;
  {
    NetGuard a;
    require_ok(build(a.net, w, nullptr));
    want = run(a.net);
    require_ok(small_network_weight_bytes(a.net, &held));
    packed = read_packed(a.net);
  }
  for (size_t i = 0; i < 4; ++i) {
    const std::vector<int32_t> &r = packed.requant[i];
    const size_t channels = layers[i]->bias.size();
    const size_t padded = (channels + cb - 1) / cb * cb;
    INFO("layer " << i);
    REQUIRE(r.size() == 3 * padded);
    for (size_t k = 0; k < padded; ++k) {
      if (k < channels) {
        CHECK(r[k] == layers[i]->bias[k]);
        CHECK(r[padded + k] >= (int32_t{1} << 30));
      } else {
        CHECK(r[k] == 0);
        CHECK(r[padded + k] == 0);
        CHECK(r[2 * padded + k] == 0);
      }
    }
  }
  packed.with_requant = true;
  for (bool bare : {false, true}) {
    packed.bare = bare;
    INFO((bare ? "without" : "with") << " scales and bias");
    NetGuard b;
    require_ok(build(b.net, w, &packed));
    CHECK(run(b.net) == want);
    size_t borrowed = 0;
    require_ok(small_network_weight_bytes(b.net, &borrowed));
    CHECK(borrowed < held);
    for (size_t layer : {0u, 1u, 2u, 4u}) {
      small_int8_packed_weights got;
      require_ok(small_network_packed_weights(b.net, layer, &got));
      const size_t i = layer == 4 ? 3 : layer;
      CHECK(got.requant == packed.requant[i].data());
      CHECK(got.requant_count == packed.requant[i].size());
    }
  }
}

TEST_CASE("Borrowed requantization that does not match the layer is refused "
          "at finalize",
          "[int8][api][packed][errors]") {
  const TestWeights w = make_weights();
  Packed good;
  {
    NetGuard a;
    require_ok(build(a.net, w, nullptr));
    good = read_packed(a.net);
  }
  good.with_requant = true;
  SECTION("one value short") {
    Packed p = good;
    p.requant[2].pop_back();
    NetGuard b;
    require_failure(build(b.net, w, &p), SMALL_ERR_INVALID_ARGUMENT,
                    "packed->requant_count is");
  }
  SECTION("a multiplier changed") {
    Packed p = good;
    const size_t padded = p.requant[1].size() / 3;
    p.requant[1][padded + 5] += 1;
    NetGuard b;
    require_failure(build(b.net, w, &p), SMALL_ERR_INVALID_ARGUMENT,
                    "differs at output channel 5");
  }
  SECTION("a pad lane not zero") {
    // The dense layer's 10 channels never fill a block (Cb >= 4, a power
    // of two): lane 10 is a pad lane.
    Packed p = good;
    const size_t padded = p.requant[3].size() / 3;
    REQUIRE(padded > 10);
    p.requant[3][2 * padded + 10] = 3;
    NetGuard b;
    require_failure(build(b.net, w, &p), SMALL_ERR_INVALID_ARGUMENT,
                    "a pad lane's zeros");
  }
  SECTION("a bias changed, no scales given") {
    Packed p = good;
    p.requant[0][7] += 1;
    p.bare = true;
    NetGuard b;
    require_ok(build(b.net, w, &p)); // nothing to check it against
    p.bare = false;
    NetGuard c;
    require_failure(build(c.net, w, &p), SMALL_ERR_INVALID_ARGUMENT,
                    "differs at output channel 7");
  }
}

TEST_CASE("Packed int8 weights of another layout or size are refused at "
          "finalize",
          "[int8][api][packed][errors]") {
  const TestWeights w = make_weights();
  Packed good;
  {
    NetGuard a;
    require_ok(build(a.net, w, nullptr));
    good = read_packed(a.net);
  }
  SECTION("another channel block") {
    Packed p = good;
    p.layouts[2] ^= 1u << 18; // Cb differs
    NetGuard b;
    require_failure(build(b.net, w, &p), SMALL_ERR_INVALID_ARGUMENT,
                    "the weights are packed for Cb");
  }
  SECTION("another k-group") {
    Packed p = good;
    p.layouts[3] ^= 1u << 9;
    NetGuard b;
    require_failure(build(b.net, w, &p), SMALL_ERR_INVALID_ARGUMENT,
                    "pack them for this kernel configuration");
  }
  SECTION("depthwise weights given to a convolution") {
    Packed p = good;
    p.layouts[2] = good.layouts[1];
    NetGuard b;
    require_failure(build(b.net, w, &p), SMALL_ERR_INVALID_ARGUMENT,
                    "depthwise");
  }
  SECTION("not a layout tag") {
    Packed p = good;
    p.layouts[0] = 0x1234u;
    NetGuard b;
    require_failure(build(b.net, w, &p), SMALL_ERR_INVALID_ARGUMENT,
                    "is not a layout tag");
  }
  SECTION("one byte short") {
    Packed p = good;
    p.buffers[1].pop_back();
    NetGuard b;
    require_failure(build(b.net, w, &p), SMALL_ERR_INVALID_ARGUMENT,
                    "bytes of packed weights given");
  }
}

TEST_CASE("The packed int8 entry points check their arguments",
          "[int8][api][packed][errors]") {
  NetGuard g;
  const TestWeights w = make_weights();
  const std::vector<int8_t> buffer(64, 1);
  small_tensor x = -1, t = -1;
  require_ok(small_network_add_input_int8(g.net, 1, 20, 4, 4, kIn, &x));
  const small_conv2d_params p = conv_params(24, 1, 1);
  small_int8_packed_weights v = packed_view(w.conv2, buffer, 0);
  const small_activation none = small_activation_make(SMALL_ACT_NONE);

  require_failure(
      small_network_add_conv2d_int8_packed(nullptr, x, &p, &v, kOut, &t),
      SMALL_ERR_NULL_POINTER, "network");
  require_failure(
      small_network_add_conv2d_int8_packed(g.net, x, nullptr, &v, kOut, &t),
      SMALL_ERR_NULL_POINTER, "params");
  require_failure(
      small_network_add_conv2d_int8_packed(g.net, x, &p, nullptr, kOut, &t),
      SMALL_ERR_NULL_POINTER, "weights");
  require_failure(small_network_add_dense_int8_packed(g.net, x, 10, nullptr,
                                                      none, kOut, &t),
                  SMALL_ERR_NULL_POINTER, "weights");
  small_int8_packed_weights no_values = v;
  no_values.packed = nullptr;
  require_failure(
      small_network_add_conv2d_int8_packed(g.net, x, &p, &no_values, kOut, &t),
      SMALL_ERR_NULL_POINTER, "weights->packed");
  small_int8_packed_weights empty = v;
  empty.bytes = 0;
  require_failure(
      small_network_add_conv2d_int8_packed(g.net, x, &p, &empty, kOut, &t),
      SMALL_ERR_INVALID_ARGUMENT, "packed->bytes is 0");
  small_int8_packed_weights no_scales = v;
  no_scales.scales = nullptr;
  require_failure(small_network_add_dense_int8_packed(g.net, x, 10, &no_scales,
                                                      none, kOut, &t),
                  SMALL_ERR_NULL_POINTER, "scales");

  small_int8_packed_weights out;
  require_failure(small_network_packed_weights(g.net, 0, &out),
                  SMALL_ERR_INVALID_STATE, "finalize");
  require_failure(small_network_packed_weights(nullptr, 0, &out),
                  SMALL_ERR_NULL_POINTER, "network");
  require_failure(small_network_packed_weights(g.net, 0, nullptr),
                  SMALL_ERR_NULL_POINTER, "weights");

  NetGuard done;
  require_ok(build(done.net, w, nullptr));
  require_failure(small_network_packed_weights(done.net, 5, &out),
                  SMALL_ERR_NOT_FOUND, "layer index");
  small_tensor y = -1;
  require_failure(
      small_network_add_conv2d_int8_packed(done.net, 0, &p, &v, kOut, &y),
      SMALL_ERR_INVALID_STATE, "");
}

TEST_CASE("set_packing packs for a firmware target's kernel configuration",
          "[int8][api][packed]") {
  const TestWeights w = make_weights();
  const small_kernel_table &own = *small_kernels_active();
  // The Cortex-M4 build's configuration: Cb 8, k-group 4.
  NetGuard m4;
  require_ok(build(m4.net, w, nullptr, 8, 4));
  Packed p;
  small_int8_packed_weights conv2;
  require_ok(small_network_packed_weights(m4.net, 2, &conv2));
  // 1x1 conv, 20 -> 24 channels: 3 output blocks x 3 input blocks of
  // 8 x 8, input lanes in groups of 4 per output lane (kernel_contract.h).
  REQUIRE(conv2.bytes == 3 * 3 * 64);
  for (size_t k = 0; k < 24; ++k) {
    for (size_t c = 0; c < 20; ++c) {
      const size_t ob = k / 8, o = k % 8, b = c / 8, i = c % 8;
      const size_t at = ob * 3 * 64 + b * 64 + (i / 4) * 8 * 4 + o * 4 + i % 4;
      INFO("k " << k << " c " << c);
      REQUIRE(conv2.packed[at] == w.conv2.values[k * 20 + c]);
    }
  }
  small_int8_packed_weights first;
  require_ok(small_network_packed_weights(m4.net, 0, &first));
  // The RGB input is read 4 lanes per block (one dot-product group).
  CHECK((first.layout & 0xFFu) == 4u);
  CHECK((first.layout >> 16 & 0x7Fu) == 8u);
  CHECK((first.layout >> 8 & 0xFFu) == 4u);

  const bool own_config = own.channel_block == 8 && own.conv_i8_k_group == 4;
  if (!own_config) {
    std::vector<int8_t> input(3 * 8 * 8, 1), output(10, 0);
    const int8_t *ins[1] = {input.data()};
    int8_t *outs[1] = {output.data()};
    require_failure(
        small_network_run_int8(m4.net, ins, 1, outs, 1, SMALL_LAYOUT_NCHW),
        SMALL_ERR_UNSUPPORTED, "small_network_set_packing");
    // Weights packed for the Cortex-M4, given to this build: refused.
    Packed for_m4;
    for (size_t layer : {0u, 1u, 2u, 4u}) {
      small_int8_packed_weights v;
      require_ok(small_network_packed_weights(m4.net, layer, &v));
      for_m4.buffers.emplace_back(v.packed, v.packed + v.bytes);
      for_m4.layouts.push_back(v.layout);
    }
    NetGuard here;
    require_failure(build(here.net, w, &for_m4), SMALL_ERR_INVALID_ARGUMENT,
                    "the weights are packed for Cb 8, k-group 4");
  }

  // This build's own configuration: an ordinary network.
  std::vector<int8_t> want;
  {
    NetGuard plain;
    require_ok(build(plain.net, w, nullptr));
    want = run(plain.net);
  }
  NetGuard same;
  require_ok(build(same.net, w, nullptr,
                   static_cast<uint32_t>(own.channel_block),
                   static_cast<uint32_t>(own.conv_i8_k_group)));
  CHECK(run(same.net) == want);
}

TEST_CASE("set_packing checks its arguments", "[int8][api][packed][errors]") {
  NetGuard g;
  require_failure(small_network_set_packing(nullptr, 8, 4),
                  SMALL_ERR_NULL_POINTER, "network");
  for (uint32_t cb : {0u, 2u, 3u, 12u, 128u}) {
    require_failure(small_network_set_packing(g.net, cb, 1),
                    SMALL_ERR_INVALID_ARGUMENT, "channel_block");
  }
  for (uint32_t k_group : {0u, 3u, 16u}) {
    require_failure(small_network_set_packing(g.net, 8, k_group),
                    SMALL_ERR_INVALID_ARGUMENT, "k-group");
  }
  NetGuard done;
  require_ok(build(done.net, make_weights(), nullptr));
  require_failure(small_network_set_packing(done.net, 8, 4),
                  SMALL_ERR_INVALID_STATE, "");
}
