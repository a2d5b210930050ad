/* small_plan_run_int8 callable with any int as the layout: C converts an int
 * to an enum silently, while C++ holding an out-of-range value in an enum
 * object is undefined behaviour (UBSan's -fsanitize=enum reports its load),
 * so the refusal test passes such values from C, as tests/unit/enum_as_int.c
 * does for the network API. */
#ifndef SMALL_TESTS_TFLITE_PLAN_LAYOUT_AS_INT_H
#define SMALL_TESTS_TFLITE_PLAN_LAYOUT_AS_INT_H

#include <stddef.h>
#include <stdint.h>

#include "small/small_plan.h"

#ifdef __cplusplus
extern "C" {
#endif

small_status plan_run_with_int_layout(
    const small_plan *plan, const small_plan_slot *slots, void *arena,
    size_t arena_bytes, const int8_t *const *inputs, size_t input_count,
    int8_t *const *outputs, size_t output_count, int layout);

#ifdef __cplusplus
}
#endif

#endif
