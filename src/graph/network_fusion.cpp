// The graph's fusion passes: what one layer's epilogue can do instead of a
// layer of its own. Each layer says what it offers and accepts; the passes
// know no layer types.
#include <algorithm>

#include "graph/network.h"
#include "threads/topology.h"

namespace small {

TensorInfo *Network::sole_input_to_fuse(const Node &node) {
  if (node.removed || node.inputs.size() != 1) {
    return nullptr;
  }
  TensorInfo &mid = tensors_[node.inputs[0]];
  return mid.producer < 0 || mid.is_output || mid.consumers.size() != 1
             ? nullptr
             : &mid;
}

void Network::remove_fused(Node &node, TensorInfo &mid) {
  // The producer now writes the fused node's output tensor directly.
  nodes_[mid.producer].output = node.output;
  tensors_[node.output].producer = mid.producer;
  mid.producer = -1;
  mid.consumers.clear();
  node.removed = true;
}

// Folds BatchNorm into the producing Conv2D/Dense and activations into the
// producing Conv2D/Dense/Add/BatchNorm, when the intermediate tensor is used
// by nothing else and is not an output. Each layer says what it offers and
// accepts; the pass knows no layer types.
void Network::fuse() {
  for (Node &node : nodes_) {
    TensorInfo *mid = sole_input_to_fuse(node);
    if (mid == nullptr) {
      continue;
    }
    Layer &producer_layer = *nodes_[mid->producer].layer;
    bool fused = false;
    const std::vector<float> *scale = nullptr, *shift = nullptr;
    const small_act_params *act = node.layer->fusable_activation();
    if (node.layer->fusable_scale_shift(scale, shift)) {
      if (producer_layer.accepts_batchnorm()) {
        producer_layer.fold_batchnorm(*scale, *shift);
        fused = true;
      }
    } else if (act != nullptr && producer_layer.accepts_activation()) {
      producer_layer.fuse_activation(*act);
      fused = true;
    }
    if (fused) {
      remove_fused(node, *mid);
    }
  }
  fold_residual_adds();
  fuse_depthwise_pointwise();
}

// Runs a depthwise convolution and the 1x1 convolution that alone reads its
// output as one layer in bands of rows (layers/depthwise_pointwise.h), when
// the depthwise layer takes it (its output larger than the L1 cache and as
// large as its input). After the other passes: a BatchNorm or activation
// after the pair belongs to the pointwise layer, which must have it before
// it is taken over.
void Network::fuse_depthwise_pointwise() {
  const size_t cache = fusion_cache_set_ ? fusion_cache_bytes_
                       : packing_only_   ? 0
                                         : cpu_topology().l1d_bytes;
  if (cache == 0) {
    return;
  }
  for (Node &node : nodes_) {
    TensorInfo *mid = sole_input_to_fuse(node);
    if (mid != nullptr && nodes_[mid->producer].layer->fuse_pointwise(
                              *node.layer, kernels_, cache)) {
      remove_fused(node, *mid);
    }
  }
}

// Folds a float Add (with its activation) into the convolution that
// produces one of its inputs when the table's convolution tiles add a
// residual (conv_residual): the convolution reads the Add's other input too
// and writes the Add's output, so the Add's pass over three tensors
// (ResNet-8's three Adds, about 2% of its x86 run) is gone and the sums
// meet the residual in registers. The additions are the Add's own, so the
// results are the same floats. The convolution's output must feed only the
// Add and not be a network output, and the other input must exist when the
// convolution runs: of two candidates the later producer takes the Add.
void Network::fold_residual_adds() {
  for (size_t a = 0; a < nodes_.size(); ++a) {
    Node &add = nodes_[a];
    const small_act_params *act =
        add.removed ? nullptr : add.layer->fusable_residual_add();
    if (act == nullptr || add.inputs.size() != 2 ||
        add.inputs[0] == add.inputs[1]) {
      continue;
    }
    int chosen = -1; // index into add.inputs
    for (int i = 0; i < 2; ++i) {
      const TensorInfo &t = tensors_[add.inputs[i]];
      if (t.producer < 0 || t.is_output || t.consumers.size() != 1 ||
          !nodes_[t.producer].layer->accepts_residual(kernels_)) {
        continue;
      }
      if (chosen < 0 || t.producer > tensors_[add.inputs[chosen]].producer) {
        chosen = i;
      }
    }
    if (chosen < 0) {
      continue;
    }
    const int mid = add.inputs[chosen];
    const int residual = add.inputs[1 - chosen];
    const int conv = tensors_[mid].producer;
    if (tensors_[residual].producer >= conv) {
      continue; // computed after the convolution runs
    }
    Node &producer = nodes_[conv];
    producer.layer->fuse_residual(*act);
    producer.inputs.push_back(residual);
    std::vector<int> &readers = tensors_[residual].consumers;
    std::replace(readers.begin(), readers.end(), static_cast<int>(a), conv);
    producer.output = add.output;
    tensors_[add.output].producer = conv;
    tensors_[mid].producer = -1;
    tensors_[mid].consumers.clear();
    add.removed = true;
  }
}

} // namespace small
