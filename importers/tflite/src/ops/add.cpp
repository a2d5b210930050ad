// ADD of two runtime tensors of the same shape -> add (with its fused
// activation). Broadcasting is not supported.
#include "op_table.h"
#include "tflite_importer.h"

namespace small_tflite {

void lower_add(Importer &im) {
  im.expect_io(2, 2);
  const auto *o = im.options<fb::AddOptions>();
  const Value &a = im.runtime_input(0);
  const Value &b = im.runtime_input(1);
  if (a.dims != b.dims) {
    im.op_fail(SMALL_ERR_UNSUPPORTED, "inputs " + dims_str(a.dims) + " and " +
                                          dims_str(b.dims) +
                                          " differ (broadcasting is not "
                                          "supported)");
  }
  const small_activation act =
      im.activation(o != nullptr ? o->fused_activation_function()
                                 : fb::ActivationFunctionType::NONE);
  Value v;
  if (im.int8_input(0) || im.int8_input(1)) {
    small_import::AddInt8Params p;
    p.activation = act;
    p.output = im.output_quant();
    v.tensor = im.add_layer(p, {a.tensor, b.tensor});
  } else {
    small_import::AddParams p;
    p.activation = act;
    v.tensor = im.add_layer(p, {a.tensor, b.tensor});
  }
  v.dims = a.dims;
  im.set_output(v);
}

} // namespace small_tflite
