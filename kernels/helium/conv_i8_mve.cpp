// Helium int8 convolution of a blocked input (in_lanes == Cb == 16), bit for
// bit the scalar kernel's result.
//
// sum((x - zp) * w) = sum(x * w) - zp * sum(w) in wrapping int32 arithmetic,
// so the inner loop multiplies the raw int8 lanes: per (input block, tap)
// segment, one VMLADAVA per pixel and output reduces 16 lanes of x * w into a
// scalar accumulator, and the first pass over an output also adds its 16
// weights to sum(w) with VADDVA (the weights are in a register already).
//
// The tile's segments are listed once per tile as runs: segments whose
// weights follow each other and whose inputs are evenly spaced (a window
// row, a dense layer's whole input, the input blocks of a 1x1 layer). Runs
// longer than the list holds continue in further lists, the sums in arrays
// between them. Pixels go 4 at a time per output (4 input vectors and the
// weight vector per segment); the pixels left over (and a dense layer's
// single pixel) go one at a time, 4 outputs at once (the input vector and 4
// weight vectors per segment). Input lanes past the last block's channels
// meet zero weights (the packing's promise), so every load is a whole
// 16-lane block and no tail predicate is needed. The int32 sums are then
// gathered and requantized 4 lanes at a time (requant_mve.h), with the
// shorter rounding when every shift of the block is a right shift.
#include <arm_mve.h>
#include <cstddef>
#include <cstdint>

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
  size_t s = first % t->taps_w;
  size_t r = first / t->taps_w % t->taps_h;
  size_t b = first / t->taps_w / t->taps_h;
  n = 0;
  size_t i = first;
  for (; i < total; ++i) {
    const size_t in =
        b * t->in_block_step + r * t->in_tap_h_step + s * t->in_tap_w_step;
    const size_t w =
        b * t->w_block_step + r * t->w_tap_h_step + s * t->w_tap_w_step;
    Run *last = n > 0 ? &runs[n - 1] : nullptr;
    if (last != nullptr && last->weights + last->count * kSegmentWeights == w &&
        in > last->in &&
        (last->count == 1 || last->in + last->count * last->in_step == in)) {
      last->in_step = (in - last->in) / last->count;
      ++last->count;
    } else if (n < kMaxRuns) {
      runs[n++] = {in, w, 1, kChannelBlock};
    } else {
      break;
    }
    if (++s == t->taps_w) {
      s = 0;
      if (++r == t->taps_h) {
        r = 0;
        ++b;
      }
    }
  }
  return i;
}

// Sums of 4 pixels' inputs (x0 on, pixel step `step`, segment step
// InStep, or in_step when InStep is 0) with the weights from w on over
// `count` segments; with Sums, ws += sum(w). A fixed InStep lets the loads
// post-increment their pointers.
template <bool Sums, size_t InStep> struct Accumulate4 {
  int32_t s0, s1, s2, s3, ws;

  void run(const int8_t *x0, size_t step, const int8_t *w, size_t count,
           size_t in_step) {
    const size_t by = InStep != 0 ? InStep : in_step;
    const int8_t *x1 = x0 + step, *x2 = x1 + step, *x3 = x2 + step;
    for (size_t i = 0; i < count; ++i) {
      const int8x16_t wv = vldrbq_s8(w);
      w += kSegmentWeights;
      s0 = vmladavaq_s8(s0, vldrbq_s8(x0), wv);
      s1 = vmladavaq_s8(s1, vldrbq_s8(x1), wv);
      s2 = vmladavaq_s8(s2, vldrbq_s8(x2), wv);
      s3 = vmladavaq_s8(s3, vldrbq_s8(x3), wv);
      x0 += by;
      x1 += by;
      x2 += by;
      x3 += by;
      if (Sums) {
        ws = vaddvaq_s8(ws, wv);
      }
    }
  }
};

// One output (weights from w on) of 4 pixels (from in on, pixel step
// `step`): sums[0..3] += sum(x * w); with Sums, *wsum += sum(w) too. InStep:
// every run's in_step when they all share it at compile time, else 0.
template <bool Sums, size_t InStep>
void dot_4_pixels(const Run *runs, size_t n, const int8_t *in, size_t step,
                  const int8_t *w, int32_t *sums, int32_t *wsum) {
  Accumulate4<Sums, InStep> a{sums[0], sums[1], sums[2], sums[3], *wsum};
  for (size_t r = 0; r < n; ++r) {
    a.run(in + runs[r].in, step, w + runs[r].weights, runs[r].count,
          runs[r].in_step);
  }
  sums[0] = a.s0;
  sums[1] = a.s1;
  sums[2] = a.s2;
  sums[3] = a.s3;
  *wsum = a.ws;
}

// dot_4_pixels for every output of a window that is one run (a 1x1
// convolution, a dense layer): the run's pointers are set up once for all
// the outputs.
template <bool Sums>
void dot_4_pixels_one_run(const Run &run, const int8_t *in, size_t step,
                          const int8_t *weights, int32_t *sums,
                          int32_t *weight_sums) {
  const int8_t *x0 = in + run.in;
  const int8_t *w = weights + run.weights;
  for (size_t o = 0; o < kChannelBlock; ++o, w += kConvGroup) {
    int32_t *s = sums + o * kConvMaxWidth;
    int32_t s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
    int32_t ws = weight_sums[o];
    const int8_t *x = x0, *wr = w;
    for (size_t i = 0; i < run.count; ++i) {
      const int8x16_t wv = vldrbq_s8(wr);
      wr += kSegmentWeights;
      s0 = vmladavaq_s8(s0, vldrbq_s8(x), wv);
      s1 = vmladavaq_s8(s1, vldrbq_s8(x + step), wv);
      s2 = vmladavaq_s8(s2, vldrbq_s8(x + 2 * step), wv);
      s3 = vmladavaq_s8(s3, vldrbq_s8(x + 3 * step), wv);
      x += run.in_step;
      if (Sums) {
        ws = vaddvaq_s8(ws, wv);
      }
    }
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
    weight_sums[o] = ws;
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
// InStep as for dot_4_pixels.
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

template <size_t InStep>
void dot_tile_runs(const small_window_tile_i8 *t, const Run *runs, size_t n,
                   int32_t *sums, int32_t *weight_sums) {
  const size_t width = t->width, step = t->in_pixel_step;
  size_t j = 0;
  if (n == 1) {
    for (; j + 4 <= width; j += 4) {
      if (j == 0) {
        dot_4_pixels_one_run<true>(runs[0], t->in, step, t->weights, sums,
                                   weight_sums);
      } else {
        dot_4_pixels_one_run<false>(runs[0], t->in + j * step, step, t->weights,
                                    sums + j, weight_sums);
      }
    }
  }
  for (; j + 4 <= width; j += 4) {
    for (size_t o = 0; o < kChannelBlock; ++o) {
      const int8_t *w = t->weights + o * kConvGroup;
      int32_t *s = sums + o * kConvMaxWidth + j;
      if (j == 0) {
        dot_4_pixels<true, InStep>(runs, n, t->in, step, w, s, weight_sums + o);
      } else {
        dot_4_pixels<false, InStep>(runs, n, t->in + j * step, step, w, s,
                                    weight_sums + o);
      }
    }
  }
  for (; j < width; ++j) {
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
// are all contiguous (window rows) post-increment their pointers.
void dot_tile(const small_window_tile_i8 *t, const Run *runs, size_t n,
              int32_t *sums, int32_t *weight_sums) {
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

// Requantizes every pixel of the tile: the sums of outputs o..o+3 of pixel
// j gathered from sums ([output][pixel], one VLDRW gather) plus base, 4
// lanes at a time (requantize_lanes).
template <bool Right>
void store_tile(const small_window_tile_i8 *t, const int32_t *sums,
                const int32_t *base) {
  const uint32x4_t rows = vmulq_n_u32(vidupq_n_u32(0, 1), kConvMaxWidth);
  for (size_t j = 0; j < t->width; ++j) {
    int8_t *out = t->out + j * t->out_pixel_step;
    for (size_t o = 0; o < kChannelBlock; o += 4) {
      const int32x4_t acc = vaddq_s32(
          vldrwq_gather_shifted_offset_s32(sums + o * kConvMaxWidth + j, rows),
          vldrwq_s32(base + o));
      requantize_lanes<Right>(t, out + o, acc, o);
    }
  }
}

// The kernel serves the table's Cb only (t->cb == kChannelBlock), one
// output block per tile (conv_max_out_blocks = 1).
void conv_i8_blocked__helium(const small_window_tile_i8 *t) {
  const size_t width = t->width;
  // Zeroed with vector stores: the row of every output up to the tile's
  // width (a `= {}` became a memset of all of it, 6% of MobileNet's run).
  int32_t sums[kChannelBlock * kConvMaxWidth]; // [output][pixel]
  int32_t weight_sums[kChannelBlock];
  const int32x4_t zero = vdupq_n_s32(0);
  for (size_t o = 0; o < kChannelBlock; ++o) {
    for (size_t j = 0; j < width; j += 4) {
      vstrwq_s32(sums + o * kConvMaxWidth + j, zero);
    }
  }
  for (size_t o = 0; o < kChannelBlock; o += 4) {
    vstrwq_s32(weight_sums + o, zero);
  }
  Run runs[kMaxRuns];
  const size_t total = t->in_blocks * t->taps_h * t->taps_w;
  for (size_t first = 0; first < total;) {
    size_t n = 0;
    const size_t next = list_runs(t, first, total, runs, n);
    dot_tile(t, runs, n, sums, weight_sums);
    first = next;
  }
  // bias - zp * sum(w) per output lane, wrapping as the scalar sum does.
  int32_t base[kChannelBlock];
  for (size_t o = 0; o < kChannelBlock; o += 4) {
    vstrwq_s32(base + o, vsubq_s32(vldrwq_s32(t->bias + o),
                                   vmulq_n_s32(vldrwq_s32(weight_sums + o),
                                               t->in_zero_point)));
  }
  if (t->single_rounding != 0) {
    int32_t pixel[kChannelBlock];
    for (size_t j = 0; j < width; ++j) {
      for (size_t o = 0; o < kChannelBlock; ++o) {
        pixel[o] = static_cast<int32_t>(
            static_cast<uint32_t>(sums[o * kConvMaxWidth + j]) +
            static_cast<uint32_t>(base[o]));
      }
      requantize_pixel<false>(t, t->out + j * t->out_pixel_step, pixel, 0);
    }
  } else if (right_shifts_only(t, 0, kChannelBlock)) {
    store_tile<true>(t, sums, base);
  } else {
    store_tile<false>(t, sums, base);
  }
}

} // namespace

small_window_i8_fn select_conv_i8__helium(const small_window_shape *s) {
  return s->in_lanes == 1 ? select_conv_i8_planar__helium(s)
                          : conv_i8_blocked__helium;
}

} // namespace small::helium
