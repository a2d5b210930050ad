// Builds small ONNX models in tests (with the onnx protobuf classes) and
// serializes them for small_onnx_import_buffer.
#ifndef SMALL_TESTS_ONNX_MODEL_BUILDER_H
#define SMALL_TESTS_ONNX_MODEL_BUILDER_H

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace small_test {

struct Attr {
  std::string name;
  enum { kInt, kInts, kFloat, kString } kind;
  int64_t i = 0;
  std::vector<int64_t> ints;
  float f = 0;
  std::string s;
};

inline Attr attr_i(const std::string &n, int64_t v) {
  Attr a{n, Attr::kInt};
  a.i = v;
  return a;
}
inline Attr attr_is(const std::string &n, std::vector<int64_t> v) {
  Attr a{n, Attr::kInts};
  a.ints = std::move(v);
  return a;
}
inline Attr attr_f(const std::string &n, float v) {
  Attr a{n, Attr::kFloat};
  a.f = v;
  return a;
}
inline Attr attr_s(const std::string &n, std::string v) {
  Attr a{n, Attr::kString};
  a.s = std::move(v);
  return a;
}

class ModelBuilder {
public:
  explicit ModelBuilder(int opset = 13) {
    model_.set_ir_version(7);
    auto *o = model_.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    model_.mutable_graph()->set_name("test");
  }
  onnx::GraphProto &graph() { return *model_.mutable_graph(); }
  onnx::ModelProto &model() { return model_; }

  // Dims < 0 become a symbolic dimension "N".
  void input(const std::string &name, const std::vector<int64_t> &dims,
             int elem_type = onnx::TensorProto::FLOAT) {
    value_info(graph().add_input(), name, dims, elem_type);
  }
  void output(const std::string &name, const std::vector<int64_t> &dims = {},
              bool with_shape = false) {
    auto *v = graph().add_output();
    v->set_name(name);
    auto *t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    if (with_shape) {
      auto *s = t->mutable_shape();
      for (int64_t d : dims) {
        s->add_dim()->set_dim_value(d);
      }
    }
  }
  static void fill_tensor(onnx::TensorProto *t, const std::string &name,
                          const std::vector<int64_t> &dims,
                          const std::vector<float> &values) {
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) {
      t->add_dims(d);
    }
    for (float v : values) {
      t->add_float_data(v);
    }
  }
  void init(const std::string &name, const std::vector<int64_t> &dims,
            const std::vector<float> &values) {
    fill_tensor(graph().add_initializer(), name, dims, values);
  }
  void init_i64(const std::string &name, const std::vector<int64_t> &dims,
                const std::vector<int64_t> &values) {
    auto *t = graph().add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    for (int64_t d : dims) {
      t->add_dims(d);
    }
    for (int64_t v : values) {
      t->add_int64_data(v);
    }
  }
  onnx::NodeProto &node(const std::string &op,
                        const std::vector<std::string> &inputs,
                        const std::vector<std::string> &outputs,
                        const std::vector<Attr> &attrs = {},
                        const std::string &name = "") {
    auto *n = graph().add_node();
    n->set_op_type(op);
    n->set_name(name.empty() ? op + "_" + std::to_string(graph().node_size())
                             : name);
    for (const auto &i : inputs) {
      n->add_input(i);
    }
    for (const auto &o : outputs) {
      n->add_output(o);
    }
    for (const auto &a : attrs) {
      auto *p = n->add_attribute();
      p->set_name(a.name);
      switch (a.kind) {
      case Attr::kInt:
        p->set_type(onnx::AttributeProto::INT);
        p->set_i(a.i);
        break;
      case Attr::kInts:
        p->set_type(onnx::AttributeProto::INTS);
        for (int64_t v : a.ints) {
          p->add_ints(v);
        }
        break;
      case Attr::kFloat:
        p->set_type(onnx::AttributeProto::FLOAT);
        p->set_f(a.f);
        break;
      case Attr::kString:
        p->set_type(onnx::AttributeProto::STRING);
        p->set_s(a.s);
        break;
      }
    }
    return *n;
  }
  // A Constant node holding a float tensor.
  void constant(const std::string &out, const std::vector<int64_t> &dims,
                const std::vector<float> &values) {
    auto &n = node("Constant", {}, {out});
    auto *p = n.add_attribute();
    p->set_name("value");
    p->set_type(onnx::AttributeProto::TENSOR);
    fill_tensor(p->mutable_t(), out, dims, values);
  }
  std::string bytes() const {
    std::string s;
    model_.SerializeToString(&s);
    return s;
  }

private:
  static void value_info(onnx::ValueInfoProto *v, const std::string &name,
                         const std::vector<int64_t> &dims, int elem_type) {
    v->set_name(name);
    auto *t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(elem_type);
    auto *s = t->mutable_shape();
    for (int64_t d : dims) {
      if (d < 0) {
        s->add_dim()->set_dim_param("N");
      } else {
        s->add_dim()->set_dim_value(d);
      }
    }
  }
  onnx::ModelProto model_;
};

} // namespace small_test

#endif
