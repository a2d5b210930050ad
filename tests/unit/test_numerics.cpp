// The accuracy contract of docs/numerics.md for the long float reductions:
// global average pooling over large maps with a large common offset and
// softmax over many channels, against float64 computed here from the same
// float32 inputs, and the blocked pairwise sum's bound itself.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "pairwise_sum.h"
#include "small/small.h"

namespace {

constexpr double kUnitRoundoff = 1.0 / (1 << 24);

// gamma_d = d u / (1 - d u): the bound on d accumulated roundings.
double rounding_gamma(double d) {
  return d * kUnitRoundoff / (1.0 - d * kUnitRoundoff);
}

// How many roundings a term of a pairwise_sum.h sum of n terms goes through.
double pairwise_bound_units(size_t n) {
  const size_t blocks = (n + small::kSumBlock - 1) / small::kSumBlock;
  if (blocks == 0) {
    return 0.0;
  }
  return static_cast<double>(small::kSumBlock - 1) +
         std::ceil(std::log2(static_cast<double>(blocks)));
}

struct NetworkHandle {
  small_network *p = nullptr;
  NetworkHandle() { REQUIRE(small_network_create(&p) == SMALL_OK); }
  ~NetworkHandle() { small_network_destroy(p); }
  NetworkHandle(const NetworkHandle &) = delete;
  NetworkHandle &operator=(const NetworkHandle &) = delete;
};

// Runs input (1, c, h, w) -> one layer added by `add` -> output, NCHW.
template <class AddLayer>
std::vector<float> run_layer(uint32_t c, uint32_t h, uint32_t w,
                             const std::vector<float> &x, size_t out_count,
                             AddLayer add) {
  NetworkHandle net;
  small_tensor in = -1, out = -1;
  REQUIRE(small_network_add_input(net.p, 1, c, h, w, &in) == SMALL_OK);
  REQUIRE(add(net.p, in, &out) == SMALL_OK);
  REQUIRE(small_network_mark_output(net.p, out) == SMALL_OK);
  REQUIRE(small_network_finalize(net.p) == SMALL_OK);
  std::vector<float> y(out_count);
  const float *ins[1] = {x.data()};
  float *outs[1] = {y.data()};
  REQUIRE(small_network_run(net.p, ins, 1, outs, 1, SMALL_LAYOUT_NCHW) ==
          SMALL_OK);
  return y;
}

} // namespace

TEST_CASE("the blocked pairwise sum meets its bound", "[numerics][pairwise]") {
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> noise(-1.0f, 1.0f);
  for (size_t n : {0, 1, 7, 8, 9, 64, 1000, 65537, 1000000}) {
    std::vector<float> x(n);
    double exact = 0.0, magnitude = 0.0;
    for (float &v : x) {
      v = 1000.0f + noise(rng);
      exact += v;
      magnitude += std::fabs(v);
    }
    auto sum =
        small::pairwise_sum<float>([](float a, float b) { return a + b; });
    for (size_t i = 0; i < n; i += small::kSumBlock) {
      float block = 0.0f;
      for (size_t k = i; k < n && k < i + small::kSumBlock; ++k) {
        block += x[k];
      }
      sum.push(block);
    }
    const double got = sum.total(0.0f);
    INFO("n " << n << " got " << got << " float64 " << exact);
    // The float64 sum of these n < 2^29 floats is exact to far below u.
    CHECK(std::fabs(got - exact) <=
          rounding_gamma(pairwise_bound_units(n)) * magnitude);
  }
}

TEST_CASE("global average pooling stays within 2e-6 of float64 on large maps",
          "[numerics][pool]") {
  struct Map {
    uint32_t h, w;
  };
  const uint32_t channels = 3; // a partial channel block on every ISA
  for (const Map m : {Map{13, 1931}, Map{300, 300}, Map{1000, 1000}}) {
    const size_t plane = size_t{m.h} * m.w;
    std::mt19937 rng(m.h * 7919u + m.w);
    std::normal_distribution<float> noise(0.0f, 1.0f);
    std::vector<float> x(channels * plane);
    // A large common offset per channel (as a convolution's output with a
    // large bias), of either sign.
    const float offsets[channels] = {1000.0f, -37.5f, 0.25f};
    for (uint32_t c = 0; c < channels; ++c) {
      for (size_t i = 0; i < plane; ++i) {
        x[c * plane + i] = offsets[c] + noise(rng);
      }
    }
    const std::vector<float> y =
        run_layer(channels, m.h, m.w, x, channels,
                  [](small_network *n, small_tensor in, small_tensor *out) {
                    return small_network_add_global_avgpool(n, in, out);
                  });
    for (uint32_t c = 0; c < channels; ++c) {
      double sum = 0.0, magnitude = 0.0;
      for (size_t i = 0; i < plane; ++i) {
        sum += x[c * plane + i];
        magnitude += std::fabs(x[c * plane + i]);
      }
      const double mean = sum / static_cast<double>(plane);
      const double error = std::fabs(y[c] - mean);
      // The contract: the sum's pairwise bound, plus the product by the
      // rounded 1/n (2u), relative to the mean of |x|.
      const double bound = rounding_gamma(pairwise_bound_units(plane) + 2.0) *
                           magnitude / static_cast<double>(plane);
      INFO(m.h << "x" << m.w << " channel " << c << " got " << y[c]
               << " float64 " << mean << " error " << error << " bound "
               << bound);
      CHECK(error <= bound);
      if (c == 0) { // the criterion, on the offset-dominated channel
        const double relative = error / std::fabs(mean);
        std::printf("global average pool %ux%u, offset 1000: relative error "
                    "%.3g\n",
                    m.h, m.w, relative);
        CHECK(relative <= 2e-6);
      }
    }
  }
}

TEST_CASE("windowed average pooling over a large window meets the contract",
          "[numerics][pool]") {
  const uint32_t h = 120, w = 200, k = 100;
  std::mt19937 rng(17);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  std::vector<float> x(size_t{h} * w);
  for (float &v : x) {
    v = 500.0f + noise(rng);
  }
  const uint32_t oh = (h - k) / 10 + 1, ow = (w - k) / 10 + 1;
  const std::vector<float> y =
      run_layer(1, h, w, x, size_t{oh} * ow,
                [&](small_network *n, small_tensor in, small_tensor *out) {
                  small_pool2d_params p;
                  small_pool2d_params_init(&p);
                  p.kind = SMALL_POOL_AVG;
                  p.kernel_h = p.kernel_w = k;
                  p.stride_h = p.stride_w = 10;
                  return small_network_add_pool2d(n, in, &p, out);
                });
  const double bound_units = pairwise_bound_units(size_t{k} * k) + 2.0;
  for (uint32_t i = 0; i < oh; ++i) {
    for (uint32_t j = 0; j < ow; ++j) {
      double sum = 0.0, magnitude = 0.0;
      for (uint32_t r = 0; r < k; ++r) {
        for (uint32_t s = 0; s < k; ++s) {
          const float v = x[size_t{i * 10 + r} * w + j * 10 + s];
          sum += v;
          magnitude += std::fabs(v);
        }
      }
      const double mean = sum / (double{k} * k);
      INFO("output (" << i << ", " << j << ")");
      CHECK(std::fabs(y[i * ow + j] - mean) <=
            rounding_gamma(bound_units) * magnitude / (double{k} * k));
    }
  }
}

TEST_CASE("softmax over many channels meets the contract",
          "[numerics][softmax]") {
  const uint32_t channels = 50000;
  std::mt19937 rng(23);
  std::uniform_real_distribution<float> logits(-2.0f, 2.0f);
  std::vector<float> x(channels);
  for (float &v : x) {
    v = logits(rng);
  }
  const std::vector<float> y =
      run_layer(channels, 1, 1, x, channels,
                [](small_network *n, small_tensor in, small_tensor *out) {
                  return small_network_add_softmax(n, in, out);
                });
  const double max_value = *std::max_element(x.begin(), x.end());
  std::vector<double> e(channels);
  double sum = 0.0;
  for (uint32_t c = 0; c < channels; ++c) {
    e[c] = std::exp(double{x[c]} - max_value);
    sum += e[c];
  }
  // docs/numerics.md: x - max rounds by at most |x - max| u, which exp
  // carries over as a relative error; expf is within 2u; the sum adds its
  // pairwise bound (and the terms' errors, at most the largest one); the
  // reciprocal and the product u each.
  const double widest = max_value - *std::min_element(x.begin(), x.end());
  const double common_units = pairwise_bound_units(channels) + widest + 6.0;
  for (uint32_t c = 0; c < channels; ++c) {
    const double want = e[c] / sum;
    const double bound_units = common_units + (max_value - x[c]);
    INFO("channel " << c << " got " << y[c] << " float64 " << want);
    REQUIRE(std::fabs(y[c] - want) <= rounding_gamma(bound_units) * want);
  }
}
