// libFuzzer target for the ONNX loader: any byte string must import cleanly
// or fail with a status; an imported model must give its layer table and
// C code, and its network must run.
#include <cstddef>
#include <cstdint>

#include "model_bytes.h"
#include "small/small.h"
#include "small/small_onnx.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  small_onnx_options opt;
  small_onnx_options_init(&opt);
  opt.max_tensor_bytes = 16u << 20;
  small_onnx_model *m = nullptr;
  if (small_onnx_import_buffer(data, size, &opt, &m) != SMALL_OK) {
    return 0;
  }
  if (small_onnx_model_macs(m) > 50000000u) { // keep each input fast
    small_onnx_model_destroy(m);
    return 0;
  }
  // The layer table and the code generator read every name the input
  // holds (the generated text goes nowhere).
  for (size_t i = 0; i < small_onnx_model_layer_count(m); ++i) {
    small_onnx_layer_info li;
    if (small_onnx_model_layer(m, i, &li) != SMALL_OK) {
      __builtin_trap();
    }
  }
  if (small_onnx_model_macs(m) < 1000000u &&
      small_onnx_model_write_c(m, "fuzz", "/dev/null", "/dev/null") !=
          SMALL_OK) {
    __builtin_trap(); // an imported model must generate
  }
  if (small_test::run_on_constant_inputs(small_onnx_model_network(m), 0.25f,
                                         SMALL_LAYOUT_NCHW) != SMALL_OK) {
    __builtin_trap(); // an imported network must run
  }
  small_onnx_model_destroy(m);
  return 0;
}
