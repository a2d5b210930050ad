// libFuzzer target for the TFLite loader: any byte string must import
// cleanly or fail with a status; an imported model must give its layer table
// and C code, and its network must run.
#include <cstddef>
#include <cstdint>

#include "model_bytes.h"
#include "small/small.h"
#include "small/small_tflite.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  small_tflite_options opt;
  small_tflite_options_init(&opt);
  opt.max_tensor_bytes = 16u << 20;
  small_tflite_model *m = nullptr;
  if (small_tflite_import_buffer(data, size, &opt, &m) != SMALL_OK) {
    return 0;
  }
  if (small_tflite_model_macs(m) > 50000000u) { // keep each input fast
    small_tflite_model_destroy(m);
    return 0;
  }
  for (size_t i = 0; i < small_tflite_model_layer_count(m); ++i) {
    small_tflite_layer_info li;
    if (small_tflite_model_layer(m, i, &li) != SMALL_OK) {
      __builtin_trap();
    }
  }
  // An imported model must generate, or be refused for its int8 layers.
  if (small_tflite_model_macs(m) < 1000000u) {
    const small_status s =
        small_tflite_model_write_c(m, "fuzz", "/dev/null", "/dev/null");
    if (s != SMALL_OK && s != SMALL_ERR_UNSUPPORTED) {
      __builtin_trap();
    }
  }
  if (small_test::run_on_constant_inputs(small_tflite_model_network(m), 0.25f,
                                         SMALL_LAYOUT_NHWC) != SMALL_OK) {
    __builtin_trap(); // an imported network must run
  }
  small_tflite_model_destroy(m);
  return 0;
}
