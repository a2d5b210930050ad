// Cortex-M4 int8 convolution of a blocked input (in_lanes == Cb) with SMLAD,
// bit for bit the scalar kernel's result.
//
// Each tile first widens its input pixels to int16 with the input zero point
// already subtracted (SXTAB16: x - zp fits 16 bits), in a stack scratch, in
// the order SXTB16 splits a weight word: (lane 0, lane 2), (lane 1, lane 3)
// per group of 4 lanes. The inner loop then needs per 4 lanes of 2 pixels
// and 2 outputs: 2 weight words, 4 SXTB16, 4 scratch words, 8 SMLAD, i.e.
// 16 multiply-accumulates in 19 instructions (GCC 12), where the scalar
// loop spends several per MAC. The weights (conv_i8_k_group = 4) give an
// output's 4 lanes as one word and the next output's as the next word.
//
// The reduction runs over the tile's (input block, tap) segments of Cb lanes
// (fewer for the last block) in chunks that fit the scratch; within a chunk,
// segments whose weights follow each other (always within a full window)
// merge into one run, so a 1x1 or full 3x3 tile is one run. Accumulators
// live in an array across chunks and in registers within one.
#include <cstddef>
#include <cstdint>

#include "cortex-m/requant_i8.h"
#include "dsp.h"
#include "kernel_contract.h"
#include "kernels.h"

namespace small::cortex_m4 {

namespace {

// 2 KB: per pixel of an 8-wide tile, 32 groups of 4 lanes per chunk.
constexpr size_t kScratchWords = 512;
constexpr size_t kMaxRuns = 32;
constexpr size_t kMaxOutputs =
    kConvMaxWidth * kConvMaxOutBlocks * kChannelBlock;

// Weight bytes from one group of 4 input lanes to the next (Cb outputs).
// The kernel serves the table's Cb only (t->cb == kChannelBlock), which makes
// this step a constant of the inner loop.
constexpr size_t kGroupStep = kChannelBlock * kConvGroup;

struct Run {
  const int8_t *weights; // group 0 of output lane 0 of output block 0
  size_t groups;
};

struct Chunk {
  Run runs[kMaxRuns];
  size_t run_count = 0;
  size_t groups = 0; // scratch groups per pixel (2 words each)
};

// Where segment (b, r, s) of the reduction starts in the input and weights.
struct Segment {
  size_t in, weights, groups;
};

Segment segment(const small_window_tile_i8 *t, size_t index) {
  const size_t s = index % t->taps_w;
  const size_t r = index / t->taps_w % t->taps_h;
  const size_t b = index / t->taps_w / t->taps_h;
  const size_t lanes = b + 1 == t->in_blocks ? t->in_last_channels : t->cb;
  return {b * t->in_block_step + r * t->in_tap_h_step + s * t->in_tap_w_step,
          b * t->w_block_step + r * t->w_tap_h_step + s * t->w_tap_w_step,
          (lanes + kConvGroup - 1) / kConvGroup};
}

// Takes segments from `next` on while they fit; widens their inputs into
// `scratch` and returns the segment after them.
size_t fill_chunk(const small_window_tile_i8 *t, size_t next, size_t end,
                  int32_t *scratch, Chunk &c) {
  const size_t capacity = kScratchWords / 2 / t->width;
  c.run_count = 0;
  c.groups = 0;
  const size_t first = next;
  for (; next < end; ++next) {
    const Segment g = segment(t, next);
    Run *last = c.run_count > 0 ? &c.runs[c.run_count - 1] : nullptr;
    const int8_t *w = t->weights + g.weights;
    const bool extends =
        last != nullptr && last->weights + last->groups * kGroupStep == w;
    if (c.groups + g.groups > capacity ||
        (!extends && c.run_count == kMaxRuns)) {
      break;
    }
    if (extends) {
      last->groups += g.groups;
    } else {
      c.runs[c.run_count++] = {w, g.groups};
    }
    c.groups += g.groups;
  }
  const int32_t offset = negated_pair(t->in_zero_point);
  const size_t width = t->width, pair_words = 4 * c.groups;
  size_t group = 0; // of the chunk, at segment i
  for (size_t i = first; i < next; ++i) {
    const Segment g = segment(t, i);
    const int8_t *in = t->in + g.in;
    for (size_t j = 0; j < width; ++j, in += t->in_pixel_step) {
      // Pixels 2p and 2p + 1 interleave group by group (4 words per
      // group), so that the inner loop reads both through one pointer; an
      // odd last pixel follows alone (2 words per group).
      const size_t words = j + 1 < width || j % 2 == 1 ? 4 : 2;
      int32_t *dst = scratch + j / 2 * pair_words + group * words + j % 2 * 2;
      for (size_t q = 0; q < g.groups; ++q, dst += words) {
        const int32_t v = load_word(in + q * kConvGroup);
        dst[0] = offset_even_bytes(offset, v);
        dst[1] = offset_odd_bytes(offset, v);
      }
    }
    group += g.groups;
  }
  return next;
}

// Two outputs (weights at w_offset and w_offset + 4 in every group) of two
// pixels whose scratch groups interleave from x on; acc0[0..1] pixel 0,
// acc1[0..1] pixel 1.
void dot_2x2(const Chunk &c, size_t w_offset, const int32_t *x, int32_t *acc0,
             int32_t *acc1) {
  int32_t c00 = acc0[0], c01 = acc0[1], c10 = acc1[0], c11 = acc1[1];
  for (size_t r = 0; r < c.run_count; ++r) {
    const int8_t *w = c.runs[r].weights + w_offset;
    const int32_t *end = x + 4 * c.runs[r].groups;
    for (; x != end; x += 4, w += kGroupStep) {
      const int32_t w0 = load_word(w), w1 = load_word(w + kConvGroup);
      int32_t e = even_bytes(w0), o = odd_bytes(w0);
      c00 = dual_mac(x[1], o, dual_mac(x[0], e, c00));
      c10 = dual_mac(x[3], o, dual_mac(x[2], e, c10));
      e = even_bytes(w1);
      o = odd_bytes(w1);
      c01 = dual_mac(x[1], o, dual_mac(x[0], e, c01));
      c11 = dual_mac(x[3], o, dual_mac(x[2], e, c11));
    }
  }
  acc0[0] = c00;
  acc0[1] = c01;
  acc1[0] = c10;
  acc1[1] = c11;
}

// Two outputs of one pixel (an odd tile width's last pixel).
void dot_2x1(const Chunk &c, size_t w_offset, const int32_t *x, int32_t *acc0) {
  int32_t c00 = acc0[0], c01 = acc0[1];
  for (size_t r = 0; r < c.run_count; ++r) {
    const int8_t *w = c.runs[r].weights + w_offset;
    const int32_t *end = x + 2 * c.runs[r].groups;
    for (; x != end; x += 2, w += kGroupStep) {
      const int32_t w0 = load_word(w), w1 = load_word(w + kConvGroup);
      c00 = dual_mac(x[1], odd_bytes(w0), dual_mac(x[0], even_bytes(w0), c00));
      c01 = dual_mac(x[1], odd_bytes(w1), dual_mac(x[0], even_bytes(w1), c01));
    }
  }
  acc0[0] = c00;
  acc0[1] = c01;
}

// acc is [pixel][output] with outputs = out_blocks * Cb.
void conv_i8_blocked__cortex_m4(const small_window_tile_i8 *t) {
  const size_t cb = t->cb, width = t->width;
  const size_t outputs = t->out_blocks * cb;
  int32_t acc[kMaxOutputs];
  for (size_t j = 0; j < width; ++j) {
    for (size_t o = 0; o < outputs; ++o) {
      acc[j * outputs + o] = t->bias[o];
    }
  }
  int32_t scratch[kScratchWords];
  Chunk c;
  const size_t segments = t->in_blocks * t->taps_h * t->taps_w;
  for (size_t next = 0; next < segments;) {
    next = fill_chunk(t, next, segments, scratch, c);
    const size_t pair_words = 4 * c.groups; // scratch words per pixel pair
    for (size_t o = 0; o < outputs; o += 2) {
      const size_t w_offset =
          (o / cb) * t->w_out_block_step + (o % cb) * kConvGroup;
      size_t j = 0;
      for (; j + 2 <= width; j += 2) {
        dot_2x2(c, w_offset, scratch + j / 2 * pair_words,
                acc + j * outputs + o, acc + (j + 1) * outputs + o);
      }
      if (j < width) {
        dot_2x1(c, w_offset, scratch + j / 2 * pair_words,
                acc + j * outputs + o);
      }
    }
  }
  const cortex_m::TileRequant requant(t);
  for (size_t o = 0; o < outputs; ++o) {
    requant.channel(o).store(acc + o, outputs,
                             t->out + o / cb * t->out_block_step + o % cb,
                             t->out_pixel_step, width);
  }
}

} // namespace

small_window_i8_fn select_conv_i8__cortex_m4(const small_window_shape *s) {
  return s->in_lanes == 1 ? select_conv_i8_planar__cortex_m4(s)
                          : conv_i8_blocked__cortex_m4;
}

} // namespace small::cortex_m4
