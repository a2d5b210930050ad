#include "graph/memory_plan.h"

#include <algorithm>
#include <numeric>

#include "util/aligned_buffer.h"
#include "util/checked_math.h"

namespace small {

small_status plan_arena(const std::vector<PlanItem> &items, MemoryPlan &plan) {
  plan = MemoryPlan{};
  plan.offsets.assign(items.size(), 0);
  std::vector<size_t> sizes(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    SMALL_TRY(round_up(items[i].bytes, kAlignment, sizes[i], "arena"));
  }

  int last_step = 0;
  for (const PlanItem &it : items) {
    last_step = std::max(last_step, it.last_step);
  }
  for (int s = 0; s <= last_step; ++s) {
    size_t live = 0;
    for (size_t i = 0; i < items.size(); ++i) {
      if (items[i].first_step <= s && s <= items[i].last_step) {
        SMALL_TRY(checked_add(live, sizes[i], live, "arena"));
      }
    }
    plan.lower_bound = std::max(plan.lower_bound, live);
  }

  std::vector<size_t> order(items.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return sizes[a] > sizes[b]; });
  std::vector<size_t> placed;
  for (size_t i : order) {
    // Intervals of already placed tensors alive at the same time as i.
    std::vector<std::pair<size_t, size_t>> busy;
    for (size_t j : placed) {
      if (items[j].first_step <= items[i].last_step &&
          items[i].first_step <= items[j].last_step) {
        busy.emplace_back(plan.offsets[j], plan.offsets[j] + sizes[j]);
      }
    }
    std::sort(busy.begin(), busy.end());
    size_t offset = 0;
    for (const auto &b : busy) {
      if (offset + sizes[i] <= b.first) {
        break;
      }
      offset = std::max(offset, b.second);
    }
    plan.offsets[i] = offset;
    size_t end = 0;
    SMALL_TRY(checked_add(offset, sizes[i], end, "arena"));
    plan.arena_bytes = std::max(plan.arena_bytes, end);
    placed.push_back(i);
  }
  return SMALL_OK;
}

} // namespace small
