// SOFTMAX over the last axis (TFLite's channels) -> softmax.
#include "op_table.h"
#include "tflite_importer.h"

namespace small_tflite {

void lower_softmax(Importer &im) {
  im.expect_io(1, 1);
  const auto *o = im.options<fb::SoftmaxOptions>();
  const float beta = o != nullptr ? o->beta() : 1.0f;
  if (im.int8_input(0)) {
    const Value &x = im.runtime_input(0);
    small_import::SoftmaxInt8Params p;
    p.beta = beta;
    p.output = im.output_quant();
    Value v;
    v.tensor = im.add_layer(p, {x.tensor});
    v.dims = x.dims;
    im.set_output(v);
    return;
  }
  if (beta != 1.0f) {
    im.op_fail(SMALL_ERR_UNSUPPORTED,
               "beta = " + std::to_string(beta) +
                   " is not supported for float tensors (only 1)");
  }
  const Value &x = im.runtime_input(0);
  if (x.dims.size() != 2 && x.dims.size() != 4) {
    im.op_fail(SMALL_ERR_UNSUPPORTED,
               "input " + dims_str(x.dims) + " must be [N, C] or [N, H, W, C]");
  }
  Value v;
  v.tensor = im.add_layer(small_import::SoftmaxParams{}, {x.tensor});
  v.dims = x.dims;
  im.set_output(v);
}

} // namespace small_tflite
