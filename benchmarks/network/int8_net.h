// An int8 network in TFLite's terms (NHWC activations quantized per tensor,
// int8 weights with one scale per output channel, int32 biases), as the
// network benchmark hands one imported .tflite model to every int8 peer
// engine (XNNPACK, oneDNN), so that they run the same layers with the same
// trained weights and quantization as SMaLL.
#ifndef SMALL_BENCH_INT8_NET_H
#define SMALL_BENCH_INT8_NET_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "peer_net.h"
#include "small/small.h"

namespace small_bench {

// A batch-1 activation: its (c, h, w), held in NHWC order, and its
// quantization (real = scale * (q - zero_point)).
struct Int8Value {
  PeerShape shape;
  small_quant quant{};
};

enum class Int8OpKind {
  kConv,          // any groups (depthwise when groups == in channels)
  kDense,         // out[o] = sum_i w[o][i] * in[i] + b[o]; in NHWC order
  kGlobalAvgPool, // mean over h x w, requantized to the output's scale
  kAdd,           // in0 + in1, each with its own quantization
  kSoftmax,       // over channels; output scale 1/256, zero point -128
};

struct Int8Op {
  Int8OpKind kind = Int8OpKind::kConv;
  int in0 = -1, in1 = -1; // value ids (in1 only for kAdd)
  int out = -1;
  // kConv geometry.
  uint32_t kh = 1, kw = 1, stride_h = 1, stride_w = 1, dilation_h = 1,
           dilation_w = 1;
  uint32_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  uint32_t groups = 1;
  // The fused clamp in real units (kConv, kDense, kAdd), as the model's
  // fused activation; the engines quantize it with the output's scale.
  PeerClamp clamp;
  // kConv: OHWI [out][kh][kw][in/groups] (TFLite's own filter order);
  // kDense: [out][in] with `in` in the NHWC order of the input value.
  std::vector<int8_t> weights;
  std::vector<float> weight_scales; // one per output channel
  std::vector<int32_t> bias;        // one per output channel (0 if none)
};

// Value 0 is the network input; `output` the single output. ops run in
// order, each reading values made before it.
struct Int8Net {
  std::vector<Int8Value> values;
  std::vector<Int8Op> ops;
  int output = -1;
  uint64_t macs = 0;
};

// One engine running an Int8Net on TFLite's own int8 NHWC buffers: prepare
// once, run many times, on set_threads() threads (set before prepare).
class Int8Engine {
public:
  virtual ~Int8Engine() = default;
  virtual const char *name() const = 0;
  void set_threads(int threads) { threads_ = threads; }
  // false with *why when the engine cannot run this network (naming the op
  // and the reason); never throws.
  virtual bool prepare(const Int8Net &net, std::string *why) = 0;
  virtual void run(const int8_t *input, int8_t *output) = 0;
  // How the engine runs the network, for the report ("" if nothing).
  virtual std::string detail() const { return ""; }
  // How far (in quantization steps) its outputs may be from LiteRT's, and
  // why: the engine's own requantization arithmetic.
  virtual int tolerance_steps() const = 0;
  virtual const char *tolerance_reason() const = 0;
  // Non-empty when the engine, as configured here, is known not to compute
  // TFLite's arithmetic (e.g. saturating intermediates): an output beyond
  // the tolerance is then reported as unavailable with this reason instead
  // of as a mismatch.
  virtual std::string known_inexact() const { return ""; }

protected:
  int threads_ = 1;
};

// The int8 peers; each factory returns nullptr with *why when that engine
// was not built (its package was not found at configure time).
std::unique_ptr<Int8Engine> make_xnnpack_int8_engine(std::string *why);
std::unique_ptr<Int8Engine> make_onednn_int8_engine(std::string *why);

} // namespace small_bench

#endif
