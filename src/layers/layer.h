// A layer: its output shape (computed and validated when it is added), how it
// prepares (packs weights, plans tiles) for a kernel table, and how it runs.
// Running is always a call into the engine; layers hold no loop nests.
#ifndef SMALL_LAYERS_LAYER_H
#define SMALL_LAYERS_LAYER_H

#include <string>
#include <vector>

#include "graph/shape.h"
#include "kernel_contract.h"
#include "small/small.h"

namespace small {

// "conv2d", "depthwise", ...: the op name of a kind, static storage.
const char *layer_kind_name(small_layer_kind kind);

class Layer {
public:
  explicit Layer(small_layer_kind kind) : kind_(kind) {}
  virtual ~Layer() = default;
  small_layer_kind kind() const { return kind_; }
  // Op name for messages and layer tables, e.g. "conv2d".
  const char *kind_name() const { return layer_kind_name(kind_); }
  virtual Shape output_shape() const = 0;
  virtual void prepare(const small_kernel_table &kernels) = 0;
  // inputs: one blocked buffer per input tensor; out: the blocked output.
  virtual void run(const small_kernel_table &kernels,
                   const std::vector<const float *> &inputs,
                   float *out) const = 0;
  // Multiply-accumulates per run (0 for layers without arithmetic).
  virtual size_t macs() const { return 0; }
  // Bytes of packed weights and bias the layer holds (after prepare).
  virtual size_t weight_bytes() const { return 0; }
  // The activation the layer applies (its own or a fused one); nullptr for
  // layers without one.
  virtual const small_act_params *activation() const { return nullptr; }
  // True once a BatchNorm was folded into the layer.
  virtual bool fused_batchnorm() const { return false; }

  // Fusion hooks used at finalize.
  virtual bool accepts_activation() const { return false; }
  virtual void fuse_activation(const small_act_params &) {}
  virtual bool accepts_batchnorm() const { return false; }
  // y = scale[k] * x + shift[k] per output channel k.
  virtual void fold_batchnorm(const std::vector<float> &,
                              const std::vector<float> &) {}

private:
  small_layer_kind kind_;
};

} // namespace small

#endif
