// The MLPerf Tiny reference .tflite models (models/mlperf_tiny_tflite):
// import, run on TFLite's NHWC buffers, compare with LiteRT's outputs within
// the tolerances of the models' README, and check the predicted class.
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
#include "small/small_tflite.h"

#ifndef SMALL_TFLITE_MODELS_DIR
#error "SMALL_TFLITE_MODELS_DIR must point at models/mlperf_tiny_tflite"
#endif

namespace {

struct Case {
  const char *model;  // file stem
  const char *sample; // sample stem
  double atol, rtol;
  int label; // expected argmax, -1: none (autoencoder)
};

// Tolerances: the softmax models within atol 1e-5 and the autoencoder
// within atol 1e-2 + rtol 1e-4 (its first layer is ill-conditioned), as the
// models' README recommends. dscnn.fp32.tflite is a hybrid model: SMaLL
// dequantizes its int8 weights at import and computes in float, while
// LiteRT's hybrid kernels also quantize the activations, so their outputs
// differ by up to ~1.4e-4 (the README's figure for ORT vs LiteRT): 5e-4.
// Labels: resnet8 cat (3) / airplane (0), dscnn on (5) / unknown (11),
// mobilenet_vww person (1) / no_person (0).
const Case kCases[] = {
    {"resnet8", "resnet8", 1e-5, 0, 3},
    {"resnet8", "resnet8.2", 1e-5, 0, 0},
    {"dscnn", "dscnn", 5e-4, 0, 5},
    {"dscnn", "dscnn.2", 5e-4, 0, 11},
    {"mobilenet_vww", "mobilenet_vww", 1e-5, 0, 1},
    {"mobilenet_vww", "mobilenet_vww.2", 1e-5, 0, 0},
    {"autoencoder", "autoencoder", 1e-2, 1e-4, -1},
};

} // namespace

TEST_CASE("fp32 MLPerf Tiny .tflite models match LiteRT", "[tflite][models]") {
  const std::string dir = SMALL_TFLITE_MODELS_DIR;
  for (const Case &c : kCases) {
    SECTION(c.sample) {
      const std::string path = dir + "/" + c.model + ".fp32.tflite";
      small_network *net = nullptr;
      const small_status s = small_tflite_load_file(path.c_str(), &net);
      INFO(small_tflite_last_error());
      REQUIRE(s == SMALL_OK);
      const std::vector<float> x =
          small_test::read_floats(dir + "/" + c.sample + ".fp32.input.bin");
      const std::vector<float> want =
          small_test::read_floats(dir + "/" + c.sample + ".fp32.litert.bin");
      small_test::check_golden_run(
          net, x, want, SMALL_LAYOUT_NHWC,
          {c.sample, "LiteRT", c.atol, c.rtol, c.label});
      small_network_destroy(net);
    }
  }
}

TEST_CASE("the importer's tables describe an imported model",
          "[tflite][models]") {
  const std::string path =
      std::string(SMALL_TFLITE_MODELS_DIR) + "/dscnn.fp32.tflite";
  small_tflite_model *m = nullptr;
  REQUIRE(small_tflite_import_file(path.c_str(), nullptr, &m) == SMALL_OK);
  CHECK(std::string(small_tflite_model_input_name(m, 0)) == "input_1");
  CHECK(std::string(small_tflite_model_output_name(m, 0)) == "Identity");
  CHECK(small_tflite_model_input_name(m, 1) == nullptr);
  int64_t dims[4] = {0, 0, 0, 0};
  REQUIRE(small_tflite_model_output_dims(m, 0, dims) == 2);
  CHECK(dims[0] == 1);
  CHECK(dims[1] == 12);
  // conv, 4 x (depthwise + conv), avgpool, dense, softmax; the reshape into
  // the dense is a view (no layer).
  REQUIRE(small_tflite_model_layer_count(m) == 12);
  small_tflite_layer_info li;
  REQUIRE(small_tflite_model_layer(m, 0, &li) == SMALL_OK);
  CHECK(std::string(li.tflite_ops) == "CONV_2D");
  CHECK(std::string(li.op) == "conv2d");
  CHECK(li.out_dims[1] == 64);
  CHECK(li.out_dims[2] == 25);
  CHECK(li.out_dims[3] == 5);
  // 10x4 filter, 1 input channel, 64 x 25 x 5 outputs.
  CHECK(li.macs == 64u * 25 * 5 * 10 * 4);
  CHECK(small_tflite_model_layer(m, 12, &li) == SMALL_ERR_NOT_FOUND);
  CHECK(small_tflite_model_macs(m) > 0);
  small_tflite_model_destroy(m);
}
