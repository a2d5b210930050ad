// Reading the parts of an ONNX ModelProto that are not operators: the
// protobuf itself, the default opset, tensors (initializers and Constant
// values), graph input shapes, and the order to visit the nodes in.
#ifndef SMALL_ONNX_MODEL_READER_H
#define SMALL_ONNX_MODEL_READER_H

#include <onnx/onnx_pb.h>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "onnx_values.h"

namespace small_onnx {

// The highest default-domain opset the importer knows.
constexpr int kMaxOpset = 17;

// Parses `data` into `model`; returns the default-domain opset.
int parse_model(const void *data, size_t size, onnx::ModelProto &model);

// Refuses negative dims and tensors above max_bytes (4-byte elements).
void check_dims_size(const Dims &d, const std::string &what,
                     uint64_t max_bytes);

// A float32 / int64 / int32 tensor as a constant; `what` names it in errors.
std::shared_ptr<Const> read_tensor(const onnx::TensorProto &t,
                                   const std::string &what, uint64_t max_bytes);

// The dims of a float32 runtime graph input; a symbolic axis 0 becomes
// `batch`. `what` names the input in errors.
Dims graph_input_dims(const onnx::ValueInfoProto &in, uint32_t batch,
                      const std::string &what);

// Node indices in an order where each node comes after the producers of its
// inputs (file order when already sorted). `defined(name)`: the value
// exists before any node runs (a node may not redefine it).
std::vector<int>
topological_order(const onnx::GraphProto &g,
                  const std::function<bool(const std::string &)> &defined);

} // namespace small_onnx

#endif
