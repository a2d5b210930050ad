#include "graph/network.h"

#include <algorithm>
#include <cstdint>

#include "engine/layout.h"
#include "graph/memory_plan.h"
#include "layers/activation_params.h"
#include "layers/batchnorm.h"
#include "layers/conv2d.h"
#include "layers/elementwise.h"
#include "util/clock.h"
#include "util/error.h"

namespace small {

Network::Network() : kernels_(*small_kernels_active()) {
  if (!small_kernels_cpu_supported()) {
    fail(SMALL_ERR_UNSUPPORTED,
         std::string("this library was built with the ") + kernels_.isa +
             " kernels, which this CPU cannot run; rebuild with a toolchain "
             "file for this CPU (see README.md)");
  }
}

void Network::require_building(const char *call) const {
  if (finalized_) {
    fail(SMALL_ERR_INVALID_STATE,
         std::string(call) + ": the network is already finalized");
  }
}

void Network::use_kernels(const small_kernel_table &table) {
  require_building("use_kernels");
  kernels_ = table;
}

int Network::add_input(const Shape &shape) {
  require_building("add_input");
  if (shape.n == 0 || shape.c == 0 || shape.h == 0 || shape.w == 0) {
    fail(SMALL_ERR_INVALID_ARGUMENT,
         "input " + std::to_string(inputs_.size()) +
             ": every dimension must be >= 1, got " + shape.str());
  }
  blocked_bytes(shape, 64, "input " + std::to_string(inputs_.size()));
  TensorInfo t;
  t.shape = shape;
  t.is_input = true;
  tensors_.push_back(t);
  inputs_.push_back(static_cast<int>(tensors_.size() - 1));
  return inputs_.back();
}

const Shape &Network::tensor_shape(int id, const std::string &what) const {
  if (id < 0 || static_cast<size_t>(id) >= tensors_.size()) {
    fail(SMALL_ERR_NOT_FOUND, what + ": tensor id " + std::to_string(id) +
                                  " does not belong to this network");
  }
  return tensors_[id].shape;
}

std::string Network::next_name(const char *kind) const {
  return std::string(kind) + " #" + std::to_string(nodes_.size());
}

int Network::add_node(std::unique_ptr<Layer> layer,
                      const std::vector<int> &inputs, const std::string &name) {
  require_building("add layer");
  TensorInfo t;
  t.shape = layer->output_shape();
  blocked_bytes(t.shape, 64, name + " output");
  t.producer = static_cast<int>(nodes_.size());
  const int out = static_cast<int>(tensors_.size());
  for (int in : inputs) {
    tensors_[in].consumers.push_back(t.producer);
  }
  Node node;
  node.name = name;
  node.layer = std::move(layer);
  node.inputs = inputs;
  node.output = out;
  nodes_.push_back(std::move(node));
  tensors_.push_back(t);
  return out;
}

void Network::mark_output(int id) {
  require_building("mark_output");
  tensor_shape(id, "mark_output");
  if (tensors_[id].is_output) {
    fail(SMALL_ERR_INVALID_ARGUMENT,
         "mark_output: tensor " + std::to_string(id) + " is already an output");
  }
  tensors_[id].is_output = true;
  outputs_.push_back(id);
}

size_t Network::layer_count() const {
  return static_cast<size_t>(std::count_if(
      nodes_.begin(), nodes_.end(), [](const Node &n) { return !n.removed; }));
}

// Folds BatchNorm into the producing Conv2D/Dense and activations into the
// producing Conv2D/Dense/Add/BatchNorm, when the intermediate tensor is used
// by nothing else and is not an output.
void Network::fuse() {
  for (Node &node : nodes_) {
    if (node.removed || node.inputs.size() != 1) {
      continue;
    }
    const int mid = node.inputs[0];
    TensorInfo &mid_info = tensors_[mid];
    if (mid_info.producer < 0 || mid_info.is_output ||
        mid_info.consumers.size() != 1) {
      continue;
    }
    Node &producer = nodes_[mid_info.producer];
    bool fused = false;
    if (auto *bn = dynamic_cast<BatchNormLayer *>(node.layer.get())) {
      if (producer.layer->accepts_batchnorm()) {
        producer.layer->fold_batchnorm(bn->scale(), bn->shift());
        fused = true;
      }
    } else if (auto *act = dynamic_cast<ActivationLayer *>(node.layer.get())) {
      if (producer.layer->accepts_activation()) {
        producer.layer->fuse_activation(act->act());
        fused = true;
      }
    }
    if (fused) {
      // The producer now writes the fused node's output tensor directly.
      producer.output = node.output;
      tensors_[node.output].producer = mid_info.producer;
      mid_info.producer = -1;
      mid_info.consumers.clear();
      node.removed = true;
    }
  }
}

// Drops nodes whose results reach no output.
void Network::prune() {
  std::vector<bool> needed(tensors_.size(), false);
  for (int out : outputs_) {
    needed[out] = true;
  }
  for (size_t i = nodes_.size(); i-- > 0;) {
    Node &node = nodes_[i];
    if (node.removed) {
      continue;
    }
    if (!needed[node.output]) {
      node.removed = true;
      tensors_[node.output].producer = -1; // never materialized

      for (int in : node.inputs) {
        auto &c = tensors_[in].consumers;
        c.erase(std::remove(c.begin(), c.end(), static_cast<int>(i)), c.end());
      }
      continue;
    }
    for (int in : node.inputs) {
      needed[in] = true;
    }
  }
}

// A network input with fewer channels than Cb (an RGB image, an audio
// feature map) read only by (non-depthwise) convolutions is stored planar:
// blocks of one channel, which is NCHW itself. The convolution kernels reduce
// over input blocks and lanes alike, so this costs them nothing, saves up to
// Cb/c of the input's memory and turns the NCHW input conversion into a copy
// (an RGB input in NCHW was otherwise a transpose on every run).
void Network::narrow_inputs() {
  const size_t cb = kernels_.channel_block;
  for (int id : inputs_) {
    TensorInfo &t = tensors_[id];
    if (t.shape.c >= cb || t.consumers.empty() || t.is_output) {
      continue;
    }
    bool all_conv = true;
    for (int consumer : t.consumers) {
      const auto *conv =
          dynamic_cast<const Conv2DLayer *>(nodes_[consumer].layer.get());
      all_conv = all_conv && conv != nullptr && !conv->is_depthwise() &&
                 conv->spec().groups == 1;
    }
    if (!all_conv) {
      continue;
    }
    t.lanes = 1;
    for (int consumer : t.consumers) {
      static_cast<Conv2DLayer *>(nodes_[consumer].layer.get())
          ->set_input_lanes(t.lanes);
    }
  }
}

void Network::plan_memory() {
  const size_t cb = kernels_.channel_block;
  // Step 0 converts the inputs; node k of the executed order runs at step k+1.
  int step = 0;
  for (int in : inputs_) {
    tensors_[in].first_step = 0;
    tensors_[in].last_step = 0;
  }
  for (Node &node : nodes_) {
    if (node.removed) {
      continue;
    }
    ++step;
    for (int in : node.inputs) {
      tensors_[in].last_step = std::max(tensors_[in].last_step, step);
    }
    tensors_[node.output].first_step = step;
    tensors_[node.output].last_step = step;
  }
  std::vector<PlanItem> items;
  std::vector<int> ids;
  for (size_t id = 0; id < tensors_.size(); ++id) {
    TensorInfo &t = tensors_[id];
    const bool live = t.is_input || t.producer >= 0;
    if (!live) {
      t.last_step = -1;
      continue;
    }
    if (t.is_output) {
      t.last_step = step + 1; // read back after the last node
    }
    t.bytes = blocked_bytes(t.shape, t.lanes != 0 ? t.lanes : cb,
                            "tensor " + std::to_string(id));
    items.push_back({t.bytes, t.first_step, t.last_step, 0});
    ids.push_back(static_cast<int>(id));
  }
  const MemoryPlan plan = plan_arena(items);
  for (size_t i = 0; i < ids.size(); ++i) {
    tensors_[ids[i]].offset = plan.offsets[i];
  }
  arena_bytes_ = plan.arena_bytes;
  lower_bound_ = plan.lower_bound;
}

void Network::bind_arena(unsigned char *base) {
  arena_ = base;
  for (Node &node : nodes_) {
    if (node.removed) {
      continue;
    }
    node.input_ptrs.clear();
    for (int in : node.inputs) {
      node.input_ptrs.push_back(
          reinterpret_cast<const float *>(base + tensors_[in].offset));
    }
    node.output_ptr =
        reinterpret_cast<float *>(base + tensors_[node.output].offset);
  }
}

void Network::finalize() {
  require_building("finalize");
  if (inputs_.empty()) {
    fail(SMALL_ERR_INVALID_STATE, "finalize: the network has no input");
  }
  if (outputs_.empty()) {
    fail(SMALL_ERR_INVALID_STATE,
         "finalize: no output is marked (call small_network_mark_output)");
  }
  fuse();
  prune();
  narrow_inputs();
  for (Node &node : nodes_) {
    if (!node.removed) {
      node.layer->prepare(kernels_);
    }
  }
  plan_memory();
  owned_arena_.reset(std::max<size_t>(arena_bytes_, 1));
  bind_arena(owned_arena_.bytes());
  executed_.clear();
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (!nodes_[i].removed) {
      executed_.push_back(i);
    }
  }
  if (profiling_) {
    layer_ns_.assign(executed_.size(), 0);
  }
  finalized_ = true;
}

void Network::set_arena(void *buffer, size_t bytes) {
  if (!finalized_) {
    fail(SMALL_ERR_INVALID_STATE,
         "set_arena: finalize the network first (its size is known then)");
  }
  const uintptr_t raw = reinterpret_cast<uintptr_t>(buffer);
  const uintptr_t aligned = (raw + kAlignment - 1) / kAlignment * kAlignment;
  const size_t skip = aligned - raw;
  if (bytes < skip || bytes - skip < arena_bytes_) {
    fail(SMALL_ERR_BUFFER_TOO_SMALL,
         "set_arena: " + std::to_string(bytes) + " bytes given, " +
             std::to_string(arena_bytes_ + skip) +
             " needed at this alignment (" + std::to_string(arena_bytes_) +
             " for a 64-byte aligned buffer)");
  }
  bind_arena(reinterpret_cast<unsigned char *>(aligned));
  owned_arena_.reset(0);
}

void Network::run(const float *const *inputs, size_t input_count,
                  float *const *outputs, size_t output_count,
                  small_layout layout) {
  if (!finalized_) {
    fail(SMALL_ERR_INVALID_STATE, "run: finalize the network first");
  }
  if (layout != SMALL_LAYOUT_NCHW && layout != SMALL_LAYOUT_NHWC) {
    fail(SMALL_ERR_INVALID_ARGUMENT,
         "run: unknown layout " + std::to_string(static_cast<int>(layout)));
  }
  if (input_count != inputs_.size()) {
    fail(SMALL_ERR_INVALID_ARGUMENT,
         "run: the network has " + std::to_string(inputs_.size()) +
             " input(s), " + std::to_string(input_count) + " given");
  }
  if (output_count != outputs_.size()) {
    fail(SMALL_ERR_INVALID_ARGUMENT,
         "run: the network has " + std::to_string(outputs_.size()) +
             " output(s), " + std::to_string(output_count) + " given");
  }
  for (size_t i = 0; i < input_count; ++i) {
    if (inputs[i] == nullptr) {
      fail(SMALL_ERR_NULL_POINTER,
           "run: inputs[" + std::to_string(i) + "] is NULL");
    }
  }
  for (size_t i = 0; i < output_count; ++i) {
    if (outputs[i] == nullptr) {
      fail(SMALL_ERR_NULL_POINTER,
           "run: outputs[" + std::to_string(i) + "] is NULL");
    }
  }
  const size_t cb = kernels_.channel_block;
  for (size_t i = 0; i < input_count; ++i) {
    const TensorInfo &t = tensors_[inputs_[i]];
    if (t.last_step >= 0) {
      // A narrow input is the blocked layout with blocks of one lane.
      to_blocked(inputs[i], layout, t.shape, t.lanes != 0 ? t.lanes : cb,
                 reinterpret_cast<float *>(arena_ + t.offset));
    }
  }
  if (profiling_) {
    for (size_t i = 0; i < executed_.size(); ++i) {
      const Node &node = nodes_[executed_[i]];
      const uint64_t start = clock_now_ns();
      node.layer->run(kernels_, node.input_ptrs, node.output_ptr);
      layer_ns_[i] = clock_now_ns() - start;
    }
  } else {
    for (size_t i : executed_) {
      const Node &node = nodes_[i];
      node.layer->run(kernels_, node.input_ptrs, node.output_ptr);
    }
  }
  for (size_t i = 0; i < output_count; ++i) {
    const TensorInfo &t = tensors_[outputs_[i]];
    from_blocked(reinterpret_cast<const float *>(arena_ + t.offset), t.shape,
                 cb, layout, outputs[i]);
  }
}

void Network::require_executed_index(size_t index, const char *call) const {
  if (!finalized_) {
    fail(SMALL_ERR_INVALID_STATE,
         std::string(call) + ": finalize the network first");
  }
  if (index >= executed_.size()) {
    fail(SMALL_ERR_NOT_FOUND, std::string(call) + ": layer index " +
                                  std::to_string(index) + " >= layer count " +
                                  std::to_string(executed_.size()));
  }
}

void Network::layer_info(size_t index, small_layer_info &info) const {
  require_executed_index(index, "layer_info");
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
}

void Network::enable_profiling(bool enable) {
  profiling_ = enable;
  // The slots exist before any profiled run: run() never allocates.
  layer_ns_.assign(enable && finalized_ ? executed_.size() : 0, 0);
}

double Network::layer_time_us(size_t index) const {
  if (!profiling_) {
    fail(SMALL_ERR_INVALID_STATE, "layer_time: profiling is not enabled "
                                  "(call small_network_enable_profiling)");
  }
  require_executed_index(index, "layer_time");
  return static_cast<double>(layer_ns_[index]) / 1000.0;
}

} // namespace small
