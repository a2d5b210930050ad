/* The C API calls that take an enum by value, callable with any int: C
 * converts an int to an enum silently, while C++ code holding an
 * out-of-range value in an enum object is undefined behaviour (UBSan's
 * -fsanitize=enum reports its load). The tests pass such values from C. */
#ifndef SMALL_TESTS_ENUM_AS_INT_H
#define SMALL_TESTS_ENUM_AS_INT_H

#include <stddef.h>

#include "small/small.h"

#ifdef __cplusplus
extern "C" {
#endif

const char *status_string_of_int(int status);
small_activation activation_make_of_int(int kind);
small_status network_run_with_int_layout(small_network *network,
                                         const float *const *inputs,
                                         size_t input_count,
                                         float *const *outputs,
                                         size_t output_count, int layout);

#ifdef __cplusplus
}
#endif

#endif
