// small_network_export_plan: a finalized int8 network's executed layers as a
// compiled plan (small_plan.h), with copies of the packed weights and
// per-channel data, for the kernel table the network was planned with (its
// own or a firmware target's, small_network_set_target).
#include "plan/plan_export.h"

#include <cstring>
#include <limits>
#include <new>

#include "api/api_guard.h"
#include "api/network_handle.h"
#include "graph/network.h"
#include "plan/plan_op.h"
#include "util/error.h"

namespace small {

namespace {

// Every plan field is 32 bits wide (the same data on 32- and 64-bit
// cores).
small_status to_u32(size_t value, const char *what, uint32_t &out) {
  if (value > std::numeric_limits<uint32_t>::max()) {
    return fail(SMALL_ERR_OVERFLOW)
           << "plan: " << what << " " << value << " exceeds 32 bits";
  }
  out = static_cast<uint32_t>(value);
  return SMALL_OK;
}

uint32_t u32(size_t value) { return static_cast<uint32_t>(value); }

// A 64-byte aligned copy of data[0 .. count) kept in `e` (NULL for none).
template <typename T>
small_status copy_array(small_plan_export &e, const T *data, size_t count,
                        const T *&copy) {
  copy = nullptr;
  if (data == nullptr || count == 0) {
    return SMALL_OK;
  }
  e.arrays.emplace_back();
  SMALL_TRY(e.arrays.back().reset(count * sizeof(T), "plan arrays"));
  std::memcpy(e.arrays.back().bytes(), data, count * sizeof(T));
  copy = e.arrays.back().as<T>();
  return SMALL_OK;
}

// The plan form of a planned window op: its block groups with their grids
// flattened in kind order, each grid's kernel in slot first_slot + index.
small_status export_window(const PlanOp &op, small_plan_export &e,
                           small_plan_window &w) {
  const WindowOp &o = *op.window;
  const small_window_tile_i8 &t = o.tile_i8;
  static constexpr uint32_t kFamilies[] = {
      SMALL_PLAN_CONV, SMALL_PLAN_DEPTHWISE, SMALL_PLAN_MAX_POOL,
      SMALL_PLAN_AVG_POOL};
  w.family = kFamilies[static_cast<int>(o.family)];
  w.batch = o.geometry.batch;
  SMALL_TRY(to_u32(o.in_item_floats, "input item", w.in_item));
  SMALL_TRY(to_u32(o.out_item_floats, "output item", w.out_item));
  w.in_tap_w_step = u32(t.in_tap_w_step);
  w.in_tap_h_step = u32(t.in_tap_h_step);
  w.in_block_step = u32(t.in_block_step);
  w.in_lanes = u32(t.in_lanes);
  w.w_tap_w_step = u32(t.w_tap_w_step);
  w.w_tap_h_step = u32(t.w_tap_h_step);
  w.w_block_step = u32(t.w_block_step);
  w.w_pixel_step = u32(t.w_pixel_step);
  w.bias_pixel_step = u32(t.bias_pixel_step);
  w.out_block_step = u32(t.out_block_step);
  w.ws_tap_w_step = u32(t.ws_tap_w_step);
  w.ws_tap_h_step = u32(t.ws_tap_h_step);
  w.ws_out_block_step = u32(t.ws_out_block_step);
  w.out_lanes = u32(o.out_lanes);
  w.act_op = static_cast<int32_t>(o.act.op);
  w.in_zero_point = t.in_zero_point;
  w.out_zero_point = t.out_zero_point;
  w.act_min = t.act_min;
  w.act_max = t.act_max;
  w.single_rounding = t.single_rounding;
  const Int8Window &q = o.quant;
  SMALL_TRY(to_u32(op.weight_bytes, "weight bytes", w.weight_bytes));
  SMALL_TRY(copy_array(e, q.weights, op.weight_bytes, w.weights));
  w.channel_count = u32(op.channel_count);
  SMALL_TRY(copy_array(e, q.bias, op.channel_count, w.bias));
  SMALL_TRY(copy_array(e, q.multiplier, op.channel_count, w.multiplier));
  SMALL_TRY(copy_array(e, q.shift, op.channel_count, w.shift));
  w.weight_sum_count = u32(op.weight_sum_count);
  SMALL_TRY(copy_array(e, q.weight_sums, op.weight_sum_count, w.weight_sums));
  w.requant_bytes = u32(q.requant_bytes);
  w.requant_total = u32(op.requant_total);
  SMALL_TRY(copy_array(e, static_cast<const unsigned char *>(q.requant),
                       op.requant_total, w.requant));

  std::vector<uint32_t> kind_begin;
  e.grids.emplace_back();
  std::vector<small_plan_grid> &grids = e.grids.back();
  for (const std::vector<TileGrid> &kind : o.grids) {
    kind_begin.push_back(u32(grids.size()));
    for (const TileGrid &g : kind) {
      small_plan_grid p{};
      p.columns = g.columns;
      p.rows = g.rows;
      p.width = u32(g.width);
      p.taps_h = u32(g.taps_h);
      p.taps_w = u32(g.taps_w);
      SMALL_TRY(to_u32(g.in_pixel_step, "pixel step", p.in_pixel_step));
      SMALL_TRY(to_u32(g.out_pixel_step, "pixel step", p.out_pixel_step));
      SMALL_TRY(to_u32(g.in_offset, "grid offset", p.in_offset));
      SMALL_TRY(to_u32(g.out_offset, "grid offset", p.out_offset));
      SMALL_TRY(to_u32(g.weight_offset, "weight offset", p.weight_offset));
      p.first_tap = u32(g.first_tap);
      SMALL_TRY(to_u32(g.in_column_step, "column step", p.in_column_step));
      SMALL_TRY(to_u32(g.in_row_step, "row step", p.in_row_step));
      SMALL_TRY(to_u32(g.out_column_step, "column step", p.out_column_step));
      SMALL_TRY(to_u32(g.out_row_step, "row step", p.out_row_step));
      p.divisor = g.divisor;
      p.out_blocks = u32(g.out_blocks);
      grids.push_back(p);
    }
  }
  e.groups.emplace_back();
  std::vector<small_plan_group> &groups = e.groups.back();
  for (const BlockGroup &b : o.block_groups) {
    small_plan_group p{};
    SMALL_TRY(to_u32(b.in_offset, "group offset", p.in_offset));
    SMALL_TRY(to_u32(b.out_offset, "group offset", p.out_offset));
    SMALL_TRY(to_u32(b.weight_offset, "weight offset", p.weight_offset));
    p.bias_offset = u32(b.bias_offset);
    p.in_blocks = u32(b.in_blocks);
    p.in_last_channels = u32(b.in_last_channels);
    p.out_blocks = u32(b.out_blocks);
    SMALL_TRY(to_u32(b.w_out_block_step, "weight step", p.w_out_block_step));
    p.out_last_channels = u32(b.out_last_channels);
    p.first_grid = kind_begin[b.kind];
    p.grid_count = u32(o.grids[b.kind].size());
    groups.push_back(p);
  }
  w.groups = groups.data();
  w.group_count = u32(groups.size());
  w.grids = grids.data();
  w.grid_count = u32(grids.size());
  w.first_slot = e.plan.slot_count;
  e.plan.slot_count += w.grid_count;
  return SMALL_OK;
}

small_status export_tensor(const TensorInfo &t, size_t cb, const char *what,
                           small_plan_tensor &p) {
  if (t.dtype != SMALL_DTYPE_INT8) {
    return fail(SMALL_ERR_UNSUPPORTED)
           << "plan: the network's " << what
           << " is a float tensor; plans run int8 networks only";
  }
  SMALL_TRY(to_u32(t.offset, "arena offset", p.offset));
  p.n = t.shape.n;
  p.c = t.shape.c;
  p.h = t.shape.h;
  p.w = t.shape.w;
  p.lanes = u32(t.lanes != 0 ? t.lanes : cb);
  p.scale = t.quant.scale;
  p.zero_point = t.quant.zero_point;
  return SMALL_OK;
}

// A concat's inputs with their arena offsets (the node's inputs, in order).
small_status export_concat(PlanOp &op, const Node &node,
                           const std::vector<TensorInfo> &tensors,
                           small_plan_export &e, small_plan_step &step) {
  for (size_t i = 0; i < op.concat_inputs.size(); ++i) {
    SMALL_TRY(to_u32(tensors[node.inputs[i]].offset, "arena offset",
                     op.concat_inputs[i].offset));
  }
  e.concat_inputs.push_back(std::move(op.concat_inputs));
  small_plan_concat c = op.concat;
  c.inputs = e.concat_inputs.back().data();
  c.input_count = u32(e.concat_inputs.back().size());
  e.concats.push_back(c);
  step.concat = &e.concats.back();
  return SMALL_OK;
}

} // namespace

small_status Network::export_plan(small_plan_export &e) const {
  if (!finalized_) {
    return fail(SMALL_ERR_INVALID_STATE)
           << "export_plan: the network is not finalized";
  }
  SMALL_TRY(require_usable());
  const size_t cb = kernels_.channel_block;
  small_plan &plan = e.plan;
  plan.version = SMALL_PLAN_VERSION;
  plan.config = plan_config(kernels_);
  SMALL_TRY(to_u32(arena_bytes_, "arena size", plan.arena_bytes));
  for (int id : inputs_) {
    e.inputs.emplace_back();
    SMALL_TRY(export_tensor(tensors_[id], cb, "input", e.inputs.back()));
  }
  for (int id : outputs_) {
    e.outputs.emplace_back();
    SMALL_TRY(export_tensor(tensors_[id], cb, "output", e.outputs.back()));
  }
  for (size_t index : executed_) {
    const Node &node = nodes_[index];
    PlanOp op;
    if (!node.layer->describe_plan_op(kernels_, op)) {
      return fail(SMALL_ERR_UNSUPPORTED)
             << "plan: " << node.name << " (" << node.layer->kind_name()
             << ") cannot run from a plan: plans hold int8 convolution, "
             << "depthwise, dense, pooling, add, softmax, reshape, flatten, "
             << "concat and int8-to-int8 quantize layers";
    }
    small_plan_step step{};
    step.kind = op.kind;
    for (size_t i = 0; i < node.inputs.size() && i < 2; ++i) {
      SMALL_TRY(
          to_u32(tensors_[node.inputs[i]].offset, "arena offset", step.in[i]));
    }
    SMALL_TRY(to_u32(tensors_[node.output].offset, "arena offset", step.out));
    static constexpr small_plan_step_fn kRunners[] = {
        small_plan_step_window,  small_plan_step_add,
        small_plan_step_softmax, small_plan_step_reshape,
        small_plan_step_requant, small_plan_step_concat};
    step.run = kRunners[op.kind];
    if (op.kind == SMALL_PLAN_STEP_WINDOW) {
      e.windows.emplace_back();
      SMALL_TRY(export_window(op, e, e.windows.back()));
      step.window = &e.windows.back();
    } else if (op.kind == SMALL_PLAN_STEP_ADD) {
      e.adds.push_back(op.add);
      step.add = &e.adds.back();
    } else if (op.kind == SMALL_PLAN_STEP_SOFTMAX) {
      e.softmaxes.push_back(op.softmax);
      step.softmax = &e.softmaxes.back();
    } else if (op.kind == SMALL_PLAN_STEP_RESHAPE) {
      e.reshapes.push_back(op.reshape);
      step.reshape = &e.reshapes.back();
    } else if (op.kind == SMALL_PLAN_STEP_REQUANT) {
      e.requants.push_back(op.requant);
      step.requant = &e.requants.back();
    } else {
      SMALL_TRY(export_concat(op, node, tensors_, e, step));
    }
    plan.macs += node.layer->macs();
    e.steps.push_back(step);
    e.step_names.push_back(node.name);
  }
  plan.inputs = e.inputs.data();
  plan.input_count = u32(e.inputs.size());
  plan.outputs = e.outputs.data();
  plan.output_count = u32(e.outputs.size());
  plan.steps = e.steps.data();
  plan.step_count = u32(e.steps.size());
  return SMALL_OK;
}

} // namespace small

SMALL_API small_status small_network_export_plan(const small_network *network,
                                                 small_plan_export **out) {
  return small::guarded("small_network_export_plan", [&]() -> small_status {
    SMALL_TRY(small::require(out, "out"));
    *out = nullptr;
    const small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    small_plan_export *e = new (std::nothrow) small_plan_export();
    if (e == nullptr) {
      return small::fail(SMALL_ERR_OUT_OF_MEMORY) << "out of memory";
    }
    const small_status s = net->export_plan(*e);
    if (s != SMALL_OK) {
      delete e;
      return s;
    }
    *out = e;
    return SMALL_OK;
  });
}

SMALL_API const small_plan *
small_plan_export_get(const small_plan_export *exported) {
  return exported != nullptr ? &exported->plan : nullptr;
}

SMALL_API const char *
small_plan_export_step_name(const small_plan_export *exported, size_t step) {
  return exported != nullptr && step < exported->step_names.size()
             ? exported->step_names[step].c_str()
             : nullptr;
}

SMALL_API void small_plan_export_destroy(small_plan_export *exported) {
  delete exported;
}
