// XNNPACK peer engine: lowers a PeerNet into one XNNPACK subgraph (NHWC
// activations, weights repacked once at prepare) and runs it through a
// single-threaded runtime. The network's NCHW input and output are converted
// to and from NHWC staging buffers on every run, as a caller holding NCHW data
// would have to do.
#include "peer_net.h"

#if defined(SMALL_BENCH_HAVE_XNNPACK)
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include <pthreadpool.h>
#include <xnnpack.h>

#include "xnnpack_common.h"
#endif

namespace small_bench {

#if defined(SMALL_BENCH_HAVE_XNNPACK)
namespace {

// External value ids reserved in the subgraph; every other value is internal.
constexpr uint32_t kInputId = 0;
constexpr uint32_t kOutputId = 1;
constexpr uint32_t kNumExternalIds = 2;

const char *kind_name(PeerOpKind kind) {
  switch (kind) {
  case PeerOpKind::kConv:
    return "conv";
  case PeerOpKind::kDense:
    return "dense";
  case PeerOpKind::kAvgPool:
    return "avgpool";
  case PeerOpKind::kAdd:
    return "add";
  case PeerOpKind::kSoftmax:
    return "softmax";
  }
  return "unknown";
}

bool same_shape(const PeerShape &a, const PeerShape &b) {
  return a.c == b.c && a.h == b.h && a.w == b.w;
}

// One input channel per group is a depthwise convolution (with a depth
// multiplier when a group has several outputs); XNNPACK has a dedicated node
// and filter layout for it.
bool is_depthwise(const PeerShape &in, const PeerOp &op) {
  return op.groups > 1 && in.c == op.groups;
}

// Output extent of a convolution along one axis, or 0 when the dilated kernel
// does not fit into the padded input.
uint32_t conv_extent(uint32_t in, uint32_t pad_a, uint32_t pad_b, uint32_t k,
                     uint32_t stride, uint32_t dilation) {
  const uint64_t padded = uint64_t{in} + pad_a + pad_b;
  const uint64_t span = uint64_t{dilation} * (k - 1) + 1;
  if (padded < span) {
    return 0;
  }
  return static_cast<uint32_t>((padded - span) / stride + 1);
}

void nchw_to_nhwc(const PeerShape &s, const float *src, float *dst) {
  const size_t plane = size_t{s.h} * s.w;
  for (size_t p = 0; p < plane; ++p) {
    for (size_t c = 0; c < s.c; ++c) {
      dst[p * s.c + c] = src[c * plane + p];
    }
  }
}

void nhwc_to_nchw(const PeerShape &s, const float *src, float *dst) {
  const size_t plane = size_t{s.h} * s.w;
  for (size_t c = 0; c < s.c; ++c) {
    for (size_t p = 0; p < plane; ++p) {
      dst[c * plane + p] = src[p * s.c + c];
    }
  }
}

// OIHW [out][in/groups][kh][kw] -> OHWI [out][kh][kw][in/groups]. Grouped
// convolutions keep their group-major output order, which is what XNNPACK's
// [groups * group_out][kh][kw][group_in] filter expects.
std::vector<float> pack_conv_ohwi(const PeerOp &op, uint32_t out_c,
                                  uint32_t group_in) {
  const size_t taps = size_t{op.kh} * op.kw;
  std::vector<float> packed(op.weights.size());
  for (size_t o = 0; o < out_c; ++o) {
    for (size_t i = 0; i < group_in; ++i) {
      for (size_t t = 0; t < taps; ++t) {
        packed[(o * taps + t) * group_in + i] =
            op.weights[(o * group_in + i) * taps + t];
      }
    }
  }
  return packed;
}

// Depthwise OIHW [out][1][kh][kw] -> [1][kh][kw][out]. Output channel o reads
// input channel o / depth_multiplier in both layouts.
std::vector<float> pack_depthwise_hwo(const PeerOp &op, uint32_t out_c) {
  const size_t taps = size_t{op.kh} * op.kw;
  std::vector<float> packed(op.weights.size());
  for (size_t o = 0; o < out_c; ++o) {
    for (size_t t = 0; t < taps; ++t) {
      packed[t * out_c + o] = op.weights[o * taps + t];
    }
  }
  return packed;
}

// Dense weights index their input in CHW order while XNNPACK flattens the
// NHWC tensor as HWC; reorder the columns to match. For a 1x1 input both
// orders coincide and the weights are used as they are.
std::vector<float> pack_dense_hwc(const PeerOp &op, const PeerShape &in,
                                  uint32_t out_c) {
  const size_t plane = size_t{in.h} * in.w;
  if (plane == 1) {
    return op.weights;
  }
  const size_t cols = in.elements();
  std::vector<float> packed(op.weights.size());
  for (size_t o = 0; o < out_c; ++o) {
    for (size_t c = 0; c < in.c; ++c) {
      for (size_t p = 0; p < plane; ++p) {
        packed[o * cols + p * in.c + c] = op.weights[o * cols + c * plane + p];
      }
    }
  }
  return packed;
}

class XnnpackEngine final : public PeerEngine {
public:
  ~XnnpackEngine() override { release(); }

  const char *name() const override { return "xnnpack"; }
  bool supports_threads() const override { return true; }

  bool prepare(const PeerNet &net, std::string *why) override {
    release();
    std::string reason;
    bool ok = false;
    // Allocation failures are the only exceptions the build can raise; the
    // interface promises not to throw, so they become a refusal.
    try {
      ok = build(net, &reason);
    } catch (const std::bad_alloc &) {
      reason = "out of memory while preparing the XNNPACK subgraph";
    } catch (const std::exception &e) {
      reason = e.what();
    }
    if (!ok) {
      release();
      if (why != nullptr) {
        *why = reason;
      }
    }
    return ok;
  }

  void run(const float *input, float *output) override {
    if (runtime_ == nullptr) {
      return;
    }
    nchw_to_nhwc(input_shape_, input, input_nhwc_.data());
    if (xnn_invoke_runtime(runtime_) != xnn_status_success) {
      // run() cannot report; poison the result so a correctness check fails
      // loudly instead of comparing stale data.
      for (size_t i = 0; i < output_shape_.elements(); ++i) {
        output[i] = std::numeric_limits<float>::quiet_NaN();
      }
      return;
    }
    nhwc_to_nchw(output_shape_, output_nhwc_.data(), output);
  }

  std::string detail() const override {
    return "subgraph, NHWC, " + std::to_string(threads_) + " thread(s)" +
           (threads_ > 1 ? " (pthreadpool)" : "");
  }

private:
  bool build(const PeerNet &net, std::string *why);
  bool check_net(const PeerNet &net, std::string *why) const;
  bool define_op(const PeerNet &net, size_t index, std::string *why);
  xnn_status define_conv(const PeerNet &net, const PeerOp &op);
  xnn_status define_dense(const PeerNet &net, const PeerOp &op);
  xnn_status define_avgpool(const PeerOp &op);
  xnn_status define_add(const PeerOp &op);
  xnn_status define_softmax(const PeerOp &op);
  bool create_runtime(std::string *why);

  xnn_status define_activation(const PeerNet &net, int value);
  xnn_status define_static(std::vector<float> data, std::vector<size_t> dims,
                           uint32_t *id);
  xnn_status define_bias(const PeerOp &op, uint32_t out_c, uint32_t *id);
  void release();

  xnn_subgraph_t subgraph_ = nullptr;
  xnn_runtime_t runtime_ = nullptr;
  pthreadpool_t pool_ = nullptr; // more than one thread only
  // Packed weights and biases. XNNPACK keeps pointers to static tensor data
  // for the lifetime of the subgraph and runtime; a deque never relocates its
  // elements, so those pointers stay valid as more tensors are added.
  std::deque<std::vector<float>> statics_;
  // XNNPACK value id of each PeerNet value, XNN_INVALID_VALUE_ID until the
  // value is defined (the input up front, the others when produced).
  std::vector<uint32_t> ids_;
  PeerShape input_shape_, output_shape_;
  std::vector<float> input_nhwc_, output_nhwc_;
};

void XnnpackEngine::release() {
  if (runtime_ != nullptr) {
    xnn_delete_runtime(runtime_);
    runtime_ = nullptr;
  }
  if (pool_ != nullptr) {
    pthreadpool_destroy(pool_);
    pool_ = nullptr;
  }
  if (subgraph_ != nullptr) {
    xnn_delete_subgraph(subgraph_);
    subgraph_ = nullptr;
  }
  statics_.clear();
  ids_.clear();
  input_nhwc_.clear();
  output_nhwc_.clear();
  input_shape_ = output_shape_ = PeerShape{};
}

// Structural checks XNNPACK would not catch (it trusts the declared shapes,
// so a mismatch here would otherwise become an out-of-bounds access).
bool XnnpackEngine::check_net(const PeerNet &net, std::string *why) const {
  const int num_values = static_cast<int>(net.values.size());
  const auto valid = [&](int v) { return v >= 0 && v < num_values; };
  if (num_values == 0 || !valid(net.output) || net.output == 0) {
    *why = "the network needs an input and a distinct output value";
    return false;
  }
  for (const PeerShape &s : net.values) {
    if (s.elements() == 0) {
      *why = "a value has an empty shape";
      return false;
    }
  }
  for (size_t i = 0; i < net.ops.size(); ++i) {
    const PeerOp &op = net.ops[i];
    const std::string where =
        "op " + std::to_string(i) + " (" + kind_name(op.kind) + "): ";
    if (!valid(op.in0) || !valid(op.out) ||
        (op.kind == PeerOpKind::kAdd && !valid(op.in1))) {
      *why = where + "value id out of range";
      return false;
    }
    const PeerShape &in = net.values[op.in0];
    const PeerShape &out = net.values[op.out];
    switch (op.kind) {
    case PeerOpKind::kConv: {
      if (op.groups == 0 || in.c % op.groups != 0 || out.c % op.groups != 0 ||
          op.kh == 0 || op.kw == 0 || op.stride_h == 0 || op.stride_w == 0 ||
          op.dilation_h == 0 || op.dilation_w == 0) {
        *why = where + "invalid kernel, stride, dilation or groups";
        return false;
      }
      const uint32_t oh = conv_extent(in.h, op.pad_top, op.pad_bottom, op.kh,
                                      op.stride_h, op.dilation_h);
      const uint32_t ow = conv_extent(in.w, op.pad_left, op.pad_right, op.kw,
                                      op.stride_w, op.dilation_w);
      if (oh != out.h || ow != out.w) {
        *why = where + "output shape does not match the convolution geometry";
        return false;
      }
      const size_t expected =
          size_t{out.c} * (in.c / op.groups) * op.kh * op.kw;
      if (op.weights.size() != expected) {
        *why = where + "weights are not [out][in/groups][kh][kw]";
        return false;
      }
      break;
    }
    case PeerOpKind::kDense:
      if (out.h != 1 || out.w != 1 ||
          op.weights.size() != size_t{out.c} * in.elements()) {
        *why = where + "weights are not [out][in] or the output is not (c,1,1)";
        return false;
      }
      break;
    case PeerOpKind::kAvgPool:
      if (out.c != in.c || out.h != 1 || out.w != 1) {
        *why = where + "global average pooling must produce (c,1,1)";
        return false;
      }
      break;
    case PeerOpKind::kAdd:
      if (!same_shape(in, out) || !same_shape(net.values[op.in1], out)) {
        *why = where + "inputs and output must have the same shape";
        return false;
      }
      break;
    case PeerOpKind::kSoftmax:
      if (!same_shape(in, out)) {
        *why = where + "input and output must have the same shape";
        return false;
      }
      if (op.clamp.active()) {
        *why = where + "XNNPACK's softmax has no fused clamp";
        return false;
      }
      break;
    }
    if ((op.kind == PeerOpKind::kConv || op.kind == PeerOpKind::kDense) &&
        !op.bias.empty() && op.bias.size() != out.c) {
      *why = where + "bias must have one entry per output channel";
      return false;
    }
  }
  return true;
}

bool XnnpackEngine::build(const PeerNet &net, std::string *why) {
  if (!check_net(net, why)) {
    return false;
  }
  xnn_status status = xnn_initialize_once();
  if (status != xnn_status_success) {
    *why = std::string("xnn_initialize failed: ") + xnn_status_name(status);
    return false;
  }
  status = xnn_create_subgraph(kNumExternalIds, 0, &subgraph_);
  if (status != xnn_status_success) {
    *why =
        std::string("xnn_create_subgraph failed: ") + xnn_status_name(status);
    return false;
  }
  ids_.assign(net.values.size(), XNN_INVALID_VALUE_ID);
  status = define_activation(net, 0);
  if (status != xnn_status_success) {
    *why = std::string("defining the input value failed: ") +
           xnn_status_name(status);
    return false;
  }
  for (size_t i = 0; i < net.ops.size(); ++i) {
    if (!define_op(net, i, why)) {
      return false;
    }
  }
  if (ids_[net.output] == XNN_INVALID_VALUE_ID) {
    *why = "no op writes the network output";
    return false;
  }
  input_shape_ = net.values[0];
  output_shape_ = net.values[net.output];
  // XNNPACK may read up to XNN_EXTRA_BYTES past the end of an input tensor.
  input_nhwc_.assign(input_shape_.elements() + XNN_EXTRA_BYTES / sizeof(float),
                     0.0f);
  output_nhwc_.assign(output_shape_.elements(), 0.0f);
  return create_runtime(why);
}

bool XnnpackEngine::define_op(const PeerNet &net, size_t index,
                              std::string *why) {
  const PeerOp &op = net.ops[index];
  const std::string where =
      "op " + std::to_string(index) + " (" + kind_name(op.kind) + "): ";
  const bool inputs_ready =
      ids_[op.in0] != XNN_INVALID_VALUE_ID &&
      (op.kind != PeerOpKind::kAdd || ids_[op.in1] != XNN_INVALID_VALUE_ID);
  if (!inputs_ready) {
    *why = where + "reads a value no earlier op wrote";
    return false;
  }
  if (ids_[op.out] != XNN_INVALID_VALUE_ID) {
    *why = where + "writes a value that already exists";
    return false;
  }
  xnn_status status = define_activation(net, op.out);
  if (status != xnn_status_success) {
    *why =
        where + "defining its output value failed: " + xnn_status_name(status);
    return false;
  }
  const char *call = "";
  switch (op.kind) {
  case PeerOpKind::kConv:
    call = is_depthwise(net.values[op.in0], op)
               ? "xnn_define_depthwise_convolution_2d"
               : "xnn_define_convolution_2d";
    status = define_conv(net, op);
    break;
  case PeerOpKind::kDense:
    call = "xnn_define_fully_connected";
    status = define_dense(net, op);
    break;
  case PeerOpKind::kAvgPool:
    call = "xnn_define_global_average_pooling_2d";
    status = define_avgpool(op);
    break;
  case PeerOpKind::kAdd:
    call = "xnn_define_add2";
    status = define_add(op);
    break;
  case PeerOpKind::kSoftmax:
    call = "xnn_define_softmax";
    status = define_softmax(op);
    break;
  }
  if (status != xnn_status_success) {
    *why = where + call + " failed: " + xnn_status_name(status);
    return false;
  }
  return true;
}

// Every activation is a 4-D NHWC tensor {1, h, w, c}, dense outputs and
// softmax operands included, so any op can consume any value.
xnn_status XnnpackEngine::define_activation(const PeerNet &net, int value) {
  const PeerShape &s = net.values[value];
  const size_t dims[4] = {1, s.h, s.w, s.c};
  uint32_t external_id = XNN_INVALID_VALUE_ID;
  uint32_t flags = 0;
  if (value == 0) {
    external_id = kInputId;
    flags = XNN_VALUE_FLAG_EXTERNAL_INPUT;
  } else if (value == net.output) {
    external_id = kOutputId;
    flags = XNN_VALUE_FLAG_EXTERNAL_OUTPUT;
  }
  return xnn_define_tensor_value(subgraph_, xnn_datatype_fp32, 4, dims, nullptr,
                                 external_id, flags, &ids_[value]);
}

xnn_status XnnpackEngine::define_static(std::vector<float> data,
                                        std::vector<size_t> dims,
                                        uint32_t *id) {
  statics_.push_back(std::move(data));
  return xnn_define_tensor_value(subgraph_, xnn_datatype_fp32, dims.size(),
                                 dims.data(), statics_.back().data(),
                                 XNN_INVALID_VALUE_ID, 0, id);
}

// A missing bias becomes zeros so every node has the same form.
xnn_status XnnpackEngine::define_bias(const PeerOp &op, uint32_t out_c,
                                      uint32_t *id) {
  std::vector<float> bias =
      op.bias.empty() ? std::vector<float>(out_c, 0.0f) : op.bias;
  return define_static(std::move(bias), {out_c}, id);
}

xnn_status XnnpackEngine::define_conv(const PeerNet &net, const PeerOp &op) {
  const PeerShape &in = net.values[op.in0];
  const uint32_t out_c = net.values[op.out].c;
  const uint32_t group_in = in.c / op.groups;
  const uint32_t group_out = out_c / op.groups;
  const bool depthwise = is_depthwise(in, op);
  uint32_t filter_id = XNN_INVALID_VALUE_ID;
  xnn_status status =
      depthwise ? define_static(pack_depthwise_hwo(op, out_c),
                                {1, op.kh, op.kw, out_c}, &filter_id)
                : define_static(pack_conv_ohwi(op, out_c, group_in),
                                {out_c, op.kh, op.kw, group_in}, &filter_id);
  if (status != xnn_status_success) {
    return status;
  }
  uint32_t bias_id = XNN_INVALID_VALUE_ID;
  status = define_bias(op, out_c, &bias_id);
  if (status != xnn_status_success) {
    return status;
  }
  if (depthwise) {
    return xnn_define_depthwise_convolution_2d(
        subgraph_, op.pad_top, op.pad_right, op.pad_bottom, op.pad_left, op.kh,
        op.kw, op.stride_h, op.stride_w, op.dilation_h, op.dilation_w,
        group_out, in.c, op.clamp.lo, op.clamp.hi, ids_[op.in0], filter_id,
        bias_id, ids_[op.out], 0);
  }
  return xnn_define_convolution_2d(
      subgraph_, op.pad_top, op.pad_right, op.pad_bottom, op.pad_left, op.kh,
      op.kw, op.stride_h, op.stride_w, op.dilation_h, op.dilation_w, op.groups,
      group_in, group_out, op.clamp.lo, op.clamp.hi, ids_[op.in0], filter_id,
      bias_id, ids_[op.out], 0);
}

xnn_status XnnpackEngine::define_dense(const PeerNet &net, const PeerOp &op) {
  const PeerShape &in = net.values[op.in0];
  const uint32_t out_c = net.values[op.out].c;
  const size_t in_c = in.elements();
  uint32_t filter_id = XNN_INVALID_VALUE_ID;
  xnn_status status =
      define_static(pack_dense_hwc(op, in, out_c), {out_c, in_c}, &filter_id);
  if (status != xnn_status_success) {
    return status;
  }
  uint32_t bias_id = XNN_INVALID_VALUE_ID;
  status = define_bias(op, out_c, &bias_id);
  if (status != xnn_status_success) {
    return status;
  }
  // XNNPACK treats all but the last input dimension as batch. A {1,1,1,c}
  // input is batch 1 as it is; a {1,h,w,c} input must be flattened into one
  // row of h*w*c, which the reshape flag does.
  const uint32_t flags =
      size_t{in.h} * in.w > 1 ? XNN_FLAG_TENSORFLOW_RESHAPE_2D : 0;
  return xnn_define_fully_connected(subgraph_, op.clamp.lo, op.clamp.hi,
                                    ids_[op.in0], filter_id, bias_id,
                                    ids_[op.out], flags);
}

xnn_status XnnpackEngine::define_avgpool(const PeerOp &op) {
  return xnn_define_global_average_pooling_2d(
      subgraph_, op.clamp.lo, op.clamp.hi, ids_[op.in0], ids_[op.out], 0);
}

xnn_status XnnpackEngine::define_add(const PeerOp &op) {
  return xnn_define_add2(subgraph_, op.clamp.lo, op.clamp.hi, ids_[op.in0],
                         ids_[op.in1], ids_[op.out], 0);
}

xnn_status XnnpackEngine::define_softmax(const PeerOp &op) {
  return xnn_define_softmax(subgraph_, ids_[op.in0], ids_[op.out], 0);
}

// A null thread pool runs every node on the calling thread. The external
// buffers never move, so the runtime is set up once here and run() only
// invokes it.
bool XnnpackEngine::create_runtime(std::string *why) {
  if (threads_ > 1) {
    pool_ = pthreadpool_create(static_cast<size_t>(threads_));
    if (pool_ == nullptr) {
      *why = "pthreadpool_create failed";
      return false;
    }
  }
  xnn_status status = xnn_create_runtime_v2(subgraph_, pool_, 0, &runtime_);
  if (status != xnn_status_success) {
    runtime_ = nullptr;
    *why =
        std::string("xnn_create_runtime_v2 failed: ") + xnn_status_name(status);
    return false;
  }
  const xnn_external_value externals[2] = {
      {kInputId, input_nhwc_.data()},
      {kOutputId, output_nhwc_.data()},
  };
  status = xnn_setup_runtime(runtime_, 2, externals);
  if (status != xnn_status_success) {
    *why = std::string("xnn_setup_runtime failed: ") + xnn_status_name(status);
    return false;
  }
  return true;
}

} // namespace

std::unique_ptr<PeerEngine> make_xnnpack_engine() {
  return std::make_unique<XnnpackEngine>();
}

#else

std::unique_ptr<PeerEngine> make_xnnpack_engine() { return nullptr; }

#endif

} // namespace small_bench
