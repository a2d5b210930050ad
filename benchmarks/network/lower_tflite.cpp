// Lowers the TFLite importer's network description of an int8 model into an
// Int8Net: the layers SMaLL was asked to build, with the file's int8
// weights, per-channel scales, int32 biases and quantization, back in
// TFLite's own terms (NHWC activations, OHWI filters), which is what the
// int8 peers take.
#include "lower_tflite.h"

#include <map>

#include "activation_clamp.h"
#include "conv_geometry.h"
#include "small/small_tflite.h"
#include "small_import/tflite_description.h"

namespace small_bench {
namespace {

using small_import::Layer;
using small_import::TensorId;

// The filter of a convolution in OHWI order, from the description's layout.
std::vector<int8_t> to_ohwi(const small_import::Conv2dInt8Params &c,
                            uint32_t in_per_group) {
  const small_conv2d_params &p = c.params;
  const uint32_t out = p.out_channels, kh = p.kernel_h, kw = p.kernel_w;
  const std::vector<int8_t> &w = c.weights.values;
  std::vector<int8_t> ohwi(w.size());
  for (uint32_t o = 0; o < out; ++o) {
    for (uint32_t y = 0; y < kh; ++y) {
      for (uint32_t x = 0; x < kw; ++x) {
        for (uint32_t i = 0; i < in_per_group; ++i) {
          const size_t from =
              p.weight_layout == SMALL_WEIGHTS_HWIO
                  ? ((size_t{y} * kw + x) * in_per_group + i) * out + o
                  : ((size_t{o} * in_per_group + i) * kh + y) * kw + x;
          ohwi[((size_t{o} * kh + y) * kw + x) * in_per_group + i] = w[from];
        }
      }
    }
  }
  return ohwi;
}

// A dense layer's [out][in] weights with `in` in the NHWC order of an input
// of shape `in` (the description has them in NCHW flatten order).
std::vector<int8_t> dense_to_nhwc(const std::vector<int8_t> &w,
                                  const PeerShape &in) {
  const size_t k = in.elements(), hw = size_t{in.h} * in.w;
  std::vector<int8_t> nhwc(w.size());
  for (size_t o = 0; o < w.size() / k; ++o) {
    for (size_t c = 0; c < in.c; ++c) {
      for (size_t p = 0; p < hw; ++p) {
        nhwc[o * k + p * in.c + c] = w[o * k + c * hw + p];
      }
    }
  }
  return nhwc;
}

// NHWC and NCHW element orders agree (a reshape of it moves nothing).
bool order_free(const PeerShape &s) { return s.c == 1 || s.h * s.w == 1; }

class Lowering final : public small_import::LayerVisitor {
public:
  Lowering(const small_import::NetworkDescription &desc, Int8Net *net)
      : desc_(desc), net_(*net) {}

  const std::string &why() const { return why_; }

  small_status visit(TensorId id, const Layer &,
                     const small_import::InputParams &p) override {
    if (!net_.values.empty()) {
      return refuse("more than one network input");
    }
    if (p.dtype != SMALL_DTYPE_INT8) {
      return refuse("the network input is not int8");
    }
    return new_value(id, p.quant);
  }

  small_status visit(TensorId id, const Layer &layer,
                     const small_import::Conv2dInt8Params &c) override {
    const small_conv2d_params &p = c.params;
    PeerShape in;
    if (!shape_of(layer.inputs[0], &in)) {
      return SMALL_ERR_UNSUPPORTED;
    }
    Int8Op op;
    op.kind = Int8OpKind::kConv;
    if (!set_conv_geometry(p, in, &op)) {
      return refuse("SAME padding failed");
    }
    if (!clamp_of(p.activation, &op.clamp)) {
      return refuse("a convolution's activation is not a clamp");
    }
    op.weights = to_ohwi(c, in.c / p.groups);
    return add_weighted(std::move(op), c.weights, p.out_channels, c.output, id,
                        layer);
  }

  small_status visit(TensorId id, const Layer &layer,
                     const small_import::DenseInt8Params &d) override {
    PeerShape in;
    if (!shape_of(layer.inputs[0], &in)) {
      return SMALL_ERR_UNSUPPORTED;
    }
    Int8Op op;
    op.kind = Int8OpKind::kDense;
    if (!clamp_of(d.activation, &op.clamp)) {
      return refuse("a dense layer's activation is not a clamp");
    }
    op.weights = dense_to_nhwc(d.weights.values, in);
    return add_weighted(std::move(op), d.weights, d.out_features, d.output, id,
                        layer);
  }

  // TFLite's AVERAGE_POOL_2D over the whole image (the only pooling these
  // models use): a global average that keeps the input's quantization.
  small_status visit(TensorId id, const Layer &layer,
                     const small_import::Pool2dInt8Params &pool) override {
    PeerShape in;
    int from = -1;
    if (!shape_of(layer.inputs[0], &in) || !value_of(layer.inputs[0], &from)) {
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
    Int8Op op;
    op.kind = Int8OpKind::kGlobalAvgPool;
    if (!clamp_of(pool.activation, &op.clamp)) {
      return refuse("a pooling's activation is not a clamp");
    }
    return add_op(std::move(op), net_.values[from].quant, id, layer);
  }

  small_status visit(TensorId id, const Layer &layer,
                     const small_import::GlobalAvgPoolInt8Params &g) override {
    Int8Op op;
    op.kind = Int8OpKind::kGlobalAvgPool;
    return add_op(std::move(op), g.output, id, layer);
  }

  small_status visit(TensorId id, const Layer &layer,
                     const small_import::AddInt8Params &a) override {
    Int8Op op;
    op.kind = Int8OpKind::kAdd;
    if (!clamp_of(a.activation, &op.clamp)) {
      return refuse("an add's activation is not a clamp");
    }
    return add_op(std::move(op), a.output, id, layer);
  }

  small_status visit(TensorId id, const Layer &layer,
                     const small_import::SoftmaxInt8Params &s) override {
    if (s.beta != 1.0f) {
      return refuse("softmax with beta other than 1");
    }
    Int8Op op;
    op.kind = Int8OpKind::kSoftmax;
    return add_op(std::move(op), s.output, id, layer);
  }

  small_status visit(TensorId id, const Layer &layer,
                     const small_import::ReshapeParams &) override {
    return view(id, layer);
  }

  small_status visit(TensorId id, const Layer &layer,
                     const small_import::FlattenParams &) override {
    return view(id, layer);
  }

  small_status visit(TensorId, const Layer &,
                     const small_import::ConcatInt8Params &) override {
    return refuse("int8 concatenation is not lowered");
  }
  small_status visit(TensorId, const Layer &,
                     const small_import::QuantizeParams &) override {
    return refuse("QUANTIZE inside the network is not lowered");
  }
  small_status visit(TensorId, const Layer &,
                     const small_import::DequantizeParams &) override {
    return refuse("DEQUANTIZE inside the network is not lowered");
  }

  // Float layers: the int8 peers take all-int8 networks only.
  small_status visit(TensorId, const Layer &l,
                     const small_import::Conv2dParams &) override {
    return float_layer(l);
  }
  small_status visit(TensorId, const Layer &l,
                     const small_import::DenseParams &) override {
    return float_layer(l);
  }
  small_status visit(TensorId, const Layer &l,
                     const small_import::Pool2dParams &) override {
    return float_layer(l);
  }
  small_status visit(TensorId, const Layer &l,
                     const small_import::GlobalAvgPoolParams &) override {
    return float_layer(l);
  }
  small_status visit(TensorId, const Layer &l,
                     const small_import::AddParams &) override {
    return float_layer(l);
  }
  small_status visit(TensorId, const Layer &l,
                     const small_import::ConcatParams &) override {
    return float_layer(l);
  }
  small_status visit(TensorId, const Layer &l,
                     const small_import::ActivationParams &) override {
    return float_layer(l);
  }
  small_status visit(TensorId, const Layer &l,
                     const small_import::SoftmaxParams &) override {
    return float_layer(l);
  }
  small_status visit(TensorId, const Layer &l,
                     const small_import::BatchNormParams &) override {
    return float_layer(l);
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

  small_status float_layer(const Layer &layer) {
    return refuse(std::string("float layer ") +
                  small_import::layer_kind_name(layer) + " (" +
                  layer.source_ops + ") in an int8 network");
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

  small_status new_value(TensorId t, small_quant quant) {
    Int8Value v;
    if (!shape_of(t, &v.shape)) {
      return SMALL_ERR_UNSUPPORTED;
    }
    v.quant = quant;
    value_of_[t] = static_cast<int>(net_.values.size());
    net_.values.push_back(v);
    return SMALL_OK;
  }

  small_status add_op(Int8Op op, small_quant out_quant, TensorId id,
                      const Layer &layer) {
    if (!value_of(layer.inputs[0], &op.in0) ||
        (layer.inputs.size() > 1 && !value_of(layer.inputs[1], &op.in1)) ||
        new_value(id, out_quant) != SMALL_OK) {
      return SMALL_ERR_UNSUPPORTED;
    }
    op.out = value_of_[id];
    net_.ops.push_back(std::move(op));
    return SMALL_OK;
  }

  // Scales expanded to one per output channel, a zero bias when there is
  // none.
  small_status add_weighted(Int8Op op, const small_import::Int8Weights &w,
                            uint32_t out_channels, small_quant out_quant,
                            TensorId id, const Layer &layer) {
    if (w.scales.size() != 1 && w.scales.size() != out_channels) {
      return refuse("weight scales count neither 1 nor the output channels");
    }
    op.weight_scales = w.scales.size() == 1
                           ? std::vector<float>(out_channels, w.scales[0])
                           : w.scales;
    op.bias = w.bias.empty() ? std::vector<int32_t>(out_channels, 0) : w.bias;
    return add_op(std::move(op), out_quant, id, layer);
  }

  // A reshape that moves no element in NHWC order aliases its input.
  small_status view(TensorId id, const Layer &layer) {
    PeerShape out;
    int in = -1;
    if (!value_of(layer.inputs[0], &in) || !shape_of(id, &out)) {
      return SMALL_ERR_UNSUPPORTED;
    }
    const PeerShape &from = net_.values[in].shape;
    if (from.elements() != out.elements() || !order_free(from) ||
        !order_free(out)) {
      return refuse("a reshape that reorders NHWC elements");
    }
    value_of_[id] = in;
    return SMALL_OK;
  }

  const small_import::NetworkDescription &desc_;
  Int8Net &net_;
  std::string why_;
  std::map<TensorId, int> value_of_; // description tensor -> Int8Net value
};

} // namespace

bool lower_tflite_int8_model(const std::string &path, Int8Net *net,
                             std::string *why) {
  small_tflite_model *model = nullptr;
  if (small_tflite_import_file(path.c_str(), nullptr, &model) != SMALL_OK) {
    *why = small_tflite_last_error();
    return false;
  }
  const small_import::NetworkDescription &desc =
      *small_import::tflite_model_description(model);
  *net = Int8Net{};
  net->macs = small_tflite_model_macs(model);
  Lowering lowering(desc, net);
  const small_status s = small_import::visit_network(desc, lowering);
  small_tflite_model_destroy(model);
  if (s != SMALL_OK) {
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
