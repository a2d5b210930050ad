#include "model_reader.h"

#include <cstring>
#include <limits>
#include <queue>
#include <unordered_map>

namespace small_onnx {

int parse_model(const void *data, size_t size, onnx::ModelProto &model) {
  if (data == nullptr && size != 0) {
    fail(SMALL_ERR_NULL_POINTER, "data is NULL");
  }
  if (size > static_cast<size_t>(std::numeric_limits<int>::max())) {
    fail(SMALL_ERR_UNSUPPORTED, "model larger than 2 GiB");
  }
  if (size == 0 || !model.ParseFromArray(data, static_cast<int>(size))) {
    fail(SMALL_ERR_PARSE,
         "not a valid ONNX model (protobuf ModelProto parsing failed; "
         "truncated or corrupt file?)");
  }
  if (!model.has_graph()) {
    fail(SMALL_ERR_PARSE, "the model has no graph");
  }
  int opset = 0;
  for (const auto &o : model.opset_import()) {
    if (o.domain().empty() || o.domain() == "ai.onnx") {
      if (opset != 0) {
        fail(SMALL_ERR_PARSE, "the default opset is imported twice");
      }
      if (o.version() < 1 || o.version() > kMaxOpset) {
        fail(SMALL_ERR_UNSUPPORTED, "opset " + std::to_string(o.version()) +
                                        " is not supported (1.." +
                                        std::to_string(kMaxOpset) + ")");
      }
      opset = static_cast<int>(o.version());
    }
  }
  if (opset == 0) {
    fail(SMALL_ERR_PARSE, "the model imports no default-domain opset");
  }
  return opset;
}

void check_dims_size(const Dims &d, const std::string &what,
                     uint64_t max_bytes) {
  for (int64_t x : d) {
    if (x < 0) {
      fail(SMALL_ERR_PARSE, what + ": negative dimension in " + dims_str(d));
    }
  }
  const uint64_t n = product(d);
  if (n > max_bytes / 4) {
    fail(SMALL_ERR_UNSUPPORTED, what + ": " + dims_str(d) + " holds " +
                                    std::to_string(n) +
                                    " elements, above max_tensor_bytes (" +
                                    std::to_string(max_bytes) + " bytes)");
  }
}

namespace {

// Copies `count` little-endian elements of `width` bytes from raw_data.
template <typename T, typename Stored>
void read_raw(const std::string &raw, size_t count, std::vector<T> &out) {
  out.resize(count);
  for (size_t k = 0; k < count; ++k) {
    Stored v;
    std::memcpy(&v, raw.data() + sizeof(Stored) * k, sizeof(Stored));
    out[k] = static_cast<T>(v);
  }
}

} // namespace

std::shared_ptr<Const> read_tensor(const onnx::TensorProto &t,
                                   const std::string &what,
                                   uint64_t max_bytes) {
  auto c = std::make_shared<Const>();
  c->dims.assign(t.dims().begin(), t.dims().end());
  check_dims_size(c->dims, what, max_bytes);
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
  auto check_raw = [&](size_t width, bool say_size) {
    if (raw.size() % width != 0) {
      fail(SMALL_ERR_PARSE,
           what + ": raw_data size " +
               (say_size ? std::to_string(raw.size()) + " " : "") +
               "is not a multiple of " + std::to_string(width));
    }
    check_count(raw.size() / width);
  };
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    if (t.has_raw_data()) {
      check_raw(4, true);
      read_raw<float, float>(raw, count, c->f);
    } else {
      check_count(static_cast<size_t>(t.float_data_size()));
      c->f.assign(t.float_data().begin(), t.float_data().end());
    }
    break;
  case onnx::TensorProto::INT64:
    c->is_int = true;
    if (t.has_raw_data()) {
      check_raw(8, true);
      read_raw<int64_t, int64_t>(raw, count, c->i);
    } else {
      check_count(static_cast<size_t>(t.int64_data_size()));
      c->i.assign(t.int64_data().begin(), t.int64_data().end());
    }
    break;
  case onnx::TensorProto::INT32:
    c->is_int = true;
    if (t.has_raw_data()) {
      check_raw(4, false);
      read_raw<int64_t, int32_t>(raw, count, c->i);
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

Dims graph_input_dims(const onnx::ValueInfoProto &in, uint32_t batch,
                      const std::string &what) {
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
    } else if (k == 0 && !dim.has_dim_value() && batch > 0) {
      d.push_back(batch); // symbolic batch
    } else {
      fail(SMALL_ERR_UNSUPPORTED,
           what + ": dimension " + std::to_string(k) + " is " +
               (dim.has_dim_value() ? std::to_string(dim.dim_value())
                                    : "dynamic ('" + dim.dim_param() + "')") +
               "; only a dynamic batch dimension (axis 0) is supported");
    }
  }
  return d;
}

// Kahn's algorithm over value names; a node waits for every non-empty input
// that some node produces. Unknown inputs are reported when the node runs.
std::vector<int>
topological_order(const onnx::GraphProto &g,
                  const std::function<bool(const std::string &)> &defined) {
  const int n = g.node_size();
  std::unordered_map<std::string, int> producer;
  for (int i = 0; i < n; ++i) {
    for (const std::string &o : g.node(i).output()) {
      if (o.empty()) {
        continue;
      }
      if (defined(o) || !producer.emplace(o, i).second) {
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

} // namespace small_onnx
