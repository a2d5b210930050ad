// End-to-end tests of the MLPerf Tiny networks (examples/mlperf_tiny): each is
// built through the public C API from the weights in tests/goldens/, run, and
// compared with the output of the same network in PyTorch
// (tools/make_goldens.py).
//
// The fixture directory is $SMALL_GOLDENS_DIR, or tests/goldens next to this
// file's folder (from __FILE__, which CMake passes as an absolute path).
//
// Tolerances. PyTorch's float32 outputs differ from its float64 ones by at
// most 1.5e-7 (softmax outputs) and 1.4e-6 (autoencoder, values in [-2.5,
// 2.2]): see tests/goldens/README.md. SMaLL sums in a different order (blocked
// layouts, FMA), so it differs from PyTorch by float32 noise of that size.
//  - softmax outputs: |small - torch| <= 1e-5, about 70x that noise and
//    still 10^4 times smaller than the top-2 margins (>= 0.118), so the top
//    class must match too;
//  - autoencoder: |small - torch| <= 1e-4 + 1e-4 * |torch|: ten dense layers
//    of up to 640 inputs, magnitudes O(1), float32 noise ~1e-6.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "small/small.h"

// The builders: the small_mlperf_networks library (examples/mlperf_tiny).
#include "networks.h"

namespace {

const mlperf_net kNets[MLPERF_NET_COUNT] = {
    MLPERF_RESNET8, MLPERF_DSCNN, MLPERF_MOBILENET_V1, MLPERF_AUTOENCODER};

std::string goldens_dir() {
  const char *env = std::getenv("SMALL_GOLDENS_DIR");
  if (env != nullptr && *env != '\0') {
    return env;
  }
  std::string dir = __FILE__; // .../tests/unit/test_mlperf_goldens.cpp
  for (int up = 0; up < 2; ++up) {
    const size_t slash = dir.find_last_of("/\\");
    dir = slash == std::string::npos ? "." : dir.substr(0, slash);
  }
  return dir + "/goldens";
}

// A float32 little-endian file without header; empty if unreadable.
std::vector<float> read_f32(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(f)),
                                   std::istreambuf_iterator<char>());
  std::vector<float> out(bytes.size() / 4);
  for (size_t i = 0; i < out.size(); ++i) {
    const uint32_t u =
        uint32_t{bytes[4 * i]} | uint32_t{bytes[4 * i + 1]} << 8 |
        uint32_t{bytes[4 * i + 2]} << 16 | uint32_t{bytes[4 * i + 3]} << 24;
    std::memcpy(&out[i], &u, 4);
  }
  return out;
}

struct Golden {
  std::vector<float> weights, input, output;
};

Golden load_golden(const char *name) {
  const std::string base = goldens_dir() + "/" + name;
  Golden g;
  g.weights = read_f32(base + ".weights.bin");
  g.input = read_f32(base + ".input.bin");
  g.output = read_f32(base + ".output.bin");
  INFO("fixture " << base
                  << ".{weights,input,output}.bin (set "
                     "SMALL_GOLDENS_DIR to the tests/goldens folder)");
  REQUIRE(!g.weights.empty());
  REQUIRE(!g.input.empty());
  REQUIRE(!g.output.empty());
  return g;
}

// One line of tests/goldens/manifest.txt: what PyTorch counted.
struct ManifestEntry {
  uint64_t params = 0, macs = 0;
  uint32_t in[4] = {0, 0, 0, 0}, out[4] = {0, 0, 0, 0};
};

ManifestEntry manifest_entry(const char *name) {
  std::ifstream f(goldens_dir() + "/manifest.txt");
  std::string line;
  while (std::getline(f, line)) {
    std::istringstream s(line);
    std::string key;
    ManifestEntry e;
    if (!(s >> key) || key != name) {
      continue;
    }
    s >> e.params >> e.macs >> e.in[0] >> e.in[1] >> e.in[2] >> e.in[3] >>
        e.out[0] >> e.out[1] >> e.out[2] >> e.out[3];
    REQUIRE(s);
    return e;
  }
  FAIL("no line for " << name << " in " << goldens_dir() << "/manifest.txt");
  return {};
}

// Parameter counts by hand. BatchNorm is folded, so every convolution and
// dense layer has a bias.
constexpr uint64_t conv_params(uint64_t cin, uint64_t cout, uint64_t kh,
                               uint64_t kw) {
  return cout * cin * kh * kw + cout;
}
constexpr uint64_t depthwise_params(uint64_t c, uint64_t k) {
  return c * k * k + c;
}
constexpr uint64_t dense_params(uint64_t in, uint64_t out) {
  return out * in + out;
}

uint64_t expected_params(mlperf_net net) {
  switch (net) {
  case MLPERF_RESNET8:
    // Keras' summary of the MLPerf model says 78,666 with the 7 unfolded
    // BatchNorms (4 values x 240 channels = 960) included: 77,706 folded.
    return conv_params(3, 16, 3, 3) + 2 * conv_params(16, 16, 3, 3) +
           conv_params(16, 32, 3, 3) + conv_params(32, 32, 3, 3) +
           conv_params(16, 32, 1, 1) + conv_params(32, 64, 3, 3) +
           conv_params(64, 64, 3, 3) + conv_params(32, 64, 1, 1) +
           dense_params(64, 10);
  case MLPERF_DSCNN:
    return conv_params(1, 64, 10, 4) +
           4 * (depthwise_params(64, 3) + conv_params(64, 64, 1, 1)) +
           dense_params(64, 12);
  case MLPERF_MOBILENET_V1: {
    const uint64_t outs[13] = {16,  32,  32,  64,  64,  128, 128,
                               128, 128, 128, 128, 256, 256};
    uint64_t total = conv_params(3, 8, 3, 3), c = 8;
    for (uint64_t out : outs) {
      total += depthwise_params(c, 3) + conv_params(c, out, 1, 1);
      c = out;
    }
    return total + dense_params(256, 2);
  }
  case MLPERF_AUTOENCODER:
    return dense_params(640, 128) + 3 * dense_params(128, 128) +
           dense_params(128, 8) + dense_params(8, 128) +
           3 * dense_params(128, 128) + dense_params(128, 640);
  }
  return 0;
}

struct Built {
  small_network *net = nullptr;
  mlperf_net_info info{};
  Built() = default;
  Built(const Built &) = delete;
  Built &operator=(const Built &) = delete;
  ~Built() { small_network_destroy(net); }
};

// Builds `which` from the fixture weights and finalizes it.
void build(mlperf_net which, const std::vector<float> &weights, Built &b) {
  REQUIRE(small_network_create(&b.net) == SMALL_OK);
  mlperf_flat_weights flat;
  const small_status s = mlperf_build(
      which, b.net, mlperf_flat_source(&flat, weights.data(), weights.size()),
      &b.info);
  INFO(b.info.error);
  REQUIRE(s == SMALL_OK);
  REQUIRE(flat.used == weights.size());
  const small_status f = small_network_finalize(b.net);
  INFO(small_last_error());
  REQUIRE(f == SMALL_OK);
}

std::vector<float> run(small_network *net, const std::vector<float> &input,
                       small_layout layout, size_t out_size) {
  std::vector<float> out(out_size, std::nanf(""));
  const float *ins[1] = {input.data()};
  float *outs[1] = {out.data()};
  const small_status s = small_network_run(net, ins, 1, outs, 1, layout);
  INFO(small_last_error());
  REQUIRE(s == SMALL_OK);
  return out;
}

// NCHW (1, c, h, w) -> NHWC.
std::vector<float> to_nhwc(const std::vector<float> &x, const uint32_t s[4]) {
  const size_t c = s[1], h = s[2], w = s[3];
  std::vector<float> y(x.size());
  for (size_t ci = 0; ci < c; ++ci) {
    for (size_t hi = 0; hi < h; ++hi) {
      for (size_t wi = 0; wi < w; ++wi) {
        y[(hi * w + wi) * c + ci] = x[(ci * h + hi) * w + wi];
      }
    }
  }
  return y;
}

size_t argmax(const std::vector<float> &v) {
  return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

// Checks `got` against the golden with the tolerance of the file comment;
// returns the largest absolute difference.
double check_against_golden(mlperf_net which, const std::vector<float> &got,
                            const std::vector<float> &want) {
  REQUIRE(got.size() == want.size());
  const bool softmax = which != MLPERF_AUTOENCODER;
  double max_diff = 0.0;
  size_t bad = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double d = std::fabs(double{got[i]} - double{want[i]});
    const double tol = softmax ? 1e-5 : 1e-4 + 1e-4 * std::fabs(want[i]);
    if (!(d <= tol)) { // NaN-safe
      if (bad++ < 5) {
        UNSCOPED_INFO("element " << i << ": got " << got[i] << ", want "
                                 << want[i] << " (tolerance " << tol << ")");
      }
    }
    max_diff = std::isnan(d) ? INFINITY : std::max(max_diff, d);
  }
  CAPTURE(max_diff);
  CHECK(bad == 0);
  if (softmax) {
    CHECK(argmax(got) == argmax(want));
  }
  return max_diff;
}

} // namespace

TEST_CASE("MLPerf Tiny builders report the expected parameter counts, MACs "
          "and shapes",
          "[mlperf]") {
  for (mlperf_net which : kNets) {
    mlperf_net_info info;
    REQUIRE(mlperf_describe(which, &info) == SMALL_OK);
    INFO(info.name);
    CHECK(std::string(info.error).empty());
    const ManifestEntry m = manifest_entry(info.name);
    // Three independent counts: by hand, by PyTorch, by the builder.
    CHECK(info.params == expected_params(which));
    CHECK(info.params == m.params);
    CHECK(mlperf_param_count(which) == info.params);
    // MACs by PyTorch forward hooks on the same architecture.
    CHECK(info.macs == m.macs);
    for (int i = 0; i < 4; ++i) {
      CHECK(info.input_shape[i] == m.in[i]);
      CHECK(info.output_shape[i] == m.out[i]);
    }
    // The weight file holds exactly the parameters, nothing more.
    CHECK(read_f32(goldens_dir() + "/" + info.name + ".weights.bin").size() ==
          info.params);
  }
  // Published MLPerf Tiny figures: ResNet-8 12.5 M MACs, DS-CNN 2.7 M,
  // MobileNetV1-0.25 7.5 M, AutoEncoder 0.26 M.
  CHECK(mlperf_param_count(MLPERF_RESNET8) == 77706);
  mlperf_net_info r;
  REQUIRE(mlperf_describe(MLPERF_RESNET8, &r) == SMALL_OK);
  CHECK(r.macs == 12501632);
  CHECK(r.weighted_layers == 10);
  CHECK(mlperf_param_count(static_cast<mlperf_net>(99)) == 0);
  CHECK(mlperf_describe(MLPERF_DSCNN, nullptr) == SMALL_ERR_NULL_POINTER);
}

TEST_CASE("MLPerf Tiny networks match the PyTorch goldens", "[mlperf]") {
  for (mlperf_net which : kNets) {
    mlperf_net_info dry;
    REQUIRE(mlperf_describe(which, &dry) == SMALL_OK);
    INFO(dry.name);
    const Golden g = load_golden(dry.name);
    Built b;
    build(which, g.weights, b);
    CHECK(b.info.params == dry.params);
    CHECK(b.info.macs == dry.macs);

    uint32_t in_dims[4], out_dims[4];
    REQUIRE(small_network_input_shape(b.net, 0, in_dims) == SMALL_OK);
    REQUIRE(small_network_output_shape(b.net, 0, out_dims) == SMALL_OK);
    for (int i = 0; i < 4; ++i) {
      CHECK(in_dims[i] == dry.input_shape[i]);
      CHECK(out_dims[i] == dry.output_shape[i]);
    }
    REQUIRE(g.input.size() ==
            size_t{in_dims[0]} * in_dims[1] * in_dims[2] * in_dims[3]);

    const std::vector<float> nchw =
        run(b.net, g.input, SMALL_LAYOUT_NCHW, g.output.size());
    check_against_golden(which, nchw, g.output);

    {
      // NHWC input. The output is (c, 1, 1): the same memory order in NHWC.
      const std::vector<float> nhwc = run(b.net, to_nhwc(g.input, in_dims),
                                          SMALL_LAYOUT_NHWC, g.output.size());
      check_against_golden(which, nhwc, g.output);
      for (size_t i = 0; i < nhwc.size(); ++i) {
        INFO("element " << i);
        REQUIRE(nhwc[i] == Approx(nchw[i]).margin(1e-6));
      }
    }

    {
      // Firmware mode: a caller-provided arena.
      size_t bytes = 0, lower = 0;
      REQUIRE(small_network_arena_size(b.net, &bytes) == SMALL_OK);
      REQUIRE(small_network_arena_lower_bound(b.net, &lower) == SMALL_OK);
      CHECK(lower <= bytes);
      std::vector<unsigned char> arena(bytes + 64);
      REQUIRE(small_network_set_arena(b.net, arena.data(), arena.size()) ==
              SMALL_OK);
      const std::vector<float> again =
          run(b.net, g.input, SMALL_LAYOUT_NCHW, g.output.size());
      CHECK(again == nchw); // same kernels, same order: bit for bit
    }
  }
}

TEST_CASE("MLPerf Tiny builders reject a weight array of the wrong size",
          "[mlperf]") {
  const uint64_t params = mlperf_param_count(MLPERF_DSCNN);
  std::vector<float> weights(params + 1, 0.01f);

  SECTION("one float short: the build fails and names the layer") {
    small_network *net = nullptr;
    REQUIRE(small_network_create(&net) == SMALL_OK);
    mlperf_flat_weights flat;
    mlperf_net_info info;
    const small_status s = mlperf_build_dscnn(
        net, mlperf_flat_source(&flat, weights.data(), params - 1), &info);
    small_network_destroy(net);
    CHECK(s == SMALL_ERR_INVALID_ARGUMENT);
    const std::string error = info.error;
    CAPTURE(error);
    CHECK(error.find("dscnn layer 11 (dense)") != std::string::npos);
  }
  SECTION("one float too many: the build succeeds, `used` tells") {
    small_network *net = nullptr;
    REQUIRE(small_network_create(&net) == SMALL_OK);
    mlperf_flat_weights flat;
    mlperf_net_info info;
    const small_status s = mlperf_build_dscnn(
        net, mlperf_flat_source(&flat, weights.data(), weights.size()), &info);
    small_network_destroy(net);
    CHECK(s == SMALL_OK);
    CHECK(flat.used == params);
    CHECK(flat.size == params + 1);
  }
  SECTION("a source with no next function fails cleanly") {
    small_network *net = nullptr;
    REQUIRE(small_network_create(&net) == SMALL_OK);
    mlperf_weight_source none;
    none.next = nullptr;
    none.ctx = nullptr;
    CHECK(mlperf_build_autoencoder(net, none, nullptr) ==
          SMALL_ERR_INVALID_ARGUMENT);
    small_network_destroy(net);
  }
}
