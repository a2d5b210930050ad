// Nodes that add no layer: Identity and inference Dropout pass their input
// on; Constant defines a constant value.
#include "model_reader.h"
#include "onnx_importer.h"
#include "op_table.h"

namespace small_onnx {

void lower_identity(Importer &im) {
  im.attributes().allow_only({});
  im.set_output(0, im.input_value(0));
}

void lower_dropout(Importer &im) {
  if (im.opset() < 7) {
    im.attributes().allow_only({"ratio", "is_test"});
  } else if (im.opset() < 12) {
    im.attributes().allow_only({"ratio"});
  } else {
    im.attributes().allow_only({"seed"});
    if (im.has_input(2)) {
      const Value &tm = im.input_value(2);
      bool training = true;
      if (tm.kind == Value::kConstant && tm.constant->count() == 1) {
        training = tm.constant->is_int ? tm.constant->i[0] != 0
                                       : tm.constant->f[0] != 0.0f;
      }
      if (training) {
        im.node_fail(SMALL_ERR_UNSUPPORTED,
                     "input 'training_mode' must be a constant false "
                     "(inference only)");
      }
    }
  }
  im.mark_extra_outputs_unusable(1, "the Dropout mask is not supported");
  im.set_output(0, im.input_value(0));
}

void lower_constant(Importer &im) {
  im.attributes().allow_only({"value", "value_float", "value_floats",
                              "value_int", "value_ints", "sparse_value",
                              "value_string", "value_strings"});
  const onnx::NodeProto &n = im.node();
  if (n.attribute_size() != 1) {
    im.node_fail(SMALL_ERR_PARSE, "needs exactly one value attribute");
  }
  const onnx::AttributeProto &a = n.attribute(0);
  auto c = std::make_shared<Const>();
  if (a.name() == "value") {
    if (!a.has_t()) {
      im.node_fail(SMALL_ERR_PARSE, "attribute 'value' holds no tensor");
    }
    c = read_tensor(a.t(), im.where() + " attribute 'value'",
                    im.max_tensor_bytes());
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
    im.node_fail(SMALL_ERR_UNSUPPORTED,
                 "attribute '" + a.name() + "' is not supported");
  }
  Value v;
  v.kind = Value::kConstant;
  v.dims = c->dims;
  v.constant = c;
  im.set_output(0, v);
}

} // namespace small_onnx
