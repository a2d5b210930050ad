#include "tflite_importer.h"

#include <limits>
#include <set>

#include "layer_table.h"
#include "op_table.h"
#include "tflite_quant.h"

namespace small_tflite {

bool canonical(const Dims &d, uint32_t out[4]) {
  for (int64_t x : d) {
    if (x < 1 || x > std::numeric_limits<uint32_t>::max()) {
      return false;
    }
  }
  const auto u = [](int64_t x) { return static_cast<uint32_t>(x); };
  switch (d.size()) {
  case 1:
    out[0] = 1, out[1] = u(d[0]), out[2] = 1, out[3] = 1;
    return true;
  case 2:
    out[0] = u(d[0]), out[1] = u(d[1]), out[2] = 1, out[3] = 1;
    return true;
  case 4:
    out[0] = u(d[0]), out[1] = u(d[3]), out[2] = u(d[1]), out[3] = u(d[2]);
    return true;
  default:
    return false;
  }
}

Importer::~Importer() {
  if (net_ != nullptr) {
    small_network_destroy(net_);
  }
}

std::string Importer::where() const {
  if (op_ == nullptr) {
    return "subgraph";
  }
  return "operator " + std::to_string(op_index_) + " (" + op_->op_name + ")";
}

void Importer::expect_io(size_t min_inputs, size_t max_inputs, size_t outputs) {
  size_t given = op_->inputs.size();
  while (given > min_inputs && op_->inputs[given - 1] < 0) {
    --given; // trailing omitted optional inputs
  }
  if (given < min_inputs || given > max_inputs) {
    op_fail(SMALL_ERR_PARSE,
            "has " + std::to_string(given) + " inputs; expected " +
                std::to_string(min_inputs) +
                (max_inputs != min_inputs ? ".." + std::to_string(max_inputs)
                                          : ""));
  }
  for (size_t k = 0; k < min_inputs; ++k) {
    if (op_->inputs[k] < 0) {
      op_fail(SMALL_ERR_PARSE,
              "required input " + std::to_string(k) + " is omitted");
    }
  }
  if (op_->outputs.size() != outputs) {
    op_fail(SMALL_ERR_UNSUPPORTED,
            "has " + std::to_string(op_->outputs.size()) +
                " outputs; expected " + std::to_string(outputs));
  }
}

const TensorInfo &Importer::input_tensor(size_t k) const {
  if (!has_input(k)) {
    op_fail(SMALL_ERR_PARSE, "input " + std::to_string(k) + " is missing");
  }
  return model_.tensors[static_cast<size_t>(op_->inputs[k])];
}

const TensorInfo &Importer::output_tensor(size_t k) const {
  return model_.tensors[static_cast<size_t>(op_->outputs.at(k))];
}

const Value &Importer::runtime_input(size_t k, unsigned accept) const {
  const TensorInfo &t = input_tensor(k);
  const Value &v = values_[static_cast<size_t>(t.index)];
  if (!v.defined) {
    if (t.data != nullptr || folded_.count(t.index)) {
      op_fail(SMALL_ERR_UNSUPPORTED,
              "input " + std::to_string(k) + " (" + t.label() +
                  ") is a constant; this operator needs a runtime tensor "
                  "there (constant folding is not supported)");
    }
    op_fail(SMALL_ERR_PARSE, "input " + std::to_string(k) + " (" + t.label() +
                                 ") is neither a subgraph input, a constant "
                                 "nor the output of an earlier operator");
  }
  if (t.type != kFloat32 && t.type != kInt8) {
    op_fail(SMALL_ERR_UNSUPPORTED,
            "input " + std::to_string(k) + " (" + t.label() + ") is " +
                type_name(t.type) +
                "; SMaLL runs float32 and int8 activations");
  }
  if (v.padded() && !(accept & kPadded)) {
    op_fail(SMALL_ERR_UNSUPPORTED,
            "input " + std::to_string(k) + " (" + t.label() +
                ") comes from a PAD; SMaLL supports PAD only when it feeds "
                "CONV_2D or DEPTHWISE_CONV_2D");
  }
  if (v.nhwc_view && !(accept & kNhwcView)) {
    op_fail(SMALL_ERR_UNSUPPORTED,
            "input " + std::to_string(k) + " (" + t.label() +
                ") comes from a RESHAPE that reorders elements between "
                "TFLite's NHWC and SMaLL's NCHW order; only FULLY_CONNECTED "
                "may read such a reshape");
  }
  return v;
}

std::vector<float> Importer::constant_floats(size_t k,
                                             const std::string &what) const {
  const TensorInfo &t = input_tensor(k);
  const auto f = folded_.find(t.index);
  if (f != folded_.end()) {
    return f->second;
  }
  try {
    return small_tflite::constant_floats(t, what);
  } catch (const ImportError &e) {
    op_fail(e.status(), e.what());
  }
}

std::vector<int64_t> Importer::constant_ints(size_t k,
                                             const std::string &what) const {
  try {
    return small_tflite::constant_ints(input_tensor(k), what);
  } catch (const ImportError &e) {
    op_fail(e.status(), e.what());
  }
}

small_quant Importer::input_quant(size_t k) const {
  try {
    return activation_quant(input_tensor(k));
  } catch (const ImportError &e) {
    op_fail(e.status(), e.what());
  }
}

small_quant Importer::output_quant() const {
  try {
    return activation_quant(output_tensor());
  } catch (const ImportError &e) {
    op_fail(e.status(), e.what());
  }
}

small_import::Int8Weights Importer::int8_weights(size_t w, size_t bias,
                                                 uint32_t out_channels) const {
  try {
    return small_tflite::int8_weights(
        input_tensor(w), has_input(bias) ? &input_tensor(bias) : nullptr,
        out_channels);
  } catch (const ImportError &e) {
    op_fail(e.status(), e.what());
  }
}

void Importer::set_constant_output(std::vector<float> values) {
  folded_[output_tensor().index] = std::move(values);
}

small_activation Importer::activation(fb::ActivationFunctionType f) const {
  switch (f) {
  case fb::ActivationFunctionType::NONE:
    return small_activation_make(SMALL_ACT_NONE);
  case fb::ActivationFunctionType::RELU:
    return small_activation_make(SMALL_ACT_RELU);
  case fb::ActivationFunctionType::RELU6:
    return small_activation_make(SMALL_ACT_RELU6);
  case fb::ActivationFunctionType::RELU_N1_TO_1: {
    small_activation a = small_activation_make(SMALL_ACT_CLIP);
    a.min = -1.0f;
    a.max = 1.0f;
    return a;
  }
  default:
    op_fail(SMALL_ERR_UNSUPPORTED,
            "fused activation " + std::to_string(static_cast<int>(f)) +
                " (TANH, SIGN_BIT or unknown) is not supported; NONE, RELU, "
                "RELU_N1_TO_1 and RELU6 are");
  }
}

void Importer::build(TensorId id) {
  builder_->build(out_.description, id, where());
}

TensorId Importer::add_layer(small_import::LayerParams params,
                             std::vector<TensorId> inputs,
                             const std::string &source_ops) {
  small_import::Layer layer;
  layer.name =
      op_ != nullptr && !op_->outputs.empty() ? output_tensor().name : "";
  layer.source_ops = !source_ops.empty() ? source_ops
                     : op_ != nullptr    ? op_->op_name
                                         : "";
  layer.inputs = std::move(inputs);
  layer.params = std::move(params);
  const TensorId id = out_.description.layers.size();
  out_.description.layers.push_back(std::move(layer));
  build(id);
  return id;
}

void Importer::set_output(Value v) {
  const TensorInfo &t = output_tensor();
  if (t.type != kFloat32 && t.type != kInt8) {
    op_fail(SMALL_ERR_UNSUPPORTED, "output " + t.label() + " is " +
                                       type_name(t.type) +
                                       "; SMaLL runs float32 and int8 "
                                       "activations");
  }
  if (v.dims != t.dims) {
    op_fail(SMALL_ERR_SHAPE_MISMATCH,
            "computes " + dims_str(v.dims) + " but the model declares " +
                t.label() + " as " + dims_str(t.dims));
  }
  uint32_t want[4];
  if (!canonical(v.dims, want)) {
    op_fail(SMALL_ERR_UNSUPPORTED,
            "output " + t.label() + " has shape " + dims_str(v.dims) +
                "; SMaLL tensors are [C], [N, C] or [N, H, W, C] with "
                "dimensions of at least 1");
  }
  if (!v.nhwc_view && !v.padded()) {
    const uint32_t *got = shape_of(v.tensor);
    for (int k = 0; k < 4; ++k) {
      if (got[k] != want[k]) {
        op_fail(SMALL_ERR_SHAPE_MISMATCH,
                "SMaLL computes (n, c, h, w) = (" + std::to_string(got[0]) +
                    ", " + std::to_string(got[1]) + ", " +
                    std::to_string(got[2]) + ", " + std::to_string(got[3]) +
                    ") but the model declares " + t.label() + " as " +
                    dims_str(t.dims));
      }
    }
  }
  v.defined = true;
  values_[static_cast<size_t>(t.index)] = v;
}

void Importer::set_output(TensorId t) {
  Value v;
  v.tensor = t;
  v.dims = output_tensor().dims;
  set_output(v);
}

void Importer::read_inputs() {
  values_.assign(model_.tensors.size(), Value{});
  if (model_.inputs.empty()) {
    fail(SMALL_ERR_UNSUPPORTED, "subgraph: no input");
  }
  std::set<int32_t> seen;
  for (int32_t i : model_.inputs) {
    const TensorInfo &t = model_.tensors[static_cast<size_t>(i)];
    const std::string what = "subgraph input " + t.label();
    if (!seen.insert(i).second) {
      fail(SMALL_ERR_PARSE, what + " is listed twice");
    }
    if (t.data != nullptr) {
      fail(SMALL_ERR_UNSUPPORTED, what + " has constant data");
    }
    small_import::InputParams p;
    if (t.type == kInt8) {
      p.dtype = SMALL_DTYPE_INT8;
      p.quant = activation_quant(t);
    } else if (t.type != kFloat32) {
      fail(SMALL_ERR_UNSUPPORTED, what + " is " + type_name(t.type) +
                                      "; SMaLL inputs are FLOAT32 or INT8");
    }
    if (!canonical(t.dims, p.dims)) {
      fail(SMALL_ERR_UNSUPPORTED,
           what + " has shape " + dims_str(t.dims) +
               "; SMaLL inputs are [C], [N, C] or [N, H, W, C] with "
               "dimensions of at least 1");
    }
    Value v;
    v.defined = true;
    v.dims = t.dims;
    v.tensor = add_layer(p, {});
    out_.description.layers[v.tensor].name = t.name;
    values_[static_cast<size_t>(i)] = v;
    out_.description.input_names.push_back(t.name);
    out_.input_dims.push_back(t.dims);
    out_.input_signatures.push_back(t.signature);
  }
}

void Importer::import_operator() {
  const LowerFn lower = find_lowering(op_->code);
  if (lower == nullptr) {
    op_fail(SMALL_ERR_UNSUPPORTED,
            "operator is not supported (SMaLL imports CONV_2D, "
            "DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, "
            "MAX_POOL_2D, MEAN, ADD, CONCATENATION, RESHAPE, SOFTMAX, PAD, "
            "QUANTIZE and DEQUANTIZE)");
  }
  for (int32_t o : op_->outputs) {
    const TensorInfo &t = model_.tensors[static_cast<size_t>(o)];
    if (values_[static_cast<size_t>(o)].defined || folded_.count(o) ||
        t.data != nullptr) {
      op_fail(SMALL_ERR_PARSE, "output " + t.label() +
                                   " is already defined (a constant, a "
                                   "subgraph input or an earlier output)");
    }
  }
  lower(*this);
}

void Importer::mark_outputs() {
  if (model_.outputs.empty()) {
    fail(SMALL_ERR_PARSE, "subgraph: no output");
  }
  std::set<TensorId> marked;
  small_import::NetworkDescription &desc = out_.description;
  for (int32_t i : model_.outputs) {
    const TensorInfo &t = model_.tensors[static_cast<size_t>(i)];
    const std::string what = "subgraph output " + t.label();
    const Value &v = values_[static_cast<size_t>(i)];
    if (!v.defined) {
      fail(SMALL_ERR_UNSUPPORTED,
           what + " is not computed by any operator (constant outputs are "
                  "not supported)");
    }
    if (v.padded() || v.nhwc_view) {
      fail(SMALL_ERR_UNSUPPORTED,
           what + " comes from a PAD or an order-changing RESHAPE, which "
                  "SMaLL cannot hold as a tensor");
    }
    TensorId tensor = v.tensor;
    uint32_t want[4];
    canonical(v.dims, want);
    const uint32_t *got = shape_of(tensor);
    if (got[1] != want[1] || got[2] != want[2] || got[3] != want[3]) {
      small_import::ReshapeParams r;
      r.c = want[1], r.h = want[2], r.w = want[3];
      tensor = add_layer(r, {tensor}, "RESHAPE");
    }
    if (!marked.insert(tensor).second) {
      fail(SMALL_ERR_UNSUPPORTED,
           what + " is the same tensor as an earlier output");
    }
    const small_status ms = builder_->mark_output(tensor, desc.outputs.size());
    if (ms != SMALL_OK) {
      fail(ms, what + ": " + small_last_error());
    }
    desc.outputs.push_back(tensor);
    desc.output_names.push_back(t.name);
    desc.output_dims.push_back(v.dims);
    Dims signature = v.dims;
    if (!t.signature.empty() && t.signature[0] < 0 && !signature.empty()) {
      signature[0] = -1;
    }
    out_.output_signatures.push_back(signature);
  }
}

void Importer::run(const void *data, size_t size) {
  read_model(data, size, options_.max_tensor_bytes, model_);
  out_.description.graph_name = model_.subgraph_name;
  out_.signatures = model_.signatures;
  out_.description.io_layout = SMALL_LAYOUT_NHWC;
  if (small_network_create(&net_) != SMALL_OK) {
    fail(SMALL_ERR_OUT_OF_MEMORY, "small_network_create failed");
  }
  builder_ = std::make_unique<small_import::NetworkBuilder>(net_);
  out_.description.rounding = options_.rounding;
  if (small_network_set_rounding(net_, options_.rounding) != SMALL_OK) {
    fail(SMALL_ERR_INVALID_ARGUMENT,
         std::string("options.rounding: ") + small_last_error());
  }
  read_inputs();
  for (op_index_ = 0; op_index_ < model_.operators.size(); ++op_index_) {
    op_ = &model_.operators[op_index_];
    import_operator();
  }
  op_ = nullptr;
  mark_outputs();
  if (options_.finalize) {
    const small_status s = small_network_finalize(net_);
    if (s != SMALL_OK) {
      fail(s,
           std::string("small_network_finalize failed: ") + small_last_error());
    }
  }
  out_.network = net_;
  net_ = nullptr;
  fill_layer_table(out_);
}

void import_model(const void *data, size_t size,
                  const small_tflite_options &options, ImportResult &out) {
  Importer importer(options, out);
  importer.run(data, size);
}

} // namespace small_tflite
