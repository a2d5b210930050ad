// A layer: its output shape (computed and validated when it is added), how it
// prepares (packs weights, plans tiles) for a kernel table, and how it runs.
// Running is always a call into the engine; layers hold no loop nests.
#ifndef SMALL_LAYERS_LAYER_H
#define SMALL_LAYERS_LAYER_H

#include <string>
#include <vector>

#include "graph/shape.h"
#include "kernel_contract.h"

namespace small {

class Layer {
public:
  virtual ~Layer() = default;
  // Op name for messages and layer tables, e.g. "conv2d".
  virtual const char *kind() const = 0;
  virtual Shape output_shape() const = 0;
  virtual void prepare(const small_kernel_table &kernels) = 0;
  // inputs: one blocked buffer per input tensor; out: the blocked output.
  virtual void run(const small_kernel_table &kernels,
                   const std::vector<const float *> &inputs,
                   float *out) const = 0;
  // Multiply-accumulates per run (0 for layers without arithmetic).
  virtual size_t macs() const { return 0; }

  // Fusion hooks used at finalize.
  virtual bool accepts_activation() const { return false; }
  virtual void fuse_activation(const small_act_params &) {}
  virtual bool accepts_batchnorm() const { return false; }
  // y = scale[k] * x + shift[k] per output channel k.
  virtual void fold_batchnorm(const std::vector<float> &,
                              const std::vector<float> &) {}
};

} // namespace small

#endif
