// small_plan_bind and small_plan_run_int8: a compiled plan (small_plan.h)
// bound to this build's kernel variants and run in the caller's arena. The
// loop nest is run_window_int8's (batch -> output block group -> grid ->
// tiles) over the plan's const arrays; nothing here allocates.
#include <cstring>

#include "api/api_guard.h"
#include "engine/layout.h"
#include "kernel_contract.h"
#include "plan/plan_op.h"
#include "small/small_plan.h"
#include "util/aligned_buffer.h"
#include "util/error.h"

namespace small {

namespace {

small_window_i8_select_fn plan_selector(uint32_t family,
                                        const small_kernel_table &k) {
  switch (family) {
  case SMALL_PLAN_CONV:
    return k.conv_i8;
  case SMALL_PLAN_DEPTHWISE:
    return k.depthwise_i8;
  case SMALL_PLAN_MAX_POOL:
    return k.max_pool_i8;
  case SMALL_PLAN_AVG_POOL:
    return k.avg_pool_i8;
  default:
    return nullptr;
  }
}

} // namespace

small_plan_config plan_config(const small_kernel_table &k) {
  small_plan_config c{};
  c.channel_block = static_cast<uint32_t>(k.channel_block);
  c.k_group = static_cast<uint32_t>(k.conv_i8_k_group);
  c.conv_max_width = static_cast<uint32_t>(k.conv_max_width);
  c.conv_max_out_blocks = static_cast<uint32_t>(k.conv_max_out_blocks);
  c.conv_width_multiple = static_cast<uint32_t>(k.conv_width_multiple);
  c.window_max_width = static_cast<uint32_t>(k.window_max_width);
  c.depthwise_across_blocks = k.depthwise_across_blocks != 0 ? 1 : 0;
  c.conv_weight_sums = k.conv_i8_weight_sums != 0 ? 1 : 0;
  c.requant_bytes = static_cast<uint32_t>(k.requant_i8_bytes);
  return c;
}

namespace {

Failure &operator<<(Failure &f, const small_plan_config &c) {
  return f << "Cb " << c.channel_block << ", k-group " << c.k_group
           << ", conv tiles " << c.conv_max_width << " x "
           << c.conv_max_out_blocks << " blocks (multiple "
           << c.conv_width_multiple << "), window tiles " << c.window_max_width
           << (c.depthwise_across_blocks ? " across" : "") << ", weight sums "
           << c.conv_weight_sums << ", requant bytes " << c.requant_bytes;
}

bool same_config(const small_plan_config &a, const small_plan_config &b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

// The structural checks of one window step against the plan's slots.
small_status check_window(const small_plan_window &w, size_t step,
                          uint32_t slot_count) {
  if (w.groups == nullptr || w.grids == nullptr || w.first_slot > slot_count ||
      w.grid_count > slot_count - w.first_slot) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << "step " << step << ": malformed window (groups, grids or "
           << "slots out of range)";
  }
  for (uint32_t g = 0; g < w.group_count; ++g) {
    const small_plan_group &group = w.groups[g];
    if (group.first_grid > w.grid_count ||
        group.grid_count > w.grid_count - group.first_grid) {
      return fail(SMALL_ERR_INVALID_ARGUMENT)
             << "step " << step << ": block group " << g
             << " names grids past the op's " << w.grid_count;
    }
  }
  return SMALL_OK;
}

// Whether the step has the op its kind names (and a concat its inputs).
bool has_op(const small_plan_step &s) {
  switch (s.kind) {
  case SMALL_PLAN_STEP_WINDOW:
    return s.window != nullptr;
  case SMALL_PLAN_STEP_ADD:
    return s.add != nullptr;
  case SMALL_PLAN_STEP_SOFTMAX:
    return s.softmax != nullptr;
  case SMALL_PLAN_STEP_RESHAPE:
    return s.reshape != nullptr;
  case SMALL_PLAN_STEP_REQUANT:
    return s.requant != nullptr;
  case SMALL_PLAN_STEP_CONCAT:
    return s.concat != nullptr &&
           (s.concat->inputs != nullptr || s.concat->input_count == 0);
  default:
    return false;
  }
}

// What run checks on every call: the plan is one this build can run.
small_status check_header(const small_plan *plan) {
  SMALL_TRY(require(plan, "plan"));
  if (plan->version != SMALL_PLAN_VERSION) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << "plan version " << plan->version << ", this library reads "
           << SMALL_PLAN_VERSION << ": regenerate it";
  }
  const small_plan_config own = plan_config(*small_kernels_active());
  if (!same_config(plan->config, own)) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << "the plan was made for " << plan->config
           << "; this build's kernels (" << small_kernels_active()->isa
           << ") have " << own;
  }
  return SMALL_OK;
}

// What bind checks once: also every step's structure.
small_status check_plan(const small_plan *plan) {
  SMALL_TRY(check_header(plan));
  if ((plan->steps == nullptr && plan->step_count != 0) ||
      (plan->inputs == nullptr && plan->input_count != 0) ||
      (plan->outputs == nullptr && plan->output_count != 0)) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << "malformed plan: NULL steps, inputs or outputs";
  }
  for (uint32_t i = 0; i < plan->step_count; ++i) {
    const small_plan_step &s = plan->steps[i];
    const bool ok = has_op(s) && s.run != nullptr;
    if (!ok || s.in[0] > plan->arena_bytes || s.in[1] > plan->arena_bytes ||
        s.out > plan->arena_bytes) {
      return fail(SMALL_ERR_INVALID_ARGUMENT)
             << "malformed plan: step " << i << " (kind " << s.kind
             << ") lacks its op or runner or has offsets past the arena";
    }
    if (s.kind == SMALL_PLAN_STEP_WINDOW) {
      SMALL_TRY(check_window(*s.window, i, plan->slot_count));
    }
    for (uint32_t k = 0;
         s.kind == SMALL_PLAN_STEP_CONCAT && k < s.concat->input_count; ++k) {
      if (s.concat->inputs[k].offset > plan->arena_bytes) {
        return fail(SMALL_ERR_INVALID_ARGUMENT)
               << "malformed plan: step " << i << " reads concat input " << k
               << " past the arena";
      }
    }
  }
  return SMALL_OK;
}

small_window_i8_fn slot_kernel(const small_plan_slot &slot) {
  return reinterpret_cast<small_window_i8_fn>(slot.kernel);
}

small_status bind(const small_plan *plan, small_plan_slot *slots,
                  size_t slot_count) {
  SMALL_TRY(check_plan(plan));
  if (plan->slot_count != 0) {
    SMALL_TRY(require(slots, "slots"));
  }
  if (slot_count < plan->slot_count) {
    return fail(SMALL_ERR_BUFFER_TOO_SMALL)
           << "the plan has " << plan->slot_count << " kernel slots, "
           << "slot_count is " << slot_count;
  }
  const small_kernel_table &k = *small_kernels_active();
  for (uint32_t i = 0; i < plan->step_count; ++i) {
    if (plan->steps[i].kind != SMALL_PLAN_STEP_WINDOW) {
      continue;
    }
    const small_plan_window &w = *plan->steps[i].window;
    const small_window_i8_select_fn select = plan_selector(w.family, k);
    if (select == nullptr) {
      return fail(SMALL_ERR_INVALID_ARGUMENT)
             << "malformed plan: step " << i << " has window family "
             << w.family;
    }
    for (uint32_t g = 0; g < w.grid_count; ++g) {
      const small_plan_grid &grid = w.grids[g];
      small_window_shape shape{};
      shape.cb = k.channel_block;
      shape.width = grid.width;
      shape.taps_h = grid.taps_h;
      shape.taps_w = grid.taps_w;
      shape.in_pixel_step = grid.in_pixel_step;
      shape.out_pixel_step = grid.out_pixel_step;
      shape.in_tap_w_step = w.in_tap_w_step;
      shape.in_tap_h_step = w.in_tap_h_step;
      shape.in_lanes = w.in_lanes;
      shape.out_blocks = grid.out_blocks;
      shape.out_lanes = w.out_lanes;
      shape.w_pixel_step = w.w_pixel_step;
      shape.bias_pixel_step = w.bias_pixel_step;
      shape.act = static_cast<small_act_op>(w.act_op);
      slots[w.first_slot + g].kernel =
          reinterpret_cast<void (*)(void)>(select(&shape));
    }
  }
  return SMALL_OK;
}

// The tile fields fixed for the whole op.
small_window_tile_i8 op_tile(const small_plan_window &w, size_t cb) {
  small_window_tile_i8 t{};
  t.cb = cb;
  t.in_tap_w_step = w.in_tap_w_step;
  t.in_tap_h_step = w.in_tap_h_step;
  t.in_block_step = w.in_block_step;
  t.in_lanes = w.in_lanes;
  t.w_tap_w_step = w.w_tap_w_step;
  t.w_tap_h_step = w.w_tap_h_step;
  t.w_block_step = w.w_block_step;
  t.w_pixel_step = w.w_pixel_step;
  t.bias_pixel_step = w.bias_pixel_step;
  t.out_block_step = w.out_block_step;
  t.ws_tap_w_step = w.ws_tap_w_step;
  t.ws_tap_h_step = w.ws_tap_h_step;
  t.ws_out_block_step = w.ws_out_block_step;
  t.in_zero_point = w.in_zero_point;
  t.out_zero_point = w.out_zero_point;
  t.act_min = w.act_min;
  t.act_max = w.act_max;
  t.single_rounding = w.single_rounding;
  t.multiplier = w.multiplier;
  t.shift = w.shift;
  return t;
}

void run_plan_window(const small_plan_window &w, const small_plan_slot *slots,
                     size_t cb, const int8_t *in, int8_t *out) {
  small_window_tile_i8 t = op_tile(w, cb);
  for (uint32_t n = 0; n < w.batch; ++n) {
    const int8_t *in_item = in + size_t{n} * w.in_item;
    int8_t *out_item = out + size_t{n} * w.out_item;
    for (uint32_t gi = 0; gi < w.group_count; ++gi) {
      const small_plan_group &group = w.groups[gi];
      t.in_blocks = group.in_blocks;
      t.in_last_channels = group.in_last_channels;
      t.out_blocks = group.out_blocks;
      t.w_out_block_step = group.w_out_block_step;
      t.out_last_channels = group.out_last_channels;
      if (w.bias != nullptr) { // per-channel data is indexed like the bias
        t.bias = w.bias + group.bias_offset;
        t.multiplier = w.multiplier + group.bias_offset;
        t.shift = w.shift + group.bias_offset;
        if (w.requant != nullptr) {
          t.requant = w.requant + group.bias_offset / cb * w.requant_bytes;
        }
      }
      const int8_t *in_group = in_item + group.in_offset;
      int8_t *out_group = out_item + group.out_offset;
      for (uint32_t k = 0; k < group.grid_count; ++k) {
        const uint32_t index = group.first_grid + k;
        const small_plan_grid &grid = w.grids[index];
        const small_window_i8_fn kernel =
            slot_kernel(slots[w.first_slot + index]);
        t.width = grid.width;
        t.taps_h = grid.taps_h;
        t.taps_w = grid.taps_w;
        t.in_pixel_step = grid.in_pixel_step;
        t.out_pixel_step = grid.out_pixel_step;
        t.divisor = grid.divisor;
        if (w.weights != nullptr) {
          t.weights = w.weights + group.weight_offset + grid.weight_offset;
        }
        if (w.weight_sums != nullptr) {
          t.weight_sums = w.weight_sums +
                          group.bias_offset / cb * w.ws_out_block_step +
                          grid.first_tap * w.ws_tap_w_step;
        }
        const int8_t *in_column = in_group + grid.in_offset;
        int8_t *out_column = out_group + grid.out_offset;
        for (uint32_t c = 0; c < grid.columns; ++c) {
          t.in = in_column;
          t.out = out_column;
          for (uint32_t r = 0; r < grid.rows; ++r) {
            kernel(&t);
            t.in += grid.in_row_step;
            t.out += grid.out_row_step;
          }
          in_column += grid.in_column_step;
          out_column += grid.out_column_step;
        }
      }
    }
  }
}

void run_add(const small_plan_add &a, const small_kernel_table &k,
             const int8_t *x, const int8_t *y, int8_t *out) {
  small_add_i8_params p{};
  p.a_zero_point = a.a_zero_point;
  p.b_zero_point = a.b_zero_point;
  p.out_zero_point = a.out_zero_point;
  p.a_multiplier = a.a_multiplier;
  p.b_multiplier = a.b_multiplier;
  p.out_multiplier = a.out_multiplier;
  p.a_shift = a.a_shift;
  p.b_shift = a.b_shift;
  p.out_shift = a.out_shift;
  p.left_shift = a.left_shift;
  p.act_min = a.act_min;
  p.act_max = a.act_max;
  p.single_rounding = a.single_rounding;
  k.add_i8(x, y, out, a.count, &p);
}

void run_softmax(const small_plan_softmax &s, const small_kernel_table &k,
                 const int8_t *in, int8_t *out) {
  small_softmax_i8_params p{};
  p.input_multiplier = s.input_multiplier;
  p.input_left_shift = s.input_left_shift;
  p.diff_min = s.diff_min;
  p.single_rounding = s.single_rounding;
  for (uint32_t n = 0; n < s.batch; ++n) {
    k.softmax_i8(in + size_t{n} * s.item, out + size_t{n} * s.item, s.pixels,
                 s.channels, s.block_step, k.channel_block, &p);
  }
}

Shape plan_shape(const small_plan_shape &s) {
  Shape out;
  out.n = s.n;
  out.c = s.c;
  out.h = s.h;
  out.w = s.w;
  return out;
}

small_requant_i8_params requant_params(const small_plan_requant &r) {
  small_requant_i8_params p{};
  p.in_zero_point = r.in_zero_point;
  p.out_zero_point = r.out_zero_point;
  p.multiplier = r.multiplier;
  p.shift = r.shift;
  p.single_rounding = r.single_rounding;
  return p;
}

void run_concat(const small_plan_concat &c, const small_kernel_table &k,
                const unsigned char *arena, int8_t *out) {
  const Shape shape = plan_shape(c.output);
  const size_t cb = k.channel_block;
  // Zero first so the pad lanes of the output hold defined values.
  std::memset(out, 0, shape.n * shape.item_floats(cb));
  size_t first = 0;
  for (uint32_t i = 0; i < c.input_count; ++i) {
    const small_plan_concat_input &in = c.inputs[i];
    const int8_t *src = reinterpret_cast<const int8_t *>(arena + in.offset);
    if (in.requantize != 0) {
      copy_channels(src, plan_shape(in.shape), out, shape, first, cb,
                    requant_params(in.requant));
    } else {
      copy_channels(src, plan_shape(in.shape), out, shape, first, cb);
    }
    first += in.shape.c;
  }
}

Shape tensor_shape(const small_plan_tensor &t) {
  Shape s;
  s.n = t.n;
  s.c = t.c;
  s.h = t.h;
  s.w = t.w;
  return s;
}

void load_input(const small_plan_tensor &t, const small_kernel_table &k,
                const int8_t *src, small_layout layout, unsigned char *arena) {
  int8_t *dst = reinterpret_cast<int8_t *>(arena + t.offset);
  if (layout == SMALL_LAYOUT_NHWC && t.lanes == 4 && t.c == 3 &&
      k.rgb_to_lanes4_i8 != nullptr) {
    k.rgb_to_lanes4_i8(src, dst, size_t{t.n} * t.h * t.w);
    return;
  }
  to_blocked(src, layout, tensor_shape(t), t.lanes, dst);
}

small_status run(const small_plan *plan, const small_plan_slot *slots,
                 void *arena, size_t arena_bytes, const int8_t *const *inputs,
                 size_t input_count, int8_t *const *outputs,
                 size_t output_count, const small_layout &layout_arg) {
  // The structure was checked when the slots were bound.
  SMALL_TRY(check_header(plan));
  if (plan->slot_count != 0) {
    SMALL_TRY(require(slots, "slots"));
    if (slots[0].kernel == nullptr) {
      return fail(SMALL_ERR_INVALID_STATE)
             << "the slots are not bound: call small_plan_bind first";
    }
  }
  SMALL_TRY(require(arena, "arena"));
  // Read as the int C may have put there (an out-of-range enum value is
  // undefined behaviour to load in C++), converted once checked.
  const int layout_value = enum_value(layout_arg);
  if (layout_value != SMALL_LAYOUT_NCHW && layout_value != SMALL_LAYOUT_NHWC) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << "unknown layout " << layout_value;
  }
  const small_layout layout = static_cast<small_layout>(layout_value);
  const uintptr_t raw = reinterpret_cast<uintptr_t>(arena);
  const size_t skip = (kAlignment - raw % kAlignment) % kAlignment;
  if (arena_bytes < skip || arena_bytes - skip < plan->arena_bytes) {
    return fail(SMALL_ERR_BUFFER_TOO_SMALL)
           << "the plan needs an arena of " << plan->arena_bytes
           << " bytes from a " << kAlignment << "-byte boundary, got "
           << arena_bytes << " bytes of which " << skip
           << " come before the first boundary";
  }
  if (input_count != plan->input_count || output_count != plan->output_count) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << "the plan has " << plan->input_count << " inputs and "
           << plan->output_count << " outputs, got " << input_count << " and "
           << output_count;
  }
  SMALL_TRY(require(inputs, "inputs"));
  SMALL_TRY(require(outputs, "outputs"));
  for (size_t i = 0; i < input_count + output_count; ++i) {
    const bool is_input = i < input_count;
    if ((is_input ? static_cast<const void *>(inputs[i])
                  : outputs[i - input_count]) == nullptr) {
      return fail(SMALL_ERR_NULL_POINTER)
             << (is_input ? "inputs[" : "outputs[")
             << (is_input ? i : i - input_count) << "] is NULL";
    }
  }
  const small_kernel_table &k = *small_kernels_active();
  unsigned char *base = static_cast<unsigned char *>(arena) + skip;
  for (uint32_t i = 0; i < plan->input_count; ++i) {
    load_input(plan->inputs[i], k, inputs[i], layout, base);
  }
  for (uint32_t i = 0; i < plan->step_count; ++i) {
    plan->steps[i].run(&plan->steps[i], slots, base);
  }
  for (uint32_t i = 0; i < plan->output_count; ++i) {
    const small_plan_tensor &t = plan->outputs[i];
    from_blocked(reinterpret_cast<const int8_t *>(base + t.offset),
                 tensor_shape(t), k.channel_block, layout, outputs[i]);
  }
  return SMALL_OK;
}

} // namespace

} // namespace small

SMALL_API small_status small_plan_bind(const small_plan *plan,
                                       small_plan_slot *slots,
                                       size_t slot_count) {
  return small::guarded("small_plan_bind", [&]() -> small_status {
    return small::bind(plan, slots, slot_count);
  });
}

SMALL_API small_status small_plan_run_int8(
    const small_plan *plan, const small_plan_slot *slots, void *arena,
    size_t arena_bytes, const int8_t *const *inputs, size_t input_count,
    int8_t *const *outputs, size_t output_count, small_layout layout) {
  return small::guarded("small_plan_run_int8", [&]() -> small_status {
    return small::run(plan, slots, arena, arena_bytes, inputs, input_count,
                      outputs, output_count, layout);
  });
}

namespace {

const int8_t *step_input(const small_plan_step *s, unsigned char *arena,
                         int k) {
  return reinterpret_cast<const int8_t *>(arena + s->in[k]);
}

int8_t *step_output(const small_plan_step *s, unsigned char *arena) {
  return reinterpret_cast<int8_t *>(arena + s->out);
}

} // namespace

SMALL_API void small_plan_step_window(const small_plan_step *step,
                                      const small_plan_slot *slots,
                                      unsigned char *arena) {
  small::run_plan_window(*step->window, slots,
                         small_kernels_active()->channel_block,
                         step_input(step, arena, 0), step_output(step, arena));
}

SMALL_API void small_plan_step_add(const small_plan_step *step,
                                   const small_plan_slot *,
                                   unsigned char *arena) {
  small::run_add(*step->add, *small_kernels_active(),
                 step_input(step, arena, 0), step_input(step, arena, 1),
                 step_output(step, arena));
}

SMALL_API void small_plan_step_softmax(const small_plan_step *step,
                                       const small_plan_slot *,
                                       unsigned char *arena) {
  small::run_softmax(*step->softmax, *small_kernels_active(),
                     step_input(step, arena, 0), step_output(step, arena));
}

SMALL_API void small_plan_step_reshape(const small_plan_step *step,
                                       const small_plan_slot *,
                                       unsigned char *arena) {
  small::reshape_blocked(
      step_input(step, arena, 0), small::plan_shape(step->reshape->input),
      step_output(step, arena), small::plan_shape(step->reshape->output),
      small_kernels_active()->channel_block);
}

SMALL_API void small_plan_step_requant(const small_plan_step *step,
                                       const small_plan_slot *,
                                       unsigned char *arena) {
  const small_requant_i8_params p = small::requant_params(*step->requant);
  small_kernels_active()->requant_i8(step_input(step, arena, 0),
                                     step_output(step, arena),
                                     step->requant->count, &p);
}

SMALL_API void small_plan_step_concat(const small_plan_step *step,
                                      const small_plan_slot *,
                                      unsigned char *arena) {
  small::run_concat(*step->concat, *small_kernels_active(), arena,
                    step_output(step, arena));
}
