// Flatten and Reshape (views: no layer until a consumer needs the canonical
// split) and Concat on channels -> concat.
#include "onnx_importer.h"
#include "op_table.h"

namespace small_onnx {

void lower_flatten(Importer &im) {
  im.attributes().allow_only({"axis"});
  const Value &x = im.runtime_input(0);
  const Dims &d = x.dims;
  const int64_t r = static_cast<int64_t>(d.size());
  const int64_t given = im.attributes().get_int("axis", 1);
  int64_t axis = given;
  if (axis < -r || axis > r) {
    im.node_fail(SMALL_ERR_PARSE, "attribute 'axis' = " + std::to_string(axis) +
                                      " is out of range for " + dims_str(d));
  }
  if (axis < 0) {
    axis += r;
  }
  const uint64_t outer = product(d, 0, static_cast<size_t>(axis));
  if (outer != static_cast<uint64_t>(batch_of(d))) {
    im.node_fail(SMALL_ERR_UNSUPPORTED,
                 "attribute 'axis' = " + std::to_string(given) + " on " +
                     dims_str(d) +
                     " would change the batch axis, which is not supported");
  }
  Value v = x;
  v.dims = {static_cast<int64_t>(outer),
            static_cast<int64_t>(product(d) / outer)};
  im.check_runtime_dims(v.dims);
  im.set_output(0, v);
}

void lower_reshape(Importer &im) {
  std::vector<int64_t> shape;
  int64_t allowzero = 0;
  if (im.opset() < 5) {
    im.attributes().allow_only({"shape"});
    shape = im.attributes().get_ints("shape");
  } else {
    im.attributes().allow_only({"allowzero"});
    allowzero = im.attributes().get_int("allowzero", 0);
    auto s = im.const_input(1, true);
    if (s->dims.size() != 1) {
      im.node_fail(SMALL_ERR_PARSE, "input 'shape' must be 1-D");
    }
    shape = s->i;
  }
  const Value &x = im.runtime_input(0);
  const Dims &d = x.dims;
  Dims o;
  int minus = -1;
  for (size_t k = 0; k < shape.size(); ++k) {
    int64_t v = shape[k];
    if (v == 0) {
      if (allowzero != 0) {
        im.node_fail(SMALL_ERR_UNSUPPORTED,
                     "attribute 'allowzero' = 1 with a 0 in the shape (an "
                     "empty tensor) is not supported");
      }
      if (k >= d.size()) {
        im.node_fail(SMALL_ERR_PARSE, "shape " + dims_str(shape) +
                                          " copies a dimension the input " +
                                          dims_str(d) + " does not have");
      }
      v = d[k];
    } else if (v == -1) {
      if (minus >= 0) {
        im.node_fail(SMALL_ERR_PARSE,
                     "shape " + dims_str(shape) + " has more than one -1");
      }
      minus = static_cast<int>(k);
      v = 1;
    } else if (v < 0) {
      im.node_fail(SMALL_ERR_PARSE,
                   "shape " + dims_str(shape) + " has a negative dimension");
    }
    o.push_back(v);
  }
  const uint64_t total = product(d);
  const uint64_t known = product(o);
  if (minus >= 0) {
    if (known == 0 || total % known != 0) {
      im.node_fail(SMALL_ERR_SHAPE_MISMATCH,
                   "cannot reshape " + dims_str(d) + " to " + dims_str(shape));
    }
    o[minus] = static_cast<int64_t>(total / known);
  }
  if (product(o) != total) {
    im.node_fail(SMALL_ERR_SHAPE_MISMATCH, "cannot reshape " + dims_str(d) +
                                               " to " + dims_str(shape) +
                                               ": element counts differ");
  }
  if (o.empty() || batch_of(o) != batch_of(d)) {
    im.node_fail(SMALL_ERR_UNSUPPORTED,
                 "reshape " + dims_str(d) + " -> " + dims_str(o) +
                     " changes the batch axis, which is not supported");
  }
  im.check_runtime_dims(o);
  Value v = x;
  v.dims = o;
  im.set_output(0, v);
}

void lower_concat(Importer &im) {
  im.attributes().allow_only({"axis"});
  const onnx::NodeProto &n = im.node();
  if (n.input_size() < 1) {
    im.node_fail(SMALL_ERR_PARSE, "needs at least one input");
  }
  const Dims d0 = im.runtime_input(0).dims;
  const int64_t r = static_cast<int64_t>(d0.size());
  const int64_t axis =
      im.attributes().get_int("axis", im.opset() < 4 ? 1 : INT64_MIN);
  if (axis == INT64_MIN) {
    im.node_fail(SMALL_ERR_PARSE, "attribute 'axis' is required");
  }
  if (axis < -r || axis >= r) {
    im.node_fail(SMALL_ERR_PARSE, "attribute 'axis' = " + std::to_string(axis) +
                                      " is out of range for " + dims_str(d0));
  }
  const size_t ca = channel_axis(d0);
  if (static_cast<size_t>(axis < 0 ? axis + r : axis) != ca) {
    im.node_fail(SMALL_ERR_UNSUPPORTED,
                 "attribute 'axis' = " + std::to_string(axis) + " on " +
                     dims_str(d0) +
                     " is not supported (only the channel axis " +
                     std::to_string(ca) + ")");
  }
  Dims od = d0;
  od[ca] = 0;
  for (int k = 0; k < n.input_size(); ++k) {
    const Dims &dk = im.runtime_input(k).dims;
    Dims a = dk, b = d0;
    if (a.size() == b.size()) {
      a[ca] = b[ca] = 0;
    }
    if (a != b) {
      im.node_fail(SMALL_ERR_SHAPE_MISMATCH,
                   "input " + std::to_string(k) + " " + dims_str(dk) +
                       " does not match input 0 " + dims_str(d0) +
                       " outside the channel axis");
    }
    od[ca] += dk[ca];
  }
  std::vector<TensorId> inputs;
  for (int k = 0; k < n.input_size(); ++k) {
    inputs.push_back(im.materialize_input(k));
  }
  im.check_runtime_dims(od);
  Value v;
  v.dims = od;
  v.tensor = im.add_layer(small_import::ConcatParams{}, std::move(inputs));
  im.set_output(0, v);
}

} // namespace small_onnx
