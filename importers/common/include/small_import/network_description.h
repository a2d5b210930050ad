// A network as a model importer describes it, independent of the file format
// it came from: the ONNX and TFLite importers produce one, the code generator,
// the network builder and the benchmark's peer lowering consume one through
// LayerVisitor.
//
// Every layer produces exactly one tensor, and a tensor is named by the index
// of the layer that produces it (inputs are layers too), so a description is
// a plain list in execution order. Parameters are the public small_*_params
// structs of small.h, weights are in the layouts those calls take.
//
// Adding an operation: a params struct below, its entry in LayerParams, and
// one LayerVisitor method (each consumer implements it).
#ifndef SMALL_IMPORT_NETWORK_DESCRIPTION_H
#define SMALL_IMPORT_NETWORK_DESCRIPTION_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "small/small.h"

namespace small_import {

// Index of the producing layer in NetworkDescription::layers.
using TensorId = size_t;

struct InputParams {
  uint32_t dims[4] = {0, 0, 0, 0}; // (n, c, h, w)
  small_dtype dtype = SMALL_DTYPE_FLOAT32;
  small_quant quant{}; // int8 inputs
};
struct Conv2dParams {
  small_conv2d_params params{};
  std::vector<float> weights; // params.weight_layout order (OIHW or HWIO)
  std::vector<float> bias;    // empty: no bias
};
struct DenseParams {
  uint32_t out_features = 0;
  std::vector<float> weights; // [out][in], in in NCHW flatten order
  std::vector<float> bias;    // empty: no bias
  small_activation activation{};
};
struct Pool2dParams {
  small_pool2d_params params{};
};
struct GlobalAvgPoolParams {};
struct AddParams {
  small_activation activation{};
};
struct ConcatParams {};
struct ActivationParams {
  small_activation activation{};
};
struct SoftmaxParams {};
struct BatchNormParams {
  std::vector<float> gamma, beta, mean, var;
  float epsilon = 0.0f;
};
struct ReshapeParams {
  uint32_t c = 0, h = 0, w = 0;
};
struct FlattenParams {};

// int8 layers (TFLite's quantized operators): int8 weights with one scale
// per output channel (or one), an int32 bias, and each layer's output
// quantization; small.h's *_int8 calls.
struct Int8Weights {
  std::vector<int8_t> values; // the float weights' layout
  std::vector<float> scales;
  std::vector<int32_t> bias; // empty: no bias
};
struct Conv2dInt8Params {
  small_conv2d_params params{};
  Int8Weights weights;
  small_quant output{};
};
struct DenseInt8Params {
  uint32_t out_features = 0;
  Int8Weights weights; // [out][in], in in NCHW flatten order
  small_activation activation{};
  small_quant output{};
};
struct Pool2dInt8Params {
  small_pool2d_params params{};
  small_activation activation{};
};
struct GlobalAvgPoolInt8Params {
  small_quant output{};
};
struct AddInt8Params {
  small_activation activation{};
  small_quant output{};
};
struct ConcatInt8Params {
  small_quant output{};
};
struct SoftmaxInt8Params {
  float beta = 1.0f;
  small_quant output{};
};
struct QuantizeParams {
  small_quant output{};
};
struct DequantizeParams {};

using LayerParams =
    std::variant<InputParams, Conv2dParams, DenseParams, Pool2dParams,
                 GlobalAvgPoolParams, AddParams, ConcatParams, ActivationParams,
                 SoftmaxParams, BatchNormParams, ReshapeParams, FlattenParams,
                 Conv2dInt8Params, DenseInt8Params, Pool2dInt8Params,
                 GlobalAvgPoolInt8Params, AddInt8Params, ConcatInt8Params,
                 SoftmaxInt8Params, QuantizeParams, DequantizeParams>;

struct Layer {
  std::string name;       // the model's node name (untrusted text)
  std::string source_ops; // the model's op(s) this layer came from, "Conv"
  std::vector<TensorId> inputs;
  LayerParams params;
  // (n, c, h, w) of the output as the core inferred it when the importer
  // added the layer.
  uint32_t output_dims[4] = {0, 0, 0, 0};
};

struct NetworkDescription {
  std::string graph_name; // untrusted text
  std::vector<Layer> layers;
  std::vector<TensorId> outputs; // marked in this order
  // The model's names of the network inputs (InputParams layers, in order)
  // and outputs, and the outputs' dims in the model's own rank.
  std::vector<std::string> input_names, output_names;
  std::vector<std::vector<int64_t>> output_dims;
  // The order of the model's own input and output buffers: ONNX is NCHW,
  // TFLite NHWC (pass it to small_network_run).
  small_layout io_layout = SMALL_LAYOUT_NCHW;
  // How int8 layers round their requantization.
  small_rounding rounding = SMALL_ROUNDING_DOUBLE;
};

// One consumer of a description. Each method returns SMALL_OK to go on;
// anything else stops the walk and is returned by visit_network (the
// consumer keeps its own message).
class LayerVisitor {
public:
  virtual ~LayerVisitor() = default;
  virtual small_status visit(TensorId id, const Layer &layer,
                             const InputParams &p) = 0;
  virtual small_status visit(TensorId id, const Layer &layer,
                             const Conv2dParams &p) = 0;
  virtual small_status visit(TensorId id, const Layer &layer,
                             const DenseParams &p) = 0;
  virtual small_status visit(TensorId id, const Layer &layer,
                             const Pool2dParams &p) = 0;
  virtual small_status visit(TensorId id, const Layer &layer,
                             const GlobalAvgPoolParams &p) = 0;
  virtual small_status visit(TensorId id, const Layer &layer,
                             const AddParams &p) = 0;
  virtual small_status visit(TensorId id, const Layer &layer,
                             const ConcatParams &p) = 0;
  virtual small_status visit(TensorId id, const Layer &layer,
                             const ActivationParams &p) = 0;
  virtual small_status visit(TensorId id, const Layer &layer,
                             const SoftmaxParams &p) = 0;
  virtual small_status visit(TensorId id, const Layer &layer,
                             const BatchNormParams &p) = 0;
  virtual small_status visit(TensorId id, const Layer &layer,
                             const ReshapeParams &p) = 0;
  virtual small_status visit(TensorId id, const Layer &layer,
                             const FlattenParams &p) = 0;
  // int8 layers: consumers that do not handle them refuse them.
  virtual small_status visit(TensorId, const Layer &,
                             const Conv2dInt8Params &) {
    return SMALL_ERR_UNSUPPORTED;
  }
  virtual small_status visit(TensorId, const Layer &, const DenseInt8Params &) {
    return SMALL_ERR_UNSUPPORTED;
  }
  virtual small_status visit(TensorId, const Layer &,
                             const Pool2dInt8Params &) {
    return SMALL_ERR_UNSUPPORTED;
  }
  virtual small_status visit(TensorId, const Layer &,
                             const GlobalAvgPoolInt8Params &) {
    return SMALL_ERR_UNSUPPORTED;
  }
  virtual small_status visit(TensorId, const Layer &, const AddInt8Params &) {
    return SMALL_ERR_UNSUPPORTED;
  }
  virtual small_status visit(TensorId, const Layer &,
                             const ConcatInt8Params &) {
    return SMALL_ERR_UNSUPPORTED;
  }
  virtual small_status visit(TensorId, const Layer &,
                             const SoftmaxInt8Params &) {
    return SMALL_ERR_UNSUPPORTED;
  }
  virtual small_status visit(TensorId, const Layer &, const QuantizeParams &) {
    return SMALL_ERR_UNSUPPORTED;
  }
  virtual small_status visit(TensorId, const Layer &,
                             const DequantizeParams &) {
    return SMALL_ERR_UNSUPPORTED;
  }
  // Called after every layer, once per network output, in order.
  virtual small_status mark_output(TensorId tensor, size_t index) = 0;
};

// Dispatches layer `id` of `net` to the visitor method of its kind.
small_status visit_layer(const NetworkDescription &net, TensorId id,
                         LayerVisitor &visitor);
// Every layer in order, then every output.
small_status visit_network(const NetworkDescription &net,
                           LayerVisitor &visitor);

// Short name of a layer's kind ("conv2d", "dense", ...), as SMaLL calls it.
const char *layer_kind_name(const Layer &layer);

// Multiply-accumulates of a layer per run (conv2d, dense, batchnorm; 0 for
// the others), from its input and output dims. false when the count does
// not fit in 64 bits.
bool layer_macs(const Layer &layer, const uint32_t in_dims[4],
                const uint32_t out_dims[4], uint64_t *macs);

} // namespace small_import

#endif
