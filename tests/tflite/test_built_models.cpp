// Small .tflite models built in memory: PAD into a convolution, a depthwise
// multiplier, an order-changing RESHAPE into FULLY_CONNECTED, each against a
// naive NHWC computation written here from TFLite's operator definitions;
// and refusals that must name what is wrong.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "small/small.h"
#include "small/small_tflite.h"
#include "tflite_model_builder.h"

using tflite_test::ModelBuilder;
namespace fb = small_tflite::fb;

namespace {

std::vector<float> ramp(size_t n, float scale, float offset) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) {
    v[i] = scale * static_cast<float>((i * 7919) % 23) + offset;
  }
  return v;
}

// Imports `bytes` and runs input x (NHWC); returns output 0.
std::vector<float> run(const std::vector<uint8_t> &bytes,
                       const std::vector<float> &x, size_t out_size) {
  small_network *net = nullptr;
  const small_status s =
      small_tflite_load_buffer(bytes.data(), bytes.size(), &net);
  INFO(small_tflite_last_error());
  REQUIRE(s == SMALL_OK);
  std::vector<float> y(out_size, NAN);
  const float *ins[1] = {x.data()};
  float *outs[1] = {y.data()};
  REQUIRE(small_network_run(net, ins, 1, outs, 1, SMALL_LAYOUT_NHWC) ==
          SMALL_OK);
  small_network_destroy(net);
  return y;
}

// TFLite CONV_2D / DEPTHWISE_CONV_2D on NHWC data with explicit padding:
// out[oy][ox][o] = bias[o] + sum x[oy*s+ky-pt][ox*s+kx-pl][ci] * w(...).
// depthwise: filter [1][KH][KW][C*M], output o reads channel o / M.
std::vector<double> naive_conv(const std::vector<float> &x, int h, int w, int c,
                               const std::vector<float> &filt, int out_c,
                               int kh, int kw, bool depthwise,
                               const std::vector<float> &bias, int stride,
                               int pt, int pl, int oh, int ow) {
  std::vector<double> y(static_cast<size_t>(oh * ow * out_c));
  for (int oy = 0; oy < oh; ++oy) {
    for (int ox = 0; ox < ow; ++ox) {
      for (int o = 0; o < out_c; ++o) {
        double acc = bias[o];
        for (int ky = 0; ky < kh; ++ky) {
          for (int kx = 0; kx < kw; ++kx) {
            const int iy = oy * stride + ky - pt, ix = ox * stride + kx - pl;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) {
              continue;
            }
            if (depthwise) {
              const int ci = o / (out_c / c);
              acc += double{x[(iy * w + ix) * c + ci]} *
                     filt[(ky * kw + kx) * out_c + o];
            } else {
              for (int ci = 0; ci < c; ++ci) {
                acc += double{x[(iy * w + ix) * c + ci]} *
                       filt[((o * kh + ky) * kw + kx) * c + ci];
              }
            }
          }
        }
        y[(oy * ow + ox) * out_c + o] = acc;
      }
    }
  }
  return y;
}

void check_close(const std::vector<float> &got,
                 const std::vector<double> &want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("element " << i);
    CHECK(std::abs(got[i] - want[i]) <= 1e-4 * (1 + std::abs(want[i])));
  }
}

} // namespace

TEST_CASE("PAD feeding CONV_2D folds into the convolution's padding",
          "[tflite][built]") {
  // [1,5,6,2] padded H (1, 2) and W (2, 0) -> [1,8,8,2]; 3x3 VALID conv,
  // stride 2 -> [1,3,3,3].
  ModelBuilder m;
  const int x = m.runtime({1, 5, 6, 2}, "x");
  const int pads = m.constant_int({4, 2}, {0, 0, 1, 2, 2, 0, 0, 0}, "pads");
  const int xp = m.runtime({1, 8, 8, 2}, "x_padded");
  const std::vector<float> filt = ramp(3 * 3 * 3 * 2, 0.1f, -1.0f);
  const std::vector<float> bias = {0.5f, -0.25f, 1.0f};
  const int w = m.constant({3, 3, 3, 2}, filt, "w");
  const int b = m.constant({3}, bias, "b");
  const int y = m.runtime({1, 3, 3, 3}, "y");
  m.op(fb::BuiltinOperator::PAD, {x, pads}, {xp});
  auto opts = fb::CreateConv2DOptions(m.fbb(), fb::Padding::VALID, 2, 2);
  m.op(fb::BuiltinOperator::CONV_2D, {xp, w, b}, {y},
       fb::BuiltinOptions::Conv2DOptions, opts.Union());
  const std::vector<float> in = ramp(5 * 6 * 2, 0.2f, -2.0f);
  const std::vector<float> got = run(m.finish({x}, {y}), in, 27);
  check_close(
      got, naive_conv(in, 5, 6, 2, filt, 3, 3, 3, false, bias, 2, 1, 2, 3, 3));
}

TEST_CASE("DEPTHWISE_CONV_2D with depth multiplier 2, SAME, stride 2",
          "[tflite][built]") {
  // [1,7,5,3] -> [1,4,3,6]; SAME pads (in 7, k 3, s 2): 1 top, 1 bottom;
  // (in 5): 1 left, 1 right.
  ModelBuilder m;
  const int x = m.runtime({1, 7, 5, 3}, "x");
  const std::vector<float> filt = ramp(3 * 3 * 6, 0.05f, -0.5f);
  const std::vector<float> bias = ramp(6, 0.1f, 0.0f);
  const int w = m.constant({1, 3, 3, 6}, filt, "w");
  const int b = m.constant({6}, bias, "b");
  const int y = m.runtime({1, 4, 3, 6}, "y");
  auto opts =
      fb::CreateDepthwiseConv2DOptions(m.fbb(), fb::Padding::SAME, 2, 2, 2);
  m.op(fb::BuiltinOperator::DEPTHWISE_CONV_2D, {x, w, b}, {y},
       fb::BuiltinOptions::DepthwiseConv2DOptions, opts.Union());
  const std::vector<float> in = ramp(7 * 5 * 3, 0.3f, -3.0f);
  const std::vector<float> got = run(m.finish({x}, {y}), in, 4 * 3 * 6);
  check_close(
      got, naive_conv(in, 7, 5, 3, filt, 6, 3, 3, true, bias, 2, 1, 1, 4, 3));
}

TEST_CASE("RESHAPE [1,2,3,4] -> [1,24] into FULLY_CONNECTED keeps NHWC order",
          "[tflite][built]") {
  ModelBuilder m;
  const int x = m.runtime({1, 2, 3, 4}, "x");
  const int shape = m.constant_int({2}, {1, 24}, "shape");
  const int flat = m.runtime({1, 24}, "flat");
  const std::vector<float> wv = ramp(5 * 24, 0.01f, -0.1f);
  const int w = m.constant({5, 24}, wv, "w");
  const int y = m.runtime({1, 5}, "y");
  m.op(fb::BuiltinOperator::RESHAPE, {x, shape}, {flat});
  m.op(fb::BuiltinOperator::FULLY_CONNECTED, {flat, w, -1}, {y});
  const std::vector<float> in = ramp(24, 0.5f, -4.0f);
  const std::vector<float> got = run(m.finish({x}, {y}), in, 5);
  std::vector<double> want(5, 0.0);
  for (int o = 0; o < 5; ++o) {
    for (int i = 0; i < 24; ++i) {
      want[o] += double{wv[o * 24 + i]} * in[i]; // TFLite's flat order
    }
  }
  check_close(got, want);
}

TEST_CASE("refusals name the operator or tensor and the reason",
          "[tflite][built]") {
  SECTION("an unsupported operator") {
    ModelBuilder m;
    const int a = m.runtime({1, 4}, "a");
    const int y = m.runtime({1, 4}, "y");
    m.op(fb::BuiltinOperator::MUL, {a, a}, {y});
    const std::vector<uint8_t> bytes = m.finish({a}, {y});
    small_network *net = nullptr;
    CHECK(small_tflite_load_buffer(bytes.data(), bytes.size(), &net) ==
          SMALL_ERR_UNSUPPORTED);
    const std::string msg = small_tflite_last_error();
    INFO(msg);
    CHECK(msg.find("operator 0 (MUL)") != std::string::npos);
    CHECK(msg.find("not supported") != std::string::npos);
  }
  SECTION("a tensor index out of range") {
    ModelBuilder m;
    const int a = m.runtime({1, 4}, "a");
    m.op(fb::BuiltinOperator::SOFTMAX, {a}, {7});
    const std::vector<uint8_t> bytes = m.finish({a}, {a});
    small_network *net = nullptr;
    CHECK(small_tflite_load_buffer(bytes.data(), bytes.size(), &net) ==
          SMALL_ERR_PARSE);
    const std::string msg = small_tflite_last_error();
    INFO(msg);
    CHECK(msg.find("tensor index 7 is out of range") != std::string::npos);
  }
  SECTION("a PAD that feeds something else than a convolution") {
    ModelBuilder m;
    const int x = m.runtime({1, 2, 2, 1}, "x");
    const int pads = m.constant_int({4, 2}, {0, 0, 1, 1, 1, 1, 0, 0}, "p");
    const int xp = m.runtime({1, 4, 4, 1}, "xp");
    const int y = m.runtime({1, 4, 4, 1}, "y");
    m.op(fb::BuiltinOperator::PAD, {x, pads}, {xp});
    m.op(fb::BuiltinOperator::SOFTMAX, {xp}, {y});
    const std::vector<uint8_t> bytes = m.finish({x}, {y});
    small_network *net = nullptr;
    CHECK(small_tflite_load_buffer(bytes.data(), bytes.size(), &net) ==
          SMALL_ERR_UNSUPPORTED);
    const std::string msg = small_tflite_last_error();
    INFO(msg);
    CHECK(msg.find("operator 1 (SOFTMAX)") != std::string::npos);
    CHECK(msg.find("PAD") != std::string::npos);
  }
  SECTION("not a flatbuffer") {
    const std::string junk = "0123TFL3 and then nothing that verifies";
    small_network *net = nullptr;
    CHECK(small_tflite_load_buffer(junk.data(), junk.size(), &net) ==
          SMALL_ERR_PARSE);
    CHECK(std::string(small_tflite_last_error()).find("verification") !=
          std::string::npos);
    CHECK(small_tflite_load_buffer(junk.data(), 3, &net) == SMALL_ERR_PARSE);
    CHECK(small_tflite_load_buffer(nullptr, 10, &net) ==
          SMALL_ERR_NULL_POINTER);
  }
}
