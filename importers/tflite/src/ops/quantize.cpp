// QUANTIZE (float or int8 -> int8) -> quantize; DEQUANTIZE (int8 -> float)
// -> dequantize. A DEQUANTIZE of constant weights (int8 or float16, as
// converters write for compressed float models) is folded at import.
#include "op_table.h"
#include "tflite_importer.h"

namespace small_tflite {

void lower_dequantize(Importer &im) {
  im.expect_io(1, 1);
  const TensorInfo &in = im.input_tensor(0);
  const TensorInfo &out = im.output_tensor();
  if (out.type != kFloat32 || out.dims != in.dims) {
    im.op_fail(SMALL_ERR_PARSE, "output " + out.label() + " must be FLOAT32 " +
                                    dims_str(in.dims));
  }
  if (in.data != nullptr) {
    im.set_constant_output(im.constant_floats(0, "input"));
    return;
  }
  const Value &x = im.runtime_input(0);
  if (!im.int8_input(0)) {
    im.op_fail(SMALL_ERR_UNSUPPORTED, "input " + in.label() + " is " +
                                          type_name(in.type) +
                                          "; a runtime DEQUANTIZE takes INT8");
  }
  im.input_quant(0);
  Value v;
  v.tensor = im.add_layer(small_import::DequantizeParams{}, {x.tensor});
  v.dims = x.dims;
  im.set_output(v);
}

void lower_quantize(Importer &im) {
  im.expect_io(1, 1);
  const Value &x = im.runtime_input(0);
  if (im.int8_input(0)) {
    im.input_quant(0);
  }
  small_import::QuantizeParams p;
  p.output = im.output_quant();
  Value v;
  v.tensor = im.add_layer(p, {x.tensor});
  v.dims = x.dims;
  im.set_output(v);
}

} // namespace small_tflite
