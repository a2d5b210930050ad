// Arena planning: every activation tensor gets an offset in one buffer so
// that tensors alive at the same step never overlap.
#ifndef SMALL_GRAPH_MEMORY_PLAN_H
#define SMALL_GRAPH_MEMORY_PLAN_H

#include <cstddef>
#include <vector>

#include "small/small.h"

namespace small {

struct PlanItem {
  size_t bytes;
  int first_step, last_step; // alive during [first_step, last_step]
  size_t offset;
};

struct MemoryPlan {
  std::vector<size_t> offsets; // one per item, 64-byte aligned
  size_t arena_bytes = 0;
  size_t lower_bound = 0; // max over steps of the bytes alive at that step
};

// Greedy: each tensor at the lowest offset that fits beside the already
// placed tensors it overlaps in time, in two orders (largest first, as in
// TFLM's planner, and by first use); the smaller arena wins.
[[nodiscard]] small_status plan_arena(const std::vector<PlanItem> &items,
                                      MemoryPlan &plan);

} // namespace small

#endif
