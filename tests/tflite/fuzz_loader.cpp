// libFuzzer target for the TFLite loader: any byte string must import
// cleanly or fail with a status; an imported model must give its layer table
// and C code, and its network must run.
#include <cstddef>
#include <cstdint>
#include <vector>

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
  small_network *net = small_tflite_model_network(m);
  size_t n_in = 0, n_out = 0;
  small_network_input_count(net, &n_in);
  small_network_output_count(net, &n_out);
  std::vector<std::vector<float>> ins(n_in), outs(n_out);
  std::vector<const float *> ip;
  std::vector<float *> op;
  for (size_t k = 0; k < n_in; ++k) {
    uint32_t d[4];
    small_network_input_shape(net, k, d);
    ins[k].assign(size_t{d[0]} * d[1] * d[2] * d[3], 0.25f);
    ip.push_back(ins[k].data());
  }
  for (size_t k = 0; k < n_out; ++k) {
    uint32_t d[4];
    small_network_output_shape(net, k, d);
    outs[k].assign(size_t{d[0]} * d[1] * d[2] * d[3], 0.0f);
    op.push_back(outs[k].data());
  }
  if (small_network_run(net, ip.data(), ip.size(), op.data(), op.size(),
                        SMALL_LAYOUT_NHWC) != SMALL_OK) {
    __builtin_trap(); // an imported network must run
  }
  small_tflite_model_destroy(m);
  return 0;
}
