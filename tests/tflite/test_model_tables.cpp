// The importer's tables of a model's inputs and outputs: TFLite dims in the
// model's own rank and shape_signature (a dynamic batch is -1), checked
// against the shapes the MLPerf Tiny models declare (models/
// mlperf_tiny_tflite/README.md); and its SignatureDefs, on the one MLPerf
// Tiny model that has one and on models built in memory.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "small/small.h"
#include "small/small_tflite.h"
#include "tflite_model_builder.h"

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

TEST_CASE("the signature of a converted Keras model", "[tflite]") {
  small_tflite_model *m = import("streaming_wakeword");
  REQUIRE(small_tflite_model_signature_count(m) == 1);
  CHECK(std::string(small_tflite_model_signature_key(m, 0)) ==
        "serving_default");
  CHECK(small_tflite_model_signature_key(m, 1) == nullptr);
  small_tflite_signature_tensor t[2] = {{nullptr, 9}, {nullptr, 9}};
  CHECK(small_tflite_model_signature_tensors(m, 0, 0, t, 2) == 1);
  CHECK(std::string(t[0].name) == "input_1");
  CHECK(t[0].index == 0);
  CHECK(t[1].index == 9); // only the signature's one entry is written
  CHECK(small_tflite_model_signature_tensors(m, 0, 1, t, 2) == 1);
  CHECK(t[0].index == 0);
  CHECK(std::string(t[0].name).size() > 0);
  CHECK(small_tflite_model_signature_tensors(m, 1, 0, t, 2) == 0);
  CHECK(small_tflite_model_signature_tensors(m, 0, 0, nullptr, 0) == 1);
  small_tflite_model_destroy(m);
  m = import("resnet8");
  CHECK(small_tflite_model_signature_count(m) == 0);
  small_tflite_model_destroy(m);
}

namespace {

// Two inputs added together, one output, with the given signature.
std::vector<uint8_t>
two_input_model(const tflite_test::ModelBuilder::TensorNames &inputs,
                const tflite_test::ModelBuilder::TensorNames &outputs) {
  tflite_test::ModelBuilder b;
  const int32_t x = b.runtime({1, 4}, "x"), y = b.runtime({1, 4}, "y");
  const int32_t sum = b.runtime({1, 4}, "sum");
  b.op(tflite_test::fb::BuiltinOperator::ADD, {x, y}, {sum});
  b.signature("run", inputs, outputs);
  return b.finish({x, y}, {sum});
}

} // namespace

TEST_CASE("signature tensors map to network input and output indices",
          "[tflite]") {
  // Tensors 0 and 1 are the subgraph's inputs 0 and 1, tensor 2 its output.
  const auto bytes =
      two_input_model({{"second", 1}, {"first", 0}}, {{"total", 2}});
  small_tflite_model *m = nullptr;
  INFO(small_tflite_last_error());
  REQUIRE(small_tflite_import_buffer(bytes.data(), bytes.size(), nullptr, &m) ==
          SMALL_OK);
  REQUIRE(small_tflite_model_signature_count(m) == 1);
  CHECK(std::string(small_tflite_model_signature_key(m, 0)) == "run");
  small_tflite_signature_tensor t[2];
  REQUIRE(small_tflite_model_signature_tensors(m, 0, 0, t, 2) == 2);
  CHECK(std::string(t[0].name) == "second");
  CHECK(t[0].index == 1);
  CHECK(std::string(t[1].name) == "first");
  CHECK(t[1].index == 0);
  REQUIRE(small_tflite_model_signature_tensors(m, 0, 1, t, 2) == 1);
  CHECK(std::string(t[0].name) == "total");
  CHECK(t[0].index == 0);
  small_tflite_model_destroy(m);
}

TEST_CASE("a signature naming a tensor that is not a subgraph input or "
          "output is refused",
          "[tflite]") {
  // Tensor 2 is the output, not an input; tensor 7 does not exist.
  for (const auto &bytes : {two_input_model({{"x", 2}}, {{"sum", 2}}),
                            two_input_model({{"x", 0}}, {{"sum", 7}})}) {
    small_tflite_model *m = nullptr;
    CHECK(small_tflite_import_buffer(bytes.data(), bytes.size(), nullptr, &m) ==
          SMALL_ERR_PARSE);
    CHECK(m == nullptr);
    CHECK(std::string(small_tflite_last_error()).find("signature 'run'") !=
          std::string::npos);
  }
}
