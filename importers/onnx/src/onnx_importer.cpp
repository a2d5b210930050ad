#include "onnx_importer.h"

#include <limits>
#include <map>
#include <set>

#include "layer_table.h"
#include "model_reader.h"
#include "op_table.h"

namespace small_onnx {

Importer::~Importer() {
  if (net_ != nullptr) {
    small_network_destroy(net_);
  }
}

std::string Importer::where() const {
  if (node_ == nullptr) {
    return "graph";
  }
  return "node '" + node_name_ + "' (" + node_->op_type() + ")";
}

void Importer::check_runtime_dims(const Dims &d, const std::string &who) const {
  const std::string w = who.empty() ? where() : who;
  if (d.empty() || d.size() > 4) {
    fail(SMALL_ERR_UNSUPPORTED,
         w + ": " + "tensor of rank " + std::to_string(d.size()) + " " +
             dims_str(d) +
             " is not supported (SMaLL tensors are [C], [N,C], [N,C,L] or "
             "[N,C,H,W])");
  }
  for (int64_t x : d) {
    if (x < 1 || x > std::numeric_limits<uint32_t>::max()) {
      fail(SMALL_ERR_UNSUPPORTED,
           w + ": " + "dimension " + std::to_string(x) + " in " + dims_str(d) +
               " is not supported (each must be in 1..2^32-1)");
    }
  }
  check_dims_size(d, w, options_.max_tensor_bytes);
}

const Value &Importer::input_value(int index) const {
  if (!has_input(index)) {
    node_fail(SMALL_ERR_PARSE,
              "required input " + std::to_string(index) + " is missing");
  }
  const std::string &name = node_->input(index);
  auto it = values_.find(name);
  if (it == values_.end()) {
    node_fail(SMALL_ERR_PARSE,
              "input '" + name +
                  "' is not produced by any node, initializer or graph input "
                  "(missing initializer?)");
  }
  if (it->second.kind == Value::kUnusable) {
    node_fail(SMALL_ERR_UNSUPPORTED,
              "input '" + name + "' cannot be used: " + it->second.why);
  }
  return it->second;
}

const Value &Importer::runtime_input(int index) const {
  const Value &v = input_value(index);
  if (v.kind != Value::kRuntime) {
    node_fail(SMALL_ERR_UNSUPPORTED,
              "input '" + node_->input(index) +
                  "' is a constant; this operator needs a runtime tensor "
                  "there (constant folding is not supported)");
  }
  return v;
}

std::shared_ptr<const Const> Importer::const_input(int index,
                                                   bool want_int) const {
  const Value &v = input_value(index);
  if (v.kind != Value::kConstant) {
    node_fail(SMALL_ERR_UNSUPPORTED,
              "input '" + node_->input(index) +
                  "' must be a constant (initializer or Constant node); "
                  "computed weights are not supported");
  }
  if (v.constant->is_int != want_int) {
    node_fail(SMALL_ERR_UNSUPPORTED,
              "input '" + node_->input(index) + "' must be " +
                  (want_int ? "an int64" : "a float32") + " tensor");
  }
  return v.constant;
}

void Importer::set_output(int index, Value v) {
  if (index >= node_->output_size() || node_->output(index).empty()) {
    return;
  }
  values_[node_->output(index)] = std::move(v);
}

void Importer::mark_extra_outputs_unusable(int first, const std::string &why) {
  for (int k = first; k < node_->output_size(); ++k) {
    Value v;
    v.kind = Value::kUnusable;
    v.why = "output " + std::to_string(k) + " of " + where() + ": " + why;
    set_output(k, v);
  }
}

void Importer::build(TensorId id) {
  builder_->build(out_.description, id, where());
}

TensorId Importer::add_layer(small_import::LayerParams params,
                             std::vector<TensorId> inputs) {
  small_import::Layer layer;
  layer.name = node_name_;
  layer.source_ops = node_ != nullptr ? node_->op_type() : "";
  layer.inputs = std::move(inputs);
  layer.params = std::move(params);
  const TensorId id = out_.description.layers.size();
  out_.description.layers.push_back(std::move(layer));
  build(id);
  return id;
}

TensorId Importer::with_split(const Value &v, uint32_t c, uint32_t h,
                              uint32_t w) {
  const uint32_t *d = shape_of(v.tensor);
  if (d[1] == c && d[2] == h && d[3] == w) {
    return v.tensor;
  }
  small_import::ReshapeParams p;
  p.c = c;
  p.h = h;
  p.w = w;
  return add_layer(p, {v.tensor});
}

TensorId Importer::materialize(const std::string &name) {
  Value &v = values_.at(name);
  uint32_t s[4];
  canonical(v.dims, s);
  v.tensor = with_split(v, s[1], s[2], s[3]);
  return v.tensor;
}

void Importer::read_inputs(const onnx::GraphProto &g) {
  std::set<std::string> initializers;
  for (const auto &t : g.initializer()) {
    if (t.name().empty()) {
      fail(SMALL_ERR_PARSE, "graph: an initializer has no name");
    }
    if (values_.count(t.name())) {
      fail(SMALL_ERR_PARSE,
           "graph: initializer '" + t.name() + "' is defined twice");
    }
    Value v;
    v.kind = Value::kConstant;
    v.constant = read_tensor(t, "initializer '" + t.name() + "'",
                             options_.max_tensor_bytes);
    v.dims = v.constant->dims;
    values_[t.name()] = std::move(v);
    initializers.insert(t.name());
  }
  for (const auto &si : g.sparse_initializer()) {
    Value v;
    v.kind = Value::kUnusable;
    v.why = "sparse initializers are not supported";
    values_[si.values().name()] = v;
  }
  std::map<std::string, const small_onnx_constant *> bound;
  for (size_t k = 0; k < options_.constant_count; ++k) {
    const small_onnx_constant &c = options_.constants[k];
    if (c.name == nullptr || (c.data == nullptr) == (c.int_data == nullptr) ||
        (c.rank > 0 && c.dims == nullptr)) {
      fail(SMALL_ERR_NULL_POINTER,
           "options.constants[" + std::to_string(k) +
               "]: name, dims and exactly one of data and int_data must be "
               "given");
    }
    bound[c.name] = &c;
  }
  for (const auto &in : g.input()) {
    const std::string &name = in.name();
    if (initializers.count(name)) {
      continue; // IR < 4 style: an initializer listed as input
    }
    if (name.empty()) {
      fail(SMALL_ERR_PARSE, "graph: an input has no name");
    }
    if (values_.count(name)) {
      fail(SMALL_ERR_PARSE, "graph: input '" + name + "' is defined twice");
    }
    auto b = bound.find(name);
    if (b != bound.end()) {
      auto c = std::make_shared<Const>();
      c->dims.assign(b->second->dims, b->second->dims + b->second->rank);
      check_dims_size(c->dims, "bound input '" + name + "'",
                      options_.max_tensor_bytes);
      const size_t count = static_cast<size_t>(product(c->dims));
      if (b->second->data != nullptr) {
        c->f.assign(b->second->data, b->second->data + count);
      } else {
        c->is_int = true;
        c->i.assign(b->second->int_data, b->second->int_data + count);
      }
      Value v;
      v.kind = Value::kConstant;
      v.constant = c;
      v.dims = c->dims;
      values_[name] = std::move(v);
      continue;
    }
    const std::string what = "graph input '" + name + "'";
    const Dims d = graph_input_dims(in, options_.batch, what);
    check_runtime_dims(d, what);
    small_import::InputParams p;
    canonical(d, p.dims);
    Value v;
    v.kind = Value::kRuntime;
    v.tensor = add_layer(p, {});
    out_.description.layers[v.tensor].name = name;
    v.dims = d;
    values_[name] = std::move(v);
    out_.description.input_names.push_back(name);
    out_.input_dims.push_back(d);
  }
  if (out_.description.input_names.empty()) {
    fail(SMALL_ERR_UNSUPPORTED,
         "graph: no runtime input (every input is a constant); SMaLL needs "
         "at least one float tensor input");
  }
}

void Importer::import_node() {
  const onnx::NodeProto &n = *node_;
  if (!n.domain().empty() && n.domain() != "ai.onnx") {
    node_fail(SMALL_ERR_UNSUPPORTED,
              "operator domain '" + n.domain() + "' is not supported");
  }
  if (n.output_size() < 1) {
    node_fail(SMALL_ERR_PARSE, "has no output");
  }
  const LowerFn lower = find_lowering(n.op_type());
  if (lower == nullptr) {
    node_fail(SMALL_ERR_UNSUPPORTED, "operator is not supported");
  }
  lower(*this);
  // Every named output must now be defined.
  for (int k = 0; k < n.output_size(); ++k) {
    if (!n.output(k).empty() && !values_.count(n.output(k))) {
      node_fail(SMALL_ERR_UNSUPPORTED,
                "output " + std::to_string(k) + " is not supported");
    }
  }
}

void Importer::mark_outputs(const onnx::GraphProto &g) {
  if (g.output_size() == 0) {
    fail(SMALL_ERR_PARSE, "graph: no output");
  }
  std::set<TensorId> marked;
  small_import::NetworkDescription &desc = out_.description;
  for (const auto &o : g.output()) {
    const std::string what = "graph output '" + o.name() + "'";
    auto it = values_.find(o.name());
    if (it == values_.end()) {
      fail(SMALL_ERR_PARSE, what + " is not produced by any node");
    }
    if (it->second.kind == Value::kUnusable) {
      fail(SMALL_ERR_UNSUPPORTED, what + ": " + it->second.why);
    }
    if (it->second.kind != Value::kRuntime) {
      fail(SMALL_ERR_UNSUPPORTED,
           what + " is a constant (constant outputs are not supported)");
    }
    if (o.type().has_tensor_type() &&
        o.type().tensor_type().elem_type() != onnx::TensorProto::FLOAT &&
        o.type().tensor_type().elem_type() != 0) {
      fail(SMALL_ERR_UNSUPPORTED,
           what + ": only float32 outputs are supported");
    }
    const Dims &d = it->second.dims;
    if (o.type().tensor_type().has_shape()) {
      const auto &sh = o.type().tensor_type().shape();
      bool mismatch = sh.dim_size() != static_cast<int>(d.size());
      for (int k = 0; !mismatch && k < sh.dim_size(); ++k) {
        mismatch = sh.dim(k).has_dim_value() && sh.dim(k).dim_value() != d[k] &&
                   !(k == 0 && sh.dim(k).dim_value() <= 0);
      }
      if (mismatch && sh.dim_size() > 0) {
        Dims decl;
        for (const auto &dim : sh.dim()) {
          decl.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
        }
        fail(SMALL_ERR_SHAPE_MISMATCH, what + " is declared " + dims_str(decl) +
                                           " but the graph computes " +
                                           dims_str(d));
      }
    }
    const Dims dims = d; // materialize may rehash values_
    const TensorId t = materialize(o.name());
    if (!marked.insert(t).second) {
      fail(SMALL_ERR_UNSUPPORTED,
           what + " is the same tensor as an earlier output");
    }
    const small_status ms = builder_->mark_output(t, desc.outputs.size());
    if (ms != SMALL_OK) {
      fail(ms, what + ": " + small_last_error());
    }
    desc.outputs.push_back(t);
    desc.output_names.push_back(o.name());
    desc.output_dims.push_back(dims);
  }
}

void Importer::run(const void *data, size_t size) {
  onnx::ModelProto model;
  opset_ = parse_model(data, size, model);
  const onnx::GraphProto &g = model.graph();
  out_.description.graph_name = g.name();
  if (small_network_create(&net_) != SMALL_OK) {
    fail(SMALL_ERR_OUT_OF_MEMORY, "small_network_create failed");
  }
  builder_ = std::make_unique<small_import::NetworkBuilder>(net_);
  read_inputs(g);
  const std::vector<int> order = topological_order(
      g, [&](const std::string &name) { return values_.count(name) != 0; });
  for (int i : order) {
    node_ = &g.node(i);
    node_name_ = node_->name();
    if (node_name_.empty()) {
      node_name_ = node_->op_type() + "_" + std::to_string(i);
    }
    attributes_ = std::make_unique<NodeAttributes>(*node_, where(), opset_);
    import_node();
  }
  node_ = nullptr;
  node_name_.clear();
  mark_outputs(g);
  if (options_.finalize) {
    const small_status s = small_network_finalize(net_);
    if (s != SMALL_OK) {
      fail(s,
           std::string("small_network_finalize failed: ") + small_last_error());
    }
    out_.finalized = true;
  }
  out_.network = net_;
  net_ = nullptr;
  std::vector<small_tensor> core_of;
  for (TensorId t = 0; t < out_.description.layers.size(); ++t) {
    core_of.push_back(builder_->core_tensor(t));
  }
  fill_layer_table(out_, core_of);
}

void import_model(const void *data, size_t size,
                  const small_onnx_options &options, ImportResult &out) {
  Importer importer(options, out);
  importer.run(data, size);
}

} // namespace small_onnx
