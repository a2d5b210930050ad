// A layer: its output shape (computed and validated when it is added), how it
// prepares (packs weights, plans tiles) for a kernel table, and how it runs.
// Running is always a call into the engine; layers hold no loop nests.
#ifndef SMALL_LAYERS_LAYER_H
#define SMALL_LAYERS_LAYER_H

#include <cstdint>
#include <string>
#include <vector>

#include "graph/shape.h"
#include "kernel_contract.h"
#include "small/small.h"

namespace small {

struct PlanOp;

// "conv2d", "depthwise", ...: the op name of a kind, static storage.
const char *layer_kind_name(small_layer_kind kind);

class Layer {
public:
  explicit Layer(small_layer_kind kind) : kind_(kind) {}
  virtual ~Layer() = default;
  small_layer_kind kind() const { return kind_; }
  // Op name for messages and layer tables, e.g. "conv2d" (static storage;
  // "depthwise+conv2d" for a fused pair).
  virtual const char *kind_name() const { return layer_kind_name(kind_); }
  virtual Shape output_shape() const = 0;
  // Packs weights and plans tiles for this kernel table (at finalize).
  [[nodiscard]] virtual small_status
  prepare(const small_kernel_table &kernels) = 0;
  // inputs: one blocked buffer per input tensor; out: the blocked output.
  virtual void run(const small_kernel_table &kernels,
                   const std::vector<const float *> &inputs,
                   float *out) const = 0;
  // Threads: splits run() into `parts` pieces (at finalize, or when a thread
  // pool is attached) that write disjoint parts of the output and together
  // compute exactly what run() does, every element with the same arithmetic.
  // False (the default) when the layer always runs whole.
  [[nodiscard]] virtual bool plan_parts(const small_kernel_table &kernels,
                                        size_t parts) {
    (void)kernels;
    (void)parts;
    return false;
  }
  // Runs piece `part` of the split plan_parts() made.
  virtual void run_part(const small_kernel_table &kernels,
                        const std::vector<const float *> &inputs, float *out,
                        size_t part) const {
    if (part == 0) {
      run(kernels, inputs, out);
    }
  }
  // Multiply-accumulates per run (0 for layers without arithmetic).
  // Saturates at UINT64_MAX.
  virtual uint64_t macs() const { return 0; }
  // After prepare: what a compiled plan (small_plan.h) needs to run this
  // layer, for this kernel table; false when a plan cannot hold it.
  virtual bool describe_plan_op(const small_kernel_table & /*kernels*/,
                                PlanOp & /*op*/) const {
    return false;
  }
  // Bytes of packed weights and bias the layer holds (after prepare).
  virtual size_t weight_bytes() const { return 0; }
  // int8 convolutions after prepare: their packed weights (held or
  // borrowed), size, layout tag and per-channel requantization
  // (small_network_packed_weights fills those fields of `weights`). False
  // for layers without packed int8 weights.
  virtual bool packed_int8_weights(small_int8_packed_weights &weights) const {
    (void)weights;
    return false;
  }
  // The activation the layer applies (its own or a fused one); nullptr for
  // layers without one.
  virtual const small_act_params *activation() const { return nullptr; }
  // True once a BatchNorm was folded into the layer.
  virtual bool fused_batchnorm() const { return false; }

  // Element types. The graph checks every input against input_dtype() when
  // the layer is added, and gives its output output_dtype() and
  // output_quant() (int8 layers override these; a float output's quant is
  // {0, 0}). Run buffers are bound as float pointers; an int8 layer reads
  // and writes them as int8 lanes (as_int8()).
  virtual small_dtype input_dtype() const { return SMALL_DTYPE_FLOAT32; }
  virtual small_dtype output_dtype() const { return SMALL_DTYPE_FLOAT32; }
  virtual small_quant output_quant() const { return small_quant{0.0f, 0}; }
  // The network's rounding mode, given to every layer before prepare().
  virtual void set_rounding(small_rounding) {}

  // Capabilities the graph passes at finalize ask for (no RTTI).
  //
  // As a fusion source: a standalone activation that its producer may take
  // over returns its parameters; a BatchNorm that its producer may fold
  // returns its per-channel scale and shift.
  virtual const small_act_params *fusable_activation() const { return nullptr; }
  virtual bool fusable_scale_shift(const std::vector<float> *&scale,
                                   const std::vector<float> *&shift) const {
    (void)scale;
    (void)shift;
    return false;
  }
  // A float Add that a producer of one of its inputs may take over
  // (Network::fold_residual_adds) returns its activation.
  virtual const small_act_params *fusable_residual_add() const {
    return nullptr;
  }
  // As a fusion target.
  virtual bool accepts_activation() const { return false; }
  virtual void fuse_activation(const small_act_params &) {}
  virtual bool accepts_batchnorm() const { return false; }
  // y = scale[k] * x + shift[k] per output channel k.
  virtual void fold_batchnorm(const std::vector<float> &,
                              const std::vector<float> &) {}
  // A residual Add of the layer's output and a second input (inputs[1] at
  // run), then the Add's activation `act`, done in the layer's epilogue:
  // only when the kernel table honours it (conv_residual).
  virtual bool accepts_residual(const small_kernel_table &) const {
    return false;
  }
  virtual void fuse_residual(const small_act_params &) {}
  // A float depthwise convolution takes over the 1x1 convolution that alone
  // reads its output (`consumer`; layers/depthwise_pointwise.h) and returns
  // true, when that output is larger than `cache_bytes` (the L1 data cache
  // it sizes its bands for) and the fusion keeps the arena as small: its
  // output as large as its input. The consumer's node is removed; its layer
  // stays alive there and is prepared and run by the taker.
  virtual bool fuse_pointwise(Layer & /*consumer*/,
                              const small_kernel_table & /*kernels*/,
                              size_t /*cache_bytes*/) {
    return false;
  }
  // Narrow input: how many lanes per block the layer would read its (only)
  // input with when that input is a network input with fewer channels than
  // Cb (0: it cannot; 1: planar, blocks of one channel, i.e. NCHW);
  // set_input_lanes() switches it to that before prepare().
  virtual size_t narrow_input_lanes(const small_kernel_table &) const {
    return 0;
  }
  virtual void set_input_lanes(size_t) {}

private:
  small_layer_kind kind_;
};

// An arena buffer viewed as int8 lanes (int8_t may alias any object).
inline const int8_t *as_int8(const float *p) {
  return reinterpret_cast<const int8_t *>(p);
}
inline int8_t *as_int8(float *p) { return reinterpret_cast<int8_t *>(p); }

} // namespace small

#endif
