// The real, trained MLPerf Tiny models (models/mlperf_tiny): import, run,
// compare with ONNX Runtime's outputs within the tolerances of the models'
// README, and check the predicted class.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "golden_run.h"
#include "small/small.h"
#include "small/small_onnx.h"

#ifndef SMALL_ONNX_MODELS_DIR
#error "SMALL_ONNX_MODELS_DIR must point at models/mlperf_tiny"
#endif

namespace {

struct Case {
  const char *model;  // file stem
  const char *sample; // sample stem
  double atol, rtol;
  int label; // expected argmax, -1: none (autoencoder)
};

// Labels from the README: resnet8 cat(3)/airplane(0), dscnn on(5)/unknown
// (11), mobilenet_vww person(1)/no_person(0).
const Case kCases[] = {
    {"resnet8", "resnet8", 1e-5, 0, 3},
    {"resnet8", "resnet8.2", 1e-5, 0, 0},
    {"dscnn", "dscnn", 1e-5, 0, 5},
    {"dscnn", "dscnn.2", 1e-5, 0, 11},
    {"mobilenet_vww", "mobilenet_vww", 1e-5, 0, 1},
    {"mobilenet_vww", "mobilenet_vww.2", 1e-5, 0, 0},
    {"autoencoder", "autoencoder", 1e-2, 1e-4, -1},
};

} // namespace

TEST_CASE("MLPerf Tiny models match ONNX Runtime", "[onnx][models]") {
  for (const Case &c : kCases) {
    const std::string dir = SMALL_ONNX_MODELS_DIR;
    SECTION(c.sample) {
      small_network *net = nullptr;
      const std::string path = dir + "/" + c.model + ".onnx";
      const small_status s = small_onnx_load_file(path.c_str(), &net);
      INFO(small_onnx_last_error());
      REQUIRE(s == SMALL_OK);
      const std::vector<float> in =
          small_test::read_floats(dir + "/" + c.sample + ".input.bin");
      const std::vector<float> want =
          small_test::read_floats(dir + "/" + c.sample + ".expected.bin");
      small_test::check_golden_run(
          net, in, want, SMALL_LAYOUT_NCHW,
          {c.sample, "ONNX Runtime", c.atol, c.rtol, c.label});
      small_network_destroy(net);
    }
  }
}

TEST_CASE("NHWC input gives the same result as NCHW", "[onnx][models]") {
  const std::string dir = SMALL_ONNX_MODELS_DIR;
  small_network *net = nullptr;
  REQUIRE(small_onnx_load_file((dir + "/resnet8.onnx").c_str(), &net) ==
          SMALL_OK);
  const std::vector<float> in =
      small_test::read_floats(dir + "/resnet8.input.bin");
  std::vector<float> nhwc(in.size());
  for (size_t c = 0; c < 3; ++c) {
    for (size_t p = 0; p < 32 * 32; ++p) {
      nhwc[p * 3 + c] = in[c * 32 * 32 + p];
    }
  }
  std::vector<float> a(10), b(10);
  const float *ia[] = {in.data()}, *ib[] = {nhwc.data()};
  float *oa[] = {a.data()}, *ob[] = {b.data()};
  REQUIRE(small_network_run(net, ia, 1, oa, 1, SMALL_LAYOUT_NCHW) == SMALL_OK);
  REQUIRE(small_network_run(net, ib, 1, ob, 1, SMALL_LAYOUT_NHWC) == SMALL_OK);
  CHECK(a == b);
  small_network_destroy(net);
}

TEST_CASE("Layer table of resnet8", "[onnx][models]") {
  const std::string dir = SMALL_ONNX_MODELS_DIR;
  small_onnx_model *m = nullptr;
  REQUIRE(small_onnx_import_file((dir + "/resnet8.onnx").c_str(), nullptr,
                                 &m) == SMALL_OK);
  const size_t rows = small_onnx_model_layer_count(m);
  CHECK(rows == 22);
  size_t standalone = 0;
  for (size_t i = 0; i < rows; ++i) {
    small_onnx_layer_info li{};
    REQUIRE(small_onnx_model_layer(m, i, &li) == SMALL_OK);
    standalone += li.fused_into[0] == '\0';
  }
  size_t executed = 0;
  REQUIRE(small_network_layer_count(small_onnx_model_network(m), &executed) ==
          SMALL_OK);
  CHECK(standalone == executed); // the table predicts finalize's fusion
  small_onnx_layer_info first{};
  REQUIRE(small_onnx_model_layer(m, 0, &first) == SMALL_OK);
  CHECK(std::string(first.name) == "/conv2d/Conv");
  CHECK(std::string(first.op) == "conv2d");
  CHECK(std::string(first.fused_ops) == "Relu");
  CHECK(first.out_dims[1] == 16);
  CHECK(first.macs == 16ull * 32 * 32 * 3 * 9);
  CHECK(small_onnx_model_macs(m) == 12501632ull);
  CHECK(std::string(small_onnx_model_input_name(m, 0)) == "input");
  CHECK(std::string(small_onnx_model_output_name(m, 0)) == "output");
  int64_t d[4] = {0, 0, 0, 0};
  CHECK(small_onnx_model_output_dims(m, 0, d) == 2);
  CHECK(d[1] == 10);
  CHECK(small_onnx_model_input_dims(m, 0, d) == 4);
  CHECK((d[0] == 1 && d[1] == 3 && d[2] == 32 && d[3] == 32));
  CHECK(small_onnx_model_input_dims(m, 1, d) == 0);
  CHECK(small_onnx_model_input_dims(nullptr, 0, d) == 0);
  small_onnx_layer_info li{};
  CHECK(small_onnx_model_layer(m, rows, &li) == SMALL_ERR_NOT_FOUND);
  small_onnx_model_destroy(m);
}
