// The five int8 MLPerf Tiny .tflite models (models/mlperf_tiny_tflite): every
// sample byte for byte against TFLite's reference integer arithmetic
// (*.int8.expected.bin, double rounding) and against LiteRT
// (*.int8.litert.bin, single rounding), on the calling thread and with
// every layer that can be split run on a pool of threads.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "api/threadpool_handle.h"
#include "sample_bytes.h"
#include "small/small.h"
#include "small/small_tflite.h"

namespace {

struct Sample {
  const char *model, *sample;
};

const Sample kSamples[] = {
    {"resnet8", "resnet8"},
    {"resnet8", "resnet8.2"},
    {"dscnn", "dscnn"},
    {"dscnn", "dscnn.2"},
    {"mobilenet_vww", "mobilenet_vww"},
    {"mobilenet_vww", "mobilenet_vww.2"},
    {"autoencoder", "autoencoder"},
    {"streaming_wakeword", "streaming_wakeword.class0"},
    {"streaming_wakeword", "streaming_wakeword.class1"},
    {"streaming_wakeword", "streaming_wakeword.class2"},
};

// Runs `sample` through `model` with the given rounding (on `pool` if not
// null); returns the number of output bytes that differ from `reference`.
size_t differing(const Sample &s, small_rounding rounding,
                 const char *reference, small_threadpool *pool = nullptr) {
  const std::string dir = SMALL_TFLITE_MODELS_DIR;
  const std::string path = dir + "/" + s.model + ".int8.tflite";
  small_tflite_options opt;
  small_tflite_options_init(&opt);
  opt.rounding = rounding;
  small_tflite_model *m = nullptr;
  const small_status st = small_tflite_import_file(path.c_str(), &opt, &m);
  INFO(small_tflite_last_error());
  REQUIRE(st == SMALL_OK);
  small_network *net = small_tflite_model_network(m);
  if (pool != nullptr) {
    REQUIRE(small_network_set_threadpool(net, pool) == SMALL_OK);
    size_t layers = 0, split = 0;
    REQUIRE(small_network_layer_count(net, &layers) == SMALL_OK);
    for (size_t i = 0; i < layers; ++i) {
      small_layer_info info;
      REQUIRE(small_network_layer_info(net, i, &info) == SMALL_OK);
      split += info.threads > 1 ? 1 : 0;
    }
    CHECK(split > 0);
  }
  const std::vector<int8_t> x =
      read_int8(dir + "/" + s.sample + ".int8.input.bin");
  const std::vector<int8_t> want =
      read_int8(dir + "/" + s.sample + ".int8." + reference + ".bin");
  small_dtype in_type, out_type;
  REQUIRE(small_network_input_type(net, 0, &in_type, nullptr) == SMALL_OK);
  REQUIRE(small_network_output_type(net, 0, &out_type, nullptr) == SMALL_OK);
  REQUIRE(in_type == SMALL_DTYPE_INT8);
  REQUIRE(out_type == SMALL_DTYPE_INT8);
  std::vector<int8_t> y(want.size(), 0x55);
  const int8_t *ins[1] = {x.data()};
  int8_t *outs[1] = {y.data()};
  REQUIRE(small_network_run_int8(net, ins, 1, outs, 1, SMALL_LAYOUT_NHWC) ==
          SMALL_OK);
  small_tflite_model_destroy(m);
  size_t diffs = 0;
  for (size_t k = 0; k < y.size(); ++k) {
    diffs += y[k] != want[k];
  }
  std::printf("tflite int8 %s (%s rounding) vs %s: %zu of %zu bytes differ\n",
              s.sample, rounding == SMALL_ROUNDING_SINGLE ? "single" : "double",
              reference, diffs, y.size());
  return diffs;
}

} // namespace

TEST_CASE("int8 models match TFLite's reference arithmetic byte for byte",
          "[tflite][int8][models]") {
  for (const Sample &s : kSamples) {
    SECTION(s.sample) {
      CHECK(differing(s, SMALL_ROUNDING_DOUBLE, "expected") == 0);
    }
  }
}

TEST_CASE("int8 models match LiteRT byte for byte with single rounding",
          "[tflite][int8][models]") {
  for (const Sample &s : kSamples) {
    SECTION(s.sample) {
      CHECK(differing(s, SMALL_ROUNDING_SINGLE, "litert") == 0);
    }
  }
}

TEST_CASE("int8 models give the same bytes with their layers split on threads",
          "[tflite][int8][models][threads]") {
  for (uint32_t threads : {2u, 3u}) {
    small_threadpool *pool = nullptr;
    const small_status st = small_threadpool_create(threads, &pool);
    if (st == SMALL_ERR_UNSUPPORTED) {
      return; // a build without threads (SMALL_THREADS=OFF)
    }
    REQUIRE(st == SMALL_OK);
    pool->pool.set_fork_join_ns(0); // split every layer that can be split
    for (const Sample &s : kSamples) {
      INFO(threads << " threads");
      CHECK(differing(s, SMALL_ROUNDING_DOUBLE, "expected", pool) == 0);
      CHECK(differing(s, SMALL_ROUNDING_SINGLE, "litert", pool) == 0);
    }
    REQUIRE(small_threadpool_destroy(pool) == SMALL_OK);
  }
}
