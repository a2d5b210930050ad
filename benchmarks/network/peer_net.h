// A network as a flat list of operations, in the terms every inference
// engine shares (NCHW shapes, OIHW weights, explicit padding, a fused clamp).
// The network benchmark lowers each imported ONNX model into one PeerNet and
// hands the same PeerNet to every engine (OpenBLAS, oneDNN, XNNPACK), so all of
// them run the same layers with the same trained weights as SMaLL.
#ifndef SMALL_BENCH_PEER_NET_H
#define SMALL_BENCH_PEER_NET_H

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace small_bench {

// Batch-1 activation shape; dense layers see (c, 1, 1).
struct PeerShape {
  uint32_t c = 0, h = 0, w = 0;
  size_t elements() const { return size_t{c} * h * w; }
};

enum class PeerOpKind {
  kConv,    // any groups (depthwise when groups == in channels == out)
  kDense,   // out[o] = sum_i w[o][i] * in[i] + b[o]; in flattened CHW
  kAvgPool, // global average over h x w (the only pooling these nets use)
  kAdd,     // out = in0 + in1, same shapes
  kSoftmax, // over channels
};

// The fused epilogue: out = min(max(x, lo), hi). No activation is
// (-inf, +inf); ReLU is (0, +inf); ReLU6 is (0, 6).
struct PeerClamp {
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
  bool active() const {
    return lo != -std::numeric_limits<float>::infinity() ||
           hi != std::numeric_limits<float>::infinity();
  }
};

struct PeerOp {
  PeerOpKind kind = PeerOpKind::kConv;
  int in0 = -1, in1 = -1; // value ids (in1 only for kAdd)
  int out = -1;           // value id written
  // kConv
  uint32_t kh = 1, kw = 1, stride_h = 1, stride_w = 1, dilation_h = 1,
           dilation_w = 1;
  uint32_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  uint32_t groups = 1;
  PeerClamp clamp; // kConv, kDense, kAdd
  // kConv: OIHW [out][in/groups][kh][kw]; kDense: [out][in]. bias: [out].
  std::vector<float> weights, bias;
};

// Values are numbered 0..values.size()-1; value 0 is the network input,
// `output` the single output. ops are in execution order and each op's
// inputs are produced by an earlier op (or are the input).
struct PeerNet {
  std::string name;
  std::vector<PeerShape> values;
  std::vector<PeerOp> ops;
  int output = -1;
  uint64_t macs = 0;
};

// One engine running a PeerNet: prepare once (create primitives, pack
// weights, allocate), then run many times. Input and output are plain NCHW
// (batch 1) float buffers of values[0] and values[output] elements. An
// engine with a thread pool (oneDNN: OpenMP, XNNPACK: pthreadpool) uses
// set_threads() threads, set before prepare(); the others run on one.
class PeerEngine {
public:
  virtual ~PeerEngine() = default;
  virtual const char *name() const = 0;
  virtual bool supports_threads() const { return false; }
  void set_threads(int threads) { threads_ = threads; }
  int threads() const { return supports_threads() ? threads_ : 1; }
  // false (with *why) when the engine cannot run this network; never throws.
  virtual bool prepare(const PeerNet &net, std::string *why) = 0;
  virtual void run(const float *input, float *output) = 0;
  // What the engine picked, for the report (e.g. oneDNN's effective ISA and
  // its implementation names); "" when there is nothing to say.
  virtual std::string detail() const { return ""; }

protected:
  int threads_ = 1;
};

// Factories; each returns nullptr when that engine was not built (its
// package is missing), so callers can list it as unavailable.
std::unique_ptr<PeerEngine> make_openblas_engine();
std::unique_ptr<PeerEngine> make_onednn_engine();
std::unique_ptr<PeerEngine> make_xnnpack_engine();

} // namespace small_bench

#endif
