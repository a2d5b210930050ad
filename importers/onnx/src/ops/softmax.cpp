// Softmax over the channel axis -> softmax (after a reshape when the
// tensor's split does not put the softmax axis on channels).
#include "onnx_importer.h"
#include "op_table.h"

namespace small_onnx {

void lower_softmax(Importer &im) {
  im.attributes().allow_only({"axis"});
  const Value &x = im.runtime_input(0);
  const Dims &d = x.dims;
  const int64_t r = static_cast<int64_t>(d.size());
  int64_t axis = im.attributes().get_int("axis", im.opset() < 13 ? 1 : -1);
  if (axis < -r || axis >= r) {
    im.node_fail(SMALL_ERR_PARSE, "attribute 'axis' = " + std::to_string(axis) +
                                      " is out of range for " + dims_str(d));
  }
  if (axis < 0) {
    axis += r;
  }
  if ((axis == 0 && r > 1) || product(d, 1, static_cast<size_t>(axis)) != 1) {
    im.node_fail(SMALL_ERR_UNSUPPORTED,
                 "attribute 'axis' = " + std::to_string(axis) + " (of " +
                     dims_str(d) +
                     ") is not supported: softmax runs over channels, so "
                     "every axis between the batch axis and 'axis' must be 1");
  }
  // Before opset 13 softmax ran over the flattened [axis, end) block.
  uint64_t c, inner;
  if (im.opset() < 13) {
    c = product(d, static_cast<size_t>(axis), d.size());
    inner = 1;
  } else {
    c = static_cast<uint64_t>(d[axis]);
    inner = product(d, static_cast<size_t>(axis) + 1, d.size());
  }
  const uint32_t *s = im.shape_of(x.tensor);
  TensorId in = x.tensor;
  if (s[1] != c || uint64_t{s[2]} * s[3] != inner) {
    in = im.with_split(x, static_cast<uint32_t>(c),
                       static_cast<uint32_t>(inner), 1);
  }
  Value v;
  v.dims = d;
  v.tensor = im.add_layer(small_import::SoftmaxParams{}, {in});
  im.set_output(0, v);
}

} // namespace small_onnx
