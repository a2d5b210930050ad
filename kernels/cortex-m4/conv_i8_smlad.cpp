// Cortex-M4 int8 convolution of a blocked input (in_lanes == Cb) with SMLAD,
// bit for bit the scalar kernel's result.
//
// Each tile first widens its input pixels to int16 with the input zero point
// already subtracted (SXTAB16: x - zp fits 16 bits), in a stack scratch, in
// the order SXTB16 splits a weight word: (lane 0, lane 2), (lane 1, lane 3)
// per group of 4 lanes. The inner loop then needs per 4 lanes of 2 pixels
// and 2 outputs: 2 weight words, 4 SXTB16, 4 scratch words, 8 SMLAD, i.e.
// 16 multiply-accumulates in about 18 instructions, against about 6 per MAC
// for the scalar loop. The weights (conv_i8_k_group = 4) give an output's 4
// lanes as one word and the next output's as the next word.
//
// The reduction runs over the tile's (input block, tap) segments of Cb lanes
// (fewer for the last block) in chunks that fit the scratch; within a chunk,
// segments whose weights follow each other (always within a full window)
// merge into one run, so a 1x1 or full 3x3 tile is one run. Accumulators
// live in an array across chunks and in registers within one.
#include <cstddef>
#include <cstdint>

#include "dsp.h"
#include "fixed_point.h"
#include "kernel_contract.h"
#include "kernels.h"
#include "scalar/scalar_kernels.h"

namespace small::cortex_m4 {

namespace {

// 2 KB: per pixel of an 8-wide tile, 32 groups of 4 lanes per chunk.
constexpr size_t kScratchWords = 512;
constexpr size_t kMaxRuns = 32;
constexpr size_t kMaxOutputs =
    kConvMaxWidth * kConvMaxOutBlocks * kChannelBlock;

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
// `scratch` ([pixel][group][2 words]) and returns the segment after them.
size_t fill_chunk(const small_window_tile_i8 *t, size_t next, size_t end,
                  int32_t *scratch, Chunk &c) {
  const size_t group_step = t->cb * kConvGroup; // weight bytes per group
  const size_t capacity = kScratchWords / 2 / t->width;
  c.run_count = 0;
  c.groups = 0;
  const size_t first = next;
  for (; next < end; ++next) {
    const Segment g = segment(t, next);
    Run *last = c.run_count > 0 ? &c.runs[c.run_count - 1] : nullptr;
    const int8_t *w = t->weights + g.weights;
    const bool extends =
        last != nullptr && last->weights + last->groups * group_step == w;
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
  // -zp in both halves: SXTAB16 adds it while widening.
  const uint32_t neg_zp = static_cast<uint16_t>(-t->in_zero_point);
  const int32_t offset = static_cast<int32_t>(neg_zp | neg_zp << 16);
  for (size_t j = 0; j < t->width; ++j) {
    int32_t *dst = scratch + j * 2 * c.groups;
    for (size_t i = first; i < next; ++i) {
      const Segment g = segment(t, i);
      const int8_t *in = t->in + g.in + j * t->in_pixel_step;
      for (size_t q = 0; q < g.groups; ++q) {
        const int32_t v = load_word(in + q * kConvGroup);
        dst[0] = offset_even_bytes(offset, v);
        dst[1] = offset_odd_bytes(offset, v);
        dst += 2;
      }
    }
  }
  return next;
}

// Two outputs (weights at w_offset and w_offset + 4 in every group) of two
// pixels (scratch rows x0, x1): acc0[0..1] pixel 0, acc1[0..1] pixel 1.
void dot_2x2(const Chunk &c, size_t w_offset, size_t group_step,
             const int32_t *x0, const int32_t *x1, int32_t *acc0,
             int32_t *acc1) {
  int32_t c00 = acc0[0], c01 = acc0[1], c10 = acc1[0], c11 = acc1[1];
  for (size_t r = 0; r < c.run_count; ++r) {
    const int8_t *w = c.runs[r].weights + w_offset;
    for (size_t q = c.runs[r].groups; q > 0; --q) {
      const int32_t w0 = load_word(w), w1 = load_word(w + kConvGroup);
      w += group_step;
      const int32_t a0 = x0[0], b0 = x0[1], a1 = x1[0], b1 = x1[1];
      x0 += 2;
      x1 += 2;
      int32_t e = even_bytes(w0), o = odd_bytes(w0);
      c00 = dual_mac(b0, o, dual_mac(a0, e, c00));
      c10 = dual_mac(b1, o, dual_mac(a1, e, c10));
      e = even_bytes(w1);
      o = odd_bytes(w1);
      c01 = dual_mac(b0, o, dual_mac(a0, e, c01));
      c11 = dual_mac(b1, o, dual_mac(a1, e, c11));
    }
  }
  acc0[0] = c00;
  acc0[1] = c01;
  acc1[0] = c10;
  acc1[1] = c11;
}

// Two outputs of one pixel (an odd tile width's last pixel).
void dot_2x1(const Chunk &c, size_t w_offset, size_t group_step,
             const int32_t *x0, int32_t *acc0) {
  int32_t c00 = acc0[0], c01 = acc0[1];
  for (size_t r = 0; r < c.run_count; ++r) {
    const int8_t *w = c.runs[r].weights + w_offset;
    for (size_t q = c.runs[r].groups; q > 0; --q) {
      const int32_t w0 = load_word(w), w1 = load_word(w + kConvGroup);
      w += group_step;
      const int32_t a0 = x0[0], b0 = x0[1];
      x0 += 2;
      c00 = dual_mac(b0, odd_bytes(w0), dual_mac(a0, even_bytes(w0), c00));
      c01 = dual_mac(b0, odd_bytes(w1), dual_mac(a0, even_bytes(w1), c01));
    }
  }
  acc0[0] = c00;
  acc0[1] = c01;
}

int8_t requantize(const small_window_tile_i8 *t, int32_t acc, size_t channel) {
  const int32_t scaled = fixed::multiply_by_quantized_multiplier(
      acc, t->multiplier[channel], t->shift[channel], t->single_rounding != 0);
  return static_cast<int8_t>(fixed::clamp(
      fixed::wrapping_add(scaled, t->out_zero_point), t->act_min, t->act_max));
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
  const size_t group_step = cb * kConvGroup;
  const size_t segments = t->in_blocks * t->taps_h * t->taps_w;
  for (size_t next = 0; next < segments;) {
    next = fill_chunk(t, next, segments, scratch, c);
    const size_t row = 2 * c.groups; // scratch words per pixel
    for (size_t o = 0; o < outputs; o += 2) {
      const size_t w_offset =
          (o / cb) * t->w_out_block_step + (o % cb) * kConvGroup;
      size_t j = 0;
      for (; j + 2 <= width; j += 2) {
        dot_2x2(c, w_offset, group_step, scratch + j * row,
                scratch + (j + 1) * row, acc + j * outputs + o,
                acc + (j + 1) * outputs + o);
      }
      if (j < width) {
        dot_2x1(c, w_offset, group_step, scratch + j * row,
                acc + j * outputs + o);
      }
    }
  }
  for (size_t k = 0; k < t->out_blocks; ++k) {
    int8_t *out = t->out + k * t->out_block_step;
    for (size_t j = 0; j < width; ++j) {
      for (size_t o = 0; o < cb; ++o) {
        out[j * t->out_pixel_step + o] =
            requantize(t, acc[j * outputs + k * cb + o], k * cb + o);
      }
    }
  }
}

} // namespace

small_window_i8_fn select_conv_i8__cortex_m4(const small_window_shape *s) {
  return s->in_lanes == 1 ? small::scalar::conv_i8__scalar
                          : conv_i8_blocked__cortex_m4;
}

} // namespace small::cortex_m4
