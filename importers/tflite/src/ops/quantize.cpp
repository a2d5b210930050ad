// QUANTIZE and DEQUANTIZE. A DEQUANTIZE of constant weights (int8 or
// float16, as converters write for compressed float models) is folded at
// import; both on runtime tensors need the core's int8 layers.
#include "op_table.h"
#include "tflite_importer.h"

namespace small_tflite {

void lower_dequantize(Importer &im) {
  im.expect_io(1, 1);
  const TensorInfo &in = im.input_tensor(0);
  const TensorInfo &out = im.output_tensor();
  if (in.data == nullptr) {
    im.op_fail(SMALL_ERR_UNSUPPORTED,
               "a DEQUANTIZE of a runtime tensor (" + in.label() +
                   ") needs int8 inference, which this build of SMaLL "
                   "lacks");
  }
  if (out.type != kFloat32 || out.dims != in.dims) {
    im.op_fail(SMALL_ERR_PARSE, "output " + out.label() + " must be FLOAT32 " +
                                    dims_str(in.dims));
  }
  im.set_constant_output(im.constant_floats(0, "input"));
}

void lower_quantize(Importer &im) {
  im.expect_io(1, 1);
  im.op_fail(SMALL_ERR_UNSUPPORTED,
             "QUANTIZE produces an int8 tensor; int8 inference needs the "
             "core's int8 layers, which this build of SMaLL lacks");
}

} // namespace small_tflite
