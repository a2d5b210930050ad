/* The C API's by-value enum parameters called the way a C program may call
 * them: with any int. In C an enum converts from int without undefined
 * behaviour; in C++ an out-of-range value is undefined already in the
 * caller, so the C++ harness passes these through here. */
#include "c_api_shims.h"

const char *fuzz_status_string(int status) {
  return small_status_string((small_status)status);
}

small_activation fuzz_activation_make(int kind) {
  return small_activation_make((small_activation_kind)kind);
}

small_status fuzz_network_run(small_network *network,
                              const float *const *inputs, size_t input_count,
                              float *const *outputs, size_t output_count,
                              int layout) {
  return small_network_run(network, inputs, input_count, outputs, output_count,
                           (small_layout)layout);
}
