// The network: tensors, nodes in execution order, fusion, memory planning and
// the run loop. Built by the C API in src/api; throws small::Error.
#ifndef SMALL_GRAPH_NETWORK_H
#define SMALL_GRAPH_NETWORK_H

#include <memory>
#include <string>
#include <vector>

#include "graph/shape.h"
#include "kernel_contract.h"
#include "layers/layer.h"
#include "small/small.h"
#include "util/aligned_buffer.h"

namespace small {

struct TensorInfo {
  Shape shape;
  int producer =
      -1; // node index; -1 for a network input or a fused-away tensor
  std::vector<int> consumers;
  bool is_input = false;
  bool is_output = false;
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
  Network();

  // Building.
  int add_input(const Shape &shape);
  // Checks that `id` names a tensor of this network; `what` names the
  // argument in the error message.
  const Shape &tensor_shape(int id, const std::string &what) const;
  // "conv2d #3": the name the next added node will get.
  std::string next_name(const char *kind) const;
  int add_node(std::unique_ptr<Layer> layer, const std::vector<int> &inputs,
               const std::string &name);
  void mark_output(int id);
  void finalize();
  bool finalized() const { return finalized_; }

  // Memory.
  size_t arena_bytes() const { return arena_bytes_; }
  size_t arena_lower_bound() const { return lower_bound_; }
  void set_arena(void *buffer, size_t bytes);

  // Running.
  void run(const float *const *inputs, size_t input_count,
           float *const *outputs, size_t output_count, small_layout layout);
  const std::vector<int> &inputs() const { return inputs_; }
  const std::vector<int> &outputs() const { return outputs_; }
  size_t layer_count() const;
  // After finalize: executed layer `index` (0 .. layer_count()-1).
  void layer_info(size_t index, small_layer_info &info) const;
  // Per-layer wall times of the most recent run while profiling is on.
  void enable_profiling(bool enable);
  double layer_time_us(size_t index) const;
  const std::vector<Node> &nodes() const { return nodes_; }
  const std::vector<TensorInfo> &tensors() const { return tensors_; }

  // For tests and tools: run with another kernel table (e.g. the scalar one
  // at another channel block). Only before finalize.
  void use_kernels(const small_kernel_table &table);
  const small_kernel_table &kernels() const { return kernels_; }

private:
  void require_building(const char *call) const;
  void fuse();
  void prune();
  void narrow_inputs();
  void plan_memory();
  void bind_arena(unsigned char *base);
  void require_executed_index(size_t index, const char *call) const;

  small_kernel_table kernels_;
  std::vector<TensorInfo> tensors_;
  std::vector<Node> nodes_;
  std::vector<int> inputs_, outputs_;
  bool finalized_ = false;
  size_t arena_bytes_ = 0, lower_bound_ = 0;
  AlignedBuffer owned_arena_;
  unsigned char *arena_ = nullptr;
  // Node indices in execution order (set at finalize).
  std::vector<size_t> executed_;
  bool profiling_ = false;
  std::vector<uint64_t> layer_ns_; // one slot per executed layer
};

} // namespace small

#endif
