// Lowers the importer's recorded core API calls into a PeerNet: the layers
// SMaLL was asked to build, with their trained weights, in engine-neutral
// terms. Standalone activations are folded into the op that produces their
// input (as every peer engine would fuse them); views (flatten, reshape to
// (c, 1, 1)) keep the NCHW element order and so alias their input.
#include "lower_onnx.h"

#include <map>

#include "model_files.h"
#include "onnx_import.h"

namespace small_bench {
namespace {

using small_onnx::Call;

bool to_clamp(const small_activation &act, PeerClamp *clamp) {
  switch (act.kind) {
  case SMALL_ACT_NONE:
    *clamp = PeerClamp{};
    return true;
  case SMALL_ACT_RELU:
    *clamp = PeerClamp{};
    clamp->lo = 0.0f;
    return true;
  case SMALL_ACT_RELU6:
    clamp->lo = 0.0f;
    clamp->hi = 6.0f;
    return true;
  case SMALL_ACT_CLIP:
    clamp->lo = act.min;
    clamp->hi = act.max;
    return true;
  default:
    return false;
  }
}

class Lowering {
public:
  Lowering(const small_onnx::ModelData &model, PeerNet *net)
      : model_(model), net_(*net) {}

  bool run(std::string *why) {
    count_readers();
    for (size_t i = 0; i < model_.calls.size(); ++i) {
      if (!lower(model_.calls[i], why)) {
        *why = "call " + std::to_string(i) + ": " + *why;
        return false;
      }
    }
    if (net_.output < 0) {
      *why = "the model marks no output";
      return false;
    }
    return true;
  }

private:
  void count_readers() {
    for (const Call &c : model_.calls) {
      for (small_tensor t : c.inputs) {
        ++readers_[t];
      }
    }
  }

  bool shape_of(small_tensor t, PeerShape *shape, std::string *why) {
    uint32_t d[4] = {0, 0, 0, 0};
    const small_status s = small_network_tensor_shape(model_.network, t, d);
    if (s != SMALL_OK || d[0] != 1) {
      *why = "tensor " + std::to_string(t) + " has no batch-1 shape";
      return false;
    }
    *shape = PeerShape{d[1], d[2], d[3]};
    return true;
  }

  bool value_of(small_tensor t, int *value, std::string *why) {
    const auto it = value_of_.find(t);
    if (it == value_of_.end()) {
      *why = "tensor " + std::to_string(t) + " is read before it is made";
      return false;
    }
    *value = it->second;
    return true;
  }

  // A new value for tensor t, written by the op about to be appended.
  bool new_value(small_tensor t, std::string *why) {
    PeerShape shape;
    if (!shape_of(t, &shape, why)) {
      return false;
    }
    value_of_[t] = static_cast<int>(net_.values.size());
    net_.values.push_back(shape);
    return true;
  }

  bool add_op(PeerOp op, const Call &c, std::string *why) {
    if (!value_of(c.inputs[0], &op.in0, why) ||
        (c.inputs.size() > 1 && !value_of(c.inputs[1], &op.in1, why)) ||
        !new_value(c.output, why)) {
      return false;
    }
    op.out = value_of_[c.output];
    producer_[op.out] = net_.ops.size();
    net_.ops.push_back(std::move(op));
    return true;
  }

  bool lower_conv(const Call &c, std::string *why) {
    const small_conv2d_params &p = c.conv;
    if (p.weight_layout != SMALL_WEIGHTS_OIHW) {
      *why = "convolution weights not in OIHW order";
      return false;
    }
    PeerShape in;
    if (!shape_of(c.inputs[0], &in, why)) {
      return false;
    }
    PeerOp op;
    op.kind = PeerOpKind::kConv;
    op.kh = p.kernel_h;
    op.kw = p.kernel_w;
    op.stride_h = p.stride_h;
    op.stride_w = p.stride_w;
    op.dilation_h = p.dilation_h;
    op.dilation_w = p.dilation_w;
    op.groups = p.groups;
    if (p.padding_mode == SMALL_PADDING_SAME) {
      if (small_padding_same(in.h, p.kernel_h, p.stride_h, p.dilation_h,
                             &op.pad_top, &op.pad_bottom) != SMALL_OK ||
          small_padding_same(in.w, p.kernel_w, p.stride_w, p.dilation_w,
                             &op.pad_left, &op.pad_right) != SMALL_OK) {
        *why = "SAME padding failed";
        return false;
      }
    } else if (p.padding_mode == SMALL_PADDING_EXPLICIT) {
      op.pad_top = p.pad_top;
      op.pad_bottom = p.pad_bottom;
      op.pad_left = p.pad_left;
      op.pad_right = p.pad_right;
    }
    if (!to_clamp(p.activation, &op.clamp)) {
      *why = "convolution activation kind " +
             std::to_string(p.activation.kind) + " has no peer equivalent";
      return false;
    }
    op.weights = c.weights;
    op.bias =
        c.bias.empty() ? std::vector<float>(p.out_channels, 0.0f) : c.bias;
    return add_op(std::move(op), c, why);
  }

  bool lower_dense(const Call &c, std::string *why) {
    PeerOp op;
    op.kind = PeerOpKind::kDense;
    if (!to_clamp(c.act, &op.clamp)) {
      *why = "dense activation has no peer equivalent";
      return false;
    }
    op.weights = c.weights;
    op.bias =
        c.bias.empty() ? std::vector<float>(c.out_features, 0.0f) : c.bias;
    return add_op(std::move(op), c, why);
  }

  bool lower_pool(const Call &c, std::string *why) {
    PeerShape in;
    if (!shape_of(c.inputs[0], &in, why)) {
      return false;
    }
    const small_pool2d_params &p = c.pool;
    const bool global =
        p.kind == SMALL_POOL_AVG && p.kernel_h == in.h && p.kernel_w == in.w &&
        p.padding_mode != SMALL_PADDING_SAME &&
        p.pad_top + p.pad_bottom + p.pad_left + p.pad_right == 0;
    if (!global) {
      *why = "only average pooling over the whole image is lowered";
      return false;
    }
    PeerOp op;
    op.kind = PeerOpKind::kAvgPool;
    return add_op(std::move(op), c, why);
  }

  // Folds the activation into the op producing its input when that op has
  // no epilogue yet and nothing else reads its output.
  bool lower_activation(const Call &c, std::string *why) {
    int in = -1;
    if (!value_of(c.inputs[0], &in, why)) {
      return false;
    }
    const auto producer = producer_.find(in);
    PeerClamp clamp;
    if (!to_clamp(c.act, &clamp) || producer == producer_.end() ||
        readers_[c.inputs[0]] != 1) {
      *why = "standalone activation that cannot be fused";
      return false;
    }
    PeerOp &op = net_.ops[producer->second];
    if (op.clamp.active() || op.kind == PeerOpKind::kAvgPool ||
        op.kind == PeerOpKind::kSoftmax) {
      *why = "activation after an op that cannot take it";
      return false;
    }
    op.clamp = clamp;
    value_of_[c.output] = in;
    return true;
  }

  // Views that keep the NCHW element order and end at (c, 1, 1), as in
  // front of a dense layer, alias their input.
  bool lower_view(const Call &c, std::string *why) {
    PeerShape out;
    int in = -1;
    if (!value_of(c.inputs[0], &in, why) || !shape_of(c.output, &out, why)) {
      return false;
    }
    if (out.h != 1 || out.w != 1 || net_.values[in].elements() != out.c) {
      *why = "reshape to a shape other than (c, 1, 1)";
      return false;
    }
    value_of_[c.output] = in;
    return true;
  }

  bool lower(const Call &c, std::string *why) {
    PeerOp op;
    switch (c.kind) {
    case Call::kInput:
      if (!net_.values.empty()) {
        *why = "more than one network input";
        return false;
      }
      return new_value(c.output, why);
    case Call::kConv:
      return lower_conv(c, why);
    case Call::kDense:
      return lower_dense(c, why);
    case Call::kPool:
      return lower_pool(c, why);
    case Call::kGlobalAvgPool:
      op.kind = PeerOpKind::kAvgPool;
      return add_op(std::move(op), c, why);
    case Call::kAdd:
      op.kind = PeerOpKind::kAdd;
      if (!to_clamp(c.act, &op.clamp)) {
        *why = "add activation has no peer equivalent";
        return false;
      }
      return add_op(std::move(op), c, why);
    case Call::kSoftmax:
      op.kind = PeerOpKind::kSoftmax;
      return add_op(std::move(op), c, why);
    case Call::kActivation:
      return lower_activation(c, why);
    case Call::kReshape:
    case Call::kFlatten:
      return lower_view(c, why);
    case Call::kMarkOutput:
      if (net_.output >= 0) {
        *why = "more than one network output";
        return false;
      }
      return value_of(c.inputs.empty() ? c.output : c.inputs[0], &net_.output,
                      why);
    default:
      *why = "layer kind " + std::to_string(c.kind) + " is not lowered";
      return false;
    }
  }

  const small_onnx::ModelData &model_;
  PeerNet &net_;
  std::map<small_tensor, int> value_of_; // core tensor -> PeerNet value
  std::map<small_tensor, int> readers_;  // core tensor -> calls reading it
  std::map<int, size_t> producer_;       // PeerNet value -> op index
};

} // namespace

bool lower_onnx_model(const std::string &path, PeerNet *net, std::string *why) {
  small_onnx::ModelData model;
  small_onnx_options options;
  small_onnx_options_init(&options);
  options.finalize = 0;
  try {
    std::string bytes;
    if (!read_file(path, &bytes)) {
      *why = "cannot read " + path;
      return false;
    }
    small_onnx::import_model(bytes.data(), bytes.size(), options, model);
  } catch (const std::exception &e) {
    *why = e.what();
    small_network_destroy(model.network);
    return false;
  }
  *net = PeerNet{};
  net->macs = model.macs;
  const bool ok = Lowering(model, net).run(why);
  small_network_destroy(model.network);
  return ok;
}

} // namespace small_bench
