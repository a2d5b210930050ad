// Lowers an importer's network description into a PeerNet: the layers
// SMaLL was asked to build, with their trained weights, in engine-neutral
// terms. Standalone activations are folded into the op that produces their
// input (as every peer engine would fuse them); views (flatten, reshape to
// (c, 1, 1)) keep the NCHW element order and so alias their input.
#include "lower_description.h"

#include <map>
#include <vector>

#include "activation_clamp.h"
#include "conv_geometry.h"

namespace small_bench {
namespace {

using small_import::Layer;
using small_import::TensorId;

// TensorFlow's [kh][kw][in/groups][out] (TFLite models) as the peers'
// [out][in/groups][kh][kw] (depthwise: [kh][kw][1][channels] likewise).
std::vector<float> hwio_to_oihw(const std::vector<float> &hwio,
                                const small_conv2d_params &p,
                                uint32_t in_channels) {
  const size_t kh = p.kernel_h, kw = p.kernel_w, out = p.out_channels;
  const size_t in = in_channels / p.groups;
  std::vector<float> oihw(hwio.size());
  for (size_t o = 0; o < out; ++o) {
    for (size_t i = 0; i < in; ++i) {
      for (size_t y = 0; y < kh; ++y) {
        for (size_t x = 0; x < kw; ++x) {
          oihw[((o * in + i) * kh + y) * kw + x] =
              hwio[((y * kw + x) * in + i) * out + o];
        }
      }
    }
  }
  return oihw;
}

class Lowering final : public small_import::LayerVisitor {
public:
  Lowering(const small_import::NetworkDescription &desc, PeerNet *net)
      : desc_(desc), net_(*net) {
    for (const Layer &layer : desc.layers) {
      for (TensorId t : layer.inputs) {
        ++readers_[t];
      }
    }
  }

  const std::string &why() const { return why_; }

  small_status visit(TensorId id, const Layer &,
                     const small_import::InputParams &) override {
    if (!net_.values.empty()) {
      return refuse("more than one network input");
    }
    return new_value(id);
  }

  small_status visit(TensorId id, const Layer &layer,
                     const small_import::Conv2dParams &c) override {
    const small_conv2d_params &p = c.params;
    PeerShape in;
    if (!shape_of(layer.inputs[0], &in)) {
      return SMALL_ERR_UNSUPPORTED;
    }
    if (p.groups == 0 || in.c % p.groups != 0 ||
        c.weights.size() != size_t{p.out_channels} * (in.c / p.groups) *
                                p.kernel_h * p.kernel_w) {
      return refuse("convolution weights of unexpected size");
    }
    PeerOp op;
    op.kind = PeerOpKind::kConv;
    if (!set_conv_geometry(p, in, &op)) {
      return refuse("SAME padding failed");
    }
    if (!clamp_of(p.activation, &op.clamp)) {
      return refuse("convolution activation kind " +
                    std::to_string(p.activation.kind) +
                    " has no peer equivalent");
    }
    op.weights = p.weight_layout == SMALL_WEIGHTS_HWIO
                     ? hwio_to_oihw(c.weights, p, in.c)
                     : c.weights;
    op.bias =
        c.bias.empty() ? std::vector<float>(p.out_channels, 0.0f) : c.bias;
    return add_op(std::move(op), id, layer);
  }

  small_status visit(TensorId id, const Layer &layer,
                     const small_import::DenseParams &d) override {
    PeerOp op;
    op.kind = PeerOpKind::kDense;
    if (!clamp_of(d.activation, &op.clamp)) {
      return refuse("dense activation has no peer equivalent");
    }
    op.weights = d.weights;
    op.bias =
        d.bias.empty() ? std::vector<float>(d.out_features, 0.0f) : d.bias;
    return add_op(std::move(op), id, layer);
  }

  small_status visit(TensorId id, const Layer &layer,
                     const small_import::Pool2dParams &pool) override {
    PeerShape in;
    if (!shape_of(layer.inputs[0], &in)) {
      return SMALL_ERR_UNSUPPORTED;
    }
    const small_pool2d_params &p = pool.params;
    const bool global =
        p.kind == SMALL_POOL_AVG && p.kernel_h == in.h && p.kernel_w == in.w &&
        p.padding_mode != SMALL_PADDING_SAME &&
        p.pad_top + p.pad_bottom + p.pad_left + p.pad_right == 0;
    if (!global) {
      return refuse("only average pooling over the whole image is lowered");
    }
    PeerOp op;
    op.kind = PeerOpKind::kAvgPool;
    return add_op(std::move(op), id, layer);
  }

  small_status visit(TensorId id, const Layer &layer,
                     const small_import::GlobalAvgPoolParams &) override {
    PeerOp op;
    op.kind = PeerOpKind::kAvgPool;
    return add_op(std::move(op), id, layer);
  }

  small_status visit(TensorId id, const Layer &layer,
                     const small_import::AddParams &a) override {
    PeerOp op;
    op.kind = PeerOpKind::kAdd;
    if (!clamp_of(a.activation, &op.clamp)) {
      return refuse("add activation has no peer equivalent");
    }
    return add_op(std::move(op), id, layer);
  }

  small_status visit(TensorId, const Layer &,
                     const small_import::ConcatParams &) override {
    return refuse("concat is not lowered");
  }

  // Folds the activation into the op producing its input when that op has
  // no epilogue yet and nothing else reads its output.
  small_status visit(TensorId id, const Layer &layer,
                     const small_import::ActivationParams &a) override {
    int in = -1;
    if (!value_of(layer.inputs[0], &in)) {
      return SMALL_ERR_UNSUPPORTED;
    }
    const auto producer = producer_.find(in);
    PeerClamp clamp;
    if (!clamp_of(a.activation, &clamp) || producer == producer_.end() ||
        readers_[layer.inputs[0]] != 1) {
      return refuse("standalone activation that cannot be fused");
    }
    PeerOp &op = net_.ops[producer->second];
    if (op.clamp.active() || op.kind == PeerOpKind::kAvgPool ||
        op.kind == PeerOpKind::kSoftmax) {
      return refuse("activation after an op that cannot take it");
    }
    op.clamp = clamp;
    value_of_[id] = in;
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const small_import::SoftmaxParams &) override {
    PeerOp op;
    op.kind = PeerOpKind::kSoftmax;
    return add_op(std::move(op), id, layer);
  }

  small_status visit(TensorId, const Layer &,
                     const small_import::BatchNormParams &) override {
    return refuse("batchnorm is not lowered");
  }

  small_status visit(TensorId id, const Layer &layer,
                     const small_import::ReshapeParams &) override {
    return view(id, layer);
  }

  small_status visit(TensorId id, const Layer &layer,
                     const small_import::FlattenParams &) override {
    return view(id, layer);
  }

  small_status mark_output(TensorId tensor, size_t) override {
    if (net_.output >= 0) {
      return refuse("more than one network output");
    }
    return value_of(tensor, &net_.output) ? SMALL_OK : SMALL_ERR_UNSUPPORTED;
  }

private:
  small_status refuse(const std::string &why) {
    why_ = why;
    return SMALL_ERR_UNSUPPORTED;
  }

  bool shape_of(TensorId t, PeerShape *shape) {
    const uint32_t *d = desc_.layers[t].output_dims;
    if (d[0] != 1) {
      why_ = "tensor " + std::to_string(t) + " has no batch-1 shape";
      return false;
    }
    *shape = PeerShape{d[1], d[2], d[3]};
    return true;
  }

  bool value_of(TensorId t, int *value) {
    const auto it = value_of_.find(t);
    if (it == value_of_.end()) {
      why_ = "tensor " + std::to_string(t) + " is read before it is made";
      return false;
    }
    *value = it->second;
    return true;
  }

  // A new value for tensor t, written by the op about to be appended.
  small_status new_value(TensorId t) {
    PeerShape shape;
    if (!shape_of(t, &shape)) {
      return SMALL_ERR_UNSUPPORTED;
    }
    value_of_[t] = static_cast<int>(net_.values.size());
    net_.values.push_back(shape);
    return SMALL_OK;
  }

  small_status add_op(PeerOp op, TensorId id, const Layer &layer) {
    if (!value_of(layer.inputs[0], &op.in0) ||
        (layer.inputs.size() > 1 && !value_of(layer.inputs[1], &op.in1)) ||
        new_value(id) != SMALL_OK) {
      return SMALL_ERR_UNSUPPORTED;
    }
    op.out = value_of_[id];
    producer_[op.out] = net_.ops.size();
    net_.ops.push_back(std::move(op));
    return SMALL_OK;
  }

  // Views that keep the NCHW element order and end at (c, 1, 1), as in
  // front of a dense layer, alias their input.
  small_status view(TensorId id, const Layer &layer) {
    PeerShape out;
    int in = -1;
    if (!value_of(layer.inputs[0], &in) || !shape_of(id, &out)) {
      return SMALL_ERR_UNSUPPORTED;
    }
    if (out.h != 1 || out.w != 1 || net_.values[in].elements() != out.c) {
      return refuse("reshape to a shape other than (c, 1, 1)");
    }
    value_of_[id] = in;
    return SMALL_OK;
  }

  const small_import::NetworkDescription &desc_;
  PeerNet &net_;
  std::string why_;
  std::map<TensorId, int> value_of_; // description tensor -> PeerNet value
  std::map<TensorId, int> readers_;  // description tensor -> layers reading it
  std::map<int, size_t> producer_;   // PeerNet value -> op index
};

} // namespace

bool lower_description(const small_import::NetworkDescription &desc,
                       uint64_t macs, PeerNet *net, std::string *why) {
  *net = PeerNet{};
  net->macs = macs;
  Lowering lowering(desc, net);
  if (small_import::visit_network(desc, lowering) != SMALL_OK) {
    *why = lowering.why();
    return false;
  }
  if (net->output < 0) {
    *why = "the model marks no output";
    return false;
  }
  return true;
}

} // namespace small_bench
