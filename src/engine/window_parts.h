// Threads in the unified loop nest: at planning time (when a network gets a
// thread pool), a window op's kernel calls (batch items x output block groups
// x grids x columns x rows, in run_window() order) are cut into `parts`
// contiguous pieces of near-equal estimated work; at run time part p makes
// exactly the calls of its piece. Every output pixel belongs to one call and
// a call computes it the same way on any thread, so the result is
// bit-identical for any number of parts.
#ifndef SMALL_ENGINE_WINDOW_PARTS_H
#define SMALL_ENGINE_WINDOW_PARTS_H

#include <cstddef>

#include "engine/window_loop.h"

namespace small {

// Fills op.partition for `parts` parts (>= 1). Call after plan_window().
// False when some part got no kernel call (fewer calls than parts): not
// worth splitting.
bool plan_window_parts(WindowOp &op, size_t parts);

// Runs part `part` of op.partition; `in`, `out` and `residual` as for
// run_window().
void run_window_part(const WindowOp &op, const float *in, float *out,
                     size_t part, const float *residual = nullptr);
// The same for an int8 op (op.int8).
void run_window_part_int8(const WindowOp &op, const int8_t *in, int8_t *out,
                          size_t part);

} // namespace small

#endif
