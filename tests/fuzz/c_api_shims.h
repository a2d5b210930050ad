/* C shims of the C API calls that take an enum by value (c_api_shims.c). */
#ifndef SMALL_FUZZ_C_API_SHIMS_H
#define SMALL_FUZZ_C_API_SHIMS_H

#include <stddef.h>

#include "small/small.h"

#ifdef __cplusplus
extern "C" {
#endif

const char *fuzz_status_string(int status);
small_activation fuzz_activation_make(int kind);
small_status fuzz_network_run(small_network *network,
                              const float *const *inputs, size_t input_count,
                              float *const *outputs, size_t output_count,
                              int layout);

#ifdef __cplusplus
}
#endif

#endif
