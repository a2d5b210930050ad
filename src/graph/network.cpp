#include "graph/network.h"

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "engine/layout.h"
#include "graph/busy_scope.h"
#include "graph/memory_plan.h"
#include "quant/quant_params.h"
#include "util/clock.h"
#include "util/error.h"

namespace small {

small_status Network::check_cpu() {
  if (!small_kernels_cpu_supported()) {
    return fail(SMALL_ERR_UNSUPPORTED)
           << "this library was built with the " << small_kernels_active()->isa
           << " kernels, which this CPU cannot run; rebuild with a toolchain "
              "file for this CPU (see README.md)";
  }
  return SMALL_OK;
}

small_status Network::require_building(const char *call) const {
  if (finalized_) {
    return fail(SMALL_ERR_INVALID_STATE)
           << call << ": the network is already finalized";
  }
  return SMALL_OK;
}

small_status Network::require_usable() const {
  if (failed_) {
    return fail(SMALL_ERR_INVALID_STATE)
           << "the network is unusable: an earlier small_network_finalize "
              "failed after it had started to transform the graph; destroy "
              "it and build it again";
  }
  return SMALL_OK;
}

small_status Network::add_input(const Shape &shape, int &id) {
  SMALL_TRY(require_building("add_input"));
  if (shape.n == 0 || shape.c == 0 || shape.h == 0 || shape.w == 0) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << "input " << inputs_.size()
           << ": every dimension must be >= 1, got " << shape;
  }
  size_t bytes = 0;
  SMALL_TRY(blocked_bytes(shape, 64, bytes,
                          "input " + std::to_string(inputs_.size())));
  tensors_.reserve(tensors_.size() + 1);
  inputs_.reserve(inputs_.size() + 1);
  TensorInfo t;
  t.shape = shape;
  t.is_input = true;
  tensors_.push_back(t);
  inputs_.push_back(static_cast<int>(tensors_.size() - 1));
  id = inputs_.back();
  return SMALL_OK;
}

small_status Network::add_input_int8(const Shape &shape, const small_quant &q,
                                     int &id) {
  SMALL_TRY(require_building("add_input_int8"));
  SMALL_TRY(check_quant(q, "input " + std::to_string(inputs_.size())));
  SMALL_TRY(add_input(shape, id));
  tensors_[id].dtype = SMALL_DTYPE_INT8;
  tensors_[id].quant = q;
  return SMALL_OK;
}

small_status Network::tensor_type(int id, const std::string &what,
                                  small_dtype &dtype,
                                  small_quant &quant) const {
  Shape shape;
  SMALL_TRY(tensor_shape(id, what, shape));
  dtype = tensors_[id].dtype;
  quant = tensors_[id].quant;
  return SMALL_OK;
}

small_status Network::set_rounding(const small_rounding &rounding) {
  SMALL_TRY(require_building("set_rounding"));
  const int value = enum_value(rounding);
  if (value != SMALL_ROUNDING_DOUBLE && value != SMALL_ROUNDING_SINGLE) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << "set_rounding: unknown rounding " << value;
  }
  rounding_ = value == SMALL_ROUNDING_SINGLE ? SMALL_ROUNDING_SINGLE
                                             : SMALL_ROUNDING_DOUBLE;
  return SMALL_OK;
}

small_status Network::tensor_shape(int id, const std::string &what,
                                   Shape &shape) const {
  if (id < 0 || static_cast<size_t>(id) >= tensors_.size()) {
    return fail(SMALL_ERR_NOT_FOUND) << what << ": tensor id " << id
                                     << " does not belong to this network";
  }
  shape = tensors_[id].shape;
  return SMALL_OK;
}

std::string Network::next_name(const char *kind) const {
  return std::string(kind) + " #" + std::to_string(nodes_.size());
}

small_status Network::add_node(std::unique_ptr<Layer> layer,
                               const std::vector<int> &inputs,
                               const std::string &name, int &output) {
  SMALL_TRY(require_building("add layer"));
  const small_dtype wanted = layer->input_dtype();
  for (size_t i = 0; i < inputs.size(); ++i) {
    const small_dtype got = tensors_[inputs[i]].dtype;
    if (got != wanted) {
      return fail(SMALL_ERR_INVALID_ARGUMENT)
             << name << ": input " << i << " is "
             << (got == SMALL_DTYPE_INT8 ? "an int8" : "a float") << " tensor; "
             << "this layer takes "
             << (wanted == SMALL_DTYPE_INT8 ? "int8" : "float")
             << " (use small_network_add_quantize or _dequantize between)";
    }
  }
  TensorInfo t;
  t.shape = layer->output_shape();
  t.dtype = layer->output_dtype();
  t.quant = layer->output_quant();
  // Layers infer their shapes; a zero dimension here is a bug in one.
  if (t.shape.n == 0 || t.shape.c == 0 || t.shape.h == 0 || t.shape.w == 0) {
    return fail(SMALL_ERR_INTERNAL)
           << name << ": inferred an empty output " << t.shape;
  }
  size_t bytes = 0;
  SMALL_TRY(blocked_bytes(t.shape, 64, bytes, name + " output"));
  t.producer = static_cast<int>(nodes_.size());
  const int out = static_cast<int>(tensors_.size());
  // Reserve first so that nothing below can fail half-way.
  tensors_.reserve(tensors_.size() + 1);
  nodes_.reserve(nodes_.size() + 1);
  for (int in : inputs) {
    tensors_[in].consumers.reserve(tensors_[in].consumers.size() + 1);
  }
  Node node;
  node.name = name;
  node.layer = std::move(layer);
  node.inputs = inputs;
  node.output = out;
  for (int in : inputs) {
    tensors_[in].consumers.push_back(t.producer);
  }
  nodes_.push_back(std::move(node));
  tensors_.push_back(std::move(t));
  output = out;
  return SMALL_OK;
}

small_status Network::mark_output(int id) {
  SMALL_TRY(require_building("mark_output"));
  Shape shape;
  SMALL_TRY(tensor_shape(id, "mark_output", shape));
  if (tensors_[id].is_output) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << "mark_output: tensor " << id << " is already an output";
  }
  outputs_.reserve(outputs_.size() + 1);
  tensors_[id].is_output = true;
  outputs_.push_back(id);
  return SMALL_OK;
}

size_t Network::layer_count() const {
  return static_cast<size_t>(std::count_if(
      nodes_.begin(), nodes_.end(), [](const Node &n) { return !n.removed; }));
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
// feature map) read only by layers that can read a narrow input (dense
// convolutions) is stored with the fewer lanes per block they ask for, all
// alike: usually planar, blocks of one channel, which is NCHW itself. The
// convolution kernels reduce over input blocks and lanes alike, so this
// costs them nothing, saves up to Cb/c of the input's memory and turns the
// NCHW input conversion into a copy (an RGB input in NCHW was otherwise a
// transpose on every run). int8 layers may ask for 4 lanes instead
// (Conv2DInt8Layer::narrow_input_lanes).
void Network::narrow_inputs() {
  const size_t cb = kernels_.channel_block;
  for (int id : inputs_) {
    TensorInfo &t = tensors_[id];
    if (t.shape.c >= cb || t.consumers.empty() || t.is_output) {
      continue;
    }
    const size_t lanes =
        nodes_[t.consumers.front()].layer->narrow_input_lanes(kernels_);
    bool all_agree = lanes != 0 && lanes < cb;
    for (int consumer : t.consumers) {
      all_agree = all_agree &&
                  nodes_[consumer].layer->narrow_input_lanes(kernels_) == lanes;
    }
    if (!all_agree) {
      continue;
    }
    t.lanes = lanes;
    for (int consumer : t.consumers) {
      nodes_[consumer].layer->set_input_lanes(lanes);
    }
  }
}

small_status Network::plan_memory() {
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
    SMALL_TRY(blocked_bytes(t.shape, t.lanes != 0 ? t.lanes : cb, t.bytes,
                            "tensor " + std::to_string(id),
                            element_bytes(t.dtype)));
    items.push_back({t.bytes, t.first_step, t.last_step, 0});
    ids.push_back(static_cast<int>(id));
  }
  MemoryPlan plan;
  SMALL_TRY(plan_arena(items, plan));
  for (size_t i = 0; i < ids.size(); ++i) {
    tensors_[ids[i]].offset = plan.offsets[i];
  }
  arena_bytes_ = plan.arena_bytes;
  lower_bound_ = plan.lower_bound;
  return SMALL_OK;
}

void Network::bind_arena(unsigned char *base) {
  arena_ = base;
  for (Node &node : nodes_) {
    if (node.removed) {
      continue;
    }
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      node.input_ptrs[i] = reinterpret_cast<const float *>(
          base + tensors_[node.inputs[i]].offset);
    }
    node.output_ptr =
        reinterpret_cast<float *>(base + tensors_[node.output].offset);
  }
}

small_status Network::finalize_graph(void *arena, size_t arena_bytes) {
  fuse();
  prune();
  narrow_inputs();
  for (Node &node : nodes_) {
    if (!node.removed) {
      node.layer->set_rounding(rounding_);
      SMALL_TRY(node.layer->prepare(kernels_));
      node.input_ptrs.assign(node.inputs.size(), nullptr);
    }
  }
  SMALL_TRY(plan_memory());
  if (arena != nullptr) {
    SMALL_TRY(bind_caller_arena(arena, arena_bytes, "finalize"));
  } else {
    SMALL_TRY(owned_arena_.reset(std::max<size_t>(arena_bytes_, 1), "arena"));
    bind_arena(owned_arena_.bytes());
  }
  executed_.clear();
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (!nodes_[i].removed) {
      executed_.push_back(i);
    }
  }
  layer_ticks_.assign(profiling_ ? executed_.size() : 0, 0);
  plan_threads();
  return SMALL_OK;
}

small_status Network::finalize(void *arena, size_t arena_bytes) {
  const BusyScope busy(busy_);
  SMALL_TRY(busy.check("finalize"));
  SMALL_TRY(require_building("finalize"));
  if (inputs_.empty()) {
    return fail(SMALL_ERR_INVALID_STATE)
           << "finalize: the network has no input";
  }
  if (outputs_.empty()) {
    return fail(SMALL_ERR_INVALID_STATE)
           << "finalize: no output is marked (call small_network_mark_output)";
  }
  // From here on the graph changes (fusion folds weights, packing frees the
  // unpacked ones): a failure leaves a network that only reports it. Set
  // first, so that an exception from a container (caught by the API guard)
  // leaves the same state.
  failed_ = true;
  SMALL_TRY(finalize_graph(arena, arena_bytes));
  failed_ = false;
  finalized_ = true;
  return SMALL_OK;
}

template <typename In, typename Out>
small_status
Network::check_run_arguments(const In *const *inputs, size_t input_count,
                             Out *const *outputs, size_t output_count,
                             const small_layout &layout) const {
  if (!finalized_) {
    return fail(SMALL_ERR_INVALID_STATE) << "run: finalize the network first";
  }
  if (packing_only_) {
    return fail(SMALL_ERR_UNSUPPORTED)
           << "run: the weights are packed for Cb " << kernels_.channel_block
           << ", k-group " << kernels_.conv_i8_k_group
           << " (small_network_set_packing), not for this build's kernels";
  }
  const int layout_value = enum_value(layout);
  if (layout_value != SMALL_LAYOUT_NCHW && layout_value != SMALL_LAYOUT_NHWC) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << "run: unknown layout " << layout_value;
  }
  if (input_count != inputs_.size()) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << "run: the network has " << inputs_.size() << " input(s), "
           << input_count << " given";
  }
  if (output_count != outputs_.size()) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << "run: the network has " << outputs_.size() << " output(s), "
           << output_count << " given";
  }
  for (size_t i = 0; i < input_count; ++i) {
    if (inputs[i] == nullptr) {
      return fail(SMALL_ERR_NULL_POINTER) << "run: inputs[" << i << "] is NULL";
    }
  }
  for (size_t i = 0; i < output_count; ++i) {
    if (outputs[i] == nullptr) {
      return fail(SMALL_ERR_NULL_POINTER)
             << "run: outputs[" << i << "] is NULL";
    }
  }
  if (std::is_same<In, int8_t>::value) {
    for (size_t i = 0; i < input_count; ++i) {
      if (tensors_[inputs_[i]].dtype != SMALL_DTYPE_INT8) {
        return fail(SMALL_ERR_INVALID_ARGUMENT)
               << "run_int8: input " << i
               << " is a float tensor (use small_network_run)";
      }
    }
    for (size_t i = 0; i < output_count; ++i) {
      if (tensors_[outputs_[i]].dtype != SMALL_DTYPE_INT8) {
        return fail(SMALL_ERR_INVALID_ARGUMENT)
               << "run_int8: output " << i
               << " is a float tensor (use small_network_run)";
      }
    }
  }
  return SMALL_OK;
}

// A narrow input is the blocked layout with blocks of one lane. A float
// buffer for an int8 input is quantized with the input's quantization.
void Network::load_input(size_t i, const float *src, small_layout layout) {
  const TensorInfo &t = tensors_[inputs_[i]];
  const size_t lanes = t.lanes != 0 ? t.lanes : kernels_.channel_block;
  unsigned char *dst = arena_ + t.offset;
  if (t.dtype == SMALL_DTYPE_INT8) {
    to_blocked(src, layout, t.shape, lanes, t.quant,
               reinterpret_cast<int8_t *>(dst));
  } else {
    to_blocked(src, layout, t.shape, lanes, reinterpret_cast<float *>(dst));
  }
}

void Network::load_input(size_t i, const int8_t *src, small_layout layout) {
  const TensorInfo &t = tensors_[inputs_[i]];
  const size_t lanes = t.lanes != 0 ? t.lanes : kernels_.channel_block;
  int8_t *dst = reinterpret_cast<int8_t *>(arena_ + t.offset);
  if (layout == SMALL_LAYOUT_NHWC && lanes == 4 && t.shape.c == 3 &&
      kernels_.rgb_to_lanes4_i8 != nullptr) {
    // An RGB image in 4-lane pixels (every inference: the ISA's kernel).
    kernels_.rgb_to_lanes4_i8(src, dst,
                              size_t{t.shape.n} * t.shape.h * t.shape.w);
    return;
  }
  to_blocked(src, layout, t.shape, lanes, dst);
}

// A planar input (one-lane blocks: [n][c][h][w]) is the caller's NCHW
// buffer byte for byte, or its NHWC one when it has one channel; when the
// buffer also has the arena's alignment (what every kernel may assume of a
// tensor) and the element type, the layers read it where it is instead of
// a copy (MobileNet VWW's 110 KB RGB image: about 2% of its fp32 run on
// AVX-512). Only the first layers read a network input; none writes it.
template <typename T>
bool Network::readable_in_place(const TensorInfo &t, const T *src,
                                small_layout layout) const {
  const bool same_type =
      std::is_same<T, int8_t>::value == (t.dtype == SMALL_DTYPE_INT8);
  return same_type && t.lanes == 1 &&
         (layout == SMALL_LAYOUT_NCHW || t.shape.c == 1) &&
         reinterpret_cast<uintptr_t>(src) % kAlignment == 0;
}

void Network::bind_input(int tensor, const void *data) {
  for (size_t k : executed_) {
    Node &node = nodes_[k];
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      if (node.inputs[i] == tensor) {
        node.input_ptrs[i] = static_cast<const float *>(data);
      }
    }
  }
}

// An int8 output read into a float buffer is dequantized.
void Network::store_output(size_t i, float *dst, small_layout layout) const {
  const TensorInfo &t = tensors_[outputs_[i]];
  const size_t cb = kernels_.channel_block;
  const unsigned char *src = arena_ + t.offset;
  if (t.dtype == SMALL_DTYPE_INT8) {
    from_blocked(reinterpret_cast<const int8_t *>(src), t.quant, t.shape, cb,
                 layout, dst);
  } else {
    from_blocked(reinterpret_cast<const float *>(src), t.shape, cb, layout,
                 dst);
  }
}

void Network::store_output(size_t i, int8_t *dst, small_layout layout) const {
  const TensorInfo &t = tensors_[outputs_[i]];
  from_blocked(reinterpret_cast<const int8_t *>(arena_ + t.offset), t.shape,
               kernels_.channel_block, layout, dst);
}

void Network::run_layers() {
  if (profiling_) {
    for (size_t i = 0; i < executed_.size(); ++i) {
      const uint64_t start = profiling_clock_now();
      run_layer(i);
      layer_ticks_[i] = profiling_clock_now() - start;
    }
  } else {
    for (size_t i = 0; i < executed_.size(); ++i) {
      run_layer(i);
    }
  }
}

template <typename In, typename Out>
small_status Network::run_buffers(const In *const *inputs, size_t input_count,
                                  Out *const *outputs, size_t output_count,
                                  const small_layout &layout_arg) {
  const BusyScope busy(busy_);
  SMALL_TRY(busy.check("run"));
  SMALL_TRY(check_run_arguments(inputs, input_count, outputs, output_count,
                                layout_arg));
  const small_layout layout = enum_value(layout_arg) == SMALL_LAYOUT_NCHW
                                  ? SMALL_LAYOUT_NCHW
                                  : SMALL_LAYOUT_NHWC;
  // Inputs read in place for this run only: the arena binding comes back
  // before returning, so the next run may copy instead (no allocation: the
  // test is repeated).
  const auto in_place = [&](size_t i) {
    const TensorInfo &t = tensors_[inputs_[i]];
    return t.last_step >= 0 && readable_in_place(t, inputs[i], layout);
  };
  for (size_t i = 0; i < input_count; ++i) {
    if (in_place(i)) {
      bind_input(inputs_[i], inputs[i]);
    } else if (tensors_[inputs_[i]].last_step >= 0) {
      load_input(i, inputs[i], layout);
    }
  }
  run_layers();
  for (size_t i = 0; i < input_count; ++i) {
    if (in_place(i)) {
      bind_input(inputs_[i], arena_ + tensors_[inputs_[i]].offset);
    }
  }
  for (size_t i = 0; i < output_count; ++i) {
    store_output(i, outputs[i], layout);
  }
  return SMALL_OK;
}

small_status Network::run(const float *const *inputs, size_t input_count,
                          float *const *outputs, size_t output_count,
                          const small_layout &layout) {
  return run_buffers(inputs, input_count, outputs, output_count, layout);
}

small_status Network::run_int8(const int8_t *const *inputs, size_t input_count,
                               int8_t *const *outputs, size_t output_count,
                               const small_layout &layout) {
  return run_buffers(inputs, input_count, outputs, output_count, layout);
}

} // namespace small
