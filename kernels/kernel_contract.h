/*
 * The kernel contract: every ISA folder under kernels/ implements (a subset
 * of) these function types; whatever it leaves out stays the scalar kernel.
 *
 * Data layout shared by all layers (NCHWc): a tensor (n, c, h, w) is stored
 * as [n][ceil(c/Cb)][h][w][Cb] floats, Cb = the table's channel_block. The
 * lanes of the last block past c ("pad lanes") always hold finite values but
 * carry no meaning: no kernel may let a pad lane influence a valid lane, and
 * every kernel writes all Cb lanes of every pixel it produces.
 *
 * The window families (convolution, depthwise, pooling) are selected per
 * tile shape when a layer is planned (small_window_shape); the element-wise
 * families are called directly.
 *
 * Units: every *_step is in floats. Pointers need only float alignment.
 * Kernels write exactly the Cb lanes of each of the tile's `width` output
 * pixels and nothing between them (window families; see out_pixel_step),
 * or [out, out + count) (element-wise families); they never read outside the
 * input and weight regions the engine describes.
 */
#ifndef SMALL_KERNEL_CONTRACT_H
#define SMALL_KERNEL_CONTRACT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Internal activation: RELU and RELU6 map to CLIP. */
typedef enum small_act_op {
  SMALL_ACT_OP_NONE = 0,
  SMALL_ACT_OP_CLIP = 1,        /* min(max(x, lo), hi) */
  SMALL_ACT_OP_LEAKY = 2,       /* x >= 0 ? x : alpha * x */
  SMALL_ACT_OP_SIGMOID = 3,     /* 1 / (1 + exp(-x)) */
  SMALL_ACT_OP_HARD_SWISH = 4,  /* x * min(max(x + 3, 0), 6) / 6 */
  SMALL_ACT_OP_HARD_SIGMOID = 5 /* min(max(alpha * x + beta, 0), 1) */
} small_act_op;

typedef struct small_act_params {
  small_act_op op;
  float alpha, beta, lo, hi;
} small_act_params;

/*
 * One tile of a windowed layer (convolution, depthwise, pooling; Dense is a
 * convolution whose window covers the whole input). The tile is `width`
 * output pixels of one block of Cb output channels, evenly spaced: usually
 * consecutive pixels of one output row, but the engine may also hand a
 * column (pixels in consecutive rows, out_pixel_step = a row) so that the
 * border columns, whose filter windows are clipped, run as full tiles too.
 * The engine has already clipped the filter window to the input: every
 * output pixel of the tile sees the same taps_h x taps_w taps, all of them
 * inside the input, so kernels never test bounds (whole-row depthwise tiles,
 * small_kernel_table::depthwise_rows, are the one exception: their kernels
 * leave out the taps in a row's padding columns).
 *
 * Input element for output pixel j, filter tap (r, s), channel lane l of
 * input block b:
 *     in[b * in_block_step + r * in_tap_h_step + s * in_tap_w_step
 *        + j * in_pixel_step + l]
 * Output lane l of pixel j (output block k for a multi-block convolution):
 *     out[k * out_block_step + j * out_pixel_step + l]
 */
typedef struct small_window_tile {
  size_t cb;       /* the table's channel_block (fixed-Cb kernels ignore it) */
  const float *in; /* first input block, first tap, output pixel 0 */
  float *out;      /* output pixel 0 of the tile, lane 0 */
  size_t width;    /* output pixels, 1 .. the family's max width */
  size_t taps_h;   /* filter rows inside the input (may be 0 for conv) */
  size_t taps_w;   /* filter columns inside the input (may be 0 for conv) */
  size_t in_pixel_step;
  size_t out_pixel_step; /* >= Cb; Cb for pixels of one row */
  size_t in_tap_w_step;
  size_t in_tap_h_step;

  /* Convolution only: reduce over input blocks [0, in_blocks); the last one
   * holds in_last_channels valid lanes (1..in_lanes), the others in_lanes.
   * in_lanes is Cb, or fewer for a narrow network input: 1 (planar, NCHW)
   * or, int8 only and only for tables whose conv_i8_k_group is 4, 4 (an
   * input of 3-4 channels: one pixel's channels are one dot product).
   * Kernels read at most in_lanes elements per input pixel. */
  size_t in_blocks;
  size_t in_lanes;
  size_t in_last_channels;
  size_t in_block_step;

  /* Convolution and depthwise: packed weights at the first input block and
   * first tap. Convolution weights of one (input block, tap) are an
   * in_lanes x Cb matrix [input lane][output lane], the taps of a filter row
   * one after another (w_tap_w_step == in_lanes x Cb: armv7's planar tiles
   * step through a row's taps by post-increment); depthwise weights of one
   * tap are Cb floats. */
  const float *weights;
  size_t w_tap_w_step;
  size_t w_tap_h_step;
  size_t w_block_step; /* convolution: between input blocks */
  const float *bias;   /* out_blocks * Cb floats; convolution and depthwise */
  /* Depthwise only: floats between consecutive pixels' weights and biases.
   * 0 when the pixels share them (pixels of one channel block); the engine
   * sets them when a tile's pixels are one pixel in consecutive channel
   * blocks (small images). Pooling tiles may be spaced that way too. */
  size_t w_pixel_step;
  size_t bias_pixel_step;

  /* Convolution: the tile covers out_blocks (1 .. the table's
   * conv_max_out_blocks) consecutive output channel blocks that reduce over
   * the same input blocks; block k writes out + k * out_block_step and reads
   * weights + k * w_out_block_step. Whole-image depthwise tiles
   * (small_window_shape::whole_image): out_blocks consecutive channel
   * blocks, block k reading in + k * in_block_step, weights + k *
   * w_block_step and bias + k * Cb, writing out + k * out_block_step.
   * Other tiles: out_blocks == 1. */
  size_t out_blocks;
  size_t out_block_step;
  size_t w_out_block_step;

  float scale;          /* average pooling: multiply the sum by this */
  small_act_params act; /* convolution and depthwise epilogue */
  /* Convolution over a blocked input (in_lanes == Cb), tables with
   * conv_residual only: NULL, or a tensor laid out as out (the same steps
   * from this tile's first output) whose element the kernel adds to each
   * sum before the activation, padding lanes included: a residual Add
   * folded into the convolution. NULL for every other tile. */
  const float *residual;
  /* Tiles of whole rows only (small_kernel_table::depthwise_rows): the
   * output rows the tile computes, `width` pixels each; output row i starts
   * at out + i * width * out_pixel_step and reads from in + i * S *
   * in_tap_h_step (S = in_pixel_step / cb, the stride). Other tiles: 1,
   * unused. */
  size_t rows;
} small_window_tile;

typedef void (*small_window_fn)(const small_window_tile *tile);

/*
 * What the engine fixes, when it plans a layer, for every tile one kernel
 * variant will run. A window family's slot in the table is a *selector*: the
 * engine calls it once per planned grid of tiles (a few per layer) and then
 * calls the returned function directly for every tile of that shape, so the
 * variant choice (register tile width, compile-time pixel step, full 3x3
 * window, planar input, ...) costs nothing per call, as XNNPACK picks its
 * microkernel when an operator is created.
 *
 * Every tile handed to the returned function has exactly these values in the
 * fields of the same names (and act.op == act). The other fields (pointers,
 * in_blocks, in_last_channels, the block and weight steps, out_block_step,
 * scale, the act parameters) are not part of the shape: the variant must
 * read them from each tile. A selector never returns NULL: for a shape it
 * has no fast path for, it returns its generic variant.
 */
typedef struct small_window_shape {
  size_t cb;
  size_t width; /* 1 .. the family's max width */
  size_t taps_h, taps_w;
  size_t in_pixel_step, out_pixel_step;
  size_t in_tap_w_step, in_tap_h_step;
  size_t in_lanes; /* convolution: Cb, or fewer for a narrow input */
  /* Convolution: 1 .. conv_max_out_blocks; whole-image depthwise: 1 or
   * more (the variant loops over them); others 1. */
  size_t out_blocks;
  size_t w_pixel_step, bias_pixel_step; /* depthwise across blocks: != 0 */
  small_act_op act;
  /* Convolution and depthwise: Cb, or the layer's output channels when it
   * has fewer than Cb (its one output block's other lanes have bias 0 and
   * weights 0, so their outputs are act(0) exactly, which a variant may
   * store without computing them: MobileNet's 8-channel first layers in
   * 16-lane blocks). Pooling: Cb. */
  size_t out_lanes;
  /* Convolution, tables with conv_residual: 1 when every tile of the shape
   * has a residual (small_window_tile::residual not NULL), else 0. */
  int residual;
  /* Whole-row depthwise tiles (small_kernel_table::depthwise_rows): 1 when
   * the tile's `rows` are the whole output image, padded above and below
   * as along its rows (stride 1: one row each; stride 2: one row below),
   * so that the kernel leaves out the filter rows in the padding as it
   * does the columns. taps_h is then 3, in_tap_h_step = in_pixel_step *
   * width (the input rows one after another), the tile's `in` is input row
   * 0, and output row i reads input rows S i - P + r, r = 0..2, of those
   * inside the image (P: 1 at stride 1, 0 at stride 2); the tile covers
   * out_blocks channel blocks (see small_window_tile::out_blocks). Else
   * 0. */
  int whole_image;
} small_window_shape;

typedef small_window_fn (*small_window_select_fn)(
    const small_window_shape *shape);

/* out[i] = act(in[i]) for i < count. in == out is allowed. */
typedef void (*small_activation_fn)(const float *in, float *out, size_t count,
                                    const small_act_params *act);

/* out[i] = act(a[i] + b[i]) for i < count. out may alias a or b. */
typedef void (*small_add_fn)(const float *a, const float *b, float *out,
                             size_t count, const small_act_params *act);

/* Softmax over channels for `pixels` consecutive pixels of one batch item:
 * channel c of pixel p is at in[(c / Cb) * block_step + p * Cb + c % Cb].
 * `channels` valid channels, Cb = cb; pad lanes of the output are written with
 * 0. */
typedef void (*small_softmax_fn)(const float *in, float *out, size_t pixels,
                                 size_t channels, size_t block_step, size_t cb);

/*
 * int8 families (docs/int8.md has the arithmetic). The layout is the same
 * with one-byte lanes: [n][ceil(c/Cb)][h][w][Cb] int8, and every *_step of
 * an int8 tile counts int8 elements. Windows are planned exactly as for
 * floats (the same small_window_shape reaches the int8 selectors); only the
 * element types and the requantization differ.
 */
typedef struct small_window_tile_i8 {
  size_t cb;
  const int8_t *in;
  int8_t *out;
  size_t width, taps_h, taps_w;
  size_t in_pixel_step, out_pixel_step, in_tap_w_step, in_tap_h_step;
  /* Convolution: as in small_window_tile. */
  size_t in_blocks, in_lanes, in_last_channels, in_block_step;
  /* Convolution and depthwise: int8 weights, symmetric (zero point 0).
   * Depthwise weights are packed as the float ones. Convolution weights of
   * one (input block, tap) are in_lanes x Cb values as for floats, but for
   * an input with in_lanes > 1 the input lanes come in groups of
   * G = the table's conv_i8_k_group, G consecutive input lanes per output
   * lane, so that one SIMD dot product reads G lanes of one output:
   *     w[(i / G) * Cb * G + o * G + i % G]   (G == 1: w[i * Cb + o])
   * (a planar input, in_lanes == 1, has one row: w[o]). The weights of input
   * lanes at or past in_last_channels are zero, so a kernel may read a whole
   * group of lanes past in_last_channels (never past the pixel's Cb). */
  const int8_t *weights;
  size_t w_tap_w_step, w_tap_h_step, w_block_step;
  const int32_t *bias; /* out_blocks * Cb values */
  size_t w_pixel_step, bias_pixel_step;
  size_t out_blocks, out_block_step, w_out_block_step;
  /* Convolution and depthwise: the channels (1..Cb) of the tile's last
   * output block; Cb for tiles across blocks (w_pixel_step != 0) and for
   * pooling. The lanes past them are padding: their weights, bias and
   * multiplier are zero, so their sum is 0 and their output byte
   * clamp(out_zero_point, act_min, act_max), which a kernel may write
   * without computing them (an 8-channel layer in 16-lane blocks). */
  size_t out_last_channels;
  /* Convolution, for tables with conv_i8_weight_sums set (else NULL): per
   * output lane, the sum of one tap's weights over all the input lanes the
   * tile reduces, laid out [out block][kernel_h][kernel_w][Cb] int32 for
   * the op. The pointer is at the tile's first tap (its window as clipped,
   * like weights) of its first output block; the steps count int32 values.
   * A kernel that reads its input offset (VNNI's u8 = x + 128) subtracts
   * offset * (the sum over its taps) without reading the weights twice. */
  const int32_t *weight_sums;
  size_t ws_tap_w_step, ws_tap_h_step, ws_out_block_step;
  /* Requantization. Convolution and depthwise: one multiplier and shift per
   * output lane, indexed (and stepped across pixels or blocks) exactly like
   * bias. Average pooling: multiplier[0] and shift[0] for the whole tile. */
  const int32_t *multiplier;
  const int32_t *shift;
  /* Convolution and depthwise, for tables with requant_i8_bytes != 0 (else
   * NULL): the requantization constants the layer prepared from multiplier
   * and shift, at the tile's first output block; block k's are
   * k * requant_i8_bytes further (and across pixels, one block per Cb lanes
   * of bias_pixel_step). */
  const void *requant;
  int32_t in_zero_point;    /* subtracted from every input value read */
  int32_t out_zero_point;   /* added after the requantization */
  int32_t act_min, act_max; /* the output clamp, within [-128, 127] */
  /* Average pooling: the divisor (taps counted for the tile's windows). */
  int32_t divisor;
  int single_rounding; /* 0: TFLite's double rounding; 1: single rounding */
} small_window_tile_i8;

typedef void (*small_window_i8_fn)(const small_window_tile_i8 *tile);
typedef small_window_i8_fn (*small_window_i8_select_fn)(
    const small_window_shape *shape);

/* Parameters of an int8 add (TFLite ADD with left_shift 20). */
typedef struct small_add_i8_params {
  int32_t a_zero_point, b_zero_point, out_zero_point;
  int32_t a_multiplier, b_multiplier, out_multiplier;
  int32_t a_shift, b_shift, out_shift;
  int32_t left_shift;
  int32_t act_min, act_max;
  int single_rounding;
} small_add_i8_params;

/* out[i] = clamp(requant(a[i]) + requant(b[i])), i < count; may alias. */
typedef void (*small_add_i8_fn)(const int8_t *a, const int8_t *b, int8_t *out,
                                size_t count, const small_add_i8_params *p);

/* Requantization of int8 values (QUANTIZE int8 -> int8). */
typedef struct small_requant_i8_params {
  int32_t in_zero_point, out_zero_point;
  int32_t multiplier, shift;
  int single_rounding;
} small_requant_i8_params;

/* out[i] = clamp(MBQM(in[i] - in_zp) + out_zp), i < count; in == out
 * allowed. */
typedef void (*small_requant_i8_fn)(const int8_t *in, int8_t *out, size_t count,
                                    const small_requant_i8_params *p);

/* int8 softmax (output scale 1/256, zero point -128). */
typedef struct small_softmax_i8_params {
  int32_t input_multiplier, input_left_shift;
  int32_t diff_min;
  int single_rounding;
} small_softmax_i8_params;

/* As small_softmax_fn on int8 lanes; pad lanes of the output are written
 * with -128. */
typedef void (*small_softmax_i8_fn)(const int8_t *in, int8_t *out,
                                    size_t pixels, size_t channels,
                                    size_t block_step, size_t cb,
                                    const small_softmax_i8_params *p);

typedef struct small_kernel_table {
  const char *isa;
  size_t channel_block;       /* Cb */
  size_t conv_max_width;      /* W_ob of the convolution tile */
  size_t conv_max_out_blocks; /* C_ob / Cb of the convolution tile */
  /* Convolution tiles are cut to widths that are multiples of this (a
   * divisor of conv_max_width), but for one tile per run of columns that
   * takes the rest: for kernels that compute pixels in groups (the
   * Cortex-M4's 4). 1: near-equal widths, for the FMA latency. */
  size_t conv_width_multiple;
  size_t window_max_width; /* max tile width for depthwise and pooling */
  /* 1: depthwise tiles may span channel blocks (one pixel in several
   * blocks, w_pixel_step / bias_pixel_step != 0) where that makes fewer
   * kernel calls, as on small images; 0: they always stay in one block, so
   * that their pixels share weights and requantization constants (for
   * cores where a call costs little next to that, e.g. the Cortex-M4).
   * Pooling tiles may span blocks either way. */
  int depthwise_across_blocks;
  /* Float depthwise: 0, or what one pixel of one block in a tile across
   * blocks costs, in percent of a kernel call in one block; the engine then
   * takes tiles across blocks where their pixels x blocks cost less than
   * the calls of tiles in one block (else it compares numbers of calls).
   * For kernels whose tiles across blocks are slow per FMA: each pixel
   * loads its block's weight vector for every tap, two loads per FMA,
   * where a block's tiles reuse theirs along the row. */
  size_t depthwise_across_block_percent;
  small_window_select_fn conv;
  small_window_select_fn depthwise;
  small_window_select_fn max_pool;
  small_window_select_fn avg_pool;
  small_activation_fn activation;
  small_add_fn add;
  small_softmax_fn softmax;
  /* int8 families; a folder that has none keeps the scalar ones. */
  small_window_i8_select_fn conv_i8;
  small_window_i8_select_fn depthwise_i8;
  small_window_i8_select_fn max_pool_i8;
  small_window_i8_select_fn avg_pool_i8;
  small_add_i8_fn add_i8;
  small_requant_i8_fn requant_i8;
  small_softmax_i8_fn softmax_i8;
  /* Optional: an RGB network input (NHWC, 3 int8 channels per pixel) to
   * the 4-lane pixels tables with conv_i8_k_group 4 read it as: 4 bytes per
   * pixel, the 4th 0. It runs on every inference, so an ISA folder may
   * vectorize it; NULL (the scalar table) keeps the engine's conversion. */
  void (*rgb_to_lanes4_i8)(const int8_t *rgb, int8_t *out, size_t pixels);
  /* How the int8 convolution weights are grouped (small_window_tile_i8):
   * 1 for the scalar kernels, 2 for a 16-bit pair-product path (x86
   * pmaddwd), 4 for 8-bit four-lane dot products (x86 VNNI vpdpbusd). A
   * divisor of channel_block. */
  size_t conv_i8_k_group;
  /* 1 if the int8 convolution tiles read small_window_tile_i8's
   * weight_sums (computed once when the layer is prepared), else 0. */
  int conv_i8_weight_sums;
  /* Requantization constants prepared once per layer (not per tile): when
   * requant_i8_bytes != 0, the layer calls prepare_requant_i8 for each
   * output block (Cb multipliers and shifts, the rounding mode and the
   * layer's output zero point) into requant_i8_bytes at a 64-byte aligned
   * start (4 bytes in compiled plans for the Cortex-M tables, whose kernels
   * load words), and the convolution and depthwise tiles read
   * small_window_tile_i8::requant. 0 and NULL: the kernels derive what they
   * need from multiplier and shift. */
  size_t requant_i8_bytes;
  void (*prepare_requant_i8)(const int32_t *multiplier, const int32_t *shift,
                             int single_rounding, int32_t out_zero_point,
                             void *out);
  /* Float convolutions of a planar input (in_lanes 1) into at most
   * conv_planar_lanes_channels output channels take tiles of up to
   * conv_planar_lanes_max_width pixels instead of conv_max_width (AVX-512
   * keeps up to 48 pixels in the lanes of three vectors; AVX2 gives 12
   * pixels one vector of channels each). 0: no such tiles. */
  size_t conv_planar_lanes_channels;
  size_t conv_planar_lanes_max_width;
  /* Float convolutions over a blocked input (in_lanes Cb) into one output
   * block (at most Cb channels) take tiles of up to this many pixels
   * instead of conv_max_width: the registers a tile of conv_max_out_blocks
   * blocks holds sums in hold more pixels of one block (AVX-512: 16 where
   * two blocks take 12). 0: conv_max_width. */
  size_t conv_one_block_max_width;
  /* Float 1x1 convolutions of stride 1 without padding or residual, over
   * at most Cb / 2 input channels (one input block) into one output block,
   * take tiles of up to this many pixels (the engine plans such a layer as
   * one row of h * w pixels). AVX-512: 384, MobileNet's 48x48 8 -> 16
   * layer in 6 calls, whose 128-FMA tiles of 16 pixels spent a third of
   * their time on the call, the weight loads and the epilogue. 0: as
   * above. */
  size_t conv_narrow_pointwise_max_width;
  /* Float convolutions of one output pixel (dense layers) take tiles of up
   * to this many output blocks instead of conv_max_out_blocks: a one-pixel
   * tile streams each block's weights once, and several blocks make several
   * streams in flight (and fewer calls). 0: conv_max_out_blocks. */
  size_t conv_f32_dense_out_blocks;
  /* Optional (NULL: none): Winograd F(2,3) tiles for the interior of float
   * 3x3 convolutions of stride 1 and dilation 1 over a blocked input
   * (in_lanes Cb), ungrouped, whose block groups have at most
   * conv_f32_winograd_blocks input blocks x output blocks. For such a
   * layer the engine keeps a second copy of the packed weights,
   * transformed: per output block, input block and filter row, [input
   * lane][k][Cb] with the row's taps g0, g1, g2 as U_0..U_3 = g0,
   * (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2 (12 Cb x Cb floats per pair
   * of blocks where the direct layout has 9). It calls this selector for
   * every grid of tiles with full 3-tap rows along a row (taps_w 3,
   * in_pixel_step and in_tap_w_step Cb, taps_h 1 to 3), and a variant it
   * returns is called with the transformed copy: weights, w_tap_h_step,
   * w_block_step and w_out_block_step count in it (4/3 of the direct ones),
   * w_tap_w_step is unused. NULL for a shape keeps the direct tile. */
  small_window_select_fn conv_f32_winograd;
  size_t conv_f32_winograd_blocks;
  /* 1: the float convolution tiles honour small_window_tile::residual, so
   * the graph folds a float Add of a convolution's output and another
   * tensor (and the Add's activation) into that convolution; 0: such Adds
   * run as layers. */
  int conv_residual;
  /* Optional (NULL: none): float depthwise tiles of whole rows, for 3x3
   * layers of dilation 1 padded along their rows as follows: stride 1 with
   * one column on each side (in_w == out_w), or stride 2 (both axes) with
   * one column on the right only (in_w == 2 out_w: TF's SAME padding of an
   * even width). Instead of a narrow tile per border column and tiles
   * along the interior, one call computes `rows` (the tile's field)
   * consecutive output rows of a band (the engine's rows with one range of
   * filter rows, taps_h of them) across the whole width, and the kernel
   * itself leaves out the taps that fall in the padding: output pixel j
   * reads input columns S j - P .. S j - P + 2 of those inside the row (S
   * the stride, P the left padding: 1 at stride 1, 0 at stride 2). The
   * tile's `in` is input column 0 of the first output row's first tap
   * row, in_pixel_step S * Cb, output row i's input S * i rows further;
   * taps_w is 3 and weights point at tap column 0. When the layer is
   * padded the same way above and below, the engine first asks this
   * selector for the whole image (small_window_shape::whole_image, taps_h
   * 3, out_blocks up to 8): a variant it returns takes the layer in one
   * call per 8 channel blocks. Else it calls the selector once per band
   * with width = out_w,
   * and a variant it returns takes the band in one call per channel block;
   * NULL for a shape keeps the layer's ordinary tiles. Small images are
   * where it pays: MobileNet's 6x6 layers take 3 calls per block in bands
   * (1 as a whole image) instead of 12, and the filter's weights stay in
   * registers for the whole band. */
  small_window_select_fn depthwise_rows;
} small_kernel_table;

/* The scalar reference table for any channel block (used as the oracle in
 * kernel tests, and as the base every ISA table overrides). */
small_kernel_table small_kernels_scalar(size_t channel_block);

/* The table of the ISA this library was built for
 * (kernels/<isa>/active_table.cpp). */
const small_kernel_table *small_kernels_active(void);

/* 1 if this CPU can run the active table's kernels (checked at run time, so a
 * library built for AVX-512 reports an error instead of faulting). */
int small_kernels_cpu_supported(void);

#ifdef __cplusplus
}
#endif

#endif /* SMALL_KERNEL_CONTRACT_H */
