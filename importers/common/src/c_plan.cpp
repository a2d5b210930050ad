#include "small_import/c_plan.h"

#include <cinttypes>

#include "small/small.h"
#include "small_import/c_literals.h"
#include "small_import/c_text.h"

namespace small_import {
namespace {

const char *family_name(uint32_t family) {
  switch (family) {
  case SMALL_PLAN_CONV:
    return "SMALL_PLAN_CONV";
  case SMALL_PLAN_DEPTHWISE:
    return "SMALL_PLAN_DEPTHWISE";
  case SMALL_PLAN_MAX_POOL:
    return "SMALL_PLAN_MAX_POOL";
  case SMALL_PLAN_AVG_POOL:
    return "SMALL_PLAN_AVG_POOL";
  default:
    return nullptr;
  }
}

const char *step_kind_name(uint32_t kind) {
  switch (kind) {
  case SMALL_PLAN_STEP_WINDOW:
    return "SMALL_PLAN_STEP_WINDOW";
  case SMALL_PLAN_STEP_ADD:
    return "SMALL_PLAN_STEP_ADD";
  case SMALL_PLAN_STEP_SOFTMAX:
    return "SMALL_PLAN_STEP_SOFTMAX";
  case SMALL_PLAN_STEP_RESHAPE:
    return "SMALL_PLAN_STEP_RESHAPE";
  case SMALL_PLAN_STEP_REQUANT:
    return "SMALL_PLAN_STEP_REQUANT";
  case SMALL_PLAN_STEP_CONCAT:
    return "SMALL_PLAN_STEP_CONCAT";
  default:
    return nullptr;
  }
}

// The library function that runs a step of this kind: the generated plan
// names only the runners its steps need, so the image links only those.
const char *step_runner_name(uint32_t kind) {
  switch (kind) {
  case SMALL_PLAN_STEP_WINDOW:
    return "small_plan_step_window";
  case SMALL_PLAN_STEP_ADD:
    return "small_plan_step_add";
  case SMALL_PLAN_STEP_SOFTMAX:
    return "small_plan_step_softmax";
  case SMALL_PLAN_STEP_RESHAPE:
    return "small_plan_step_reshape";
  case SMALL_PLAN_STEP_REQUANT:
    return "small_plan_step_requant";
  default:
    return "small_plan_step_concat";
  }
}

// `name` = `values` as an array with the plan's alignment (nothing when
// data is NULL: the pointer stays NULL).
template <typename T, typename Array>
std::string array_or_null(std::string &c, const std::string &name,
                          const T *data, size_t count) {
  if (data == nullptr || count == 0) {
    return "NULL";
  }
  append_array(c, name, Array(data, data + count), " SMALL_PLAN_ALIGNED");
  return name;
}

void append_groups(std::string &c, const std::string &name,
                   const small_plan_window &w) {
  appendf(c,
          "static const small_plan_group %s[%u] = {\n"
          "    /* in, out, weight, bias offsets; in blocks, in last "
          "channels, out blocks, weight step, out last channels; grids */\n",
          name.c_str(), w.group_count);
  for (uint32_t i = 0; i < w.group_count; ++i) {
    const small_plan_group &g = w.groups[i];
    appendf(c, "    {%u, %u, %u, %u, %u, %u, %u, %u, %u, %u, %u},\n",
            g.in_offset, g.out_offset, g.weight_offset, g.bias_offset,
            g.in_blocks, g.in_last_channels, g.out_blocks, g.w_out_block_step,
            g.out_last_channels, g.first_grid, g.grid_count);
  }
  c += "};\n";
}

void append_grids(std::string &c, const std::string &name,
                  const small_plan_window &w) {
  appendf(c,
          "static const small_plan_grid %s[%u] = {\n"
          "    /* columns, rows; width, taps h, w; pixel steps in, out; "
          "offsets in, out, weight; first tap; column, row steps in, out; "
          "divisor; out blocks */\n",
          name.c_str(), w.grid_count);
  for (uint32_t i = 0; i < w.grid_count; ++i) {
    const small_plan_grid &g = w.grids[i];
    appendf(c,
            "    {%u, %u, %u, %u, %u, %u, %u, %u, %u, %u, %u, %u, %u, %u, %u, "
            "%s, %u},\n",
            g.columns, g.rows, g.width, g.taps_h, g.taps_w, g.in_pixel_step,
            g.out_pixel_step, g.in_offset, g.out_offset, g.weight_offset,
            g.first_tap, g.in_column_step, g.in_row_step, g.out_column_step,
            g.out_row_step, int32_literal(g.divisor).c_str(), g.out_blocks);
  }
  c += "};\n";
}

// The window of step `i` and its arrays; returns the struct's name.
std::string append_window(std::string &c, const std::string &prefix, size_t i,
                          const small_plan_window &w) {
  const std::string s = prefix + "_s" + std::to_string(i);
  const std::string weights = array_or_null<int8_t, std::vector<int8_t>>(
      c, s + "_weights", w.weights, w.weight_bytes);
  const std::string bias = array_or_null<int32_t, std::vector<int32_t>>(
      c, s + "_bias", w.bias, w.channel_count);
  const std::string multiplier = array_or_null<int32_t, std::vector<int32_t>>(
      c, s + "_multiplier", w.multiplier, w.channel_count);
  const std::string shift = array_or_null<int32_t, std::vector<int32_t>>(
      c, s + "_shift", w.shift, w.channel_count);
  const std::string sums = array_or_null<int32_t, std::vector<int32_t>>(
      c, s + "_weight_sums", w.weight_sums, w.weight_sum_count);
  const std::string requant =
      array_or_null<unsigned char, std::vector<uint8_t>>(
          c, s + "_requant", w.requant, w.requant_total);
  append_groups(c, s + "_groups", w);
  append_grids(c, s + "_grids", w);
  appendf(c,
          "static const small_plan_window %s = {\n"
          "    .family = %s,\n"
          "    .batch = %u, .in_item = %u, .out_item = %u,\n"
          "    .in_tap_w_step = %u, .in_tap_h_step = %u, "
          ".in_block_step = %u, .in_lanes = %u,\n"
          "    .w_tap_w_step = %u, .w_tap_h_step = %u, .w_block_step = %u,\n"
          "    .w_pixel_step = %u, .bias_pixel_step = %u, "
          ".out_block_step = %u,\n"
          "    .ws_tap_w_step = %u, .ws_tap_h_step = %u, "
          ".ws_out_block_step = %u,\n"
          "    .out_lanes = %u, .act_op = %s,\n"
          "    .in_zero_point = %s, .out_zero_point = %s,\n"
          "    .act_min = %s, .act_max = %s, .single_rounding = %s,\n"
          "    .weights = %s, .weight_bytes = %u,\n"
          "    .bias = %s, .multiplier = %s, .shift = %s, "
          ".channel_count = %u,\n"
          "    .weight_sums = %s, .weight_sum_count = %u,\n"
          "    .requant = %s, .requant_bytes = %u, .requant_total = %u,\n"
          "    .groups = %s_groups, .group_count = %u,\n"
          "    .grids = %s_grids, .grid_count = %u,\n"
          "    .first_slot = %u,\n};\n\n",
          s.c_str(), family_name(w.family), w.batch, w.in_item, w.out_item,
          w.in_tap_w_step, w.in_tap_h_step, w.in_block_step, w.in_lanes,
          w.w_tap_w_step, w.w_tap_h_step, w.w_block_step, w.w_pixel_step,
          w.bias_pixel_step, w.out_block_step, w.ws_tap_w_step, w.ws_tap_h_step,
          w.ws_out_block_step, w.out_lanes, int32_literal(w.act_op).c_str(),
          int32_literal(w.in_zero_point).c_str(),
          int32_literal(w.out_zero_point).c_str(),
          int32_literal(w.act_min).c_str(), int32_literal(w.act_max).c_str(),
          int32_literal(w.single_rounding).c_str(), weights.c_str(),
          w.weight_bytes, bias.c_str(), multiplier.c_str(), shift.c_str(),
          w.channel_count, sums.c_str(), w.weight_sum_count, requant.c_str(),
          w.requant_bytes, w.requant_total, s.c_str(), w.group_count, s.c_str(),
          w.grid_count, w.first_slot);
  return s;
}

std::string append_add(std::string &c, const std::string &prefix, size_t i,
                       const small_plan_add &a) {
  const std::string s = prefix + "_s" + std::to_string(i);
  appendf(c,
          "static const small_plan_add %s = {\n"
          "    .count = %u,\n"
          "    .a_zero_point = %s, .b_zero_point = %s, .out_zero_point = %s,\n"
          "    .a_multiplier = %s, .b_multiplier = %s, .out_multiplier = %s,\n"
          "    .a_shift = %s, .b_shift = %s, .out_shift = %s,\n"
          "    .left_shift = %s, .act_min = %s, .act_max = %s,\n"
          "    .single_rounding = %s,\n};\n\n",
          s.c_str(), a.count, int32_literal(a.a_zero_point).c_str(),
          int32_literal(a.b_zero_point).c_str(),
          int32_literal(a.out_zero_point).c_str(),
          int32_literal(a.a_multiplier).c_str(),
          int32_literal(a.b_multiplier).c_str(),
          int32_literal(a.out_multiplier).c_str(),
          int32_literal(a.a_shift).c_str(), int32_literal(a.b_shift).c_str(),
          int32_literal(a.out_shift).c_str(),
          int32_literal(a.left_shift).c_str(), int32_literal(a.act_min).c_str(),
          int32_literal(a.act_max).c_str(),
          int32_literal(a.single_rounding).c_str());
  return s;
}

std::string append_softmax(std::string &c, const std::string &prefix, size_t i,
                           const small_plan_softmax &m) {
  const std::string s = prefix + "_s" + std::to_string(i);
  appendf(c,
          "static const small_plan_softmax %s = {\n"
          "    .batch = %u, .pixels = %u, .channels = %u, .block_step = %u, "
          ".item = %u,\n"
          "    .input_multiplier = %s, .input_left_shift = %s, "
          ".diff_min = %s,\n"
          "    .single_rounding = %s,\n};\n\n",
          s.c_str(), m.batch, m.pixels, m.channels, m.block_step, m.item,
          int32_literal(m.input_multiplier).c_str(),
          int32_literal(m.input_left_shift).c_str(),
          int32_literal(m.diff_min).c_str(),
          int32_literal(m.single_rounding).c_str());
  return s;
}

std::string shape_text(const small_plan_shape &s) {
  return "{" + std::to_string(s.n) + ", " + std::to_string(s.c) + ", " +
         std::to_string(s.h) + ", " + std::to_string(s.w) + "}";
}

// The fields of a requantization after its count.
std::string requant_fields(const small_plan_requant &r) {
  return int32_literal(r.in_zero_point) + ", " +
         int32_literal(r.out_zero_point) + ", " + int32_literal(r.multiplier) +
         ", " + int32_literal(r.shift) + ", " +
         int32_literal(r.single_rounding);
}

std::string append_reshape(std::string &c, const std::string &prefix, size_t i,
                           const small_plan_reshape &r) {
  const std::string s = prefix + "_s" + std::to_string(i);
  appendf(c, "static const small_plan_reshape %s = {%s, %s};\n\n", s.c_str(),
          shape_text(r.input).c_str(), shape_text(r.output).c_str());
  return s;
}

std::string append_requant(std::string &c, const std::string &prefix, size_t i,
                           const small_plan_requant &r) {
  const std::string s = prefix + "_s" + std::to_string(i);
  appendf(c,
          "static const small_plan_requant %s = {\n"
          "    /* count; zero points in, out; multiplier, shift; single "
          "rounding */\n    %u, %s,\n};\n\n",
          s.c_str(), r.count, requant_fields(r).c_str());
  return s;
}

std::string append_concat(std::string &c, const std::string &prefix, size_t i,
                          const small_plan_concat &k) {
  const std::string s = prefix + "_s" + std::to_string(i);
  appendf(c,
          "static const small_plan_concat_input %s_inputs[%u] = {\n"
          "    /* arena offset; shape; requantize; requantization */\n",
          s.c_str(), k.input_count > 0 ? k.input_count : 1);
  for (uint32_t j = 0; j < k.input_count; ++j) {
    const small_plan_concat_input &in = k.inputs[j];
    appendf(c, "    {%u, %s, %u, {0, %s}},\n", in.offset,
            shape_text(in.shape).c_str(), in.requantize,
            requant_fields(in.requant).c_str());
  }
  appendf(c, "};\nstatic const small_plan_concat %s = {%s, %s_inputs, %u};\n\n",
          s.c_str(), shape_text(k.output).c_str(), s.c_str(), k.input_count);
  return s;
}

void append_tensors(std::string &c, const std::string &name,
                    const small_plan_tensor *t, uint32_t count) {
  appendf(c,
          "static const small_plan_tensor %s[%u] = {\n"
          "    /* arena offset; n, c, h, w; lanes; scale, zero point */\n",
          name.c_str(), count > 0 ? count : 1);
  for (uint32_t i = 0; i < count; ++i) {
    appendf(c, "    {%u, %u, %u, %u, %u, %u, %s, %s},\n", t[i].offset, t[i].n,
            t[i].c, t[i].h, t[i].w, t[i].lanes,
            float_literal(t[i].scale).c_str(),
            int32_literal(t[i].zero_point).c_str());
  }
  c += "};\n";
}

std::string upper(const std::string &s) {
  std::string u = s;
  for (char &ch : u) {
    if (ch >= 'a' && ch <= 'z') {
      ch = static_cast<char>(ch - 'a' + 'A');
    }
  }
  return u;
}

std::string header_text(const small_plan &plan, const std::string &target,
                        const std::string &prefix) {
  const std::string u = upper(prefix);
  const char *p = prefix.c_str();
  std::string h;
  appendf(h,
          "/* Generated by small-codegen --plan: do not edit. */\n"
          "#ifndef %s_SMALL_PLAN_H\n#define %s_SMALL_PLAN_H\n\n"
          "#include \"small/small_plan.h\"\n\n"
          "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
          "#define %s_INPUT_COUNT %u\n#define %s_OUTPUT_COUNT %u\n",
          u.c_str(), u.c_str(), u.c_str(), plan.input_count, u.c_str(),
          plan.output_count);
  for (int side = 0; side < 2; ++side) {
    const small_plan_tensor *t = side == 0 ? plan.inputs : plan.outputs;
    const uint32_t count = side == 0 ? plan.input_count : plan.output_count;
    for (uint32_t i = 0; i < count; ++i) {
      const std::string m =
          u + (side == 0 ? "_INPUT" : "_OUTPUT") + std::to_string(i);
      appendf(h,
              "/* %s %u: (n, c, h, w) = (%u, %u, %u, %u), int8, real = scale "
              "* (q - zero_point) */\n"
              "#define %s_SIZE %" PRIu64 "\n#define %s_SCALE %s\n"
              "#define %s_ZERO_POINT (%s)\n",
              side == 0 ? "input" : "output", i, t[i].n, t[i].c, t[i].h, t[i].w,
              m.c_str(), uint64_t{t[i].n} * t[i].c * t[i].h * t[i].w, m.c_str(),
              float_literal(t[i].scale).c_str(), m.c_str(),
              int32_literal(t[i].zero_point).c_str());
    }
  }
  appendf(h,
          "\n/* The plan, for %s kernels (a build with other kernels refuses "
          "it at\n * %s_init). */\nextern const small_plan %s_plan;\n\n"
          "/*! Binds the plan's kernels: once, before %s_run. */\n"
          "small_status %s_init(void);\n\n"
          "/*! One inference on int8 buffers in NHWC order (the model's), "
          "in the\n * plan's static arena: one inference at a time. "
          "Allocates nothing. */\n"
          "small_status %s_run(const int8_t *const *inputs, "
          "int8_t *const *outputs);\n\n"
          "#ifdef __cplusplus\n}\n#endif\n\n#endif\n",
          c_comment_text(target).c_str(), p, p, p, p, p);
  return h;
}

} // namespace

small_status
write_plan_c_source(const small_plan &plan,
                    const std::vector<std::string> &step_names,
                    const std::string &target, const std::string &format,
                    const std::string &prefix, const std::string &c_path,
                    const std::string &h_path, std::string *error) {
  if (!is_c_identifier(prefix)) {
    *error = "the name prefix '" + prefix + "' is not a C identifier";
    return SMALL_ERR_INVALID_ARGUMENT;
  }
  // Tables whose kernels load prepared constants or weight sums with
  // 64-byte alignment (x86) get it; 4 bytes suffice elsewhere, the Cortex-M
  // firmware targets included (their kernels load words), where 64 would
  // leave 2-4 KB of padding between a model's arrays in flash.
  const bool firmware = target.rfind("cortex-m", 0) == 0;
  const bool wide = !firmware && (plan.config.requant_bytes != 0 ||
                                  plan.config.conv_weight_sums != 0);
  const char *p = prefix.c_str();
  std::string c;
  appendf(c,
          "/* Generated by small-codegen --plan from a model in %s format: "
          "do not edit.\n * A compiled plan for %s kernels (channel block "
          "%u, int8 k-group %u):\n * the weights packed, the tiles planned, "
          "all const data. */\n"
          "#include <stddef.h>\n\n#include \"%s\"\n\n"
          "#if defined(__GNUC__)\n"
          "#define SMALL_PLAN_ALIGNED __attribute__((aligned(%d)))\n"
          "#else\n#define SMALL_PLAN_ALIGNED\n#endif\n\n",
          c_comment_text(format).c_str(), c_comment_text(target).c_str(),
          plan.config.channel_block, plan.config.k_group,
          basename_of(h_path).c_str(), wide ? 64 : 4);
  std::vector<std::string> ops(plan.step_count);
  for (uint32_t i = 0; i < plan.step_count; ++i) {
    const small_plan_step &s = plan.steps[i];
    const char *kind = step_kind_name(s.kind);
    if (kind == nullptr || (s.kind == SMALL_PLAN_STEP_WINDOW &&
                            family_name(s.window->family) == nullptr)) {
      *error = "step " + std::to_string(i) + " has an unknown kind or family";
      return SMALL_ERR_UNSUPPORTED;
    }
    appendf(c, "/* step %u: %s */\n", i,
            c_comment_text(i < step_names.size() ? step_names[i] : "").c_str());
    switch (s.kind) {
    case SMALL_PLAN_STEP_WINDOW:
      ops[i] = append_window(c, prefix, i, *s.window);
      break;
    case SMALL_PLAN_STEP_ADD:
      ops[i] = append_add(c, prefix, i, *s.add);
      break;
    case SMALL_PLAN_STEP_SOFTMAX:
      ops[i] = append_softmax(c, prefix, i, *s.softmax);
      break;
    case SMALL_PLAN_STEP_RESHAPE:
      ops[i] = append_reshape(c, prefix, i, *s.reshape);
      break;
    case SMALL_PLAN_STEP_REQUANT:
      ops[i] = append_requant(c, prefix, i, *s.requant);
      break;
    default:
      ops[i] = append_concat(c, prefix, i, *s.concat);
      break;
    }
  }
  appendf(c, "static const small_plan_step %s_steps[%u] = {\n", p,
          plan.step_count > 0 ? plan.step_count : 1);
  for (uint32_t i = 0; i < plan.step_count; ++i) {
    const small_plan_step &s = plan.steps[i];
    const std::string &op = ops[i];
    // The op pointers in the struct's order (window, add, softmax,
    // reshape, requant, concat): the step's own, the others NULL.
    static constexpr uint32_t kOrder[] = {
        SMALL_PLAN_STEP_WINDOW,  SMALL_PLAN_STEP_ADD,
        SMALL_PLAN_STEP_SOFTMAX, SMALL_PLAN_STEP_RESHAPE,
        SMALL_PLAN_STEP_REQUANT, SMALL_PLAN_STEP_CONCAT};
    std::string pointers;
    for (uint32_t kind : kOrder) {
      pointers += ", " + (kind == s.kind ? "&" + op : std::string("NULL"));
    }
    appendf(c, "    {%s, %s, {%u, %u}, %u%s},\n", step_kind_name(s.kind),
            step_runner_name(s.kind), s.in[0], s.in[1], s.out,
            pointers.c_str());
  }
  c += "};\n";
  append_tensors(c, prefix + "_inputs", plan.inputs, plan.input_count);
  append_tensors(c, prefix + "_outputs", plan.outputs, plan.output_count);
  const small_plan_config &k = plan.config;
  appendf(c,
          "\nconst small_plan %s_plan = {\n"
          "    .version = %uu,\n"
          "    .config = {%u, %u, %u, %u, %u, %u, %u, %u, %u},\n"
          "    .arena_bytes = %u,\n"
          "    .inputs = %s_inputs, .input_count = %u,\n"
          "    .outputs = %s_outputs, .output_count = %u,\n"
          "    .steps = %s_steps, .step_count = %u,\n"
          "    .slot_count = %u,\n"
          "    .macs = %" PRIu64 "u,\n};\n\n",
          p, plan.version, k.channel_block, k.k_group, k.conv_max_width,
          k.conv_max_out_blocks, k.conv_width_multiple, k.window_max_width,
          k.depthwise_across_blocks, k.conv_weight_sums, k.requant_bytes,
          plan.arena_bytes, p, plan.input_count, p, plan.output_count, p,
          plan.step_count, plan.slot_count, plan.macs);
  appendf(c,
          "/* The kernel of each grid (small_plan_bind) and the arena, "
          "used from its first\n * 64-byte boundary: GCC and Clang align "
          "it there, other compilers leave\n * up to 63 bytes before it. */\n"
          "static small_plan_slot %s_slots[%u];\n"
          "#if defined(__GNUC__)\n"
          "static unsigned char %s_arena[%u] __attribute__((aligned(64)));\n"
          "#else\n"
          "static unsigned char %s_arena[%u + 63];\n"
          "#endif\n\n"
          "small_status %s_init(void) {\n"
          "  return small_plan_bind(&%s_plan, %s_slots, %uu);\n}\n\n"
          "small_status %s_run(const int8_t *const *inputs, "
          "int8_t *const *outputs) {\n"
          "  return small_plan_run_int8(&%s_plan, %s_slots, %s_arena,\n"
          "                             sizeof %s_arena, inputs, %uu, "
          "outputs, %uu,\n"
          "                             SMALL_LAYOUT_NHWC);\n}\n",
          p, plan.slot_count > 0 ? plan.slot_count : 1, p, plan.arena_bytes, p,
          plan.arena_bytes, p, p, p, plan.slot_count, p, p, p, p, p,
          plan.input_count, plan.output_count);
  const small_status hs =
      write_file(h_path, header_text(plan, target, prefix), error);
  return hs != SMALL_OK ? hs : write_file(c_path, c, error);
}

small_status write_exported_plan_c_source(
    const small_plan_export *exported, const std::string &target,
    const std::string &format, const std::string &prefix,
    const std::string &c_path, const std::string &h_path, std::string *error) {
  const small_plan &plan = *small_plan_export_get(exported);
  std::vector<std::string> names;
  for (uint32_t i = 0; i < plan.step_count; ++i) {
    names.emplace_back(small_plan_export_step_name(exported, i));
  }
  small_kernel_info own{};
  (void)small_kernel_config(&own);
  return write_plan_c_source(plan, names, target.empty() ? own.isa : target,
                             format, prefix, c_path, h_path, error);
}

} // namespace small_import
