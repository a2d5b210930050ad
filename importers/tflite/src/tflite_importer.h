// The TFLite importer: walks the subgraph's operators in their stored
// (execution) order and hands each to its lowering function (op_table.h),
// which describes SMaLL layers; each layer is built at once through
// NetworkBuilder (the core infers its output shape, which the next operator
// needs) and recorded in the format-neutral NetworkDescription.
#ifndef SMALL_TFLITE_IMPORTER_H
#define SMALL_TFLITE_IMPORTER_H

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "model_reader.h"
#include "small/small_tflite.h"
#include "small_import/network_builder.h"
#include "small_import/network_description.h"
#include "tflite_subset_generated.h"

namespace small_tflite {

using small_import::TensorId;

// One row of the importer's layer table (small_tflite_layer_info).
struct LayerRow {
  std::string name, tflite_ops, op;
  uint32_t in_dims[4] = {0, 0, 0, 0};
  uint32_t out_dims[4] = {0, 0, 0, 0};
  uint64_t macs = 0;
};

struct ImportResult {
  small_network *network = nullptr; // owned by whoever holds the result
  small_import::NetworkDescription description;
  std::vector<LayerRow> layers;
  uint64_t macs = 0;
  // TFLite dims (batch resolved) of the inputs, and shape_signature of the
  // inputs and outputs (-1 for a dynamic batch), in network order.
  std::vector<Dims> input_dims, input_signatures, output_signatures;
  // The model's SignatureDefs (tensors as network input/output indices).
  std::vector<SignatureInfo> signatures;
};

// A runtime tensor of the model as the importer holds it.
struct Value {
  bool defined = false;
  TensorId tensor = 0; // the description tensor with its data
  Dims dims;           // TFLite dims
  // The data is the core tensor's in NHWC order of its own (c, h, w), not
  // in the canonical mapping of `dims` (a RESHAPE that moves elements
  // between SMaLL's NCHW order and TFLite's): only FULLY_CONNECTED, which
  // permutes its weights instead, may read it.
  bool nhwc_view = false;
  // Zeros a PAD added around H and W (top, bottom, left, right), still to
  // be applied by the convolution that reads this value.
  uint32_t pad[4] = {0, 0, 0, 0};
  bool padded() const { return pad[0] || pad[1] || pad[2] || pad[3]; }
};

// What a lowering accepts in a runtime input besides a plain tensor.
enum Accept : unsigned { kPlain = 0, kPadded = 1, kNhwcView = 2 };

// Parses and imports; throws ImportError.
void import_model(const void *data, size_t size,
                  const small_tflite_options &options, ImportResult &out);

class Importer {
public:
  Importer(const small_tflite_options &options, ImportResult &out)
      : options_(options), out_(out) {}
  ~Importer();
  Importer(const Importer &) = delete;
  Importer &operator=(const Importer &) = delete;

  void run(const void *data, size_t size);

  // --- The operator being lowered (for ops/*.cpp) ---
  const OperatorInfo &op() const { return *op_; }
  // "operator 3 (CONV_2D)".
  std::string where() const;
  [[noreturn]] void op_fail(small_status s, const std::string &msg) const {
    fail(s, where() + ": " + msg);
  }
  // Requires between min and max inputs (trailing omitted ones allowed)
  // and exactly `outputs` outputs.
  void expect_io(size_t min_inputs, size_t max_inputs, size_t outputs = 1);
  bool has_input(size_t k) const {
    return k < op_->inputs.size() && op_->inputs[k] >= 0;
  }
  const TensorInfo &input_tensor(size_t k) const;
  const TensorInfo &output_tensor(size_t k = 0) const;
  // Input k as a runtime float tensor; `accept` lists the pending views
  // the lowering can handle (anything else is refused here).
  const Value &runtime_input(size_t k, unsigned accept = kPlain) const;
  // Input k as constant floats (float32, float16 widened, int8 weights
  // dequantized: "hybrid" models), or as constant integers.
  std::vector<float> constant_floats(size_t k, const std::string &what) const;
  std::vector<int64_t> constant_ints(size_t k, const std::string &what) const;
  // Records folded constant data for output 0 (a DEQUANTIZE of weights).
  void set_constant_output(std::vector<float> values);
  // The builtin options, which must be of type T when present.
  template <typename T> const T *options() const {
    const auto type = op_->table->builtin_options_type();
    if (type != fb::BuiltinOptions::NONE &&
        type != fb::BuiltinOptionsTraits<T>::enum_value) {
      op_fail(SMALL_ERR_PARSE, "its builtin options are of type " +
                                   std::to_string(static_cast<int>(type)) +
                                   ", not the ones this operator takes");
    }
    return op_->table->builtin_options_as<T>();
  }
  // A fused activation as SMaLL's.
  small_activation activation(fb::ActivationFunctionType f) const;

  // --- int8 operators ---
  // Whether input k is an INT8 runtime tensor (the operator runs in int8).
  bool int8_input(size_t k) const { return input_tensor(k).type == kInt8; }
  // The per-tensor quantization of input k / output 0 (INT8, one scale).
  small_quant input_quant(size_t k) const;
  small_quant output_quant() const;
  // The int8 weights of input `w` (file layout), their per-channel scales
  // and the INT32 bias of input `bias` when present.
  small_import::Int8Weights int8_weights(size_t w, size_t bias,
                                         uint32_t out_channels) const;

  // (n, c, h, w) of a description tensor as the core inferred it.
  const uint32_t *shape_of(TensorId t) const {
    return out_.description.layers[t].output_dims;
  }
  // Describes and builds a layer for the current operator (its output
  // tensor's name; `source_ops` defaults to the operator's name).
  TensorId add_layer(small_import::LayerParams params,
                     std::vector<TensorId> inputs,
                     const std::string &source_ops = "");
  // Output 0 is `v`; its dims must be those the model declares, and a
  // plain value's core shape their canonical mapping.
  void set_output(Value v);
  // Output 0 is the tensor `t` with the model's declared dims.
  void set_output(TensorId t);

private:
  void read_inputs();
  void import_operator();
  void mark_outputs();
  void build(TensorId id);

  const small_tflite_options &options_;
  ImportResult &out_;
  ModelInfo model_;
  small_network *net_ = nullptr;
  std::unique_ptr<small_import::NetworkBuilder> builder_;
  std::vector<Value> values_;                // per model tensor
  std::map<int, std::vector<float>> folded_; // constants computed at import
  const OperatorInfo *op_ = nullptr;
  size_t op_index_ = 0;
};

// (n, c, h, w) of TFLite dims: [N,H,W,C] -> (N,C,H,W), [N,C] -> (N,C,1,1),
// [C] -> (1,C,1,1). false for other ranks or dims outside 1..2^32-1.
bool canonical(const Dims &d, uint32_t out[4]);

} // namespace small_tflite

#endif
