#include "graph/memory_plan.h"

#include <algorithm>
#include <numeric>

#include "util/aligned_buffer.h"
#include "util/checked_math.h"

namespace small {

namespace {

// Places the items in `order`, each at the lowest offset that fits beside
// the already placed items it overlaps in time; sets plan.offsets and
// plan.arena_bytes.
small_status place_in_order(const std::vector<PlanItem> &items,
                            const std::vector<size_t> &sizes,
                            const std::vector<size_t> &order,
                            MemoryPlan &plan) {
  plan.arena_bytes = 0;
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

} // namespace

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

  // Two greedy orders, the smaller arena wins: by size (TFLM's choice) and
  // by first use. Neither is best everywhere: in MobileNet's first layers
  // (a 36 KB input, two 18 KB maps, a 36 KB map) the order of first use
  // reuses the dead input for the second map and reaches the liveness
  // bound, where largest-first leaves it 33% above.
  // One comparator type for both sorts: one stable_sort in the binary.
  struct Order {
    const std::vector<PlanItem> &items;
    const std::vector<size_t> &sizes;
    bool by_first_use;
    bool operator()(size_t a, size_t b) const {
      return by_first_use ? items[a].first_step < items[b].first_step
                          : sizes[a] > sizes[b];
    }
  };
  std::vector<size_t> by_size(items.size());
  std::iota(by_size.begin(), by_size.end(), 0);
  std::stable_sort(by_size.begin(), by_size.end(), Order{items, sizes, false});
  std::vector<size_t> by_first_use = by_size;
  std::stable_sort(by_first_use.begin(), by_first_use.end(),
                   Order{items, sizes, true});
  MemoryPlan first_use = plan;
  SMALL_TRY(place_in_order(items, sizes, by_size, plan));
  if (plan.arena_bytes > plan.lower_bound) {
    SMALL_TRY(place_in_order(items, sizes, by_first_use, first_use));
    if (first_use.arena_bytes < plan.arena_bytes) {
      plan = std::move(first_use);
    }
  }
  return SMALL_OK;
}

} // namespace small
