// The ONNX importer: parses a ModelProto with the onnx/protobuf libraries,
// sorts the graph, and maps each supported node onto core C API calls.
//
// Values: every ONNX value is either a constant (initializer, Constant node,
// or a graph input bound by the caller) or a runtime value. A runtime value
// is a core tensor plus its ONNX dims; the core tensor may have another
// (n, c, h, w) split of the same elements (a "view": Flatten, Reshape and
// MatMul results), and is reshaped only when a consumer needs the canonical
// split (rank 2 [N,C] -> (N,C,1,1), rank 3 [N,C,L] -> (N,C,1,L), rank 4 as
// is). Dense reads any split in NCHW flatten order, so Flatten -> Gemm costs
// no layer.
#include "onnx_import.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <queue>
#include <set>
#include <sstream>
#include <unordered_map>
#include <utility>

namespace small_onnx {
namespace {

using Dims = std::vector<int64_t>;

constexpr int kMaxOpset = 17;

std::string dims_str(const Dims &d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) {
    s += (i ? ", " : "") + std::to_string(d[i]);
  }
  return s + "]";
}

// Product of dims[first, last) with overflow checking (dims are >= 0).
uint64_t product(const Dims &d, size_t first, size_t last) {
  uint64_t p = 1;
  for (size_t i = first; i < last && i < d.size(); ++i) {
    if (d[i] < 0) {
      fail(SMALL_ERR_PARSE, "negative dimension in " + dims_str(d));
    }
    if (d[i] != 0 && p > std::numeric_limits<uint64_t>::max() /
                             static_cast<uint64_t>(d[i])) {
      fail(SMALL_ERR_OVERFLOW,
           "element count of " + dims_str(d) + " overflows 64 bits");
    }
    p *= static_cast<uint64_t>(d[i]);
  }
  return p;
}
uint64_t product(const Dims &d) { return product(d, 0, d.size()); }

// The batch size of ONNX dims (rank 1 has no batch axis: one item) and the
// axis that maps to SMaLL channels.
int64_t batch_of(const Dims &d) { return d.size() >= 2 ? d[0] : 1; }
size_t channel_axis(const Dims &d) { return d.size() >= 2 ? 1 : 0; }

bool same_float(float a, float b) {
  return a == b || (std::isnan(a) && std::isnan(b));
}

struct Const {
  Dims dims;
  bool is_int = false;
  std::vector<float> f;   // FLOAT
  std::vector<int64_t> i; // INT64 / INT32
  size_t count() const { return is_int ? i.size() : f.size(); }
};

struct Value {
  enum Kind { kRuntime, kConstant, kUnusable } kind = kRuntime;
  small_tensor tensor = -1; // runtime: current core tensor
  Dims dims;                // ONNX dims
  std::shared_ptr<const Const> constant;
  std::string why; // kUnusable: why a consumer cannot use it
};

class Importer {
public:
  Importer(const small_onnx_options &opt, ModelData &out)
      : opt_(opt), out_(out) {}
  ~Importer() {
    if (net_ != nullptr) {
      small_network_destroy(net_);
    }
  }
  void run(const void *data, size_t size);

private:
  // --- node context for messages ---
  std::string where() const {
    if (node_ == nullptr) {
      return "graph";
    }
    return "node '" + node_name_ + "' (" + node_->op_type() + ")";
  }
  [[noreturn]] void node_fail(small_status s, const std::string &msg) const {
    fail(s, where() + ": " + msg);
  }
  void check_core(small_status s, const char *call) const {
    if (s != SMALL_OK) {
      fail(s, where() + ": " + call + " failed: " + small_last_error());
    }
  }

  // --- parsing helpers ---
  std::shared_ptr<Const> tensor_to_const(const onnx::TensorProto &t,
                                         const std::string &what) const;
  void check_dims_size(const Dims &d, const std::string &what) const;
  void read_inputs(const onnx::GraphProto &g);
  std::vector<int> topo_order(const onnx::GraphProto &g);

  // --- attributes ---
  void check_attributes(std::initializer_list<const char *> allowed) const;
  const onnx::AttributeProto *attr(const char *name) const;
  int64_t attr_int(const char *name, int64_t def) const;
  float attr_float(const char *name, float def) const;
  std::vector<int64_t> attr_ints(const char *name) const;
  std::string attr_string(const char *name, const std::string &def) const;

  // --- values ---
  const Value &input_value(int index) const;
  bool has_input(int index) const {
    return index < node_->input_size() && !node_->input(index).empty();
  }
  const Value &runtime_input(int index) const;
  std::shared_ptr<const Const> const_input(int index, bool want_int) const;
  void set_output(int index, Value v);
  void mark_extra_outputs_unusable(int first, const std::string &why);
  static void canonical(const Dims &d, uint32_t out[4]);
  void check_runtime_dims(const Dims &d, const std::string &who = "") const;
  small_tensor materialize(const std::string &name);
  small_tensor with_split(const Value &v, uint32_t c, uint32_t h, uint32_t w);
  void shape_of(small_tensor t, uint32_t d[4]) const;

  // --- recording ---
  small_tensor record(Call call, const char *op, uint64_t macs = 0);

  // --- operators ---
  void import_node();
  void op_conv();
  void op_pool(bool is_max);
  void op_global_pool(bool is_max);
  void op_gemm();
  void op_matmul();
  void op_add();
  void op_activation(small_activation act);
  void op_clip();
  void op_softmax();
  void op_flatten();
  void op_reshape();
  void op_batchnorm();
  void op_concat();
  void op_passthrough();
  void op_constant();
  void dense(const Value &in, uint32_t out_features, std::vector<float> w,
             std::vector<float> b, const Dims &out_dims);
  void window_padding(const Dims &in_dims, const std::vector<uint32_t> &kernel,
                      const std::vector<uint32_t> &stride,
                      const std::vector<uint32_t> &dilation,
                      std::vector<uint32_t> &begin,
                      std::vector<uint32_t> &end) const;
  std::vector<uint32_t> spatial_attr(const char *name, size_t spatial,
                                     uint32_t def, bool positive) const;

  void finish_table();

  const small_onnx_options &opt_;
  ModelData &out_;
  small_network *net_ = nullptr;
  int opset_ = 0;
  std::unordered_map<std::string, Value> values_;
  const onnx::NodeProto *node_ = nullptr;
  std::string node_name_;
  std::vector<int> tensor_producer_; // core tensor id -> layer row, or -1
};

// ---------------------------------------------------------------------------
// Parsing

void Importer::check_dims_size(const Dims &d, const std::string &what) const {
  for (int64_t x : d) {
    if (x < 0) {
      fail(SMALL_ERR_PARSE, what + ": negative dimension in " + dims_str(d));
    }
  }
  const uint64_t n = product(d);
  if (n > opt_.max_tensor_bytes / 4) {
    fail(SMALL_ERR_UNSUPPORTED,
         what + ": " + dims_str(d) + " holds " + std::to_string(n) +
             " elements, above max_tensor_bytes (" +
             std::to_string(opt_.max_tensor_bytes) + " bytes)");
  }
}

std::shared_ptr<Const>
Importer::tensor_to_const(const onnx::TensorProto &t,
                          const std::string &what) const {
  auto c = std::make_shared<Const>();
  c->dims.assign(t.dims().begin(), t.dims().end());
  check_dims_size(c->dims, what);
  if (t.data_location() == onnx::TensorProto::EXTERNAL ||
      t.external_data_size() > 0) {
    fail(SMALL_ERR_UNSUPPORTED,
         what + ": external tensor data is not supported (save the model "
                "with the weights inside)");
  }
  if (t.has_segment()) {
    fail(SMALL_ERR_UNSUPPORTED, what + ": segmented tensors are not supported");
  }
  const size_t count = static_cast<size_t>(product(c->dims));
  const std::string &raw = t.raw_data();
  auto check_count = [&](size_t have) {
    if (have != count) {
      fail(SMALL_ERR_PARSE, what + ": holds " + std::to_string(have) +
                                " values but its dims " + dims_str(c->dims) +
                                " need " + std::to_string(count));
    }
  };
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    if (t.has_raw_data()) {
      if (raw.size() % 4 != 0) {
        fail(SMALL_ERR_PARSE, what + ": raw_data size " +
                                  std::to_string(raw.size()) +
                                  " is not a multiple of 4");
      }
      check_count(raw.size() / 4);
      c->f.resize(count);
      if (count != 0) {
        std::memcpy(c->f.data(), raw.data(), count * 4);
      }
    } else {
      check_count(static_cast<size_t>(t.float_data_size()));
      c->f.assign(t.float_data().begin(), t.float_data().end());
    }
    break;
  case onnx::TensorProto::INT64:
    c->is_int = true;
    if (t.has_raw_data()) {
      if (raw.size() % 8 != 0) {
        fail(SMALL_ERR_PARSE, what + ": raw_data size " +
                                  std::to_string(raw.size()) +
                                  " is not a multiple of 8");
      }
      check_count(raw.size() / 8);
      c->i.resize(count);
      if (count != 0) {
        std::memcpy(c->i.data(), raw.data(), count * 8);
      }
    } else {
      check_count(static_cast<size_t>(t.int64_data_size()));
      c->i.assign(t.int64_data().begin(), t.int64_data().end());
    }
    break;
  case onnx::TensorProto::INT32:
    c->is_int = true;
    if (t.has_raw_data()) {
      if (raw.size() % 4 != 0) {
        fail(SMALL_ERR_PARSE, what + ": raw_data size is not a multiple of 4");
      }
      check_count(raw.size() / 4);
      c->i.resize(count);
      for (size_t k = 0; k < count; ++k) {
        int32_t v;
        std::memcpy(&v, raw.data() + 4 * k, 4);
        c->i[k] = v;
      }
    } else {
      check_count(static_cast<size_t>(t.int32_data_size()));
      c->i.assign(t.int32_data().begin(), t.int32_data().end());
    }
    break;
  default:
    fail(SMALL_ERR_UNSUPPORTED,
         what + ": element type " +
             onnx::TensorProto_DataType_Name(
                 static_cast<onnx::TensorProto_DataType>(t.data_type())) +
             " (" + std::to_string(t.data_type()) +
             ") is not supported (float32, int64 and int32 are)");
  }
  return c;
}

void Importer::canonical(const Dims &d, uint32_t out[4]) {
  if (d.size() == 1) { // [C]: a single item without a batch axis
    out[0] = 1;
    out[1] = static_cast<uint32_t>(d[0]);
    out[2] = out[3] = 1;
    return;
  }
  out[0] = static_cast<uint32_t>(d[0]);
  out[1] = static_cast<uint32_t>(d[1]);
  out[2] = d.size() == 4 ? static_cast<uint32_t>(d[2]) : 1;
  out[3] = d.size() == 2 ? 1 : static_cast<uint32_t>(d.back());
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
  check_dims_size(d, w);
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
    v.constant = tensor_to_const(t, "initializer '" + t.name() + "'");
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
  for (size_t k = 0; k < opt_.constant_count; ++k) {
    const small_onnx_constant &c = opt_.constants[k];
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
      check_dims_size(c->dims, "bound input '" + name + "'");
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
    if (!in.type().has_tensor_type()) {
      fail(SMALL_ERR_UNSUPPORTED,
           what + ": only tensor inputs are supported (not sequences, maps "
                  "or optionals)");
    }
    const auto &tt = in.type().tensor_type();
    if (tt.elem_type() != onnx::TensorProto::FLOAT) {
      fail(SMALL_ERR_UNSUPPORTED,
           what + ": element type " +
               onnx::TensorProto_DataType_Name(
                   static_cast<onnx::TensorProto_DataType>(tt.elem_type())) +
               " is not supported (float32 only)");
    }
    if (!tt.has_shape()) {
      fail(SMALL_ERR_UNSUPPORTED, what + ": has no shape (dynamic rank)");
    }
    Dims d;
    for (int k = 0; k < tt.shape().dim_size(); ++k) {
      const auto &dim = tt.shape().dim(k);
      if (dim.has_dim_value() && dim.dim_value() > 0) {
        d.push_back(dim.dim_value());
      } else if (k == 0 && !dim.has_dim_value() && opt_.batch > 0) {
        d.push_back(opt_.batch); // symbolic batch
      } else {
        fail(SMALL_ERR_UNSUPPORTED,
             what + ": dimension " + std::to_string(k) + " is " +
                 (dim.has_dim_value() ? std::to_string(dim.dim_value())
                                      : "dynamic ('" + dim.dim_param() + "')") +
                 "; only a dynamic batch dimension (axis 0) is supported");
      }
    }
    check_runtime_dims(d, what);
    uint32_t s[4];
    canonical(d, s);
    Call call{};
    call.kind = Call::kInput;
    std::copy(s, s + 4, call.dims);
    small_tensor t = -1;
    check_core(small_network_add_input(net_, s[0], s[1], s[2], s[3], &t),
               "small_network_add_input");
    call.output = t;
    out_.calls.push_back(call);
    if (tensor_producer_.size() <= static_cast<size_t>(t)) {
      tensor_producer_.resize(t + 1, -1);
    }
    Value v;
    v.kind = Value::kRuntime;
    v.tensor = t;
    v.dims = d;
    values_[name] = std::move(v);
    out_.input_names.push_back(name);
  }
  if (out_.input_names.empty()) {
    fail(SMALL_ERR_UNSUPPORTED,
         "graph: no runtime input (every input is a constant); SMaLL needs "
         "at least one float tensor input");
  }
}

// Kahn's algorithm over value names; a node waits for every non-empty input
// that some node produces. Unknown inputs are reported when the node runs.
std::vector<int> Importer::topo_order(const onnx::GraphProto &g) {
  const int n = g.node_size();
  std::unordered_map<std::string, int> producer;
  for (int i = 0; i < n; ++i) {
    for (const std::string &o : g.node(i).output()) {
      if (o.empty()) {
        continue;
      }
      if (values_.count(o) || !producer.emplace(o, i).second) {
        fail(SMALL_ERR_PARSE, "node '" + g.node(i).name() + "' (" +
                                  g.node(i).op_type() + "): output '" + o +
                                  "' is already defined elsewhere");
      }
    }
  }
  std::vector<int> pending(n, 0);
  std::vector<std::vector<int>> users(n);
  for (int i = 0; i < n; ++i) {
    for (const std::string &in : g.node(i).input()) {
      auto p = producer.find(in);
      if (!in.empty() && p != producer.end()) {
        ++pending[i];
        users[p->second].push_back(i);
      }
    }
  }
  // Lowest index first keeps the file order when it is already sorted.
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int i = 0; i < n; ++i) {
    if (pending[i] == 0) {
      ready.push(i);
    }
  }
  std::vector<int> order;
  while (!ready.empty()) {
    const int i = ready.top();
    ready.pop();
    order.push_back(i);
    for (int u : users[i]) {
      if (--pending[u] == 0) {
        ready.push(u);
      }
    }
  }
  if (static_cast<int>(order.size()) != n) {
    for (int i = 0; i < n; ++i) {
      if (pending[i] > 0) {
        fail(SMALL_ERR_PARSE, "graph: node '" + g.node(i).name() + "' (" +
                                  g.node(i).op_type() + ") is part of a cycle");
      }
    }
  }
  return order;
}

// ---------------------------------------------------------------------------
// Attributes

void Importer::check_attributes(
    std::initializer_list<const char *> allowed) const {
  for (const auto &a : node_->attribute()) {
    bool ok = false;
    for (const char *name : allowed) {
      ok = ok || a.name() == name;
    }
    if (!ok) {
      node_fail(SMALL_ERR_UNSUPPORTED, "attribute '" + a.name() +
                                           "' is not supported (opset " +
                                           std::to_string(opset_) + ")");
    }
    if (!a.ref_attr_name().empty()) {
      node_fail(SMALL_ERR_UNSUPPORTED,
                "attribute '" + a.name() + "' refers to a function attribute");
    }
  }
}

const onnx::AttributeProto *Importer::attr(const char *name) const {
  const onnx::AttributeProto *found = nullptr;
  for (const auto &a : node_->attribute()) {
    if (a.name() == name) {
      if (found != nullptr) {
        node_fail(SMALL_ERR_PARSE,
                  "attribute '" + std::string(name) + "' is given twice");
      }
      found = &a;
    }
  }
  return found;
}

int64_t Importer::attr_int(const char *name, int64_t def) const {
  const auto *a = attr(name);
  if (a == nullptr) {
    return def;
  }
  if (a->type() != onnx::AttributeProto::INT &&
      !(a->type() == onnx::AttributeProto::UNDEFINED && a->has_i())) {
    node_fail(SMALL_ERR_PARSE,
              "attribute '" + std::string(name) + "' must be an int");
  }
  return a->i();
}

float Importer::attr_float(const char *name, float def) const {
  const auto *a = attr(name);
  if (a == nullptr) {
    return def;
  }
  if (a->type() != onnx::AttributeProto::FLOAT &&
      !(a->type() == onnx::AttributeProto::UNDEFINED && a->has_f())) {
    node_fail(SMALL_ERR_PARSE,
              "attribute '" + std::string(name) + "' must be a float");
  }
  return a->f();
}

std::vector<int64_t> Importer::attr_ints(const char *name) const {
  const auto *a = attr(name);
  if (a == nullptr) {
    return {};
  }
  if (a->type() != onnx::AttributeProto::INTS &&
      a->type() != onnx::AttributeProto::UNDEFINED) {
    node_fail(SMALL_ERR_PARSE,
              "attribute '" + std::string(name) + "' must be a list of ints");
  }
  return {a->ints().begin(), a->ints().end()};
}

std::string Importer::attr_string(const char *name,
                                  const std::string &def) const {
  const auto *a = attr(name);
  if (a == nullptr) {
    return def;
  }
  if (a->type() != onnx::AttributeProto::STRING &&
      !(a->type() == onnx::AttributeProto::UNDEFINED && a->has_s())) {
    node_fail(SMALL_ERR_PARSE,
              "attribute '" + std::string(name) + "' must be a string");
  }
  return a->s();
}

// A per-spatial-axis attribute (strides, dilations, kernel_shape): absent ->
// `def` on every axis; else exactly `spatial` values, each in 1..2^32-1.
std::vector<uint32_t> Importer::spatial_attr(const char *name, size_t spatial,
                                             uint32_t def,
                                             bool positive) const {
  const std::vector<int64_t> v = attr_ints(name);
  if (v.empty()) {
    return std::vector<uint32_t>(spatial, def);
  }
  if (v.size() != spatial) {
    node_fail(SMALL_ERR_PARSE, "attribute '" + std::string(name) + "' has " +
                                   std::to_string(v.size()) +
                                   " values, the input has " +
                                   std::to_string(spatial) + " spatial axes");
  }
  std::vector<uint32_t> r;
  for (int64_t x : v) {
    if (x < (positive ? 1 : 0) || x > std::numeric_limits<uint32_t>::max()) {
      node_fail(SMALL_ERR_UNSUPPORTED, "attribute '" + std::string(name) +
                                           "' value " + std::to_string(x) +
                                           " is not supported");
    }
    r.push_back(static_cast<uint32_t>(x));
  }
  return r;
}

// ---------------------------------------------------------------------------
// Values

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

void Importer::shape_of(small_tensor t, uint32_t d[4]) const {
  check_core(small_network_tensor_shape(net_, t, d),
             "small_network_tensor_shape");
}

small_tensor Importer::with_split(const Value &v, uint32_t c, uint32_t h,
                                  uint32_t w) {
  uint32_t d[4];
  shape_of(v.tensor, d);
  if (d[1] == c && d[2] == h && d[3] == w) {
    return v.tensor;
  }
  Call call{};
  call.kind = Call::kReshape;
  call.inputs = {v.tensor};
  call.dims[0] = c;
  call.dims[1] = h;
  call.dims[2] = w;
  return record(call, "reshape");
}

// The canonical core tensor of the runtime value `name` (reshaping a view
// once; later consumers reuse the result).
small_tensor Importer::materialize(const std::string &name) {
  Value &v = values_.at(name);
  uint32_t s[4];
  canonical(v.dims, s);
  v.tensor = with_split(v, s[1], s[2], s[3]);
  return v.tensor;
}

// ---------------------------------------------------------------------------
// Recording

uint64_t call_macs(const Call &c, const uint32_t in[4], const uint32_t out[4]) {
  const uint64_t out_elems = uint64_t{out[0]} * out[1] * out[2] * out[3];
  switch (c.kind) {
  case Call::kConv:
    return out_elems * (in[1] / c.conv.groups) * c.conv.kernel_h *
           c.conv.kernel_w;
  case Call::kDense:
    return out_elems * in[1] * in[2] * in[3];
  case Call::kBatchNorm:
    return out_elems;
  default:
    return 0;
  }
}

small_tensor Importer::record(Call call, const char *op, uint64_t) {
  small_tensor t = -1;
  const char *fn = "";
  small_status s = SMALL_OK;
  switch (call.kind) {
  case Call::kConv:
    fn = "small_network_add_conv2d";
    s = small_network_add_conv2d(
        net_, call.inputs[0], &call.conv, call.weights.data(),
        call.bias.empty() ? nullptr : call.bias.data(), &t);
    break;
  case Call::kDense:
    fn = "small_network_add_dense";
    s = small_network_add_dense(
        net_, call.inputs[0], call.out_features, call.weights.data(),
        call.bias.empty() ? nullptr : call.bias.data(), call.act, &t);
    break;
  case Call::kPool:
    fn = "small_network_add_pool2d";
    s = small_network_add_pool2d(net_, call.inputs[0], &call.pool, &t);
    break;
  case Call::kGlobalAvgPool:
    fn = "small_network_add_global_avgpool";
    s = small_network_add_global_avgpool(net_, call.inputs[0], &t);
    break;
  case Call::kAdd:
    fn = "small_network_add_add";
    s = small_network_add_add(net_, call.inputs[0], call.inputs[1], call.act,
                              &t);
    break;
  case Call::kConcat:
    fn = "small_network_add_concat";
    s = small_network_add_concat(net_, call.inputs.data(), call.inputs.size(),
                                 &t);
    break;
  case Call::kActivation:
    fn = "small_network_add_activation";
    s = small_network_add_activation(net_, call.inputs[0], call.act, &t);
    break;
  case Call::kSoftmax:
    fn = "small_network_add_softmax";
    s = small_network_add_softmax(net_, call.inputs[0], &t);
    break;
  case Call::kBatchNorm:
    fn = "small_network_add_batchnorm";
    s = small_network_add_batchnorm(net_, call.inputs[0], call.weights.data(),
                                    call.bias.data(), call.mean.data(),
                                    call.var.data(), call.epsilon, &t);
    break;
  case Call::kReshape:
    fn = "small_network_add_reshape";
    s = small_network_add_reshape(net_, call.inputs[0], call.dims[0],
                                  call.dims[1], call.dims[2], &t);
    break;
  case Call::kFlatten:
    fn = "small_network_add_flatten";
    s = small_network_add_flatten(net_, call.inputs[0], &t);
    break;
  default:
    fail(SMALL_ERR_INTERNAL, "record: unexpected call kind");
  }
  check_core(s, fn);
  call.output = t;
  LayerRow row;
  row.name = node_name_;
  row.onnx_ops = node_ != nullptr ? node_->op_type() : "";
  row.op = op;
  shape_of(call.inputs[0], row.in_dims);
  shape_of(t, row.out_dims);
  row.macs = call_macs(call, row.in_dims, row.out_dims);
  if (call.kind == Call::kConv && call.conv.groups == row.in_dims[1] &&
      call.conv.out_channels == row.in_dims[1]) {
    row.op = "depthwise";
  }
  row.call = out_.calls.size();
  out_.calls.push_back(std::move(call));
  if (tensor_producer_.size() <= static_cast<size_t>(t)) {
    tensor_producer_.resize(t + 1, -1);
  }
  tensor_producer_[t] = static_cast<int>(out_.layers.size());
  out_.layers.push_back(std::move(row));
  return t;
}

// ---------------------------------------------------------------------------
// Operators

// Padding per spatial axis from auto_pad / pads, as begin and end vectors.
void Importer::window_padding(const Dims &in_dims,
                              const std::vector<uint32_t> &kernel,
                              const std::vector<uint32_t> &stride,
                              const std::vector<uint32_t> &dilation,
                              std::vector<uint32_t> &begin,
                              std::vector<uint32_t> &end) const {
  const size_t sp = kernel.size();
  const std::string mode = attr_string("auto_pad", "NOTSET");
  begin.assign(sp, 0);
  end.assign(sp, 0);
  if (mode == "NOTSET" || mode.empty()) {
    const std::vector<int64_t> pads = attr_ints("pads");
    if (pads.empty()) {
      return;
    }
    if (pads.size() != 2 * sp) {
      node_fail(SMALL_ERR_PARSE,
                "attribute 'pads' has " + std::to_string(pads.size()) +
                    " values, expected " + std::to_string(2 * sp));
    }
    for (size_t k = 0; k < 2 * sp; ++k) {
      if (pads[k] < 0 || pads[k] > 65535) {
        node_fail(SMALL_ERR_UNSUPPORTED, "attribute 'pads' value " +
                                             std::to_string(pads[k]) +
                                             " is not supported (0..65535)");
      }
    }
    for (size_t k = 0; k < sp; ++k) {
      begin[k] = static_cast<uint32_t>(pads[k]);
      end[k] = static_cast<uint32_t>(pads[k + sp]);
    }
    return;
  }
  if (mode == "VALID") {
    return;
  }
  if (mode != "SAME_UPPER" && mode != "SAME_LOWER") {
    node_fail(SMALL_ERR_UNSUPPORTED,
              "attribute 'auto_pad' value '" + mode + "' is not supported");
  }
  for (size_t k = 0; k < sp; ++k) {
    const uint64_t in = static_cast<uint64_t>(in_dims[2 + k]);
    const uint64_t out = (in + stride[k] - 1) / stride[k];
    const uint64_t extent = (uint64_t{kernel[k]} - 1) * dilation[k] + 1;
    const uint64_t needed = (out - 1) * stride[k] + extent;
    const uint64_t total = needed > in ? needed - in : 0;
    if (total > 65535) {
      node_fail(SMALL_ERR_UNSUPPORTED, "auto_pad needs padding " +
                                           std::to_string(total) +
                                           ", more than supported");
    }
    const uint32_t small_half = static_cast<uint32_t>(total / 2);
    const uint32_t big_half = static_cast<uint32_t>(total - total / 2);
    begin[k] = mode == "SAME_UPPER" ? small_half : big_half;
    end[k] = mode == "SAME_UPPER" ? big_half : small_half;
  }
}

void Importer::op_conv() {
  check_attributes(
      {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
  const Value &x = runtime_input(0);
  const Dims xd = x.dims;
  if (xd.size() != 3 && xd.size() != 4) {
    node_fail(SMALL_ERR_UNSUPPORTED,
              "input " + dims_str(xd) +
                  ": only 1-D and 2-D convolutions are supported");
  }
  const size_t sp = xd.size() - 2;
  auto w = const_input(1, false);
  if (w->dims.size() != xd.size()) {
    node_fail(SMALL_ERR_SHAPE_MISMATCH, "weights " + dims_str(w->dims) +
                                            " do not match input " +
                                            dims_str(xd));
  }
  const int64_t group = attr_int("group", 1);
  if (group < 1 || group > xd[1] || xd[1] % group != 0) {
    node_fail(SMALL_ERR_UNSUPPORTED, "attribute 'group' value " +
                                         std::to_string(group) +
                                         " must divide the input channels (" +
                                         std::to_string(xd[1]) + ")");
  }
  const int64_t m = w->dims[0];
  if (m < 1 || m % group != 0 || w->dims[1] != xd[1] / group) {
    node_fail(SMALL_ERR_SHAPE_MISMATCH,
              "weights " + dims_str(w->dims) + " do not fit input " +
                  dims_str(xd) + " with group " + std::to_string(group));
  }
  std::vector<uint32_t> kernel;
  for (size_t k = 0; k < sp; ++k) {
    if (w->dims[2 + k] < 1 || w->dims[2 + k] > 65535) {
      node_fail(SMALL_ERR_UNSUPPORTED, "kernel size " +
                                           std::to_string(w->dims[2 + k]) +
                                           " is not supported");
    }
    kernel.push_back(static_cast<uint32_t>(w->dims[2 + k]));
  }
  const std::vector<int64_t> ks = attr_ints("kernel_shape");
  if (!ks.empty() && Dims(ks) != Dims(w->dims.begin() + 2, w->dims.end())) {
    node_fail(SMALL_ERR_SHAPE_MISMATCH,
              "attribute 'kernel_shape' " + dims_str(ks) +
                  " disagrees with the weights " + dims_str(w->dims));
  }
  const auto strides = spatial_attr("strides", sp, 1, true);
  const auto dil = spatial_attr("dilations", sp, 1, true);
  std::vector<uint32_t> pb, pe;
  window_padding(xd, kernel, strides, dil, pb, pe);

  Call call{};
  call.kind = Call::kConv;
  small_conv2d_params_init(&call.conv);
  call.conv.out_channels = static_cast<uint32_t>(m);
  call.conv.groups = static_cast<uint32_t>(group);
  const size_t h = sp == 2 ? 0 : SIZE_MAX, wi = sp - 1;
  call.conv.kernel_h = h == 0 ? kernel[0] : 1;
  call.conv.kernel_w = kernel[wi];
  call.conv.stride_h = h == 0 ? strides[0] : 1;
  call.conv.stride_w = strides[wi];
  call.conv.dilation_h = h == 0 ? dil[0] : 1;
  call.conv.dilation_w = dil[wi];
  call.conv.pad_top = h == 0 ? pb[0] : 0;
  call.conv.pad_bottom = h == 0 ? pe[0] : 0;
  call.conv.pad_left = pb[wi];
  call.conv.pad_right = pe[wi];
  call.weights = w->f;
  if (has_input(2)) {
    auto b = const_input(2, false);
    if (b->count() != static_cast<size_t>(m)) {
      node_fail(SMALL_ERR_SHAPE_MISMATCH, "bias " + dims_str(b->dims) +
                                              " must hold " +
                                              std::to_string(m) + " values");
    }
    call.bias = b->f;
  }
  call.inputs = {materialize(node_->input(0))};
  const small_tensor t = record(std::move(call), "conv2d");
  uint32_t o[4];
  shape_of(t, o);
  Value v;
  v.tensor = t;
  v.dims = sp == 2 ? Dims{o[0], o[1], o[2], o[3]} : Dims{o[0], o[1], o[3]};
  set_output(0, v);
}

void Importer::op_pool(bool is_max) {
  if (is_max) {
    check_attributes({"auto_pad", "kernel_shape", "pads", "strides",
                      "ceil_mode", "dilations", "storage_order"});
  } else {
    check_attributes({"auto_pad", "kernel_shape", "pads", "strides",
                      "ceil_mode", "count_include_pad"});
  }
  const Value &x = runtime_input(0);
  const Dims xd = x.dims;
  if (xd.size() != 3 && xd.size() != 4) {
    node_fail(SMALL_ERR_UNSUPPORTED,
              "input " + dims_str(xd) +
                  ": only 1-D and 2-D pooling is supported");
  }
  const size_t sp = xd.size() - 2;
  if (attr_int("ceil_mode", 0) != 0) {
    node_fail(
        SMALL_ERR_UNSUPPORTED,
        "attribute 'ceil_mode' = " + std::to_string(attr_int("ceil_mode", 0)) +
            " is not supported (only 0)");
  }
  if (attr("kernel_shape") == nullptr) {
    node_fail(SMALL_ERR_PARSE, "attribute 'kernel_shape' is required");
  }
  const auto kernel = spatial_attr("kernel_shape", sp, 1, true);
  for (uint32_t k : kernel) {
    if (k > 65535) {
      node_fail(SMALL_ERR_UNSUPPORTED, "attribute 'kernel_shape' too large");
    }
  }
  const auto strides = spatial_attr("strides", sp, 1, true);
  const auto dil = spatial_attr("dilations", sp, 1, true);
  for (uint32_t d : dil) {
    if (d != 1) {
      node_fail(SMALL_ERR_UNSUPPORTED, "attribute 'dilations' value " +
                                           std::to_string(d) +
                                           " is not supported (only 1)");
    }
  }
  const int64_t cip = attr_int("count_include_pad", 0);
  if (cip != 0 && cip != 1) {
    node_fail(SMALL_ERR_UNSUPPORTED, "attribute 'count_include_pad' value " +
                                         std::to_string(cip) +
                                         " is not supported");
  }
  std::vector<uint32_t> pb, pe;
  window_padding(xd, kernel, strides, dil, pb, pe);
  Call call{};
  call.kind = Call::kPool;
  small_pool2d_params_init(&call.pool);
  call.pool.kind = is_max ? SMALL_POOL_MAX : SMALL_POOL_AVG;
  const bool two = sp == 2;
  const size_t wi = sp - 1;
  call.pool.kernel_h = two ? kernel[0] : 1;
  call.pool.kernel_w = kernel[wi];
  call.pool.stride_h = two ? strides[0] : 1;
  call.pool.stride_w = strides[wi];
  call.pool.pad_top = two ? pb[0] : 0;
  call.pool.pad_bottom = two ? pe[0] : 0;
  call.pool.pad_left = pb[wi];
  call.pool.pad_right = pe[wi];
  call.pool.count_include_pad = static_cast<int>(cip);
  call.inputs = {materialize(node_->input(0))};
  const small_tensor t =
      record(std::move(call), is_max ? "maxpool" : "avgpool");
  uint32_t o[4];
  shape_of(t, o);
  Value v;
  v.tensor = t;
  v.dims = two ? Dims{o[0], o[1], o[2], o[3]} : Dims{o[0], o[1], o[3]};
  set_output(0, v);
  mark_extra_outputs_unusable(1, "MaxPool indices are not supported");
}

void Importer::op_global_pool(bool is_max) {
  check_attributes({});
  const Value &x = runtime_input(0);
  const Dims xd = x.dims;
  if (xd.size() != 3 && xd.size() != 4) {
    node_fail(SMALL_ERR_UNSUPPORTED,
              "input " + dims_str(xd) + " must have rank 3 or 4");
  }
  uint32_t s[4];
  canonical(xd, s);
  Call call{};
  call.inputs = {materialize(node_->input(0))};
  small_tensor t;
  if (is_max) {
    call.kind = Call::kPool;
    small_pool2d_params_init(&call.pool);
    call.pool.kind = SMALL_POOL_MAX;
    call.pool.kernel_h = s[2];
    call.pool.kernel_w = s[3];
    t = record(std::move(call), "maxpool");
  } else {
    call.kind = Call::kGlobalAvgPool;
    t = record(std::move(call), "global_avgpool");
  }
  Value v;
  v.tensor = t;
  v.dims = xd;
  for (size_t k = 2; k < v.dims.size(); ++k) {
    v.dims[k] = 1;
  }
  set_output(0, v);
}

void Importer::dense(const Value &in, uint32_t out_features,
                     std::vector<float> w, std::vector<float> b,
                     const Dims &out_dims) {
  Call call{};
  call.kind = Call::kDense;
  call.inputs = {in.tensor};
  call.out_features = out_features;
  call.weights = std::move(w);
  call.bias = std::move(b);
  call.act = small_activation_make(SMALL_ACT_NONE);
  const small_tensor t = record(std::move(call), "dense");
  Value v;
  v.tensor = t;
  v.dims = out_dims;
  set_output(0, v);
}

void Importer::op_gemm() {
  if (opset_ < 7) {
    check_attributes({"alpha", "beta", "transA", "transB", "broadcast"});
  } else {
    check_attributes({"alpha", "beta", "transA", "transB"});
  }
  const Value &a = runtime_input(0);
  if (a.dims.size() != 2) {
    node_fail(SMALL_ERR_PARSE, "input A " + dims_str(a.dims) + " must be 2-D");
  }
  if (attr_int("transA", 0) != 0) {
    node_fail(SMALL_ERR_UNSUPPORTED,
              "attribute 'transA' = " + std::to_string(attr_int("transA", 0)) +
                  " is not supported (A is the runtime tensor; its first "
                  "axis is the batch)");
  }
  const float alpha = attr_float("alpha", 1.0f);
  const float beta = attr_float("beta", 1.0f);
  const bool trans_b = attr_int("transB", 0) != 0;
  auto b = const_input(1, false);
  if (b->dims.size() != 2) {
    node_fail(SMALL_ERR_SHAPE_MISMATCH,
              "input B " + dims_str(b->dims) + " must be 2-D");
  }
  const int64_t k = a.dims[1];
  const int64_t bk = trans_b ? b->dims[1] : b->dims[0];
  const int64_t n = trans_b ? b->dims[0] : b->dims[1];
  if (bk != k || n < 1 || n > std::numeric_limits<uint32_t>::max()) {
    node_fail(SMALL_ERR_SHAPE_MISMATCH,
              "A " + dims_str(a.dims) + " and B " + dims_str(b->dims) +
                  (trans_b ? " (transposed)" : "") + " do not chain");
  }
  std::vector<float> w(static_cast<size_t>(n * k));
  for (int64_t o = 0; o < n; ++o) {
    for (int64_t i = 0; i < k; ++i) {
      const float v = trans_b ? b->f[o * k + i] : b->f[i * n + o];
      w[o * k + i] = alpha == 1.0f ? v : alpha * v;
    }
  }
  std::vector<float> bias;
  if (has_input(2) && input_value(2).kind == Value::kRuntime) {
    // Runtime C: dense, then an element-wise add (no scaling available).
    const Value &cv = input_value(2);
    if (beta != 1.0f || cv.dims != Dims{a.dims[0], n}) {
      node_fail(SMALL_ERR_UNSUPPORTED,
                "a runtime input C is supported only with beta = 1 and "
                "shape [M, N] (got beta " +
                    std::to_string(beta) + ", C " + dims_str(cv.dims) + ")");
    }
    Call d{};
    d.kind = Call::kDense;
    d.inputs = {a.tensor};
    d.out_features = static_cast<uint32_t>(n);
    d.weights = std::move(w);
    d.act = small_activation_make(SMALL_ACT_NONE);
    const small_tensor y = record(std::move(d), "dense");
    Call add{};
    add.kind = Call::kAdd;
    add.inputs = {y, materialize(node_->input(2))};
    add.act = small_activation_make(SMALL_ACT_NONE);
    Value v;
    v.dims = {a.dims[0], n};
    v.tensor = record(std::move(add), "add");
    set_output(0, v);
    return;
  }
  if (has_input(2)) {
    const Value &cv = input_value(2);
    if (cv.kind != Value::kConstant || cv.constant->is_int) {
      node_fail(SMALL_ERR_UNSUPPORTED, "input C must be a float32 tensor");
    }
    const Const &c = *cv.constant;
    // Broadcast C to [M, N]; it must not vary along M.
    const Dims &cd = c.dims;
    const int64_t m = a.dims[0];
    bool ok = cd.size() <= 2;
    int64_t cm = 1, cn = 1;
    if (cd.size() == 1) {
      cn = cd[0];
    } else if (cd.size() == 2) {
      cm = cd[0];
      cn = cd[1];
    }
    ok = ok && (cn == 1 || cn == n) && (cm == 1 || cm == m);
    if (!ok) {
      node_fail(SMALL_ERR_SHAPE_MISMATCH,
                "input C " + dims_str(cd) + " does not broadcast to [" +
                    std::to_string(m) + ", " + std::to_string(n) + "]");
    }
    bias.resize(static_cast<size_t>(n));
    for (int64_t o = 0; o < n; ++o) {
      const float v0 = c.f[cn == 1 ? 0 : o];
      for (int64_t r = 1; r < cm; ++r) {
        if (c.f[r * cn + (cn == 1 ? 0 : o)] != v0) {
          node_fail(SMALL_ERR_UNSUPPORTED,
                    "input C " + dims_str(cd) +
                        " differs between rows (a per-sample bias is not "
                        "supported)");
        }
      }
      bias[o] = beta == 1.0f ? v0 : beta * v0;
    }
  }
  dense(a, static_cast<uint32_t>(n), std::move(w), std::move(bias),
        Dims{a.dims[0], n});
}

void Importer::op_matmul() {
  check_attributes({});
  const Value &a = input_value(0);
  const Value &bv = input_value(1);
  if (a.kind != Value::kRuntime || bv.kind != Value::kConstant) {
    node_fail(SMALL_ERR_UNSUPPORTED,
              "only a runtime A times a constant 2-D B is supported");
  }
  auto b = const_input(1, false);
  if (b->dims.size() != 2) {
    node_fail(SMALL_ERR_UNSUPPORTED,
              "input B " + dims_str(b->dims) +
                  " must be a 2-D constant (batched MatMul is not supported)");
  }
  const Dims &ad = a.dims;
  const int64_t k = ad.back(), n = b->dims[1];
  if (b->dims[0] != k) {
    node_fail(SMALL_ERR_SHAPE_MISMATCH, "A " + dims_str(ad) + " and B " +
                                            dims_str(b->dims) +
                                            " do not chain");
  }
  if (product(ad, 1, ad.size() - 1) != 1) {
    node_fail(SMALL_ERR_UNSUPPORTED,
              "input A " + dims_str(ad) +
                  ": only one row per batch item is supported (every axis "
                  "between the first and the last must be 1)");
  }
  if (n < 1 || n > std::numeric_limits<uint32_t>::max()) {
    node_fail(SMALL_ERR_UNSUPPORTED, "output width " + std::to_string(n));
  }
  std::vector<float> w(static_cast<size_t>(n * k));
  for (int64_t o = 0; o < n; ++o) {
    for (int64_t i = 0; i < k; ++i) {
      w[o * k + i] = b->f[i * n + o];
    }
  }
  Dims od = ad;
  od.back() = n;
  dense(a, static_cast<uint32_t>(n), std::move(w), {}, od);
}

void Importer::op_add() {
  Dims align; // legacy (opset < 7) broadcast of B aligned at `axis`
  bool legacy = false;
  if (opset_ < 7) {
    check_attributes({"broadcast", "axis"});
    legacy = attr_int("broadcast", 0) != 0;
  } else {
    check_attributes({});
  }
  const Value &a = input_value(0);
  const Value &b = input_value(1);
  if (a.kind == Value::kRuntime && b.kind == Value::kRuntime) {
    if (a.dims != b.dims) {
      node_fail(SMALL_ERR_UNSUPPORTED,
                "broadcasting between two runtime tensors " + dims_str(a.dims) +
                    " and " + dims_str(b.dims) + " is not supported");
    }
    Call call{};
    call.kind = Call::kAdd;
    call.inputs = {materialize(node_->input(0)), materialize(node_->input(1))};
    call.act = small_activation_make(SMALL_ACT_NONE);
    Value v;
    v.dims = a.dims;
    v.tensor = record(std::move(call), "add");
    set_output(0, v);
    return;
  }
  if (a.kind != Value::kRuntime && b.kind != Value::kRuntime) {
    node_fail(SMALL_ERR_UNSUPPORTED,
              "both inputs are constants (constant folding is not "
              "supported)");
  }
  const bool a_runtime = a.kind == Value::kRuntime;
  const Value &x = a_runtime ? a : b;
  auto c = const_input(a_runtime ? 1 : 0, false);
  const Dims &xd = x.dims;
  Dims cd = c->dims;
  if (legacy) {
    if (!a_runtime) {
      node_fail(SMALL_ERR_UNSUPPORTED,
                "legacy broadcast needs the runtime tensor as input A");
    }
    int64_t axis = attr_int("axis", static_cast<int64_t>(xd.size()) -
                                        static_cast<int64_t>(cd.size()));
    if (axis < 0 || axis + cd.size() > xd.size()) {
      node_fail(SMALL_ERR_PARSE, "attribute 'axis' is out of range");
    }
    cd.insert(cd.end(), xd.size() - axis - c->dims.size(), 1);
  }
  // Numpy broadcasting: the constant must broadcast to the runtime shape.
  if (cd.size() > xd.size()) {
    node_fail(SMALL_ERR_UNSUPPORTED, "constant " + dims_str(c->dims) +
                                         " has more axes than " + dims_str(xd));
  }
  Dims full(xd.size() - cd.size(), 1);
  full.insert(full.end(), cd.begin(), cd.end());
  for (size_t k = 0; k < xd.size(); ++k) {
    if (full[k] != 1 && full[k] != xd[k]) {
      node_fail(SMALL_ERR_UNSUPPORTED,
                "constant " + dims_str(c->dims) +
                    " does not broadcast to the runtime tensor " +
                    dims_str(xd) + " without growing it");
    }
  }
  // The constant must depend on the channel axis (1) only.
  const size_t ca = channel_axis(xd);
  const int64_t channels = xd[ca];
  std::vector<float> bias(static_cast<size_t>(channels));
  std::vector<bool> seen(static_cast<size_t>(channels), false);
  std::vector<int64_t> strides(full.size(), 0);
  int64_t st = 1;
  for (size_t k = full.size(); k-- > 0;) {
    strides[k] = full[k] == 1 ? 0 : st;
    st *= full[k];
  }
  // Walk every constant element once (through its broadcast index).
  const uint64_t ccount = product(full);
  std::vector<int64_t> idx(full.size(), 0);
  for (uint64_t e = 0; e < ccount; ++e) {
    int64_t off = 0;
    for (size_t k = 0; k < full.size(); ++k) {
      off += idx[k] * strides[k];
    }
    const float v = c->f[static_cast<size_t>(off)];
    if (full[ca] == 1) {
      for (int64_t ch = 0; ch < channels; ++ch) {
        if (!seen[ch]) {
          bias[ch] = v;
          seen[ch] = true;
        } else if (!same_float(bias[ch], v)) {
          node_fail(SMALL_ERR_UNSUPPORTED,
                    "constant " + dims_str(c->dims) +
                        " varies outside the channel axis (only a "
                        "per-channel bias is supported)");
        }
      }
    } else {
      const int64_t ch = idx[ca];
      if (!seen[ch]) {
        bias[ch] = v;
        seen[ch] = true;
      } else if (!same_float(bias[ch], v)) {
        node_fail(SMALL_ERR_UNSUPPORTED,
                  "constant " + dims_str(c->dims) +
                      " varies outside the channel axis (only a per-channel "
                      "bias is supported)");
      }
    }
    for (size_t k = full.size(); k-- > 0;) {
      if (++idx[k] < full[k]) {
        break;
      }
      idx[k] = 0;
    }
  }
  Call call{};
  call.kind = Call::kBatchNorm;
  call.inputs = {materialize(node_->input(a_runtime ? 0 : 1))};
  call.weights.assign(static_cast<size_t>(channels), 1.0f); // gamma
  call.bias = std::move(bias);                              // beta
  call.mean.assign(static_cast<size_t>(channels), 0.0f);
  call.var.assign(static_cast<size_t>(channels), 1.0f);
  call.epsilon = 0.0f;
  Value v;
  v.dims = xd;
  v.tensor = record(std::move(call), "batchnorm");
  set_output(0, v);
}

void Importer::op_activation(small_activation act) {
  const Value &x = runtime_input(0);
  Call call{};
  call.kind = Call::kActivation;
  call.inputs = {materialize(node_->input(0))};
  call.act = act;
  Value v;
  v.dims = x.dims;
  v.tensor = record(std::move(call), "activation");
  set_output(0, v);
}

void Importer::op_clip() {
  small_activation act = small_activation_make(SMALL_ACT_CLIP);
  if (opset_ < 11) {
    check_attributes({"min", "max"});
    act.min = attr_float("min", -std::numeric_limits<float>::max());
    act.max = attr_float("max", std::numeric_limits<float>::max());
  } else {
    check_attributes({});
    for (int k = 1; k <= 2; ++k) {
      if (!has_input(k)) {
        continue;
      }
      auto c = const_input(k, false);
      if (c->count() != 1 || c->dims.size() > 1) {
        node_fail(SMALL_ERR_UNSUPPORTED, std::string("input '") +
                                             (k == 1 ? "min" : "max") +
                                             "' must be a scalar constant");
      }
      (k == 1 ? act.min : act.max) = c->f[0];
    }
  }
  if (!(act.min <= act.max)) {
    node_fail(SMALL_ERR_UNSUPPORTED, "min " + std::to_string(act.min) +
                                         " > max " + std::to_string(act.max) +
                                         " is not supported");
  }
  op_activation(act);
}

void Importer::op_softmax() {
  check_attributes({"axis"});
  const Value &x = runtime_input(0);
  const Dims &d = x.dims;
  const int64_t r = static_cast<int64_t>(d.size());
  int64_t axis = attr_int("axis", opset_ < 13 ? 1 : -1);
  if (axis < -r || axis >= r) {
    node_fail(SMALL_ERR_PARSE, "attribute 'axis' = " + std::to_string(axis) +
                                   " is out of range for " + dims_str(d));
  }
  if (axis < 0) {
    axis += r;
  }
  if ((axis == 0 && r > 1) || product(d, 1, static_cast<size_t>(axis)) != 1) {
    node_fail(SMALL_ERR_UNSUPPORTED,
              "attribute 'axis' = " + std::to_string(axis) + " (of " +
                  dims_str(d) +
                  ") is not supported: softmax runs over channels, so every "
                  "axis between the batch axis and 'axis' must be 1");
  }
  uint64_t c, inner;
  if (opset_ < 13) {
    c = product(d, static_cast<size_t>(axis), d.size());
    inner = 1;
  } else {
    c = static_cast<uint64_t>(d[axis]);
    inner = product(d, static_cast<size_t>(axis) + 1, d.size());
  }
  uint32_t s[4];
  shape_of(x.tensor, s);
  Call call{};
  call.kind = Call::kSoftmax;
  if (s[1] == c && uint64_t{s[2]} * s[3] == inner) {
    call.inputs = {x.tensor};
  } else {
    call.inputs = {with_split(x, static_cast<uint32_t>(c),
                              static_cast<uint32_t>(inner), 1)};
  }
  Value v;
  v.dims = d;
  v.tensor = record(std::move(call), "softmax");
  set_output(0, v);
}

void Importer::op_flatten() {
  check_attributes({"axis"});
  const Value &x = runtime_input(0);
  const Dims &d = x.dims;
  const int64_t r = static_cast<int64_t>(d.size());
  int64_t axis = attr_int("axis", 1);
  if (axis < -r || axis > r) {
    node_fail(SMALL_ERR_PARSE, "attribute 'axis' = " + std::to_string(axis) +
                                   " is out of range for " + dims_str(d));
  }
  if (axis < 0) {
    axis += r;
  }
  const uint64_t outer = product(d, 0, static_cast<size_t>(axis));
  if (outer != static_cast<uint64_t>(batch_of(d))) {
    node_fail(SMALL_ERR_UNSUPPORTED,
              "attribute 'axis' = " + std::to_string(attr_int("axis", 1)) +
                  " on " + dims_str(d) +
                  " would change the batch axis, which is not supported");
  }
  Value v = x;
  v.dims = {static_cast<int64_t>(outer),
            static_cast<int64_t>(product(d) / outer)};
  check_runtime_dims(v.dims);
  set_output(0, v);
}

void Importer::op_reshape() {
  std::vector<int64_t> shape;
  int64_t allowzero = 0;
  if (opset_ < 5) {
    check_attributes({"shape"});
    shape = attr_ints("shape");
  } else {
    check_attributes({"allowzero"});
    allowzero = attr_int("allowzero", 0);
    auto s = const_input(1, true);
    if (s->dims.size() != 1) {
      node_fail(SMALL_ERR_PARSE, "input 'shape' must be 1-D");
    }
    shape = s->i;
  }
  const Value &x = runtime_input(0);
  const Dims &d = x.dims;
  Dims o;
  int minus = -1;
  for (size_t k = 0; k < shape.size(); ++k) {
    int64_t v = shape[k];
    if (v == 0) {
      if (allowzero != 0) {
        node_fail(SMALL_ERR_UNSUPPORTED,
                  "attribute 'allowzero' = 1 with a 0 in the shape (an empty "
                  "tensor) is not supported");
      }
      if (k >= d.size()) {
        node_fail(SMALL_ERR_PARSE, "shape " + dims_str(shape) +
                                       " copies a dimension the input " +
                                       dims_str(d) + " does not have");
      }
      v = d[k];
    } else if (v == -1) {
      if (minus >= 0) {
        node_fail(SMALL_ERR_PARSE,
                  "shape " + dims_str(shape) + " has more than one -1");
      }
      minus = static_cast<int>(k);
      v = 1;
    } else if (v < 0) {
      node_fail(SMALL_ERR_PARSE,
                "shape " + dims_str(shape) + " has a negative dimension");
    }
    o.push_back(v);
  }
  const uint64_t total = product(d);
  const uint64_t known = product(o);
  if (minus >= 0) {
    if (known == 0 || total % known != 0) {
      node_fail(SMALL_ERR_SHAPE_MISMATCH,
                "cannot reshape " + dims_str(d) + " to " + dims_str(shape));
    }
    o[minus] = static_cast<int64_t>(total / known);
  }
  if (product(o) != total) {
    node_fail(SMALL_ERR_SHAPE_MISMATCH, "cannot reshape " + dims_str(d) +
                                            " to " + dims_str(shape) +
                                            ": element counts differ");
  }
  if (o.empty() || batch_of(o) != batch_of(d)) {
    node_fail(SMALL_ERR_UNSUPPORTED,
              "reshape " + dims_str(d) + " -> " + dims_str(o) +
                  " changes the batch axis, which is not supported");
  }
  check_runtime_dims(o);
  Value v = x;
  v.dims = o;
  set_output(0, v);
}

void Importer::op_batchnorm() {
  if (opset_ < 7) {
    check_attributes({"epsilon", "momentum", "is_test", "spatial"});
  } else if (opset_ < 9) {
    check_attributes({"epsilon", "momentum", "spatial"});
  } else if (opset_ < 14) {
    check_attributes({"epsilon", "momentum"});
  } else {
    check_attributes({"epsilon", "momentum", "training_mode"});
  }
  if (attr_int("spatial", 1) != 1) {
    node_fail(SMALL_ERR_UNSUPPORTED,
              "attribute 'spatial' = 0 is not supported");
  }
  if (attr_int("training_mode", 0) != 0) {
    node_fail(SMALL_ERR_UNSUPPORTED,
              "attribute 'training_mode' = " +
                  std::to_string(attr_int("training_mode", 0)) +
                  " is not supported (inference only)");
  }
  const Value &x = runtime_input(0);
  if (x.dims.size() < 2) {
    node_fail(SMALL_ERR_UNSUPPORTED,
              "input " + dims_str(x.dims) + " must have rank 2 to 4");
  }
  const int64_t c = x.dims[1];
  std::shared_ptr<const Const> p[4];
  const char *names[4] = {"scale", "B", "mean", "var"};
  for (int k = 0; k < 4; ++k) {
    p[k] = const_input(k + 1, false);
    if (p[k]->count() != static_cast<size_t>(c)) {
      node_fail(SMALL_ERR_SHAPE_MISMATCH, std::string("input '") + names[k] +
                                              "' " + dims_str(p[k]->dims) +
                                              " must hold " +
                                              std::to_string(c) + " values");
    }
  }
  Call call{};
  call.kind = Call::kBatchNorm;
  call.inputs = {materialize(node_->input(0))};
  call.weights = p[0]->f;
  call.bias = p[1]->f;
  call.mean = p[2]->f;
  call.var = p[3]->f;
  call.epsilon = attr_float("epsilon", 1e-5f);
  Value v;
  v.dims = x.dims;
  v.tensor = record(std::move(call), "batchnorm");
  set_output(0, v);
  mark_extra_outputs_unusable(
      1, "training statistics outputs are not supported (inference only)");
}

void Importer::op_concat() {
  check_attributes({"axis"});
  if (node_->input_size() < 1) {
    node_fail(SMALL_ERR_PARSE, "needs at least one input");
  }
  const Value &x0 = runtime_input(0);
  const int64_t r = static_cast<int64_t>(x0.dims.size());
  int64_t axis = attr_int("axis", opset_ < 4 ? 1 : INT64_MIN);
  if (axis == INT64_MIN) {
    node_fail(SMALL_ERR_PARSE, "attribute 'axis' is required");
  }
  if (axis < -r || axis >= r) {
    node_fail(SMALL_ERR_PARSE, "attribute 'axis' = " + std::to_string(axis) +
                                   " is out of range for " + dims_str(x0.dims));
  }
  const size_t ca = channel_axis(x0.dims);
  if (static_cast<size_t>(axis < 0 ? axis + r : axis) != ca) {
    node_fail(SMALL_ERR_UNSUPPORTED,
              "attribute 'axis' = " + std::to_string(axis) + " on " +
                  dims_str(x0.dims) +
                  " is not supported (only the channel axis " +
                  std::to_string(ca) + ")");
  }
  Dims od = x0.dims;
  od[ca] = 0;
  Call call{};
  call.kind = Call::kConcat;
  for (int k = 0; k < node_->input_size(); ++k) {
    const Value &xk = runtime_input(k);
    Dims a = xk.dims, b = x0.dims;
    if (a.size() == b.size()) {
      a[ca] = b[ca] = 0;
    }
    if (a != b) {
      node_fail(SMALL_ERR_SHAPE_MISMATCH,
                "input " + std::to_string(k) + " " + dims_str(xk.dims) +
                    " does not match input 0 " + dims_str(x0.dims) +
                    " outside the channel axis");
    }
    od[ca] += xk.dims[ca];
  }
  for (int k = 0; k < node_->input_size(); ++k) {
    call.inputs.push_back(materialize(node_->input(k)));
  }
  check_runtime_dims(od);
  Value v;
  v.dims = od;
  v.tensor = record(std::move(call), "concat");
  set_output(0, v);
}

void Importer::op_passthrough() {
  const std::string &op = node_->op_type();
  if (op == "Identity") {
    check_attributes({});
  } else { // Dropout
    if (opset_ < 7) {
      check_attributes({"ratio", "is_test"});
    } else if (opset_ < 12) {
      check_attributes({"ratio"});
    } else {
      check_attributes({"seed"});
      if (has_input(2)) {
        const Value &tm = input_value(2);
        bool training = true;
        if (tm.kind == Value::kConstant && tm.constant->count() == 1) {
          training = tm.constant->is_int ? tm.constant->i[0] != 0
                                         : tm.constant->f[0] != 0.0f;
        }
        if (training) {
          node_fail(SMALL_ERR_UNSUPPORTED,
                    "input 'training_mode' must be a constant false "
                    "(inference only)");
        }
      }
    }
    mark_extra_outputs_unusable(1, "the Dropout mask is not supported");
  }
  set_output(0, input_value(0));
}

void Importer::op_constant() {
  check_attributes({"value", "value_float", "value_floats", "value_int",
                    "value_ints", "sparse_value", "value_string",
                    "value_strings"});
  if (node_->attribute_size() != 1) {
    node_fail(SMALL_ERR_PARSE, "needs exactly one value attribute");
  }
  const onnx::AttributeProto &a = node_->attribute(0);
  auto c = std::make_shared<Const>();
  if (a.name() == "value") {
    if (!a.has_t()) {
      node_fail(SMALL_ERR_PARSE, "attribute 'value' holds no tensor");
    }
    c = tensor_to_const(a.t(), where() + " attribute 'value'");
  } else if (a.name() == "value_float") {
    c->f = {a.f()};
  } else if (a.name() == "value_floats") {
    c->f.assign(a.floats().begin(), a.floats().end());
    c->dims = {static_cast<int64_t>(c->f.size())};
  } else if (a.name() == "value_int") {
    c->is_int = true;
    c->i = {a.i()};
  } else if (a.name() == "value_ints") {
    c->is_int = true;
    c->i.assign(a.ints().begin(), a.ints().end());
    c->dims = {static_cast<int64_t>(c->i.size())};
  } else {
    node_fail(SMALL_ERR_UNSUPPORTED,
              "attribute '" + a.name() + "' is not supported");
  }
  Value v;
  v.kind = Value::kConstant;
  v.dims = c->dims;
  v.constant = c;
  set_output(0, v);
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
  const std::string &op = n.op_type();
  if (op == "Conv") {
    op_conv();
  } else if (op == "MaxPool") {
    op_pool(true);
  } else if (op == "AveragePool") {
    op_pool(false);
  } else if (op == "GlobalAveragePool") {
    op_global_pool(false);
  } else if (op == "GlobalMaxPool") {
    op_global_pool(true);
  } else if (op == "Gemm") {
    op_gemm();
  } else if (op == "MatMul") {
    op_matmul();
  } else if (op == "Add") {
    op_add();
  } else if (op == "Relu") {
    check_attributes({});
    op_activation(small_activation_make(SMALL_ACT_RELU));
  } else if (op == "LeakyRelu") {
    check_attributes({"alpha"});
    small_activation act = small_activation_make(SMALL_ACT_LEAKY_RELU);
    act.alpha = attr_float("alpha", 0.01f);
    op_activation(act);
  } else if (op == "Sigmoid") {
    check_attributes({});
    op_activation(small_activation_make(SMALL_ACT_SIGMOID));
  } else if (op == "HardSigmoid") {
    check_attributes({"alpha", "beta"});
    small_activation act = small_activation_make(SMALL_ACT_HARD_SIGMOID);
    act.alpha = attr_float("alpha", 0.2f);
    act.beta = attr_float("beta", 0.5f);
    op_activation(act);
  } else if (op == "HardSwish") {
    check_attributes({});
    op_activation(small_activation_make(SMALL_ACT_HARD_SWISH));
  } else if (op == "Clip") {
    op_clip();
  } else if (op == "Softmax") {
    op_softmax();
  } else if (op == "Flatten") {
    op_flatten();
  } else if (op == "Reshape") {
    op_reshape();
  } else if (op == "BatchNormalization") {
    op_batchnorm();
  } else if (op == "Concat") {
    op_concat();
  } else if (op == "Identity" || op == "Dropout") {
    op_passthrough();
  } else if (op == "Constant") {
    op_constant();
  } else {
    node_fail(SMALL_ERR_UNSUPPORTED, "operator is not supported");
  }
  // Every named output must now be defined.
  for (int k = 0; k < n.output_size(); ++k) {
    if (!n.output(k).empty() && !values_.count(n.output(k))) {
      node_fail(SMALL_ERR_UNSUPPORTED,
                "output " + std::to_string(k) + " is not supported");
    }
  }
}

// Emulates small_network_finalize's fusion and pruning rules on the layer
// table (so small-run can show them).
void Importer::finish_table() {
  auto &rows = out_.layers;
  const size_t tensors = tensor_producer_.size();
  std::vector<int> consumers(tensors, 0);
  std::vector<bool> is_output(tensors, false);
  std::vector<int> producer = tensor_producer_; // re-targeted by fusion
  std::vector<small_tensor> row_out(rows.size());
  std::vector<bool> has_act(rows.size(), false), removed(rows.size(), false);
  for (const Call &c : out_.calls) {
    if (c.kind == Call::kMarkOutput) {
      is_output[c.inputs[0]] = true;
    } else if (c.kind != Call::kInput) {
      for (small_tensor t : c.inputs) {
        ++consumers[t];
      }
    }
  }
  auto is_conv_like = [](const std::string &op) {
    return op == "conv2d" || op == "depthwise" || op == "dense" ||
           op == "batchnorm";
  };
  for (size_t i = 0; i < rows.size(); ++i) {
    const Call &c = out_.calls[rows[i].call];
    row_out[i] = c.output;
    if (c.inputs.size() != 1) {
      continue;
    }
    const small_tensor mid = c.inputs[0];
    if (producer[mid] < 0 || is_output[mid] || consumers[mid] != 1) {
      continue;
    }
    const int p = producer[mid];
    const std::string &pop = rows[p].op;
    bool fused = false;
    if (rows[i].op == "batchnorm") {
      fused = pop != "batchnorm" && is_conv_like(pop) && !has_act[p];
    } else if (rows[i].op == "activation") {
      fused = (is_conv_like(pop) || pop == "add") && !has_act[p];
      has_act[p] = has_act[p] || fused;
    }
    if (fused) {
      producer[c.output] = p;
      producer[mid] = -1;
      row_out[p] = c.output;
      removed[i] = true;
      rows[i].fused_into = rows[p].name;
      const std::string what = rows[i].op == "activation"
                                   ? rows[i].onnx_ops
                                   : rows[i].onnx_ops + "(batchnorm)";
      rows[p].fused_ops += (rows[p].fused_ops.empty() ? "" : "+") + what;
    }
  }
  // Prune what reaches no output.
  std::vector<bool> needed(is_output);
  for (size_t i = rows.size(); i-- > 0;) {
    if (removed[i]) {
      continue;
    }
    if (!needed[row_out[i]]) {
      removed[i] = true;
      rows[i].fused_into = "(pruned: reaches no output)";
      continue;
    }
    for (small_tensor t : out_.calls[rows[i].call].inputs) {
      needed[t] = true;
    }
  }
  out_.macs = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!removed[i]) {
      out_.macs += rows[i].macs;
    }
  }
}

void Importer::run(const void *data, size_t size) {
  if (data == nullptr && size != 0) {
    fail(SMALL_ERR_NULL_POINTER, "data is NULL");
  }
  if (size > static_cast<size_t>(std::numeric_limits<int>::max())) {
    fail(SMALL_ERR_UNSUPPORTED, "model larger than 2 GiB");
  }
  onnx::ModelProto model;
  if (size == 0 || !model.ParseFromArray(data, static_cast<int>(size))) {
    fail(SMALL_ERR_PARSE,
         "not a valid ONNX model (protobuf ModelProto parsing failed; "
         "truncated or corrupt file?)");
  }
  if (!model.has_graph()) {
    fail(SMALL_ERR_PARSE, "the model has no graph");
  }
  for (const auto &o : model.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") {
      if (opset_ != 0) {
        fail(SMALL_ERR_PARSE, "the default opset is imported twice");
      }
      if (o.version() < 1 || o.version() > kMaxOpset) {
        fail(SMALL_ERR_UNSUPPORTED, "opset " + std::to_string(o.version()) +
                                        " is not supported (1.." +
                                        std::to_string(kMaxOpset) + ")");
      }
      opset_ = static_cast<int>(o.version());
    }
  }
  if (opset_ == 0) {
    fail(SMALL_ERR_PARSE, "the model imports no default-domain opset");
  }
  const onnx::GraphProto &g = model.graph();
  out_.graph_name = g.name();
  if (small_network_create(&net_) != SMALL_OK) {
    fail(SMALL_ERR_OUT_OF_MEMORY, "small_network_create failed");
  }
  read_inputs(g);
  const std::vector<int> order = topo_order(g);
  std::map<std::string, int> used_names;
  for (int i : order) {
    node_ = &g.node(i);
    node_name_ = node_->name();
    if (node_name_.empty()) {
      node_name_ = node_->op_type() + "_" + std::to_string(i);
    }
    import_node();
  }
  node_ = nullptr;
  node_name_.clear();
  if (g.output_size() == 0) {
    fail(SMALL_ERR_PARSE, "graph: no output");
  }
  std::set<small_tensor> marked;
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
    const small_tensor t = materialize(o.name());
    if (!marked.insert(t).second) {
      fail(SMALL_ERR_UNSUPPORTED,
           what + " is the same tensor as an earlier output");
    }
    const small_status ms = small_network_mark_output(net_, t);
    if (ms != SMALL_OK) {
      fail(ms, what + ": " + small_last_error());
    }
    Call call{};
    call.kind = Call::kMarkOutput;
    call.inputs = {t};
    out_.calls.push_back(call);
    out_.output_names.push_back(o.name());
    out_.output_dims.push_back(d);
  }
  finish_table();
  if (opt_.finalize) {
    const small_status s = small_network_finalize(net_);
    if (s != SMALL_OK) {
      fail(s,
           std::string("small_network_finalize failed: ") + small_last_error());
    }
    out_.finalized = true;
  }
  out_.network = net_;
  net_ = nullptr;
}

} // namespace

void import_model(const void *data, size_t size,
                  const small_onnx_options &options, ModelData &out) {
  Importer imp(options, out);
  imp.run(data, size);
}

} // namespace small_onnx
