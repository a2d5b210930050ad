// The network's queries after finalize: arena sizes, the layer table and
// per-layer profiling.
#include "graph/busy_scope.h"
#include "graph/network.h"
#include "layers/activation_params.h"
#include "util/error.h"

namespace small {

small_status Network::arena_size(size_t &bytes) const {
  if (!finalized_) {
    return fail(SMALL_ERR_INVALID_STATE) << "finalize the network first";
  }
  bytes = arena_bytes_;
  return SMALL_OK;
}

small_status Network::arena_lower_bound(size_t &bytes) const {
  if (!finalized_) {
    return fail(SMALL_ERR_INVALID_STATE) << "finalize the network first";
  }
  bytes = lower_bound_;
  return SMALL_OK;
}

small_status Network::weight_bytes(size_t &bytes) const {
  if (!finalized_) {
    return fail(SMALL_ERR_INVALID_STATE) << "finalize the network first";
  }
  bytes = 0;
  for (size_t i : executed_) {
    bytes += nodes_[i].layer->weight_bytes();
  }
  return SMALL_OK;
}

small_status Network::require_executed_index(size_t index,
                                             const char *call) const {
  if (!finalized_) {
    return fail(SMALL_ERR_INVALID_STATE)
           << call << ": finalize the network first";
  }
  if (index >= executed_.size()) {
    return fail(SMALL_ERR_NOT_FOUND) << call << ": layer index " << index
                                     << " >= layer count " << executed_.size();
  }
  return SMALL_OK;
}

small_status Network::layer_info(size_t index, small_layer_info &info) const {
  SMALL_TRY(require_executed_index(index, "layer_info"));
  const Node &node = nodes_[executed_[index]];
  const Layer &layer = *node.layer;
  const Shape &in = tensors_[node.inputs[0]].shape;
  const TensorInfo &out = tensors_[node.output];
  info = small_layer_info{};
  info.kind = layer.kind();
  info.kind_name = layer.kind_name();
  info.name = node.name.c_str();
  info.input_count = static_cast<uint32_t>(node.inputs.size());
  const uint32_t in_dims[4] = {in.n, in.c, in.h, in.w};
  const uint32_t out_dims[4] = {out.shape.n, out.shape.c, out.shape.h,
                                out.shape.w};
  for (int d = 0; d < 4; ++d) {
    info.input_dims[d] = in_dims[d];
    info.output_dims[d] = out_dims[d];
  }
  info.output = static_cast<small_tensor>(node.output);
  info.fused_batchnorm = layer.fused_batchnorm() ? 1 : 0;
  const small_act_params *act = layer.activation();
  info.activation =
      act != nullptr ? public_activation_kind(*act) : SMALL_ACT_NONE;
  info.macs = layer.macs();
  info.weight_bytes = layer.weight_bytes();
  info.arena_offset = out.offset;
  info.output_bytes = out.bytes;
  info.threads = index < layer_parts_.size() ? layer_parts_[index] : 1;
  return SMALL_OK;
}

small_status Network::packed_weights(size_t index,
                                     small_int8_packed_weights &weights) const {
  SMALL_TRY(require_executed_index(index, "packed_weights"));
  const Node &node = nodes_[executed_[index]];
  weights = small_int8_packed_weights{};
  if (!node.layer->packed_int8_weights(weights)) {
    return fail(SMALL_ERR_NOT_FOUND)
           << "packed_weights: layer " << index << " (" << node.name
           << ") has no packed int8 weights";
  }
  return SMALL_OK;
}

small_status Network::enable_profiling(bool enable) {
  const BusyScope busy(busy_);
  SMALL_TRY(busy.check("enable_profiling"));
  // The slots exist before any profiled run: run() never allocates.
  layer_ticks_.assign(enable && finalized_ ? executed_.size() : 0, 0);
  profiling_ = enable;
  return SMALL_OK;
}

small_status Network::layer_ticks(size_t index, const char *what,
                                  uint64_t &ticks) const {
  if (!profiling_) {
    return fail(SMALL_ERR_INVALID_STATE)
           << what
           << ": profiling is not enabled "
              "(call small_network_enable_profiling)";
  }
  SMALL_TRY(require_executed_index(index, what));
  ticks = layer_ticks_[index];
  return SMALL_OK;
}

small_status Network::layer_time_us(size_t index, double &us) const {
  uint64_t ticks = 0;
  SMALL_TRY(layer_ticks(index, "layer_time", ticks));
  us = static_cast<double>(ticks) / 1000.0;
  return SMALL_OK;
}

} // namespace small
