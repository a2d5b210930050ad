// What an executed layer contributes to a compiled plan (small_plan.h):
// layers that can run from one fill a PlanOp (Layer::describe_plan_op),
// and the exporter (plan_export.cpp) turns it into const plan data.
#ifndef SMALL_PLAN_PLAN_OP_H
#define SMALL_PLAN_PLAN_OP_H

#include <cstddef>
#include <vector>

#include "engine/window_loop.h"
#include "small/small_plan.h"

namespace small {

struct PlanOp {
  uint32_t kind = SMALL_PLAN_STEP_WINDOW; // small_plan_step_kind
  // Window steps: the planned op and the lengths of the arrays it points
  // to (small_plan_window's counts).
  const WindowOp *window = nullptr;
  size_t weight_bytes = 0, channel_count = 0, weight_sum_count = 0;
  size_t requant_total = 0;
  small_plan_add add{};
  small_plan_softmax softmax{};
  small_plan_reshape reshape{};
  small_plan_requant requant{};
  // Concat: the op's output and one entry per input (offset filled by the
  // exporter from the node's inputs).
  small_plan_concat concat{};
  std::vector<small_plan_concat_input> concat_inputs;
};

// The planning parameters of a kernel table, as plans record them and bind
// compares them (plan_run.cpp).
small_plan_config plan_config(const small_kernel_table &kernels);

} // namespace small

#endif
