// The importer's tables of a model's inputs and outputs: TFLite dims in the
// model's own rank and shape_signature (a dynamic batch is -1), checked
// against the shapes the MLPerf Tiny models declare (models/
// mlperf_tiny_tflite/README.md).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "small/small.h"
#include "small/small_tflite.h"

namespace {

using Dims = std::vector<int64_t>;
using DimsFn = size_t (*)(const small_tflite_model *, size_t, int64_t[4]);

Dims dims_of(DimsFn fn, const small_tflite_model *model, size_t index) {
  int64_t d[4] = {0, 0, 0, 0};
  const size_t rank = fn(model, index, d);
  return Dims(d, d + rank);
}

small_tflite_model *import(const char *name) {
  const std::string path =
      std::string(SMALL_TFLITE_MODELS_DIR) + "/" + name + ".int8.tflite";
  small_tflite_model *m = nullptr;
  INFO(small_tflite_last_error());
  REQUIRE(small_tflite_import_file(path.c_str(), nullptr, &m) == SMALL_OK);
  return m;
}

} // namespace

TEST_CASE("input dims keep the model's rank", "[tflite]") {
  small_tflite_model *m = import("autoencoder");
  CHECK(dims_of(small_tflite_model_input_dims, m, 0) == Dims{1, 640});
  // ad01_int8.tflite was converted from Keras with a free batch.
  CHECK(dims_of(small_tflite_model_input_signature, m, 0) == Dims{-1, 640});
  CHECK(dims_of(small_tflite_model_output_signature, m, 0) == Dims{-1, 640});
  small_tflite_model_destroy(m);
  m = import("dscnn");
  CHECK(dims_of(small_tflite_model_input_dims, m, 0) == Dims{1, 49, 10, 1});
  CHECK(dims_of(small_tflite_model_output_dims, m, 0) == Dims{1, 12});
  small_tflite_model_destroy(m);
}

TEST_CASE("a dynamic batch is -1 in the signature and 1 in the dims",
          "[tflite]") {
  small_tflite_model *m = import("streaming_wakeword");
  CHECK(dims_of(small_tflite_model_input_dims, m, 0) == Dims{1, 30, 1, 40});
  CHECK(dims_of(small_tflite_model_input_signature, m, 0) ==
        Dims{-1, 30, 1, 40});
  CHECK(dims_of(small_tflite_model_output_dims, m, 0) == Dims{1, 3});
  CHECK(dims_of(small_tflite_model_output_signature, m, 0) == Dims{-1, 3});
  small_tflite_model_destroy(m);
}

TEST_CASE("input and output tables refuse bad indices and NULL", "[tflite]") {
  small_tflite_model *m = import("resnet8");
  int64_t d[4] = {7, 7, 7, 7};
  CHECK(small_tflite_model_input_dims(m, 1, d) == 0);
  CHECK(small_tflite_model_input_signature(m, 1, d) == 0);
  CHECK(small_tflite_model_output_signature(m, 1, d) == 0);
  CHECK(small_tflite_model_input_dims(nullptr, 0, d) == 0);
  CHECK(small_tflite_model_input_dims(m, 0, nullptr) == 0);
  CHECK(d[0] == 7);
  small_tflite_model_destroy(m);
}
