// Reads a .tflite flatbuffer into plain C++ tables, checking everything the
// importer later relies on: the flatbuffers Verifier runs over the whole
// buffer before any field is read, then every index (operator code, tensor,
// buffer), shape, data size and quantization parameter is bounds-checked
// here, so the importer never indexes with a value from the file.
#ifndef SMALL_TFLITE_MODEL_READER_H
#define SMALL_TFLITE_MODEL_READER_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tensor_data.h"

namespace small_tflite {

namespace fb {
struct Operator;
}

struct OperatorInfo {
  int32_t code = 0;    // TFLite BuiltinOperator (32 = CUSTOM)
  std::string op_name; // "CONV_2D", "CUSTOM 'name'", "builtin operator 140"
  std::vector<int32_t> inputs;         // tensor indices; -1 = omitted optional
  std::vector<int32_t> outputs;        // tensor indices
  const fb::Operator *table = nullptr; // for the builtin options
};

// A SignatureDef of the subgraph: its key and, for each of its inputs and
// outputs, the signature's name and the position of the tensor among the
// subgraph's inputs (or outputs), which is the network's input (output)
// index.
struct SignatureInfo {
  std::string key;
  std::vector<std::pair<std::string, size_t>> inputs, outputs;
};

struct ModelInfo {
  // An aligned copy of the file: the tables below point into it.
  std::vector<uint64_t> storage;
  std::string subgraph_name;
  std::vector<TensorInfo> tensors;
  std::vector<OperatorInfo> operators;
  std::vector<int32_t> inputs, outputs; // subgraph inputs and outputs
  std::vector<SignatureInfo> signatures;
};

// Parses `size` bytes; throws ImportError (SMALL_ERR_PARSE for malformed
// files, SMALL_ERR_UNSUPPORTED for valid content SMaLL does not read).
void read_model(const void *data, size_t size, uint64_t max_tensor_bytes,
                ModelInfo &out);

// Whether the bytes carry TFLite's file identifier.
bool has_tflite_identifier(const void *data, size_t size);

} // namespace small_tflite

#endif
