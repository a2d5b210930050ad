#include "enum_as_int.h"

const char *status_string_of_int(int status) {
  return small_status_string(status);
}

small_activation activation_make_of_int(int kind) {
  return small_activation_make(kind);
}

small_status network_run_with_int_layout(small_network *network,
                                         const float *const *inputs,
                                         size_t input_count,
                                         float *const *outputs,
                                         size_t output_count, int layout) {
  return small_network_run(network, inputs, input_count, outputs, output_count,
                           layout);
}
