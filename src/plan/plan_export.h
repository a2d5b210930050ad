// The host side of compiled plans: small_network_export_plan's handle, which
// owns the plan and copies of every array it points to (so it outlives the
// network it came from).
#ifndef SMALL_PLAN_PLAN_EXPORT_H
#define SMALL_PLAN_PLAN_EXPORT_H

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "small/small_plan.h"
#include "util/aligned_buffer.h"

struct small_plan_export {
  small_plan plan{};
  std::vector<small_plan_tensor> inputs, outputs;
  std::vector<small_plan_step> steps;
  std::vector<std::string> step_names; // the layers' names, per step
  // deques: the steps point into them, so they must not move.
  std::deque<small_plan_window> windows;
  std::deque<small_plan_add> adds;
  std::deque<small_plan_softmax> softmaxes;
  std::deque<small_plan_reshape> reshapes;
  std::deque<small_plan_requant> requants;
  std::deque<small_plan_concat> concats;
  std::deque<std::vector<small_plan_concat_input>> concat_inputs;
  std::deque<std::vector<small_plan_group>> groups;
  std::deque<std::vector<small_plan_grid>> grids;
  // Copies of the weights and per-channel arrays, 64-byte aligned as the
  // kernels may load them.
  std::deque<small::AlignedBuffer> arrays;
};

#endif
