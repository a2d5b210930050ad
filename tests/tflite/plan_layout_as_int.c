#include "plan_layout_as_int.h"

small_status plan_run_with_int_layout(
    const small_plan *plan, const small_plan_slot *slots, void *arena,
    size_t arena_bytes, const int8_t *const *inputs, size_t input_count,
    int8_t *const *outputs, size_t output_count, int layout) {
  return small_plan_run_int8(plan, slots, arena, arena_bytes, inputs,
                             input_count, outputs, output_count,
                             (small_layout)layout);
}
