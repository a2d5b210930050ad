// The ONNX importer: walks a parsed graph in topological order, hands each
// node to its lowering function (op_table.h), which describes SMaLL layers;
// each layer is built at once on the network through NetworkBuilder (the
// core infers its output shape, which later nodes need), and recorded in the
// format-neutral NetworkDescription.
#ifndef SMALL_ONNX_IMPORTER_H
#define SMALL_ONNX_IMPORTER_H

#include <onnx/onnx_pb.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "node_attributes.h"
#include "onnx_values.h"
#include "small/small_onnx.h"
#include "small_import/network_builder.h"
#include "small_import/network_description.h"

namespace small_onnx {

using small_import::TensorId;

// One row of the importer's layer table (small_onnx_layer_info).
struct LayerRow {
  TensorId tensor = 0;  // the description layer
  std::string name;     // ONNX node name
  std::string onnx_ops; // "Conv", "Add", "Flatten"...
  std::string op;       // SMaLL layer kind
  std::string fused_into;
  std::string fused_ops;
  uint32_t in_dims[4] = {0, 0, 0, 0};
  uint32_t out_dims[4] = {0, 0, 0, 0};
  uint64_t macs = 0;
};

struct ImportResult {
  small_network *network = nullptr; // owned by whoever holds the result
  small_import::NetworkDescription description;
  std::vector<LayerRow> layers;
  // The ONNX node each executed layer runs (the first of a fused chain), in
  // execution order; empty unless finalized.
  std::vector<std::string> executed_names;
  uint64_t macs = 0;
  bool finalized = false;
  // ONNX dims of the network inputs (batch resolved), in network order.
  std::vector<Dims> input_dims;
};

// Parses and imports; throws ImportError. `data` is a serialized ModelProto.
void import_model(const void *data, size_t size,
                  const small_onnx_options &options, ImportResult &out);

class Importer {
public:
  Importer(const small_onnx_options &options, ImportResult &out)
      : options_(options), out_(out) {}
  ~Importer();
  Importer(const Importer &) = delete;
  Importer &operator=(const Importer &) = delete;

  void run(const void *data, size_t size);

  // --- The node being lowered (for ops/*.cpp) ---
  const onnx::NodeProto &node() const { return *node_; }
  const NodeAttributes &attributes() const { return *attributes_; }
  int opset() const { return opset_; }
  uint64_t max_tensor_bytes() const { return options_.max_tensor_bytes; }
  // "node 'name' (Op)", or "graph" between nodes.
  std::string where() const;
  [[noreturn]] void node_fail(small_status s, const std::string &msg) const {
    fail(s, where() + ": " + msg);
  }

  bool has_input(int index) const {
    return index < node_->input_size() && !node_->input(index).empty();
  }
  // Input `index`, which must exist and be usable.
  const Value &input_value(int index) const;
  // ... and must be a runtime tensor / a constant of the given type.
  const Value &runtime_input(int index) const;
  std::shared_ptr<const Const> const_input(int index, bool want_int) const;
  void set_output(int index, Value v);
  void mark_extra_outputs_unusable(int first, const std::string &why);
  // Runtime dims SMaLL can hold (rank 1..4, each 1..2^32-1, size limit).
  void check_runtime_dims(const Dims &d, const std::string &who = "") const;

  // The canonical tensor of node input `index` (reshaping a view once;
  // later consumers reuse the result).
  TensorId materialize_input(int index) {
    return materialize(node_->input(index));
  }
  // v's tensor with the (c, h, w) split given (a reshape layer if needed).
  TensorId with_split(const Value &v, uint32_t c, uint32_t h, uint32_t w);
  // (n, c, h, w) of a tensor as the core inferred it.
  const uint32_t *shape_of(TensorId t) const {
    return out_.description.layers[t].output_dims;
  }
  // Describes and builds a layer for the current node; returns its tensor.
  TensorId add_layer(small_import::LayerParams params,
                     std::vector<TensorId> inputs);

private:
  void read_inputs(const onnx::GraphProto &g);
  void import_node();
  TensorId materialize(const std::string &name);
  void mark_outputs(const onnx::GraphProto &g);
  void build(TensorId id);

  const small_onnx_options &options_;
  ImportResult &out_;
  small_network *net_ = nullptr;
  std::unique_ptr<small_import::NetworkBuilder> builder_;
  int opset_ = 0;
  std::unordered_map<std::string, Value> values_;
  const onnx::NodeProto *node_ = nullptr;
  std::string node_name_;
  std::unique_ptr<NodeAttributes> attributes_;
};

} // namespace small_onnx

#endif
