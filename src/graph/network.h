// The network: tensors, nodes in execution order, fusion, memory planning and
// the run loop. Built through src/layers' add_* functions; every fallible
// call returns a small_status.
#ifndef SMALL_GRAPH_NETWORK_H
#define SMALL_GRAPH_NETWORK_H

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "graph/shape.h"
#include "kernel_contract.h"
#include "layers/layer.h"
#include "small/small.h"
#include "small/small_plan.h"
#include "util/aligned_buffer.h"

namespace small {

class ThreadPool;

struct TensorInfo {
  Shape shape;
  int producer =
      -1; // node index; -1 for a network input or a fused-away tensor
  std::vector<int> consumers;
  bool is_input = false;
  bool is_output = false;
  small_dtype dtype = SMALL_DTYPE_FLOAT32;
  small_quant quant{0.0f, 0}; // int8 tensors
  // Floats per pixel of a narrow network input (c < Cb, read only by
  // convolutions) stored unpadded as [n][1][h][w][c]; 0: the blocked layout.
  size_t lanes = 0;
  // Planning results.
  size_t bytes = 0;
  size_t offset = 0;
  int first_step = 0, last_step = -1; // -1: not materialized
};

struct Node {
  std::string name;
  std::unique_ptr<Layer> layer;
  std::vector<int> inputs;
  int output = -1;
  bool removed = false;
  // Bound to the arena by bind_arena(): run() allocates nothing.
  std::vector<const float *> input_ptrs;
  float *output_ptr = nullptr;
};

class Network {
public:
  Network() = default;
  ~Network(); // detaches from its thread pool
  Network(const Network &) = delete;
  Network &operator=(const Network &) = delete;
  // SMALL_ERR_UNSUPPORTED when this CPU cannot run the built-in kernels.
  [[nodiscard]] static small_status check_cpu();

  // Building.
  [[nodiscard]] small_status add_input(const Shape &shape, int &id);
  // An int8 input quantized by q (checked).
  [[nodiscard]] small_status add_input_int8(const Shape &shape,
                                            const small_quant &q, int &id);
  // Element type and quantization of tensor `id` (checked as tensor_shape).
  [[nodiscard]] small_status tensor_type(int id, const std::string &what,
                                         small_dtype &dtype,
                                         small_quant &quant) const;
  // Rounding of every requantization; before finalize.
  [[nodiscard]] small_status set_rounding(const small_rounding &rounding);
  // Checks that `id` names a tensor of this network; `what` names the
  // argument in the error message.
  [[nodiscard]] small_status tensor_shape(int id, const std::string &what,
                                          Shape &shape) const;
  // "conv2d #3": the name the next added node will get.
  std::string next_name(const char *kind) const;
  // SMALL_ERR_INVALID_STATE naming `call` once the network is finalized.
  [[nodiscard]] small_status require_building(const char *call) const;
  [[nodiscard]] small_status add_node(std::unique_ptr<Layer> layer,
                                      const std::vector<int> &inputs,
                                      const std::string &name, int &output);
  [[nodiscard]] small_status mark_output(int id);
  // With `arena`: binds the caller's buffer instead of allocating one
  // (small_network_finalize_with_arena), failing if it is too small.
  [[nodiscard]] small_status finalize(void *arena = nullptr,
                                      size_t arena_bytes = 0);
  bool finalized() const { return finalized_; }
  // SMALL_ERR_INVALID_STATE after a finalize that failed part-way (the
  // graph was already fused and weights packed): the network can only be
  // destroyed.
  [[nodiscard]] small_status require_usable() const;

  // Memory.
  size_t arena_bytes() const { return arena_bytes_; }
  size_t arena_lower_bound() const { return lower_bound_; }
  // The same, or SMALL_ERR_INVALID_STATE before finalize.
  [[nodiscard]] small_status arena_size(size_t &bytes) const;
  [[nodiscard]] small_status arena_lower_bound(size_t &bytes) const;
  // Packed weights, biases and requantization data of the executed layers.
  [[nodiscard]] small_status weight_bytes(size_t &bytes) const;
  // After finalize: run in `buffer` from now on.
  [[nodiscard]] small_status set_arena(void *buffer, size_t bytes);

  // Running.
  [[nodiscard]] small_status run(const float *const *inputs, size_t input_count,
                                 float *const *outputs, size_t output_count,
                                 const small_layout &layout);
  // Every input and output int8 (small_network_run_int8).
  [[nodiscard]] small_status run_int8(const int8_t *const *inputs,
                                      size_t input_count,
                                      int8_t *const *outputs,
                                      size_t output_count,
                                      const small_layout &layout);
  const std::vector<int> &inputs() const { return inputs_; }
  const std::vector<int> &outputs() const { return outputs_; }
  size_t layer_count() const;
  const std::vector<Node> &nodes() const { return nodes_; }
  const std::vector<TensorInfo> &tensors() const { return tensors_; }

  // After finalize: executed layer `index` (0 .. layer_count()-1).
  [[nodiscard]] small_status layer_info(size_t index,
                                        small_layer_info &info) const;
  // small_network_export_plan (src/plan/plan_export.cpp).
  [[nodiscard]] small_status export_plan(small_plan_export &out) const;
  // small_network_packed_weights: fills packed, bytes and layout.
  [[nodiscard]] small_status
  packed_weights(size_t index, small_int8_packed_weights &weights) const;
  // Per-layer profiling clock counts of the most recent run while
  // profiling is on (`what` names the API call in errors), and the same
  // divided by 1000 (microseconds with the default nanosecond clock).
  [[nodiscard]] small_status enable_profiling(bool enable);
  [[nodiscard]] small_status layer_ticks(size_t index, const char *what,
                                         uint64_t &ticks) const;
  [[nodiscard]] small_status layer_time_us(size_t index, double &us) const;

  // Threads (network_threads.cpp): run on `pool` (nullptr: the calling
  // thread). Plans which layers to split, now if finalized, else at
  // finalize.
  [[nodiscard]] small_status set_threadpool(ThreadPool *pool);
  // Per executed layer: the number of parts it runs in (1: whole, on the
  // calling thread). Empty before finalize.
  const std::vector<uint32_t> &layer_parts() const { return layer_parts_; }

  // For tests and tools: run with another kernel table (e.g. the scalar one
  // at another channel block). Only before finalize.
  [[nodiscard]] small_status use_kernels(const small_kernel_table &table);
  const small_kernel_table &kernels() const { return kernels_; }
  // small_network_set_packing: pack for Cb `channel_block` and int8
  // k-group `k_group`; unless that is this build's table, the network
  // only reports its packed weights and refuses to run.
  [[nodiscard]] small_status set_packing(uint32_t channel_block,
                                         uint32_t k_group);
  // small_network_set_target: plan and pack for a firmware target's whole
  // table geometry (graph/targets.h); runs only if it is this build's.
  [[nodiscard]] small_status set_target(const char *name);
  // small_network_set_fusion_cache: the L1 bytes depthwise-pointwise
  // fusion sizes its bands for (0: no fusion); before finalize.
  [[nodiscard]] small_status set_fusion_cache(size_t bytes);

private:
  [[nodiscard]] small_status finalize_graph(void *arena, size_t arena_bytes);
  // The input tensor of `node` when a producer may take the node over: its
  // only input, produced by a layer, no network output, read by nothing
  // else; else nullptr.
  TensorInfo *sole_input_to_fuse(const Node &node);
  // After the producer of `mid` took `node` over: the producer writes the
  // node's output, `mid` is gone, the node removed.
  void remove_fused(Node &node, TensorInfo &mid);
  // Folds BatchNorm and activations into their producers, then the other
  // passes (network_fusion.cpp).
  void fuse();
  void fold_residual_adds();
  void fuse_depthwise_pointwise();
  void prune();
  void narrow_inputs();
  [[nodiscard]] small_status plan_memory();
  void plan_threads();
  void run_layer(size_t step) const;
  void bind_arena(unsigned char *base);
  // Binds the caller's buffer (aligned inside it) if it holds the arena;
  // `call` names the API call in the message otherwise.
  [[nodiscard]] small_status bind_caller_arena(void *buffer, size_t bytes,
                                               const char *call);
  [[nodiscard]] small_status require_executed_index(size_t index,
                                                    const char *call) const;
  template <typename In, typename Out>
  [[nodiscard]] small_status
  check_run_arguments(const In *const *inputs, size_t input_count,
                      Out *const *outputs, size_t output_count,
                      const small_layout &layout) const;
  // Converts input i / output i between the caller's buffer and the arena.
  void load_input(size_t i, const float *src, small_layout layout);
  void load_input(size_t i, const int8_t *src, small_layout layout);
  // Whether the layers may read input tensor t from the caller's buffer
  // as it is, and the consumers' pointers to that tensor set to `data`.
  template <typename T>
  bool readable_in_place(const TensorInfo &t, const T *src,
                         small_layout layout) const;
  void bind_input(int tensor, const void *data);
  void store_output(size_t i, float *dst, small_layout layout) const;
  void store_output(size_t i, int8_t *dst, small_layout layout) const;
  void run_layers();
  template <typename In, typename Out>
  [[nodiscard]] small_status
  run_buffers(const In *const *inputs, size_t input_count, Out *const *outputs,
              size_t output_count, const small_layout &layout);

  small_kernel_table kernels_ = *small_kernels_active();
  std::vector<TensorInfo> tensors_;
  std::vector<Node> nodes_;
  std::vector<int> inputs_, outputs_;
  bool finalized_ = false;
  bool failed_ = false;
  bool packing_only_ = false; // set_packing for another configuration
  small_rounding rounding_ = SMALL_ROUNDING_DOUBLE;
  // set_fusion_cache's bytes once called; until then the detected L1 data
  // cache (none when unknown or when planning for another build).
  size_t fusion_cache_bytes_ = 0;
  bool fusion_cache_set_ = false;
  size_t arena_bytes_ = 0, lower_bound_ = 0;
  AlignedBuffer owned_arena_;
  unsigned char *arena_ = nullptr;
  // Node indices in execution order (set at finalize).
  std::vector<size_t> executed_;
  bool profiling_ = false;
  // Profiling clock counts, one slot per executed layer.
  std::vector<uint64_t> layer_ticks_;
  ThreadPool *pool_ = nullptr;
  std::vector<uint32_t> layer_parts_; // one per executed layer
  // Set while run, finalize, set_arena or enable_profiling is in progress: a
  // second such call on the same network from another thread fails instead of
  // sharing the arena and the time slots.
  std::atomic<bool> busy_{false};
};

} // namespace small

#endif
