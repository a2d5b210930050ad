// XNNPACK int8 peer engine: lowers an Int8Net into one XNNPACK subgraph of
// quantized values (qint8 activations, qcint8 per-channel filters, qcint32
// biases) running on TFLite's own int8 NHWC buffers, as TFLite's XNNPACK
// delegate would. What this Debian snapshot (2022-02) lacks is worked
// around with XNNPACK's own operators, never with code of ours:
// - it has no per-channel fully connected node, so a dense layer over a
//   flat input is the 1x1 convolution it is (same arithmetic, qc8 kernels);
// - it has no signed int8 softmax, so a final softmax runs on its unsigned
//   qu8 softmax operator: int8 with zero point z is uint8 with zero point
//   z + 128, bytes flipped by xor 0x80 (TFLite's softmax output, 1/256 with
//   zero point -128, is XNNPACK's 1/256 with zero point 0).
#include "int8_net.h"

#if defined(SMALL_BENCH_HAVE_XNNPACK)
#include <cstring>
#include <deque>
#include <exception>
#include <new>

#include <pthreadpool.h>
#include <xnnpack.h>

#include "xnnpack_common.h"
#endif

namespace small_bench {

#if defined(SMALL_BENCH_HAVE_XNNPACK)
namespace {

constexpr uint32_t kInputId = 0;
constexpr uint32_t kOutputId = 1;

const char *kind_name(Int8OpKind kind) {
  switch (kind) {
  case Int8OpKind::kConv:
    return "conv";
  case Int8OpKind::kDense:
    return "dense";
  case Int8OpKind::kGlobalAvgPool:
    return "global average pool";
  case Int8OpKind::kAdd:
    return "add";
  case Int8OpKind::kSoftmax:
    return "softmax";
  }
  return "unknown";
}

void flip_sign_bits(const uint8_t *from, uint8_t *to, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    to[i] = from[i] ^ 0x80u;
  }
}

class XnnpackInt8Engine final : public Int8Engine {
public:
  ~XnnpackInt8Engine() override { release(); }

  const char *name() const override { return "xnnpack"; }

  bool prepare(const Int8Net &net, std::string *why) override {
    release();
    bool ok = false;
    try {
      ok = build(net, why);
    } catch (const std::bad_alloc &) {
      *why = "out of memory while preparing the XNNPACK subgraph";
    } catch (const std::exception &e) {
      *why = e.what();
    }
    if (!ok) {
      release();
    }
    return ok;
  }

  void run(const int8_t *input, int8_t *output) override {
    std::memcpy(input_.data(), input, input_bytes_);
    if (xnn_invoke_runtime(runtime_) != xnn_status_success) {
      std::memset(output, 0x55, output_.size()); // fails the check loudly
      return;
    }
    if (softmax_ == nullptr) {
      std::memcpy(output, output_.data(), output_.size());
      return;
    }
    const size_t n = output_.size();
    flip_sign_bits(reinterpret_cast<const uint8_t *>(output_.data()),
                   logits_u8_.data(), n);
    if (xnn_run_operator(softmax_, pool_) != xnn_status_success) {
      std::memset(output, 0x55, n);
      return;
    }
    flip_sign_bits(probs_u8_.data(), reinterpret_cast<uint8_t *>(output), n);
  }

  std::string detail() const override {
    return "subgraph qs8/qc8, NHWC int8, " + std::to_string(threads_) +
           " thread(s)" + (threads_ > 1 ? " (pthreadpool)" : "") + notes_;
  }

  // XNNPACK requantizes in float (accumulator times the fp32 scale, rounded
  // to nearest even), TFLite with a 32-bit fixed-point multiplier: they
  // disagree by one step on some values of a layer, and a later layer can
  // widen that by a step or so more.
  int tolerance_steps() const override { return 2; }
  const char *tolerance_reason() const override {
    return "fp32 requantization (round to nearest even) against TFLite's "
           "fixed-point multiplier";
  }

private:
  bool build(const Int8Net &net, std::string *why);
  bool define_op(const Int8Net &net, size_t index, std::string *why);
  xnn_status define_value(const Int8Net &net, int value);
  xnn_status define_conv(const Int8Net &net, const Int8Op &op,
                         const PeerShape &geometry_in);
  bool prepare_softmax(const Int8Net &net, const Int8Op &op, std::string *why);
  bool create_runtime(std::string *why);
  void release();

  xnn_subgraph_t subgraph_ = nullptr;
  xnn_runtime_t runtime_ = nullptr;
  xnn_operator_t softmax_ = nullptr; // the final softmax, when there is one
  pthreadpool_t pool_ = nullptr;     // more than one thread only
  // Filters, biases and their scales: XNNPACK keeps pointers to them for the
  // life of the subgraph and runtime, and a deque never moves its elements.
  std::deque<std::vector<int8_t>> filters_;
  std::deque<std::vector<int32_t>> biases_;
  std::deque<std::vector<float>> scales_;
  std::vector<uint32_t> ids_;
  int subgraph_output_ = -1; // the network output, or the softmax's input
  size_t input_bytes_ = 0;
  std::vector<int8_t> input_, output_;
  std::vector<uint8_t> logits_u8_, probs_u8_;
  std::string notes_;
};

void XnnpackInt8Engine::release() {
  if (softmax_ != nullptr) {
    xnn_delete_operator(softmax_);
    softmax_ = nullptr;
  }
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
  filters_.clear();
  biases_.clear();
  scales_.clear();
  ids_.clear();
  notes_.clear();
}

bool XnnpackInt8Engine::build(const Int8Net &net, std::string *why) {
  const int values = static_cast<int>(net.values.size());
  if (values < 2 || net.output <= 0 || net.output >= values) {
    *why = "the network needs an input and a distinct output value";
    return false;
  }
  // A softmax is run by the qu8 operator after the subgraph, so it must be
  // the last op and write the network output.
  subgraph_output_ = net.output;
  size_t subgraph_ops = net.ops.size();
  for (size_t i = 0; i < net.ops.size(); ++i) {
    if (net.ops[i].kind != Int8OpKind::kSoftmax) {
      continue;
    }
    if (i + 1 != net.ops.size() || net.ops[i].out != net.output) {
      *why = "op " + std::to_string(i) +
             " (softmax): this XNNPACK snapshot has no int8 softmax node, "
             "and its qu8 softmax operator is only used for a final softmax";
      return false;
    }
    subgraph_output_ = net.ops[i].in0;
    subgraph_ops = i;
  }
  xnn_status status = xnn_initialize_once();
  if (status != xnn_status_success) {
    *why = std::string("xnn_initialize failed: ") + xnn_status_name(status);
    return false;
  }
  status = xnn_create_subgraph(2, 0, &subgraph_);
  if (status != xnn_status_success) {
    *why =
        std::string("xnn_create_subgraph failed: ") + xnn_status_name(status);
    return false;
  }
  ids_.assign(net.values.size(), XNN_INVALID_VALUE_ID);
  status = define_value(net, 0);
  if (status != xnn_status_success) {
    *why = std::string("defining the input failed: ") + xnn_status_name(status);
    return false;
  }
  for (size_t i = 0; i < subgraph_ops; ++i) {
    if (!define_op(net, i, why)) {
      return false;
    }
  }
  if (ids_[subgraph_output_] == XNN_INVALID_VALUE_ID) {
    *why = "no op writes the network output";
    return false;
  }
  // XNNPACK may read up to XNN_EXTRA_BYTES past the end of an input.
  input_bytes_ = net.values[0].shape.elements();
  input_.assign(input_bytes_ + XNN_EXTRA_BYTES, 0);
  output_.assign(net.values[subgraph_output_].shape.elements(), 0);
  if (!create_runtime(why)) {
    return false;
  }
  return subgraph_ops == net.ops.size() ||
         prepare_softmax(net, net.ops.back(), why);
}

bool XnnpackInt8Engine::define_op(const Int8Net &net, size_t index,
                                  std::string *why) {
  const Int8Op &op = net.ops[index];
  const std::string where =
      "op " + std::to_string(index) + " (" + kind_name(op.kind) + "): ";
  const int values = static_cast<int>(net.values.size());
  const auto defined = [&](int v) {
    return v >= 0 && v < values && ids_[v] != XNN_INVALID_VALUE_ID;
  };
  if (!defined(op.in0) || (op.kind == Int8OpKind::kAdd && !defined(op.in1)) ||
      op.out <= 0 || op.out >= values || ids_[op.out] != XNN_INVALID_VALUE_ID) {
    *why = where + "reads a value not yet written or rewrites one";
    return false;
  }
  xnn_status status = define_value(net, op.out);
  if (status != xnn_status_success) {
    *why = where + "defining its output failed: " + xnn_status_name(status);
    return false;
  }
  const PeerShape &in = net.values[op.in0].shape;
  const PeerShape &out = net.values[op.out].shape;
  const char *call = "";
  switch (op.kind) {
  case Int8OpKind::kConv:
    call = "convolution";
    status = define_conv(net, op, in);
    break;
  case Int8OpKind::kDense:
    if (in.h * in.w != 1) {
      *why = where + "a dense layer over a " + std::to_string(in.h) + "x" +
             std::to_string(in.w) +
             " input (only flat inputs are lowered "
             "to the 1x1 convolution)";
      return false;
    }
    call = "1x1 convolution (dense)";
    status = define_conv(net, op, in);
    if (notes_.find("dense") == std::string::npos) {
      notes_ += "; dense as 1x1 qc8 convolution (no per-channel FC node)";
    }
    break;
  case Int8OpKind::kGlobalAvgPool:
    call = "xnn_define_global_average_pooling_2d";
    status = xnn_define_global_average_pooling_2d(
        subgraph_, op.clamp.lo, op.clamp.hi, ids_[op.in0], ids_[op.out], 0);
    break;
  case Int8OpKind::kAdd:
    call = "xnn_define_add2";
    status = xnn_define_add2(subgraph_, op.clamp.lo, op.clamp.hi, ids_[op.in0],
                             ids_[op.in1], ids_[op.out], 0);
    break;
  case Int8OpKind::kSoftmax:
    break; // never reached: build() stops before the softmax
  }
  if (status != xnn_status_success) {
    *why = where + call + " (qint8) failed: " + xnn_status_name(status) +
           " (output " + std::to_string(out.c) + "x" + std::to_string(out.h) +
           "x" + std::to_string(out.w) + ")";
    return false;
  }
  return true;
}

// Every activation is a 4-D NHWC qint8 tensor {1, h, w, c}.
xnn_status XnnpackInt8Engine::define_value(const Int8Net &net, int value) {
  const Int8Value &v = net.values[value];
  const size_t dims[4] = {1, v.shape.h, v.shape.w, v.shape.c};
  uint32_t external_id = XNN_INVALID_VALUE_ID;
  uint32_t flags = 0;
  if (value == 0) {
    external_id = kInputId;
    flags = XNN_VALUE_FLAG_EXTERNAL_INPUT;
  } else if (value == subgraph_output_) {
    external_id = kOutputId;
    flags = XNN_VALUE_FLAG_EXTERNAL_OUTPUT;
  }
  return xnn_define_quantized_tensor_value(
      subgraph_, xnn_datatype_qint8, v.quant.zero_point, v.quant.scale, 4, dims,
      nullptr, external_id, flags, &ids_[value]);
}

// A convolution (or a dense layer over a flat input: a 1x1 convolution of a
// 1x1 image). Filter scales are per output channel; the bias is int32 with
// scale input_scale * filter_scale, as TFLite stores it.
xnn_status XnnpackInt8Engine::define_conv(const Int8Net &net, const Int8Op &op,
                                          const PeerShape &in) {
  const bool dense = op.kind == Int8OpKind::kDense;
  const uint32_t out_c = net.values[op.out].shape.c;
  const uint32_t in_c = dense ? static_cast<uint32_t>(in.elements()) : in.c;
  const uint32_t groups = dense ? 1 : op.groups;
  const uint32_t group_in = in_c / groups, group_out = out_c / groups;
  const bool depthwise = groups > 1 && group_in == 1;
  const float in_scale = net.values[op.in0].quant.scale;

  // Depthwise filters are [1][kh][kw][out]: from OHWI with one input
  // channel per group, a transpose of [out][kh*kw].
  std::vector<int8_t> filter = op.weights;
  const size_t taps = size_t{op.kh} * op.kw;
  if (depthwise) {
    for (size_t o = 0; o < out_c; ++o) {
      for (size_t t = 0; t < taps; ++t) {
        filter[t * out_c + o] = op.weights[o * taps + t];
      }
    }
  }
  filters_.push_back(std::move(filter));
  scales_.push_back(op.weight_scales);
  const float *filter_scales = scales_.back().data();
  const size_t filter_dims[4] = {depthwise ? 1 : out_c, op.kh, op.kw,
                                 depthwise ? out_c : group_in};
  uint32_t filter_id = XNN_INVALID_VALUE_ID;
  xnn_status status = xnn_define_channelwise_quantized_tensor_value(
      subgraph_, xnn_datatype_qcint8, filter_scales, 4, depthwise ? 3 : 0,
      filter_dims, filters_.back().data(), XNN_INVALID_VALUE_ID, 0, &filter_id);
  if (status != xnn_status_success) {
    return status;
  }
  std::vector<float> bias_scales(out_c);
  for (size_t o = 0; o < out_c; ++o) {
    bias_scales[o] = in_scale * op.weight_scales[o];
  }
  scales_.push_back(std::move(bias_scales));
  biases_.push_back(op.bias);
  const size_t bias_dims[1] = {out_c};
  uint32_t bias_id = XNN_INVALID_VALUE_ID;
  status = xnn_define_channelwise_quantized_tensor_value(
      subgraph_, xnn_datatype_qcint32, scales_.back().data(), 1, 0, bias_dims,
      biases_.back().data(), XNN_INVALID_VALUE_ID, 0, &bias_id);
  if (status != xnn_status_success) {
    return status;
  }
  if (depthwise) {
    return xnn_define_depthwise_convolution_2d(
        subgraph_, op.pad_top, op.pad_right, op.pad_bottom, op.pad_left, op.kh,
        op.kw, op.stride_h, op.stride_w, op.dilation_h, op.dilation_w,
        group_out, in_c, op.clamp.lo, op.clamp.hi, ids_[op.in0], filter_id,
        bias_id, ids_[op.out], 0);
  }
  return xnn_define_convolution_2d(
      subgraph_, op.pad_top, op.pad_right, op.pad_bottom, op.pad_left, op.kh,
      op.kw, op.stride_h, op.stride_w, op.dilation_h, op.dilation_w, groups,
      group_in, group_out, op.clamp.lo, op.clamp.hi, ids_[op.in0], filter_id,
      bias_id, ids_[op.out], 0);
}

// The final softmax on XNNPACK's qu8 operator (see the header comment).
bool XnnpackInt8Engine::prepare_softmax(const Int8Net &net, const Int8Op &op,
                                        std::string *why) {
  const Int8Value &in = net.values[op.in0];
  const Int8Value &out = net.values[op.out];
  if (out.quant.zero_point != -128 || out.quant.scale != 1.0f / 256.0f) {
    *why = "softmax output not quantized as 1/256 with zero point -128";
    return false;
  }
  const size_t channels = in.shape.elements();
  xnn_status status =
      xnn_create_softmax_nc_qu8(channels, channels, channels, in.quant.scale, 0,
                                out.quant.scale, 0, &softmax_);
  if (status != xnn_status_success) {
    softmax_ = nullptr;
    *why = std::string("xnn_create_softmax_nc_qu8 failed: ") +
           xnn_status_name(status);
    return false;
  }
  logits_u8_.assign(channels + XNN_EXTRA_BYTES, 0);
  probs_u8_.assign(channels, 0);
  status = xnn_setup_softmax_nc_qu8(softmax_, 1, logits_u8_.data(),
                                    probs_u8_.data(), pool_);
  if (status != xnn_status_success) {
    *why = std::string("xnn_setup_softmax_nc_qu8 failed: ") +
           xnn_status_name(status);
    return false;
  }
  notes_ += "; final softmax on the qu8 operator (no qs8 softmax)";
  return true;
}

// The external buffers never move: the runtime is set up once here.
bool XnnpackInt8Engine::create_runtime(std::string *why) {
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
  const xnn_external_value externals[2] = {{kInputId, input_.data()},
                                           {kOutputId, output_.data()}};
  status = xnn_setup_runtime(runtime_, 2, externals);
  if (status != xnn_status_success) {
    *why = std::string("xnn_setup_runtime failed: ") + xnn_status_name(status);
    return false;
  }
  return true;
}

} // namespace

std::unique_ptr<Int8Engine> make_xnnpack_int8_engine(std::string *) {
  return std::make_unique<XnnpackInt8Engine>();
}

#else

std::unique_ptr<Int8Engine> make_xnnpack_int8_engine(std::string *why) {
  *why = "not built (libxnnpack-dev and libpthreadpool-dev were not found "
         "at configure time)";
  return nullptr;
}

#endif

} // namespace small_bench
