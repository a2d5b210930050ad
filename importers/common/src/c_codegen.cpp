#include "small_import/c_codegen.h"

#include <algorithm>
#include <cstdio>
#include <memory>

#include "small_import/c_header.h"
#include "small_import/c_literals.h"
#include "small_import/c_text.h"

namespace small_import {
namespace {

// Emits the statements of the build function into body() and the weight
// arrays they read into arrays(); declarations() are the locals the
// statements use. A visit that cannot spell its layer returns
// SMALL_ERR_UNSUPPORTED and says why in problem().
class CodeWriter final : public LayerVisitor {
public:
  explicit CodeWriter(const PackedTarget *packed) : packed_(packed) {}
  const std::string &arrays() const { return arrays_; }
  // With packed weights: whether every packed entry found its layer.
  bool used_all_packed() const {
    return packed_ == nullptr || next_packed_ == packed_->layers.size();
  }
  const std::string &body() const { return body_; }
  const std::string &problem() const { return problem_; }

  std::string declarations() const {
    std::string d;
    if (uses_.conv) {
      d += "  small_conv2d_params cp;\n";
    }
    if (uses_.pool) {
      d += "  small_pool2d_params pp;\n";
    }
    if (uses_.act) {
      d += "  small_activation act;\n";
    }
    if (uses_.quant) {
      d += "  small_quant q;\n";
    }
    if (uses_.int8_weights) {
      d += "  small_int8_weights w8;\n";
    }
    if (uses_.packed_weights) {
      d += "  small_int8_packed_weights w8p;\n";
    }
    if (list_size_ > 0) {
      appendf(d, "  small_tensor list[%zu];\n", list_size_);
    }
    return d;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const InputParams &p) override {
    heading(id, layer);
    const std::string dims =
        std::to_string(p.dims[0]) + ", " + std::to_string(p.dims[1]) + ", " +
        std::to_string(p.dims[2]) + ", " + std::to_string(p.dims[3]);
    if (p.dtype == SMALL_DTYPE_INT8) {
      quant(p.quant);
      call(id, "small_network_add_input_int8", dims + ", q");
    } else {
      call(id, "small_network_add_input", dims);
    }
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const Conv2dParams &p) override {
    heading(id, layer);
    const std::string w = array(id, layer, "weights", p.weights);
    const std::string b =
        p.bias.empty() ? "NULL" : array(id, layer, "bias", p.bias);
    if (!conv_params(p.params)) {
      return SMALL_ERR_UNSUPPORTED;
    }
    call(id, "small_network_add_conv2d",
         input(layer, 0) + ", &cp, " + w + ", " + b);
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const DenseParams &p) override {
    heading(id, layer);
    const std::string w = array(id, layer, "weights", p.weights);
    const std::string b =
        p.bias.empty() ? "NULL" : array(id, layer, "bias", p.bias);
    if (!activation(p.activation)) {
      return SMALL_ERR_UNSUPPORTED;
    }
    call(id, "small_network_add_dense",
         input(layer, 0) + ", " + std::to_string(p.out_features) + ", " + w +
             ", " + b + ", act");
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const Pool2dParams &p) override {
    heading(id, layer);
    if (!pool_params(p.params)) {
      return SMALL_ERR_UNSUPPORTED;
    }
    call(id, "small_network_add_pool2d", input(layer, 0) + ", &pp");
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const GlobalAvgPoolParams &) override {
    heading(id, layer);
    call(id, "small_network_add_global_avgpool", input(layer, 0));
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const AddParams &p) override {
    heading(id, layer);
    if (!activation(p.activation)) {
      return SMALL_ERR_UNSUPPORTED;
    }
    call(id, "small_network_add_add",
         input(layer, 0) + ", " + input(layer, 1) + ", act");
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const ConcatParams &) override {
    heading(id, layer);
    call(id, "small_network_add_concat", input_list(layer));
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const ActivationParams &p) override {
    heading(id, layer);
    if (!activation(p.activation)) {
      return SMALL_ERR_UNSUPPORTED;
    }
    call(id, "small_network_add_activation", input(layer, 0) + ", act");
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const SoftmaxParams &) override {
    heading(id, layer);
    call(id, "small_network_add_softmax", input(layer, 0));
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const BatchNormParams &p) override {
    heading(id, layer);
    const std::string gamma = array(id, layer, "gamma", p.gamma);
    const std::string beta = array(id, layer, "beta", p.beta);
    const std::string mean = array(id, layer, "mean", p.mean);
    const std::string var = array(id, layer, "var", p.var);
    call(id, "small_network_add_batchnorm",
         input(layer, 0) + ", " + gamma + ", " + beta + ", " + mean + ", " +
             var + ", " + float_literal(p.epsilon));
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const ReshapeParams &p) override {
    heading(id, layer);
    call(id, "small_network_add_reshape",
         input(layer, 0) + ", " + std::to_string(p.c) + ", " +
             std::to_string(p.h) + ", " + std::to_string(p.w));
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const FlattenParams &) override {
    heading(id, layer);
    call(id, "small_network_add_flatten", input(layer, 0));
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const Conv2dInt8Params &p) override {
    heading(id, layer);
    if (!int8_weights(id, layer, p.weights) || !conv_params(p.params)) {
      return SMALL_ERR_UNSUPPORTED;
    }
    quant(p.output);
    call(id,
         packed_ ? "small_network_add_conv2d_int8_packed"
                 : "small_network_add_conv2d_int8",
         input(layer, 0) + (packed_ ? ", &cp, &w8p, q" : ", &cp, &w8, q"));
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const DenseInt8Params &p) override {
    heading(id, layer);
    if (!int8_weights(id, layer, p.weights) || !activation(p.activation)) {
      return SMALL_ERR_UNSUPPORTED;
    }
    quant(p.output);
    call(id,
         packed_ ? "small_network_add_dense_int8_packed"
                 : "small_network_add_dense_int8",
         input(layer, 0) + ", " + std::to_string(p.out_features) +
             (packed_ ? ", &w8p, act, q" : ", &w8, act, q"));
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const Pool2dInt8Params &p) override {
    heading(id, layer);
    if (!pool_params(p.params) || !activation(p.activation)) {
      return SMALL_ERR_UNSUPPORTED;
    }
    call(id, "small_network_add_pool2d_int8", input(layer, 0) + ", &pp, act");
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const GlobalAvgPoolInt8Params &p) override {
    heading(id, layer);
    quant(p.output);
    call(id, "small_network_add_global_avgpool_int8", input(layer, 0) + ", q");
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const AddInt8Params &p) override {
    heading(id, layer);
    if (!activation(p.activation)) {
      return SMALL_ERR_UNSUPPORTED;
    }
    quant(p.output);
    call(id, "small_network_add_add_int8",
         input(layer, 0) + ", " + input(layer, 1) + ", act, q");
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const ConcatInt8Params &p) override {
    heading(id, layer);
    const std::string list = input_list(layer);
    quant(p.output);
    call(id, "small_network_add_concat_int8", list + ", q");
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const SoftmaxInt8Params &p) override {
    heading(id, layer);
    quant(p.output);
    call(id, "small_network_add_softmax_int8",
         input(layer, 0) + ", " + float_literal(p.beta) + ", q");
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const QuantizeParams &p) override {
    heading(id, layer);
    quant(p.output);
    call(id, "small_network_add_quantize", input(layer, 0) + ", q");
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const DequantizeParams &) override {
    heading(id, layer);
    call(id, "small_network_add_dequantize", input(layer, 0));
    return SMALL_OK;
  }

  small_status mark_output(TensorId tensor, size_t) override {
    appendf(body_, "  CHECK(small_network_mark_output(net, t[%zu]));\n",
            tensor);
    return SMALL_OK;
  }

private:
  // A comment naming the layer (the model's names, escaped).
  void heading(TensorId id, const Layer &layer) {
    appendf(body_, "  /* layer %zu: %s '%s' (%s) */\n", id,
            layer_kind_name(layer), c_comment_text(layer.name).c_str(),
            c_comment_text(layer.source_ops).c_str());
  }

  // `CHECK(<function>(net, <args>, &t[id]));`
  void call(TensorId id, const char *function, const std::string &args) {
    appendf(body_, "  CHECK(%s(net, %s, &t[%zu]));\n", function, args.c_str(),
            id);
  }

  static std::string input(const Layer &layer, size_t k) {
    return "t[" + std::to_string(layer.inputs[k]) + "]";
  }

  // Fills list[] with the layer's inputs; returns "list, <count>".
  std::string input_list(const Layer &layer) {
    for (size_t k = 0; k < layer.inputs.size(); ++k) {
      appendf(body_, "  list[%zu] = %s;\n", k, input(layer, k).c_str());
    }
    list_size_ = std::max(list_size_, layer.inputs.size());
    return "list, " + std::to_string(layer.inputs.size());
  }

  // Emits a static array for `values` and returns its identifier; the layer
  // index keeps identifiers unique when names sanitize alike.
  template <typename T>
  std::string array(TensorId id, const Layer &layer, const char *what,
                    const std::vector<T> &values) {
    const std::string name = "l" + std::to_string(id) + "_" +
                             c_identifier_part(layer.name) + "_" + what;
    append_array(arrays_, name, values);
    return name;
  }

  // Sets w8 to arrays of the layer's int8 weights, scales and bias, or
  // w8p to the next packed weights and their per-channel requantization
  // (which replace the scales and bias). False (and a problem) when the
  // packed entries ran out.
  bool int8_weights(TensorId id, const Layer &layer, const Int8Weights &w) {
    if (packed_ != nullptr) {
      if (next_packed_ == packed_->layers.size()) {
        problem_ = "more int8 Conv2D/Dense layers than packed weights";
        return false;
      }
      const PackedInt8Layer &p = packed_->layers[next_packed_++];
      const std::string values = array(id, layer, "packed", p.bytes);
      const std::string requant = array(id, layer, "requant", p.requant);
      appendf(body_,
              "  small_int8_packed_weights_init(&w8p);\n"
              "  w8p.packed = %s;\n  w8p.bytes = %zu;\n"
              "  w8p.layout = 0x%08xu;\n  w8p.requant = %s;\n"
              "  w8p.requant_count = %zu;\n",
              values.c_str(), p.bytes.size(), static_cast<unsigned>(p.layout),
              requant.c_str(), p.requant.size());
      uses_.packed_weights = true;
      return true;
    }
    const std::string values = array(id, layer, "weights", w.values);
    const std::string scales = array(id, layer, "scales", w.scales);
    const std::string bias =
        w.bias.empty() ? "NULL" : array(id, layer, "bias", w.bias);
    appendf(body_,
            "  w8.values = %s;\n  w8.scales = %s;\n  w8.scale_count = %zu;\n"
            "  w8.bias = %s;\n",
            values.c_str(), scales.c_str(), w.scales.size(), bias.c_str());
    uses_.int8_weights = true;
    return true;
  }

  void quant(const small_quant &q) {
    appendf(body_, "  q.scale = %s;\n  q.zero_point = %s;\n",
            float_literal(q.scale).c_str(),
            int32_literal(q.zero_point).c_str());
    uses_.quant = true;
  }

  // The name of an enum value, or nullptr after noting the unknown value.
  const char *known(const char *name, const char *what, int value) {
    if (name == nullptr) {
      problem_ = "unknown " + std::string(what) + " " + std::to_string(value);
    }
    return name;
  }

  // Sets cp (activation included) to `c`.
  bool conv_params(const small_conv2d_params &c) {
    const char *padding = known(padding_mode_name(c.padding_mode),
                                "padding mode", enum_int(c.padding_mode));
    if (padding == nullptr || !activation(c.activation)) {
      return false;
    }
    appendf(body_,
            "  small_conv2d_params_init(&cp);\n"
            "  cp.out_channels = %u;\n  cp.kernel_h = %u;\n"
            "  cp.kernel_w = %u;\n  cp.stride_h = %u;\n"
            "  cp.stride_w = %u;\n  cp.dilation_h = %u;\n"
            "  cp.dilation_w = %u;\n"
            "  cp.padding_mode = %s;\n"
            "  cp.pad_top = %u;\n  cp.pad_bottom = %u;\n"
            "  cp.pad_left = %u;\n  cp.pad_right = %u;\n"
            "  cp.groups = %u;\n  cp.weight_layout = %s;\n"
            "  cp.activation = act;\n",
            c.out_channels, c.kernel_h, c.kernel_w, c.stride_h, c.stride_w,
            c.dilation_h, c.dilation_w, padding, c.pad_top, c.pad_bottom,
            c.pad_left, c.pad_right, c.groups,
            c.weight_layout == SMALL_WEIGHTS_HWIO ? "SMALL_WEIGHTS_HWIO"
                                                  : "SMALL_WEIGHTS_OIHW");
    uses_.conv = true;
    return true;
  }

  // Sets pp to `q`.
  bool pool_params(const small_pool2d_params &q) {
    const char *padding = known(padding_mode_name(q.padding_mode),
                                "padding mode", enum_int(q.padding_mode));
    if (padding == nullptr) {
      return false;
    }
    appendf(body_,
            "  small_pool2d_params_init(&pp);\n"
            "  pp.kind = %s;\n  pp.kernel_h = %u;\n  pp.kernel_w = %u;\n"
            "  pp.stride_h = %u;\n  pp.stride_w = %u;\n"
            "  pp.padding_mode = %s;\n"
            "  pp.pad_top = %u;\n  pp.pad_bottom = %u;\n"
            "  pp.pad_left = %u;\n  pp.pad_right = %u;\n"
            "  pp.count_include_pad = %d;\n",
            q.kind == SMALL_POOL_MAX ? "SMALL_POOL_MAX" : "SMALL_POOL_AVG",
            q.kernel_h, q.kernel_w, q.stride_h, q.stride_w, padding, q.pad_top,
            q.pad_bottom, q.pad_left, q.pad_right, q.count_include_pad);
    uses_.pool = true;
    return true;
  }

  // Sets act to `a`.
  bool activation(const small_activation &a) {
    const char *kind = known(activation_kind_name(a.kind), "activation kind",
                             enum_int(a.kind));
    if (kind == nullptr) {
      return false;
    }
    appendf(body_,
            "  act.kind = %s;\n  act.alpha = %s;\n  act.beta = %s;\n"
            "  act.min = %s;\n  act.max = %s;\n",
            kind, float_literal(a.alpha).c_str(), float_literal(a.beta).c_str(),
            float_literal(a.min).c_str(), float_literal(a.max).c_str());
    uses_.act = true;
    return true;
  }

  const PackedTarget *packed_;
  size_t next_packed_ = 0;
  std::string arrays_, body_, problem_;
  struct {
    bool conv = false, pool = false, act = false, quant = false,
         int8_weights = false, packed_weights = false;
  } uses_;
  size_t list_size_ = 0;
};

// The layers, then the outputs, through `writer`; on failure *error names
// the layer.
small_status write_layers(const NetworkDescription &net, CodeWriter &writer,
                          std::string *error) {
  for (TensorId id = 0; id < net.layers.size(); ++id) {
    if (visit_layer(net, id, writer) != SMALL_OK) {
      const Layer &layer = net.layers[id];
      *error = "codegen: layer " + std::to_string(id) + " '" +
               c_comment_text(layer.name) + "' (" + layer_kind_name(layer) +
               "): " +
               (writer.problem().empty() ? "not supported by the C generator"
                                         : writer.problem());
      return SMALL_ERR_UNSUPPORTED;
    }
  }
  for (size_t k = 0; k < net.outputs.size(); ++k) {
    (void)writer.mark_output(net.outputs[k], k); // only appends text
  }
  return SMALL_OK;
}

} // namespace

small_status write_c_source(const NetworkDescription &net,
                            const std::string &format,
                            const std::string &prefix,
                            const std::string &c_path,
                            const std::string &h_path, std::string *error,
                            const PackedTarget *packed) {
  if (!is_c_identifier(prefix)) {
    *error = "prefix '" + prefix + "' is not a C identifier";
    return SMALL_ERR_INVALID_ARGUMENT;
  }
  const char *rounding = rounding_name(net.rounding);
  if (rounding == nullptr) {
    *error =
        "codegen: unknown rounding " + std::to_string(enum_int(net.rounding));
    return SMALL_ERR_UNSUPPORTED;
  }
  CodeWriter writer(packed);
  const small_status written = write_layers(net, writer, error);
  if (written != SMALL_OK) {
    return written;
  }
  if (!writer.used_all_packed()) {
    *error = "codegen: fewer int8 Conv2D/Dense layers than packed weights";
    return SMALL_ERR_INVALID_ARGUMENT;
  }
  std::string c;
  appendf(c,
          "/* Generated by small-codegen from a model in %s format "
          "(graph '%s'): do not edit. */\n"
          "#include <math.h>\n#include <stddef.h>\n\n#include \"%s\"\n\n",
          c_comment_text(format).c_str(),
          c_comment_text(net.graph_name).c_str(), basename_of(h_path).c_str());
  if (packed != nullptr) {
    // 63 bytes more than planned: set_arena aligns inside the buffer.
    appendf(c,
            "/* int8 weights packed for %s (channel block %u, int8 k-group "
            "%u):\n * only a build with those kernels accepts them; the "
            "network uses them\n * in place. It runs in the static arena "
            "below: one network at a time. */\n"
            "static unsigned char %s_arena[%zu];\n\n",
            c_comment_text(packed->name).c_str(), packed->channel_block,
            packed->k_group, prefix.c_str(), packed->arena_bytes + 63);
  }
  c += writer.arrays();
  appendf(c,
          "\n#define CHECK(call)                                             "
          "      \\\n"
          "  do {                                                           "
          "\\\n"
          "    s = (call);                                                  "
          "\\\n"
          "    if (s != SMALL_OK)                                           "
          "\\\n"
          "      goto fail;                                                 "
          "\\\n"
          "  } while (0)\n\n"
          "small_status %s_build(small_network **out) {\n"
          "  small_network *net = NULL;\n"
          "  small_tensor t[%zu];\n"
          "  small_status s;\n",
          prefix.c_str(), std::max<size_t>(net.layers.size(), 1));
  c += writer.declarations();
  c += "  if (out == NULL) {\n    return SMALL_ERR_NULL_POINTER;\n  }\n"
       "  *out = NULL;\n"
       "  s = small_network_create(&net);\n"
       "  if (s != SMALL_OK) {\n    return s;\n  }\n";
  // Double rounding is the core's default: set only what differs, so float
  // networks stay free of int8 calls.
  if (net.rounding != SMALL_ROUNDING_DOUBLE) {
    appendf(c,
            "  /* int8 requantization rounding of the import */\n"
            "  CHECK(small_network_set_rounding(net, %s));\n",
            rounding);
  }
  c += writer.body();
  if (packed != nullptr) {
    appendf(c,
            "  CHECK(small_network_finalize_with_arena(net, %s_arena, sizeof "
            "%s_arena));\n",
            prefix.c_str(), prefix.c_str());
  } else {
    c += "  CHECK(small_network_finalize(net));\n";
  }
  c += "  *out = net;\n  return SMALL_OK;\n"
       "fail:\n  small_network_destroy(net);\n  return s;\n}\n";
  const small_status hs = write_file(h_path, c_header_text(net, prefix), error);
  return hs != SMALL_OK ? hs : write_file(c_path, c, error);
}

} // namespace small_import
