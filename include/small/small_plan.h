/*
 * Compiled plans: an int8 network finalized once, on the host, for one
 * kernel configuration, and kept as plain const data (small-codegen --plan
 * writes it as C initializers, so it sits in a microcontroller's flash).
 *
 * The device neither builds, plans nor packs: it binds each tile grid to its
 * kernel variant once (small_plan_bind, one function pointer per grid in a
 * caller's array) and runs the steps in the caller's arena
 * (small_plan_run_int8). Neither call allocates; a firmware image that only
 * runs plans links none of the library's graph building, planning or packing.
 *
 * Every struct holds 32-bit fields and pointers to other const arrays only,
 * so the host's 64-bit tools write initializers that a 32-bit core compiles
 * unchanged. The steps run the same loop nest as small_network_run_int8
 * (batch -> output block group -> tile grid -> tiles), and the outputs are
 * the same bytes.
 */
#ifndef SMALL_SMALL_PLAN_H
#define SMALL_SMALL_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "small/small.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a struct below changes: a plan of another version is
 * refused. */
#define SMALL_PLAN_VERSION 3u

/* The kernel table's planning parameters the plan was made for (the tile
 * widths cut the grids, Cb and the k-group order the packed weights). A
 * build whose table differs refuses the plan at bind. */
typedef struct small_plan_config {
  uint32_t channel_block, k_group;
  uint32_t conv_max_width, conv_max_out_blocks, conv_width_multiple;
  uint32_t window_max_width, depthwise_across_blocks;
  uint32_t conv_weight_sums, requant_bytes;
} small_plan_config;

/* A network input or output in the arena: byte offset, NCHW dimensions,
 * lanes per pixel in the arena (Cb, or fewer for a narrow input stored
 * unpadded) and the quantization. */
typedef struct small_plan_tensor {
  uint32_t offset;
  uint32_t n, c, h, w;
  uint32_t lanes;
  float scale;
  int32_t zero_point;
} small_plan_tensor;

/* One output block group of a window op (offsets in elements of the batch
 * item, the packed weights and the per-channel arrays): it runs grids
 * [first_grid, first_grid + grid_count) of its op. */
typedef struct small_plan_group {
  uint32_t in_offset, out_offset, weight_offset, bias_offset;
  uint32_t in_blocks, in_last_channels, out_blocks, w_out_block_step;
  uint32_t out_last_channels;
  uint32_t first_grid, grid_count;
} small_plan_group;

/* columns x rows calls of one kernel variant on one tile shape. */
typedef struct small_plan_grid {
  uint32_t columns, rows;
  uint32_t width, taps_h, taps_w;
  uint32_t in_pixel_step, out_pixel_step;
  uint32_t in_offset, out_offset, weight_offset, first_tap;
  uint32_t in_column_step, in_row_step, out_column_step, out_row_step;
  int32_t divisor;     /* average pooling */
  uint32_t out_blocks; /* the convolution tile's output blocks */
} small_plan_grid;

typedef enum small_plan_family {
  SMALL_PLAN_CONV = 0,
  SMALL_PLAN_DEPTHWISE = 1,
  SMALL_PLAN_MAX_POOL = 2,
  SMALL_PLAN_AVG_POOL = 3
} small_plan_family;

/* A convolution, depthwise, dense or pooling layer. */
typedef struct small_plan_window {
  uint32_t family;                   /* small_plan_family */
  uint32_t batch, in_item, out_item; /* elements per batch item */
  /* The tile fields fixed for the whole op (small_window_tile_i8). */
  uint32_t in_tap_w_step, in_tap_h_step, in_block_step, in_lanes;
  uint32_t w_tap_w_step, w_tap_h_step, w_block_step;
  uint32_t w_pixel_step, bias_pixel_step, out_block_step;
  uint32_t ws_tap_w_step, ws_tap_h_step, ws_out_block_step;
  uint32_t out_lanes; /* what the kernel selector is told, with act_op */
  int32_t act_op;
  int32_t in_zero_point, out_zero_point, act_min, act_max;
  int32_t single_rounding;
  /* The packed weights (weight_bytes, NULL for pooling), bias, multiplier
   * and shift (channel_count each: the output channels in whole blocks), the
   * weight sums (weight_sum_count) and prepared requantization
   * (requant_bytes per output block, requant_total in all). */
  const int8_t *weights;
  uint32_t weight_bytes;
  const int32_t *bias, *multiplier, *shift;
  uint32_t channel_count;
  const int32_t *weight_sums; /* tables that read them, else NULL */
  uint32_t weight_sum_count;
  const unsigned char *requant; /* tables that prepare them, else NULL */
  uint32_t requant_bytes, requant_total;
  const small_plan_group *groups;
  uint32_t group_count;
  const small_plan_grid *grids;
  uint32_t grid_count;
  uint32_t first_slot; /* grid i runs the kernel of slot first_slot + i */
} small_plan_window;

/* An element-wise int8 add of `count` arena bytes (TFLite ADD). */
typedef struct small_plan_add {
  uint32_t count;
  int32_t a_zero_point, b_zero_point, out_zero_point;
  int32_t a_multiplier, b_multiplier, out_multiplier;
  int32_t a_shift, b_shift, out_shift;
  int32_t left_shift, act_min, act_max, single_rounding;
} small_plan_add;

/* An int8 softmax over channels. */
typedef struct small_plan_softmax {
  uint32_t batch, pixels, channels, block_step, item;
  int32_t input_multiplier, input_left_shift, diff_min, single_rounding;
} small_plan_softmax;

/* An int8 tensor's NCHW dimensions (reshape and concat). */
typedef struct small_plan_shape {
  uint32_t n, c, h, w;
} small_plan_shape;

/* RESHAPE and FLATTEN of an int8 tensor: the elements in NCHW order read
 * as another shape of the same count, written blocked. */
typedef struct small_plan_reshape {
  small_plan_shape input, output;
} small_plan_reshape;

/* int8 -> int8 requantization of `count` arena bytes (QUANTIZE). */
typedef struct small_plan_requant {
  uint32_t count;
  int32_t in_zero_point, out_zero_point, multiplier, shift;
  int32_t single_rounding;
} small_plan_requant;

/* One input of a concatenation: its arena byte offset and shape, and
 * whether its values are requantized to the output's quantization (with
 * `requant`, count unused) or copied. */
typedef struct small_plan_concat_input {
  uint32_t offset;
  small_plan_shape shape;
  uint32_t requantize;
  small_plan_requant requant;
} small_plan_concat_input;

/* int8 concatenation along channels into `output`. */
typedef struct small_plan_concat {
  small_plan_shape output;
  const small_plan_concat_input *inputs;
  uint32_t input_count;
} small_plan_concat;

typedef enum small_plan_step_kind {
  SMALL_PLAN_STEP_WINDOW = 0,
  SMALL_PLAN_STEP_ADD = 1,
  SMALL_PLAN_STEP_SOFTMAX = 2,
  SMALL_PLAN_STEP_RESHAPE = 3,
  SMALL_PLAN_STEP_REQUANT = 4,
  SMALL_PLAN_STEP_CONCAT = 5
} small_plan_step_kind;

/* Where a grid's kernel variant is kept (a function pointer, whose type is
 * the kernel contract's). */
typedef struct small_plan_slot {
  void (*kernel)(void);
} small_plan_slot;

typedef struct small_plan_step small_plan_step;

/* Runs one step in the arena (from its 64-byte boundary). The library's
 * small_plan_step_<kind> below; a plan names the ones its steps need, so an
 * image links only those. */
typedef void (*small_plan_step_fn)(const small_plan_step *step,
                                   const small_plan_slot *slots,
                                   unsigned char *arena);

/* One executed layer: its kind and runner, the arena byte offsets of its
 * inputs (in[1]: the add's second; a concat's are in its op) and output,
 * and its op (the one pointer its kind names; the others NULL). */
struct small_plan_step {
  uint32_t kind; /* small_plan_step_kind */
  small_plan_step_fn run;
  uint32_t in[2], out;
  const small_plan_window *window;
  const small_plan_add *add;
  const small_plan_softmax *softmax;
  const small_plan_reshape *reshape;
  const small_plan_requant *requant;
  const small_plan_concat *concat;
};

/* The step runners, one per small_plan_step_kind. */
SMALL_API void small_plan_step_window(const small_plan_step *step,
                                      const small_plan_slot *slots,
                                      unsigned char *arena);
SMALL_API void small_plan_step_add(const small_plan_step *step,
                                   const small_plan_slot *slots,
                                   unsigned char *arena);
SMALL_API void small_plan_step_softmax(const small_plan_step *step,
                                       const small_plan_slot *slots,
                                       unsigned char *arena);
SMALL_API void small_plan_step_reshape(const small_plan_step *step,
                                       const small_plan_slot *slots,
                                       unsigned char *arena);
SMALL_API void small_plan_step_requant(const small_plan_step *step,
                                       const small_plan_slot *slots,
                                       unsigned char *arena);
SMALL_API void small_plan_step_concat(const small_plan_step *step,
                                      const small_plan_slot *slots,
                                      unsigned char *arena);

typedef struct small_plan {
  uint32_t version; /* SMALL_PLAN_VERSION */
  small_plan_config config;
  uint32_t arena_bytes; /* the caller's arena: this many, 64-byte aligned */
  const small_plan_tensor *inputs;
  uint32_t input_count;
  const small_plan_tensor *outputs;
  uint32_t output_count;
  const small_plan_step *steps;
  uint32_t step_count;
  uint32_t slot_count; /* the grids of all window steps */
  uint64_t macs;       /* multiply-accumulates of one run */
} small_plan;

/* Checks the plan against this build's kernel table and fills
 * slots[0 .. plan->slot_count) with the variant of each grid.
 * SMALL_ERR_INVALID_ARGUMENT when the plan was made for another
 * configuration (the message names both) or is malformed,
 * SMALL_ERR_BUFFER_TOO_SMALL when slot_count is short. */
SMALL_API small_status small_plan_bind(const small_plan *plan,
                                       small_plan_slot *slots,
                                       size_t slot_count);

/* Runs the plan with the slots small_plan_bind filled, in `arena` (at least
 * plan->arena_bytes from its first 64-byte aligned byte), on int8 inputs
 * and outputs in NCHW or NHWC order. Allocates nothing. */
SMALL_API small_status small_plan_run_int8(
    const small_plan *plan, const small_plan_slot *slots, void *arena,
    size_t arena_bytes, const int8_t *const *inputs, size_t input_count,
    int8_t *const *outputs, size_t output_count, small_layout layout);

/* Host side: the plan of a finalized int8 network, owned by the returned
 * handle (small_plan_export_destroy frees it). A network finalized for a
 * firmware target (small_network_set_target) gives that target's plan.
 * SMALL_ERR_UNSUPPORTED names the first layer a plan cannot hold (float
 * layers, a float QUANTIZE input, DEQUANTIZE). */
typedef struct small_plan_export small_plan_export;
SMALL_API small_status small_network_export_plan(const small_network *network,
                                                 small_plan_export **out);
SMALL_API const small_plan *
small_plan_export_get(const small_plan_export *exported);
/* The name of the layer step `step` of the plan runs (for comments and
 * reports); NULL past the last step. */
SMALL_API const char *
small_plan_export_step_name(const small_plan_export *exported, size_t step);
SMALL_API void small_plan_export_destroy(small_plan_export *exported);

#ifdef __cplusplus
}
#endif

#endif /* SMALL_SMALL_PLAN_H */
