#include "small_import/c_codegen.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <memory>

#include "small_import/c_text.h"

namespace small_import {
namespace {

// printf onto the end of a string.
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void appendf(std::string &out, const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  va_list again;
  va_copy(again, args);
  const int n = std::vsnprintf(nullptr, 0, fmt, args);
  va_end(args);
  if (n > 0) {
    const size_t at = out.size();
    out.resize(at + static_cast<size_t>(n) + 1);
    std::vsnprintf(&out[at], static_cast<size_t>(n) + 1, fmt, again);
    out.resize(at + static_cast<size_t>(n));
  }
  va_end(again);
}

std::string float_literal(float v) {
  if (std::isnan(v)) {
    return "NAN";
  }
  if (std::isinf(v)) {
    return v > 0 ? "INFINITY" : "-INFINITY";
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%af", static_cast<double>(v));
  return buf;
}

// Padding modes are written as given: a description may leave SAME or VALID
// for the core to resolve (the TFLite importer does).
const char *padding_mode_name(small_padding_mode m) {
  switch (m) {
  case SMALL_PADDING_SAME:
    return "SMALL_PADDING_SAME";
  case SMALL_PADDING_VALID:
    return "SMALL_PADDING_VALID";
  default:
    return "SMALL_PADDING_EXPLICIT";
  }
}

const char *activation_kind_name(small_activation_kind k) {
  switch (k) {
  case SMALL_ACT_NONE:
    return "SMALL_ACT_NONE";
  case SMALL_ACT_RELU:
    return "SMALL_ACT_RELU";
  case SMALL_ACT_RELU6:
    return "SMALL_ACT_RELU6";
  case SMALL_ACT_LEAKY_RELU:
    return "SMALL_ACT_LEAKY_RELU";
  case SMALL_ACT_CLIP:
    return "SMALL_ACT_CLIP";
  case SMALL_ACT_SIGMOID:
    return "SMALL_ACT_SIGMOID";
  case SMALL_ACT_HARD_SWISH:
    return "SMALL_ACT_HARD_SWISH";
  case SMALL_ACT_HARD_SIGMOID:
    return "SMALL_ACT_HARD_SIGMOID";
  }
  return nullptr;
}

// Emits the statements of the build function into body() and the weight
// arrays they read into arrays().
class CodeWriter final : public LayerVisitor {
public:
  const std::string &arrays() const { return arrays_; }
  const std::string &body() const { return body_; }

  small_status visit(TensorId id, const Layer &layer,
                     const InputParams &p) override {
    heading(id, layer);
    appendf(body_,
            "  CHECK(small_network_add_input(net, %u, %u, %u, %u, &t[%zu]));\n",
            p.dims[0], p.dims[1], p.dims[2], p.dims[3], id);
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const Conv2dParams &p) override {
    heading(id, layer);
    const std::string w = array(id, layer, "weights", p.weights);
    const std::string b =
        p.bias.empty() ? "NULL" : array(id, layer, "bias", p.bias);
    const small_conv2d_params &c = p.params;
    appendf(body_,
            "  small_conv2d_params_init(&cp);\n"
            "  cp.out_channels = %u;\n  cp.kernel_h = %u;\n"
            "  cp.kernel_w = %u;\n  cp.stride_h = %u;\n"
            "  cp.stride_w = %u;\n  cp.dilation_h = %u;\n"
            "  cp.dilation_w = %u;\n"
            "  cp.padding_mode = %s;\n"
            "  cp.pad_top = %u;\n  cp.pad_bottom = %u;\n"
            "  cp.pad_left = %u;\n  cp.pad_right = %u;\n"
            "  cp.groups = %u;\n  cp.weight_layout = %s;\n",
            c.out_channels, c.kernel_h, c.kernel_w, c.stride_h, c.stride_w,
            c.dilation_h, c.dilation_w, padding_mode_name(c.padding_mode),
            c.pad_top, c.pad_bottom, c.pad_left, c.pad_right, c.groups,
            c.weight_layout == SMALL_WEIGHTS_HWIO ? "SMALL_WEIGHTS_HWIO"
                                                  : "SMALL_WEIGHTS_OIHW");
    if (!activation(c.activation)) {
      return SMALL_ERR_INTERNAL;
    }
    appendf(body_,
            "  cp.activation = act;\n"
            "  CHECK(small_network_add_conv2d(net, t[%zu], &cp, %s, %s, "
            "&t[%zu]));\n",
            layer.inputs[0], w.c_str(), b.c_str(), id);
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const DenseParams &p) override {
    heading(id, layer);
    const std::string w = array(id, layer, "weights", p.weights);
    const std::string b =
        p.bias.empty() ? "NULL" : array(id, layer, "bias", p.bias);
    if (!activation(p.activation)) {
      return SMALL_ERR_INTERNAL;
    }
    appendf(body_,
            "  CHECK(small_network_add_dense(net, t[%zu], %u, %s, %s, act, "
            "&t[%zu]));\n",
            layer.inputs[0], p.out_features, w.c_str(), b.c_str(), id);
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const Pool2dParams &p) override {
    heading(id, layer);
    const small_pool2d_params &q = p.params;
    appendf(body_,
            "  small_pool2d_params_init(&pp);\n"
            "  pp.kind = %s;\n  pp.kernel_h = %u;\n  pp.kernel_w = %u;\n"
            "  pp.stride_h = %u;\n  pp.stride_w = %u;\n"
            "  pp.padding_mode = %s;\n"
            "  pp.pad_top = %u;\n  pp.pad_bottom = %u;\n"
            "  pp.pad_left = %u;\n  pp.pad_right = %u;\n"
            "  pp.count_include_pad = %d;\n"
            "  CHECK(small_network_add_pool2d(net, t[%zu], &pp, &t[%zu]));\n",
            q.kind == SMALL_POOL_MAX ? "SMALL_POOL_MAX" : "SMALL_POOL_AVG",
            q.kernel_h, q.kernel_w, q.stride_h, q.stride_w,
            padding_mode_name(q.padding_mode), q.pad_top, q.pad_bottom,
            q.pad_left, q.pad_right, q.count_include_pad, layer.inputs[0], id);
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const GlobalAvgPoolParams &) override {
    heading(id, layer);
    appendf(body_,
            "  CHECK(small_network_add_global_avgpool(net, t[%zu], "
            "&t[%zu]));\n",
            layer.inputs[0], id);
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const AddParams &p) override {
    heading(id, layer);
    if (!activation(p.activation)) {
      return SMALL_ERR_INTERNAL;
    }
    appendf(body_,
            "  CHECK(small_network_add_add(net, t[%zu], t[%zu], act, "
            "&t[%zu]));\n",
            layer.inputs[0], layer.inputs[1], id);
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const ConcatParams &) override {
    heading(id, layer);
    for (size_t k = 0; k < layer.inputs.size(); ++k) {
      appendf(body_, "  list[%zu] = t[%zu];\n", k, layer.inputs[k]);
    }
    appendf(body_,
            "  CHECK(small_network_add_concat(net, list, %zu, &t[%zu]));\n",
            layer.inputs.size(), id);
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const ActivationParams &p) override {
    heading(id, layer);
    if (!activation(p.activation)) {
      return SMALL_ERR_INTERNAL;
    }
    appendf(body_,
            "  CHECK(small_network_add_activation(net, t[%zu], act, "
            "&t[%zu]));\n",
            layer.inputs[0], id);
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const SoftmaxParams &) override {
    heading(id, layer);
    appendf(body_,
            "  CHECK(small_network_add_softmax(net, t[%zu], &t[%zu]));\n",
            layer.inputs[0], id);
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const BatchNormParams &p) override {
    heading(id, layer);
    const std::string gamma = array(id, layer, "gamma", p.gamma);
    const std::string beta = array(id, layer, "beta", p.beta);
    const std::string mean = array(id, layer, "mean", p.mean);
    const std::string var = array(id, layer, "var", p.var);
    appendf(body_,
            "  CHECK(small_network_add_batchnorm(net, t[%zu], %s, %s, %s, %s, "
            "%s, &t[%zu]));\n",
            layer.inputs[0], gamma.c_str(), beta.c_str(), mean.c_str(),
            var.c_str(), float_literal(p.epsilon).c_str(), id);
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const ReshapeParams &p) override {
    heading(id, layer);
    appendf(body_,
            "  CHECK(small_network_add_reshape(net, t[%zu], %u, %u, %u, "
            "&t[%zu]));\n",
            layer.inputs[0], p.c, p.h, p.w, id);
    return SMALL_OK;
  }

  small_status visit(TensorId id, const Layer &layer,
                     const FlattenParams &) override {
    heading(id, layer);
    appendf(body_,
            "  CHECK(small_network_add_flatten(net, t[%zu], &t[%zu]));\n",
            layer.inputs[0], id);
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

  // Emits a static array for `values` and returns its identifier; the layer
  // index keeps identifiers unique when names sanitize alike.
  std::string array(TensorId id, const Layer &layer, const char *what,
                    const std::vector<float> &values) {
    const std::string name = "l" + std::to_string(id) + "_" +
                             c_identifier_part(layer.name) + "_" + what;
    appendf(arrays_, "static const float %s[%zu] = {", name.c_str(),
            std::max<size_t>(values.size(), 1));
    for (size_t i = 0; i < values.size(); ++i) {
      appendf(arrays_, "%s%s,", i % 6 == 0 ? "\n    " : " ",
              float_literal(values[i]).c_str());
    }
    arrays_ += values.empty() ? "0.0f};\n" : "\n};\n";
    return name;
  }

  bool activation(const small_activation &a) {
    const char *kind = activation_kind_name(a.kind);
    if (kind == nullptr) {
      return false;
    }
    appendf(body_,
            "  act.kind = %s;\n  act.alpha = %s;\n  act.beta = %s;\n"
            "  act.min = %s;\n  act.max = %s;\n",
            kind, float_literal(a.alpha).c_str(), float_literal(a.beta).c_str(),
            float_literal(a.min).c_str(), float_literal(a.max).c_str());
    return true;
  }

  std::string arrays_, body_;
};

bool is_c_identifier(const std::string &s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) {
    return false;
  }
  return c_identifier_part(s, s.size()) == s;
}

small_status write_file(const std::string &path, const std::string &text,
                        std::string *error) {
  std::unique_ptr<FILE, int (*)(FILE *)> f(std::fopen(path.c_str(), "w"),
                                           &std::fclose);
  if (!f) {
    *error = "cannot open '" + path + "' for writing";
    return SMALL_ERR_IO;
  }
  const bool written =
      std::fwrite(text.data(), 1, text.size(), f.get()) == text.size();
  if (std::fclose(f.release()) != 0 || !written) {
    *error = "writing '" + path + "' failed";
    return SMALL_ERR_IO;
  }
  return SMALL_OK;
}

std::string basename_of(const std::string &path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

std::string header_text(const NetworkDescription &net,
                        const std::string &prefix) {
  std::string upper = prefix;
  for (char &ch : upper) {
    if (ch >= 'a' && ch <= 'z') {
      ch = static_cast<char>(ch - 'a' + 'A');
    }
  }
  const char *u = upper.c_str();
  std::string h;
  appendf(h,
          "/* Generated by small-codegen: do not edit. */\n"
          "#ifndef %s_SMALL_MODEL_H\n#define %s_SMALL_MODEL_H\n\n"
          "#include \"small/small.h\"\n\n"
          "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
          "#define %s_INPUT_COUNT %zu\n#define %s_OUTPUT_COUNT %zu\n",
          u, u, u, net.input_names.size(), u, net.output_names.size());
  size_t input = 0;
  for (const Layer &layer : net.layers) {
    if (const auto *p = std::get_if<InputParams>(&layer.params)) {
      const std::string &name =
          input < net.input_names.size() ? net.input_names[input] : layer.name;
      appendf(h,
              "/* input %zu '%s': (n, c, h, w) = (%u, %u, %u, %u) */\n"
              "#define %s_INPUT%zu_SIZE %llu\n",
              input, c_comment_text(name).c_str(), p->dims[0], p->dims[1],
              p->dims[2], p->dims[3], u, input,
              static_cast<unsigned long long>(
                  uint64_t{p->dims[0]} * p->dims[1] * p->dims[2] * p->dims[3]));
      ++input;
    }
  }
  for (size_t k = 0; k < net.output_dims.size(); ++k) {
    unsigned long long n = 1;
    std::string dims;
    for (int64_t x : net.output_dims[k]) {
      n *= static_cast<unsigned long long>(x);
      dims += (dims.empty() ? "" : ", ") + std::to_string(x);
    }
    appendf(h, "/* output %zu '%s': [%s] */\n#define %s_OUTPUT%zu_SIZE %llu\n",
            k, c_comment_text(net.output_names[k]).c_str(), dims.c_str(), u, k,
            n);
  }
  appendf(h,
          "\n/*! Builds and finalizes the network; run it with\n"
          " * small_network_run(..., %s) on the model's "
          "buffer order.\n * Destroy it with small_network_destroy. */\n"
          "small_status %s_build(small_network **out);\n\n"
          "#ifdef __cplusplus\n}\n#endif\n\n#endif\n",
          net.io_layout == SMALL_LAYOUT_NHWC ? "SMALL_LAYOUT_NHWC"
                                             : "SMALL_LAYOUT_NCHW",
          prefix.c_str());
  return h;
}

} // namespace

small_status write_c_source(const NetworkDescription &net,
                            const std::string &format,
                            const std::string &prefix,
                            const std::string &c_path,
                            const std::string &h_path, std::string *error) {
  if (!is_c_identifier(prefix)) {
    *error = "prefix '" + prefix + "' is not a C identifier";
    return SMALL_ERR_INVALID_ARGUMENT;
  }
  CodeWriter writer;
  const small_status visited = visit_network(net, writer);
  if (visited == SMALL_ERR_UNSUPPORTED) {
    *error = "codegen: int8 layers are not supported by the C generator yet";
    return visited;
  }
  if (visited != SMALL_OK) {
    *error = "codegen: unknown activation kind";
    return SMALL_ERR_INTERNAL;
  }
  size_t list = 1;
  for (const Layer &layer : net.layers) {
    if (std::holds_alternative<ConcatParams>(layer.params)) {
      list = std::max(list, layer.inputs.size());
    }
  }
  std::string c;
  appendf(c,
          "/* Generated by small-codegen from an %s model (graph '%s'): do "
          "not edit. */\n"
          "#include <math.h>\n#include <stddef.h>\n\n#include \"%s\"\n\n",
          c_comment_text(format).c_str(),
          c_comment_text(net.graph_name).c_str(), basename_of(h_path).c_str());
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
          "  small_status s;\n"
          "  small_conv2d_params cp;\n"
          "  small_pool2d_params pp;\n"
          "  small_activation act;\n"
          "  small_tensor list[%zu];\n"
          "  if (out == NULL) {\n    return SMALL_ERR_NULL_POINTER;\n  }\n"
          "  *out = NULL;\n"
          "  s = small_network_create(&net);\n"
          "  if (s != SMALL_OK) {\n    return s;\n  }\n"
          "  (void)cp;\n  (void)pp;\n  (void)act;\n  (void)list;\n",
          prefix.c_str(), std::max<size_t>(net.layers.size(), 1), list);
  c += writer.body();
  c += "  CHECK(small_network_finalize(net));\n"
       "  *out = net;\n  return SMALL_OK;\n"
       "fail:\n  small_network_destroy(net);\n  return s;\n}\n";
  const small_status hs = write_file(h_path, header_text(net, prefix), error);
  return hs != SMALL_OK ? hs : write_file(c_path, c, error);
}

} // namespace small_import
