// Builds a description's layers on a small_network through the public C API.
// An importer feeds it one layer at a time (it needs each output's shape,
// which the core infers, before it can describe the next layer); a whole
// description can also be replayed with visit_network.
#ifndef SMALL_IMPORT_NETWORK_BUILDER_H
#define SMALL_IMPORT_NETWORK_BUILDER_H

#include <string>
#include <vector>

#include "small_import/network_description.h"

namespace small_import {

class NetworkBuilder final : public LayerVisitor {
public:
  // Adds to `network` (not owned).
  explicit NetworkBuilder(small_network *network) : network_(network) {}

  // The core tensor that holds description tensor `id`.
  small_tensor core_tensor(TensorId id) const { return core_[id]; }
  // Name of the C API function that failed last ("" if none); the core's
  // small_last_error() holds its message.
  const char *failed_call() const { return failed_call_; }

  // What an importer does for each layer it describes: adds layer `id` of
  // `description` to the network and records its output shape (inferred
  // by the core) in the layer. Throws ImportError "where: call failed:
  // message" (import_error.h).
  void build(NetworkDescription &description, TensorId id,
             const std::string &where);

  small_status visit(TensorId id, const Layer &layer,
                     const InputParams &p) override;
  small_status visit(TensorId id, const Layer &layer,
                     const Conv2dParams &p) override;
  small_status visit(TensorId id, const Layer &layer,
                     const DenseParams &p) override;
  small_status visit(TensorId id, const Layer &layer,
                     const Pool2dParams &p) override;
  small_status visit(TensorId id, const Layer &layer,
                     const GlobalAvgPoolParams &p) override;
  small_status visit(TensorId id, const Layer &layer,
                     const AddParams &p) override;
  small_status visit(TensorId id, const Layer &layer,
                     const ConcatParams &p) override;
  small_status visit(TensorId id, const Layer &layer,
                     const ActivationParams &p) override;
  small_status visit(TensorId id, const Layer &layer,
                     const SoftmaxParams &p) override;
  small_status visit(TensorId id, const Layer &layer,
                     const BatchNormParams &p) override;
  small_status visit(TensorId id, const Layer &layer,
                     const ReshapeParams &p) override;
  small_status visit(TensorId id, const Layer &layer,
                     const FlattenParams &p) override;
  small_status visit(TensorId id, const Layer &layer,
                     const Conv2dInt8Params &p) override;
  small_status visit(TensorId id, const Layer &layer,
                     const DenseInt8Params &p) override;
  small_status visit(TensorId id, const Layer &layer,
                     const Pool2dInt8Params &p) override;
  small_status visit(TensorId id, const Layer &layer,
                     const GlobalAvgPoolInt8Params &p) override;
  small_status visit(TensorId id, const Layer &layer,
                     const AddInt8Params &p) override;
  small_status visit(TensorId id, const Layer &layer,
                     const ConcatInt8Params &p) override;
  small_status visit(TensorId id, const Layer &layer,
                     const SoftmaxInt8Params &p) override;
  small_status visit(TensorId id, const Layer &layer,
                     const QuantizeParams &p) override;
  small_status visit(TensorId id, const Layer &layer,
                     const DequantizeParams &p) override;
  small_status mark_output(TensorId tensor, size_t index) override;

private:
  small_tensor in(const Layer &layer, size_t k) const {
    return core_[layer.inputs[k]];
  }
  // Records the result of `call` adding tensor `id`.
  small_status done(TensorId id, const char *call, small_status status,
                    small_tensor made);

  small_network *network_;
  std::vector<small_tensor> core_; // description tensor -> core tensor
  const char *failed_call_ = "";
};

} // namespace small_import

#endif
