// Helium int8 convolution of a blocked input (in_lanes == Cb == 16), bit for
// bit the scalar kernel's result.
//
// sum((x - zp) * w) = sum(x * w) - zp * sum(w) in wrapping int32 arithmetic,
// so the inner loop multiplies the raw int8 lanes: per (input block, tap)
// segment, one VMLADAVA per pixel and output reduces 16 lanes of x * w into a
// scalar accumulator, and the first pass over an output also adds its 16
// weights to sum(w) with VADDVA (the weights are in a register already).
//
// Pixels go 4 at a time: their windows are first gathered into a stack
// scratch, segment after segment (im2col, 4 copies of 16 bytes per segment),
// so that every output then reads the 4 pixels as one run with
// post-incremented loads: per segment 1 weight load, 4 input loads and 4
// VMLADAVA (64 multiply-accumulates), whatever the window's shape (a 3x3
// row of taps, a 1x1 layer's input blocks, a window clipped at a border).
// The weights of the listed segments are walked as runs of contiguous
// segments (a whole window is one run; a clipped one, a run per row). A
// window of one segment (a 1x1 layer of at most 16 channels) keeps the 4
// inputs in registers for every output instead (dot_4_one_segment). A
// window larger than the scratch goes in several parts, the sums in an
// array between them. The pixels left over (and a dense layer's single
// pixel) go one at a time, 4 outputs at once (the input vector and 4 weight
// vectors per segment), reading the input in place through runs of evenly
// spaced segments. Input lanes past the last block's channels meet zero
// weights (the packing's promise), so every load is a whole 16-lane block
// and no tail predicate is needed. The int32 sums are then requantized 4
// output lanes at a time (requant_mve.h), each group's constants loaded
// once for all the tile's pixels, with the shorter rounding when every
// shift of the block is a right shift.
#include <algorithm>
#include <arm_mve.h>
#include <cstddef>
#include <cstdint>

#include "cortex-m/window_walk.h"
#include "kernel_contract.h"
#include "kernels.h"
#include "requant_mve.h"

namespace small::helium {

namespace {

// Runs per list.
constexpr size_t kMaxRuns = 32;
// Weight bytes of one segment for all Cb outputs.
constexpr size_t kSegmentWeights = kChannelBlock * kConvGroup;

// Segments [0, count) from in (pixel 0) and weights (output lane 0 of
// output block 0) on: the weights contiguous, the inputs in_step bytes
// apart (a block: a window row; an input block step: a 1x1 layer's
// blocks).
struct Run {
  size_t in, weights, count, in_step;
};

// Lists runs of the segments from `first` on, in (block, tap row, tap)
// order, at most kMaxRuns; sets n to their count and returns the segment
// after the last listed.
size_t list_runs(const small_window_tile_i8 *t, size_t first, size_t total,
                 Run *runs, size_t &n) {
  cortex_m::WindowWalk seg(t, first);
  size_t count = 0;
  size_t i = first;
  for (; i < total; ++i, seg.next()) {
    const size_t in = seg.in, w = seg.w;
    Run *last = count > 0 ? &runs[count - 1] : nullptr;
    if (last != nullptr && last->weights + last->count * kSegmentWeights == w &&
        in > last->in &&
        (last->count == 1 || last->in + last->count * last->in_step == in)) {
      last->in_step = (in - last->in) / last->count;
      ++last->count;
    } else if (count < kMaxRuns) {
      runs[count++] = {in, w, 1, kChannelBlock};
    } else {
      break;
    }
  }
  n = count;
  return i;
}

// Segments of the tile's window gathered for 4 pixels at a time, at most
// kGatherSegments: each segment's input offset from a pixel's input, and the
// weights of the segments as runs of consecutive segments (kSegmentWeights
// apart). 27 (a 3x3 window of 48 channels): ResNet-8's 3x3 windows of 64
// channels (36 segments) take two passes, 0.3% more of its instructions, and
// the scratch and this list, most of the firmware's stack, 0.7 KB less than
// at 36, which brings its RAM within 10% of its arena.
constexpr size_t kGatherSegments = 27;

struct Gathered {
  size_t count = 0, runs = 0;
  uint32_t in[kGatherSegments];
  const int8_t *run_weights[kGatherSegments];
  uint32_t run_count[kGatherSegments];
};

// Lists segments [first, ...) of the tile's window in (block, tap row, tap)
// order, at most kGatherSegments; returns the segment after the last.
size_t list_gathered(const small_window_tile_i8 *t, size_t first, size_t total,
                     Gathered &g) {
  cortex_m::WindowWalk seg(t, first);
  size_t count = 0, runs = 0;
  const size_t end = std::min(total, first + kGatherSegments);
  for (size_t i = first; i < end; ++i, seg.next()) {
    g.in[count++] = static_cast<uint32_t>(seg.in);
    const int8_t *w = t->weights + seg.w;
    if (runs > 0 &&
        g.run_weights[runs - 1] + g.run_count[runs - 1] * kSegmentWeights ==
            w) {
      ++g.run_count[runs - 1];
    } else {
      g.run_weights[runs] = w;
      g.run_count[runs++] = 1;
    }
  }
  g.count = count;
  g.runs = runs;
  return end;
}

// Copies the listed segments of 4 pixels (pixel p's input at in + p * step)
// to scratch, segment by segment, the 4 pixels' 16 bytes side by side: one
// pointer then reaches all 4 with immediate offsets.
void gather_4_pixels(const int8_t *in, size_t step, const Gathered &g,
                     int8_t *scratch) {
  const int8_t *x0 = in, *x1 = x0 + step, *x2 = x1 + step, *x3 = x2 + step;
  int8_t *d = scratch;
  for (size_t i = 0; i < g.count; ++i, d += 4 * kChannelBlock) {
    const size_t off = g.in[i];
    vstrbq_s8(d, vldrbq_s8(x0 + off));
    vstrbq_s8(d + kChannelBlock, vldrbq_s8(x1 + off));
    vstrbq_s8(d + 2 * kChannelBlock, vldrbq_s8(x2 + off));
    vstrbq_s8(d + 3 * kChannelBlock, vldrbq_s8(x3 + off));
  }
}

// s0..s3 += sum(x * w) of the 4 gathered pixels over `count` segments from x
// and w on (the weights kSegmentWeights apart); with Sums, ws += sum(w).
// x ends past the segments.
template <bool Sums>
[[gnu::always_inline]] inline void
accumulate_4_gathered(const int8_t *&x, const int8_t *w, size_t count,
                      int32_t &s0, int32_t &s1, int32_t &s2, int32_t &s3,
                      int32_t &ws) {
  for (size_t i = count; i > 0; --i) {
    const int8x16_t wv = vldrbq_s8(w);
    w += kSegmentWeights;
    s1 = vmladavaq_s8(s1, vldrbq_s8(x + kChannelBlock), wv);
    s2 = vmladavaq_s8(s2, vldrbq_s8(x + 2 * kChannelBlock), wv);
    s3 = vmladavaq_s8(s3, vldrbq_s8(x + 3 * kChannelBlock), wv);
    s0 = vmladavaq_s8(s0, vldrbq_s8(x), wv);
    x += 4 * kChannelBlock;
    if (Sums) {
      ws = vaddvaq_s8(ws, wv);
    }
  }
}

// Every output o of the 4 gathered pixels (the runs' weights + o *
// kConvGroup): sums[o * kConvMaxWidth + 0..3] += sum(x * w); with Sums,
// weight_sums[o] += sum(w) too. Fresh: the sums (and with Sums the weight
// sums) are still zero, the tile's whole window in one gathered list, so
// they start from zero instead of from memory. A window of one run (every
// 1x1 layer and every window away from the borders) has a loop of its own,
// without the run list's loads per output. Not inlined: inside the tile's
// function GCC 12 kept the 4 sums on the stack, a load and a store around
// every VMLADAVA. No SLP vectorization: it made the 4 sums' stores one vector
// store of a vector built through the stack (5 instructions for 2 STRD).
template <bool Sums, bool Fresh>
[[gnu::noinline, gnu::optimize("no-tree-slp-vectorize")]] void
dot_4_gathered(const int8_t *scratch, const Gathered &g, int32_t *sums,
               int32_t *weight_sums) {
  // One output's sums in and out of memory around `accumulate`.
  const auto output = [&](size_t o, auto accumulate)
      __attribute__((always_inline)) {
    int32_t *s = sums + o * kConvMaxWidth;
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, ws = 0;
    if (!Fresh) {
      s0 = s[0];
      s1 = s[1];
      s2 = s[2];
      s3 = s[3];
      if (Sums) {
        ws = weight_sums[o];
      }
    }
    accumulate(s0, s1, s2, s3, ws);
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
    if (Sums) {
      weight_sums[o] = ws;
    }
  };
  if (g.runs == 1) {
    const int8_t *w = g.run_weights[0];
    const size_t count = g.run_count[0];
    for (size_t o = 0; o < kChannelBlock; ++o, w += kConvGroup) {
      output(
          o, [&](int32_t & s0, int32_t & s1, int32_t & s2, int32_t & s3,
                 int32_t & ws) __attribute__((always_inline)) {
            const int8_t *x = scratch;
            accumulate_4_gathered<Sums>(x, w, count, s0, s1, s2, s3, ws);
          });
    }
    return;
  }
  for (size_t o = 0; o < kChannelBlock; ++o) {
    output(
        o, [&](int32_t & s0, int32_t & s1, int32_t & s2, int32_t & s3,
               int32_t & ws) __attribute__((always_inline)) {
          const int8_t *x = scratch;
          for (size_t r = 0; r < g.runs; ++r) {
            accumulate_4_gathered<Sums>(x, g.run_weights[r] + o * kConvGroup,
                                        g.run_count[r], s0, s1, s2, s3, ws);
          }
        });
  }
}

// A window of one segment (a 1x1 layer of at most Cb input channels:
// MobileNet's 8- and 16-channel inputs), whose sums start from zero: the 4
// pixels' inputs stay in registers for all Cb outputs, so an output costs
// its weight load, 4 VMLADAVA and its stores (about 10 instructions, where
// dot_4_gathered's general loop reloads the inputs and the sums and took
// about 30). With Sums, weight_sums[o] = sum(w).
template <bool Sums>
[[gnu::noinline]] void dot_4_one_segment(const int8_t *scratch, const int8_t *w,
                                         int32_t *sums, int32_t *weight_sums) {
  const int8x16_t x0 = vldrbq_s8(scratch);
  const int8x16_t x1 = vldrbq_s8(scratch + kChannelBlock);
  const int8x16_t x2 = vldrbq_s8(scratch + 2 * kChannelBlock);
  const int8x16_t x3 = vldrbq_s8(scratch + 3 * kChannelBlock);
#pragma GCC unroll 2
  for (size_t o = 0; o < kChannelBlock; ++o, w += kConvGroup) {
    const int8x16_t wv = vldrbq_s8(w);
    int32_t *s = sums + o * kConvMaxWidth;
    s[0] = vmladavq_s8(x0, wv);
    s[1] = vmladavq_s8(x1, wv);
    s[2] = vmladavq_s8(x2, wv);
    s[3] = vmladavq_s8(x3, wv);
    if (Sums) {
      weight_sums[o] = vaddvq_s8(wv);
    }
  }
}

// Every output of pixels [0, 4 * (width / 4)) of the tile, 4 pixels at a
// time through the scratch: sums[o * kConvMaxWidth + j] += sum(x * w), and
// weight_sums[o] += sum(w) (in the first 4 pixels' pass).
void dot_pixel_quads(const small_window_tile_i8 *t, int32_t *sums,
                     int32_t *weight_sums) {
  const size_t width = t->width & ~size_t{3}, step = t->in_pixel_step;
  const size_t total = t->in_blocks * t->taps_h * t->taps_w;
  if (width == 0) {
    return;
  }
  int8_t scratch[4 * kGatherSegments * kChannelBlock];
  Gathered g;
  if (total == 1) {
    list_gathered(t, 0, total, g);
    for (size_t j = 0; j < width; j += 4) {
      gather_4_pixels(t->in + j * step, step, g, scratch);
      if (j == 0) {
        dot_4_one_segment<true>(scratch, g.run_weights[0], sums, weight_sums);
      } else {
        dot_4_one_segment<false>(scratch, g.run_weights[0], sums + j,
                                 weight_sums);
      }
    }
    return;
  }
  if (total <= kGatherSegments) {
    list_gathered(t, 0, total, g);
    for (size_t j = 0; j < width; j += 4) {
      gather_4_pixels(t->in + j * step, step, g, scratch);
      if (j == 0) {
        dot_4_gathered<true, true>(scratch, g, sums, weight_sums);
      } else {
        dot_4_gathered<false, true>(scratch, g, sums + j, weight_sums);
      }
    }
    return;
  }
  for (size_t first = 0; first < total;) {
    const size_t next = list_gathered(t, first, total, g);
    for (size_t j = 0; j < width; j += 4) {
      gather_4_pixels(t->in + j * step, step, g, scratch);
      if (j == 0) {
        dot_4_gathered<true, false>(scratch, g, sums + j, weight_sums);
      } else {
        dot_4_gathered<false, false>(scratch, g, sums + j, weight_sums);
      }
    }
    first = next;
  }
}

// Sums of one pixel's inputs (x on, segment step InStep, or in_step when
// InStep is 0) with 4 outputs' weights (w on, kConvGroup apart) over
// `count` segments; with Sums, ws[q] += sum(w_q).
template <bool Sums, size_t InStep> struct Accumulate1x4 {
  int32_t s[4], ws[4];

  void run(const int8_t *x, const int8_t *w, size_t count, size_t in_step) {
    const size_t by = InStep != 0 ? InStep : in_step;
    int32_t s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
    int32_t ws0 = ws[0], ws1 = ws[1], ws2 = ws[2], ws3 = ws[3];
    for (size_t i = 0; i < count; ++i) {
      const int8x16_t xv = vldrbq_s8(x);
      x += by;
      const int8x16_t w0 = vldrbq_s8(w), w1 = vldrbq_s8(w + kConvGroup),
                      w2 = vldrbq_s8(w + 2 * kConvGroup),
                      w3 = vldrbq_s8(w + 3 * kConvGroup);
      w += kSegmentWeights;
      s0 = vmladavaq_s8(s0, xv, w0);
      s1 = vmladavaq_s8(s1, xv, w1);
      s2 = vmladavaq_s8(s2, xv, w2);
      s3 = vmladavaq_s8(s3, xv, w3);
      if (Sums) {
        ws0 = vaddvaq_s8(ws0, w0);
        ws1 = vaddvaq_s8(ws1, w1);
        ws2 = vaddvaq_s8(ws2, w2);
        ws3 = vaddvaq_s8(ws3, w3);
      }
    }
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
    ws[0] = ws0;
    ws[1] = ws1;
    ws[2] = ws2;
    ws[3] = ws3;
  }
};

// 4 outputs (weights from w on, kConvGroup apart) of one pixel (from in
// on): sums[q * sum_step] += sum(x * w_q); with Sums, wsum[q] += sum(w_q).
// InStep: every run's in_step when they all share it at compile time,
// else 0.
template <bool Sums, size_t InStep>
void dot_4_outputs(const Run *runs, size_t n, const int8_t *in, const int8_t *w,
                   int32_t *sums, size_t sum_step, int32_t *wsum) {
  Accumulate1x4<Sums, InStep> a{
      {sums[0], sums[sum_step], sums[2 * sum_step], sums[3 * sum_step]},
      {wsum[0], wsum[1], wsum[2], wsum[3]}};
  for (size_t r = 0; r < n; ++r) {
    a.run(in + runs[r].in, w + runs[r].weights, runs[r].count, runs[r].in_step);
  }
  for (int q = 0; q < 4; ++q) {
    sums[q * sum_step] = a.s[q];
    wsum[q] = a.ws[q];
  }
}

// Pixels [4 * (width / 4), width) of the tile, one at a time, 4 outputs at
// once, over the listed runs.
template <size_t InStep>
void dot_tile_runs(const small_window_tile_i8 *t, const Run *runs, size_t n,
                   int32_t *sums, int32_t *weight_sums) {
  const size_t step = t->in_pixel_step;
  for (size_t j = t->width & ~size_t{3}; j < t->width; ++j) {
    for (size_t o = 0; o < kChannelBlock; o += 4) {
      const int8_t *w = t->weights + o * kConvGroup;
      int32_t *s = sums + o * kConvMaxWidth + j;
      if (j == 0) {
        dot_4_outputs<true, InStep>(runs, n, t->in, w, s, kConvMaxWidth,
                                    weight_sums + o);
      } else {
        dot_4_outputs<false, InStep>(runs, n, t->in + j * step, w, s,
                                     kConvMaxWidth, weight_sums + o);
      }
    }
  }
}

// sums[o * kConvMaxWidth + j] += sum(x * w) over the listed runs, every
// pixel j and output lane o; weight_sums[o] += sum(w). Runs whose inputs
// are all contiguous (window rows) post-increment their pointers. Not
// inlined, for the reason dot_4_gathered is not.
[[gnu::noinline]] void dot_tile(const small_window_tile_i8 *t, const Run *runs,
                                size_t n, int32_t *sums, int32_t *weight_sums) {
  bool contiguous = true;
  for (size_t r = 0; r < n; ++r) {
    contiguous = contiguous && runs[r].in_step == kChannelBlock;
  }
  if (contiguous) {
    dot_tile_runs<kChannelBlock>(t, runs, n, sums, weight_sums);
  } else {
    dot_tile_runs<0>(t, runs, n, sums, weight_sums);
  }
}

// The kernel serves the table's Cb only (t->cb == kChannelBlock), one
// output block per tile (conv_max_out_blocks = 1).
void conv_i8_blocked__helium(const small_window_tile_i8 *t) {
  const size_t width = t->width;
  // Zeroed with 32 unrolled vector stores (a `= {}` became a call to
  // memset, 6% of MobileNet's run; a loop up to the tile's width spent 15
  // instructions per output on its bounds).
  int32_t sums[kChannelBlock * kConvMaxWidth]; // [output][pixel]
  int32_t weight_sums[kChannelBlock];
  const int32x4_t zero = vdupq_n_s32(0);
#pragma GCC unroll 32
  for (size_t i = 0; i < kChannelBlock * kConvMaxWidth; i += 4) {
    vstrwq_s32(sums + i, zero);
  }
  for (size_t o = 0; o < kChannelBlock; o += 4) {
    vstrwq_s32(weight_sums + o, zero);
  }
  dot_pixel_quads(t, sums, weight_sums);
  if (width % 4 != 0) {
    Run runs[kMaxRuns];
    const size_t total = t->in_blocks * t->taps_h * t->taps_w;
    for (size_t first = 0; first < total;) {
      size_t n = 0;
      const size_t next = list_runs(t, first, total, runs, n);
      dot_tile(t, runs, n, sums, weight_sums);
      first = next;
    }
  }
  // bias - zp * sum(w) per output lane, wrapping as the scalar sum does.
  int32_t base[kChannelBlock];
  for (size_t o = 0; o < kChannelBlock; o += 4) {
    vstrwq_s32(base + o, vsubq_s32(vldrwq_s32(t->bias + o),
                                   vmulq_n_s32(vldrwq_s32(weight_sums + o),
                                               t->in_zero_point)));
  }
  requantize_sums<kConvMaxWidth>(t, t->out, sums, base, 0, kChannelBlock);
}

} // namespace

small_window_i8_fn select_conv_i8__helium(const small_window_shape *s) {
  return s->in_lanes == 1 ? select_conv_i8_planar__helium(s)
                          : conv_i8_blocked__helium;
}

} // namespace small::helium
