// Builds small .tflite flatbuffers in memory for the tests, with the
// builders flatc generated from importers/tflite/schema/tflite_subset.fbs
// (the same field ids as TFLite's schema, so these are valid TFLite files).
#ifndef SMALL_TESTS_TFLITE_MODEL_BUILDER_H
#define SMALL_TESTS_TFLITE_MODEL_BUILDER_H

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "tflite_subset_generated.h"

namespace tflite_test {

namespace fb = small_tflite::fb;

class ModelBuilder {
public:
  ModelBuilder() { buffers_.push_back(fb::CreateBuffer(b_)); }

  flatbuffers::FlatBufferBuilder &fbb() { return b_; }

  // A runtime float tensor; returns its index.
  int32_t runtime(const std::vector<int32_t> &shape, const std::string &name) {
    return tensor(shape, fb::TensorType::FLOAT32, 0, name);
  }
  // A constant float32 tensor.
  int32_t constant(const std::vector<int32_t> &shape,
                   const std::vector<float> &values, const std::string &name) {
    return tensor(shape, fb::TensorType::FLOAT32,
                  buffer(values.data(), values.size() * 4), name);
  }
  // A constant int32 tensor.
  int32_t constant_int(const std::vector<int32_t> &shape,
                       const std::vector<int32_t> &values,
                       const std::string &name) {
    return tensor(shape, fb::TensorType::INT32,
                  buffer(values.data(), values.size() * 4), name);
  }

  void op(fb::BuiltinOperator code, const std::vector<int32_t> &inputs,
          const std::vector<int32_t> &outputs,
          fb::BuiltinOptions type = fb::BuiltinOptions::NONE,
          flatbuffers::Offset<void> options = 0) {
    codes_.push_back(fb::CreateOperatorCode(
        b_,
        static_cast<int8_t>(static_cast<int32_t>(code) < 127
                                ? static_cast<int32_t>(code)
                                : 127),
        0, 1, code));
    ops_.push_back(
        fb::CreateOperatorDirect(b_, static_cast<uint32_t>(codes_.size() - 1),
                                 &inputs, &outputs, type, options));
  }

  // A SignatureDef of subgraph 0: (name, tensor index) pairs.
  using TensorNames = std::vector<std::pair<std::string, uint32_t>>;
  void signature(const std::string &key, const TensorNames &inputs,
                 const TensorNames &outputs) {
    auto maps = [&](const TensorNames &names) {
      std::vector<flatbuffers::Offset<fb::TensorMap>> v;
      for (const auto &n : names) {
        v.push_back(fb::CreateTensorMapDirect(b_, n.first.c_str(), n.second));
      }
      return v;
    };
    const auto in = maps(inputs), out = maps(outputs);
    signatures_.push_back(
        fb::CreateSignatureDefDirect(b_, &in, &out, key.c_str(), 0));
  }

  std::vector<uint8_t> finish(const std::vector<int32_t> &inputs,
                              const std::vector<int32_t> &outputs) {
    const auto graph = fb::CreateSubGraphDirect(b_, &tensors_, &inputs,
                                                &outputs, &ops_, "main");
    std::vector<flatbuffers::Offset<fb::SubGraph>> graphs{graph};
    const auto model = fb::CreateModelDirect(
        b_, 3, &codes_, &graphs, "test", &buffers_, nullptr, nullptr,
        signatures_.empty() ? nullptr : &signatures_);
    fb::FinishModelBuffer(b_, model);
    return std::vector<uint8_t>(b_.GetBufferPointer(),
                                b_.GetBufferPointer() + b_.GetSize());
  }

private:
  uint32_t buffer(const void *data, size_t bytes) {
    std::vector<uint8_t> v(bytes);
    std::memcpy(v.data(), data, bytes);
    buffers_.push_back(fb::CreateBufferDirect(b_, &v));
    return static_cast<uint32_t>(buffers_.size() - 1);
  }
  int32_t tensor(const std::vector<int32_t> &shape, fb::TensorType type,
                 uint32_t buf, const std::string &name) {
    tensors_.push_back(
        fb::CreateTensorDirect(b_, &shape, type, buf, name.c_str()));
    return static_cast<int32_t>(tensors_.size() - 1);
  }

  flatbuffers::FlatBufferBuilder b_;
  std::vector<flatbuffers::Offset<fb::Buffer>> buffers_;
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors_;
  std::vector<flatbuffers::Offset<fb::Operator>> ops_;
  std::vector<flatbuffers::Offset<fb::OperatorCode>> codes_;
  std::vector<flatbuffers::Offset<fb::SignatureDef>> signatures_;
};

} // namespace tflite_test

#endif
