// Results do not depend on the number of threads: every window layer (conv
// dense, grouped, depthwise, strided, dilated, padded, 1x1, planar input,
// batch > 1; Dense; max, average and global pooling; standalone BatchNorm),
// activation and add, and the four MLPerf Tiny networks give bitwise the
// same outputs on 1, 2 and 3 threads as on the calling thread alone, with
// every layer that can be split split (threadtest::eager_pool).
// Tagged [concurrency]: the ThreadSanitizer job runs these.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "networks.h"
#include "reference/test_util.h"
#include "small/small.h"
#include "unit/thread_test_util.h"

using testutil::Net;
using testutil::random_vector;
using testutil::Rng;

namespace {

small_conv2d_params conv(uint32_t out, uint32_t k, uint32_t stride,
                         uint32_t dilation, uint32_t groups,
                         small_activation_kind act) {
  small_conv2d_params p;
  small_conv2d_params_init(&p);
  p.out_channels = out;
  p.kernel_h = p.kernel_w = k;
  p.stride_h = p.stride_w = stride;
  p.dilation_h = p.dilation_w = dilation;
  p.groups = groups;
  p.padding_mode = SMALL_PADDING_SAME;
  p.activation = small_activation_make(act);
  return p;
}

std::vector<float> input_data(Rng &rng, const std::vector<uint32_t> &shape) {
  return random_vector(rng, size_t{shape[0]} * shape[1] * shape[2] * shape[3]);
}

// One convolution layer on an (n, c, h, w) input.
void check_conv(uint32_t n, uint32_t c, uint32_t h, uint32_t w,
                const small_conv2d_params &p) {
  Rng rng(11);
  Net net;
  const small_tensor x = net.input(n, c, h, w);
  const size_t weights =
      size_t{p.out_channels} * (c / p.groups) * p.kernel_h * p.kernel_w;
  net.output(net.conv2d(x, p, random_vector(rng, weights),
                        random_vector(rng, p.out_channels)));
  net.finalize();
  threadtest::check_same_on_all_thread_counts(net.get(),
                                              {input_data(rng, {n, c, h, w})});
}

} // namespace

TEST_CASE("convolutions give the same bits on any number of threads",
          "[threads][concurrency]") {
  SECTION("3x3 SAME, 20 -> 40 channels, ReLU") {
    check_conv(1, 20, 17, 19, conv(40, 3, 1, 1, 1, SMALL_ACT_RELU));
  }
  SECTION("5x5 stride 2 dilation 2") {
    check_conv(1, 16, 23, 21, conv(24, 5, 2, 2, 1, SMALL_ACT_NONE));
  }
  SECTION("grouped, 4 groups") {
    check_conv(1, 32, 12, 13, conv(48, 3, 1, 1, 4, SMALL_ACT_RELU6));
  }
  SECTION("depthwise 3x3 stride 2") {
    check_conv(1, 48, 25, 25, conv(48, 3, 2, 1, 48, SMALL_ACT_RELU));
  }
  SECTION("1x1 (planned as one long row)") {
    check_conv(1, 64, 9, 9, conv(72, 1, 1, 1, 1, SMALL_ACT_NONE));
  }
  SECTION("planar network input (3 channels)") {
    check_conv(1, 3, 32, 32, conv(16, 3, 1, 1, 1, SMALL_ACT_RELU));
  }
  SECTION("batch of 3") {
    check_conv(3, 8, 10, 11, conv(16, 3, 1, 1, 1, SMALL_ACT_NONE));
  }
}

TEST_CASE("dense, pooling, BatchNorm, add and activation give the same bits "
          "on any number of threads",
          "[threads][concurrency]") {
  Rng rng(5);
  Net net;
  const small_tensor x = net.input(2, 24, 14, 14);
  const small_tensor y = net.input(2, 24, 14, 14);
  small_pool2d_params max;
  small_pool2d_params_init(&max);
  max.kind = SMALL_POOL_MAX;
  max.kernel_h = max.kernel_w = 3;
  max.stride_h = max.stride_w = 2;
  net.output(net.pool2d(x, max));
  small_pool2d_params avg = max;
  avg.kind = SMALL_POOL_AVG;
  avg.stride_h = avg.stride_w = 1;
  avg.padding_mode = SMALL_PADDING_SAME;
  net.output(net.pool2d(x, avg));
  net.output(net.global_avgpool(y));
  net.output(net.batchnorm(y, random_vector(rng, 24, 0.5f, 1.5f),
                           random_vector(rng, 24), random_vector(rng, 24),
                           random_vector(rng, 24, 0.5f, 2.0f), 1e-3f));
  net.output(net.add(x, y, small_activation_make(SMALL_ACT_RELU)));
  net.output(net.activation(x, small_activation_make(SMALL_ACT_RELU6)));
  net.output(net.dense(y, 37, random_vector(rng, 37 * 24 * 14 * 14),
                       random_vector(rng, 37),
                       small_activation_make(SMALL_ACT_NONE)));
  net.finalize();
  threadtest::check_same_on_all_thread_counts(
      net.get(),
      {input_data(rng, {2, 24, 14, 14}), input_data(rng, {2, 24, 14, 14})});
}

namespace {

std::string goldens_dir() {
  const char *env = std::getenv("SMALL_GOLDENS_DIR");
  if (env != nullptr && *env != '\0') {
    return env;
  }
  std::string dir = __FILE__; // .../tests/unit/test_threads_bitwise.cpp
  for (int up = 0; up < 2; ++up) {
    dir = dir.substr(0, dir.find_last_of("/\\"));
  }
  return dir + "/goldens";
}

// A float32 file (the fixtures are little-endian, as is every target the
// tests run on).
std::vector<float> read_floats(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(f)),
                                std::istreambuf_iterator<char>());
  std::vector<float> out(bytes.size() / sizeof(float));
  std::memcpy(out.data(), bytes.data(), out.size() * sizeof(float));
  return out;
}

} // namespace

TEST_CASE("MLPerf Tiny networks give the same bits on any number of threads",
          "[threads][concurrency][mlperf]") {
  for (mlperf_net which : {MLPERF_RESNET8, MLPERF_DSCNN, MLPERF_MOBILENET_V1,
                           MLPERF_AUTOENCODER}) {
    mlperf_net_info info;
    REQUIRE(mlperf_describe(which, &info) == SMALL_OK);
    INFO(info.name);
    const std::string base = goldens_dir() + "/" + info.name;
    const std::vector<float> weights = read_floats(base + ".weights.bin");
    const std::vector<float> input = read_floats(base + ".input.bin");
    REQUIRE(weights.size() == info.params);
    Net net;
    mlperf_flat_weights flat;
    REQUIRE(
        mlperf_build(which, net.get(),
                     mlperf_flat_source(&flat, weights.data(), weights.size()),
                     &info) == SMALL_OK);
    net.finalize();
    threadtest::check_same_on_all_thread_counts(net.get(), {input});
  }
}
