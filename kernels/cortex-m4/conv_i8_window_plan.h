// The Cortex-M4 convolution's window plans (conv_i8_smlad.cpp): which
// input spans a tile's pixels read and which weight runs their outputs
// take, and the widening of those inputs into the kernel's int16 scratch.
//
// The window is a list of (input block, tap) segments of Cb lanes (fewer in
// the last block). A plan merges segments whose inputs follow each other in
// memory into spans (a window row of one block is one span) and segments
// whose weights follow each other into runs (a full window is one run), up
// to what the scratch holds.
#ifndef SMALL_KERNELS_CORTEX_M4_CONV_I8_WINDOW_PLAN_H
#define SMALL_KERNELS_CORTEX_M4_CONV_I8_WINDOW_PLAN_H

#include <cstddef>
#include <cstdint>

#include "cortex-m/window_walk.h"
#include "cortex-m4/geometry.h"
#include "cortex-m4/smlad_quad.h"
#include "dsp.h"
#include "kernel_contract.h"

namespace small::cortex_m4 {

constexpr size_t kMaxRuns = 16;
constexpr size_t kMaxSpans = 32;
struct Run {
  const int8_t *weights; // group 0 of output lane 0 of output block 0
  size_t groups;
};

struct Span {
  size_t in; // bytes from the tile's input pointer
  size_t groups;
};

struct Plan {
  Run runs[kMaxRuns];
  Span spans[kMaxSpans];
  size_t run_count = 0, span_count = 0;
  size_t groups = 0; // scratch groups per pixel
  size_t end = 0;    // the segment after the plan's last
};

// Plans segments [first, ...) of the tile's `segments` while their groups
// of `pixels` pixels fit the scratch's `words` (the segments from a
// WindowWalk). Out of line: it runs once per tile (or per 4 pixels of a
// large window), and inlined into its four calls it made the firmware
// 2.3 KB larger.
inline __attribute__((noinline)) void make_plan(const small_window_tile_i8 *t,
                                                size_t first, size_t segments,
                                                size_t pixels, size_t words,
                                                Plan &p) {
  const size_t capacity = words / (2 * pixels);
  const size_t in_blocks = t->in_blocks;
  const size_t full_groups = t->cb / kConvGroup;
  const size_t last_groups =
      (t->in_last_channels + kConvGroup - 1) / kConvGroup;
  cortex_m::WindowWalk seg(t, first);
  size_t span_count = 0, run_count = 0, planned = 0;
  // Where the last span's inputs and the last run's weights end.
  size_t span_end = 0, run_end = 0;
  // The walk's segment (of `groups` groups) and the `taken - groups` after
  // it added to the plan, extending its last span and run when they
  // continue them; false when the segment does not fit.
  const auto take = [&](size_t groups, size_t taken) {
    const bool span_extends = span_count > 0 && span_end == seg.in;
    const bool run_extends = run_count > 0 && run_end == seg.w;
    if (planned + groups > capacity ||
        (!span_extends && span_count == kMaxSpans) ||
        (!run_extends && run_count == kMaxRuns)) {
      return false;
    }
    if (span_extends) {
      p.spans[span_count - 1].groups += taken;
    } else {
      p.spans[span_count++] = {seg.in, taken};
    }
    if (run_extends) {
      p.runs[run_count - 1].groups += taken;
    } else {
      p.runs[run_count++] = {t->weights + seg.w, taken};
    }
    planned += taken;
    span_end = seg.in + taken * kConvGroup;
    run_end = seg.w + taken * kGroupStep;
    return true;
  };
  const auto groups_of = [&](size_t block) {
    return block + 1 == in_blocks ? last_groups : full_groups;
  };
  size_t i = first;
  // A tap row of a full block whose segments follow each other in memory,
  // inputs and weights alike (stride 1), is one span and one run: taken
  // whole when it fits, without a step per segment (ResNet-8 1.2% fewer
  // instructions). Other windows (1-tap rows) step segment by segment.
  if (t->taps_w > 1 && t->in_tap_w_step == full_groups * kConvGroup &&
      t->w_tap_w_step == full_groups * kGroupStep) {
    while (i < segments) {
      const size_t groups = groups_of(seg.block);
      const size_t left = seg.row_left();
      const size_t row =
          groups == full_groups && planned + left * groups <= capacity ? left
                                                                       : 1;
      if (!take(groups, row * groups)) {
        break;
      }
      i += row;
      if (row > 1) {
        seg.next_row();
      } else {
        seg.next();
      }
    }
  } else {
    for (; i < segments; ++i, seg.next()) {
      const size_t groups = groups_of(seg.block);
      if (!take(groups, groups)) {
        break;
      }
    }
  }
  p.span_count = span_count;
  p.run_count = run_count;
  p.groups = planned;
  p.end = i;
}

// The plan of a whole window that is one span and one run: a one-tap window
// over input blocks that follow each other in memory, inputs and weights
// alike (a dense layer: a 1x1 window on a 1x1 image), when its groups of
// `pixels` pixels fit `words`. False for any other window, which make_plan
// steps segment by segment (the autoencoder's 640-channel windows took 80
// steps of it).
inline bool make_contiguous_plan(const small_window_tile_i8 *t, size_t segments,
                                 size_t pixels, size_t words, Plan &p) {
  const size_t full_groups = t->cb / kConvGroup;
  if (segments == 0 || t->taps_h * t->taps_w != 1 ||
      t->in_block_step != full_groups * kConvGroup ||
      t->w_block_step != full_groups * kGroupStep) {
    return false;
  }
  const size_t last_groups =
      (t->in_last_channels + kConvGroup - 1) / kConvGroup;
  const size_t groups = (segments - 1) * full_groups + last_groups;
  if (groups > words / (2 * pixels)) {
    return false;
  }
  p.spans[0] = {0, groups};
  p.runs[0] = {t->weights, groups};
  p.span_count = p.run_count = 1;
  p.groups = groups;
  p.end = segments;
  return true;
}

// The plan's inputs of the pixels at in0 and in1, widened: 4 words per
// group (pixel 0's even and odd lanes, then pixel 1's).
inline void widen_pair(const Plan &p, const int8_t *in0, const int8_t *in1,
                       int32_t offset, int32_t *dst) {
  for (size_t k = 0; k < p.span_count; ++k) {
    const int8_t *a = in0 + p.spans[k].in, *b = in1 + p.spans[k].in;
    for (size_t q = 0; q < p.spans[k].groups; ++q, dst += 4) {
      const int32_t va = load_word(a + q * kConvGroup);
      const int32_t vb = load_word(b + q * kConvGroup);
      dst[0] = offset_even_bytes(offset, va);
      dst[1] = offset_odd_bytes(offset, va);
      dst[2] = offset_even_bytes(offset, vb);
      dst[3] = offset_odd_bytes(offset, vb);
    }
  }
}

// The plan's inputs of one pixel, widened: 2 words per group.
inline void widen_one(const Plan &p, const int8_t *in, int32_t offset,
                      int32_t *dst) {
  for (size_t k = 0; k < p.span_count; ++k) {
    const int8_t *a = in + p.spans[k].in;
    for (size_t q = 0; q < p.spans[k].groups; ++q, dst += 2) {
      const int32_t v = load_word(a + q * kConvGroup);
      dst[0] = offset_even_bytes(offset, v);
      dst[1] = offset_odd_bytes(offset, v);
    }
  }
}

// The plan's inputs of the Pixels pixels from in, in_step apart, widened:
// 2 * Pixels words per group (each pixel's even and odd lanes, pixel by
// pixel).
template <size_t Pixels>
inline void widen_pixels(const Plan &p, const int8_t *in, size_t in_step,
                         int32_t offset, int32_t *dst) {
  for (size_t k = 0; k < p.span_count; ++k) {
    const int8_t *a = in + p.spans[k].in;
    for (size_t q = 0; q < p.spans[k].groups; ++q, dst += 2 * Pixels) {
      const int8_t *g = a + q * kConvGroup;
#pragma GCC unroll 8
      for (size_t i = 0; i < Pixels; ++i) {
        const int32_t v = load_word(g + i * in_step);
        dst[2 * i] = offset_even_bytes(offset, v);
        dst[2 * i + 1] = offset_odd_bytes(offset, v);
      }
    }
  }
}

} // namespace small::cortex_m4

#endif
