// Helium int8 convolution of a blocked input (in_lanes == Cb == 16), bit for
// bit the scalar kernel's result.
//
// sum((x - zp) * w) = sum(x * w) - zp * sum(w) in wrapping int32 arithmetic,
// so the inner loop multiplies the raw int8 lanes: per (input block, tap)
// segment, one VMLADAVA per pixel reduces 16 lanes of x * w into a scalar
// accumulator, and one VADDVA per output adds the 16 weights to sum(w).
// The sums are kept in arrays across chunks of at most kMaxSegments.
// Each output runs over up to 4 pixels at once (4 vector registers of
// inputs, 1 of weights, 4 accumulators in core registers), over a list of
// the tile's (input block, tap) segments made once per tile (so the inner
// loop has no nested block and tap loops to set up). Input lanes past
// the last block's channels meet zero weights (the packing's promise), so
// every load is a whole 16-lane block and no tail predicate is needed.
// The int32 sums are then requantized 4 lanes at a time (requant_mve.h).
#include <arm_mve.h>
#include <cstddef>
#include <cstdint>

#include "kernel_contract.h"
#include "kernels.h"
#include "requant_mve.h"

namespace small::helium {

namespace {

// Segments (one input block at one tap) per chunk of the reduction.
constexpr size_t kMaxSegments = 64;

// Where a segment starts in the input (pixel 0) and in the weights (output
// lane 0 of output block 0).
struct Segment {
  size_t in, weights;
};

// The segments from `first` on, in (block, tap row, tap) order, at most
// kMaxSegments; returns how many.
size_t list_segments(const small_window_tile_i8 *t, size_t first, size_t total,
                     Segment *out) {
  const size_t n = total - first < kMaxSegments ? total - first : kMaxSegments;
  for (size_t i = 0; i < n; ++i) {
    const size_t index = first + i;
    const size_t s = index % t->taps_w;
    const size_t r = index / t->taps_w % t->taps_h;
    const size_t b = index / t->taps_w / t->taps_h;
    out[i] = {b * t->in_block_step + r * t->in_tap_h_step +
                  s * t->in_tap_w_step,
              b * t->w_block_step + r * t->w_tap_h_step + s * t->w_tap_w_step};
  }
  return n;
}

// sums[p] += sum(x * w) over the segments for P pixels from in on (pixel
// step `step`), the output's weights from w on.
template <int P>
void dot(const Segment *segments, size_t n, const int8_t *in, size_t step,
         const int8_t *w, int32_t *sums) {
  int32_t s[P];
  for (int p = 0; p < P; ++p) {
    s[p] = sums[p];
  }
  for (size_t i = 0; i < n; ++i) {
    const int8x16_t wv = vldrbq_s8(w + segments[i].weights);
    const int8_t *x = in + segments[i].in;
    for (int p = 0; p < P; ++p) {
      s[p] = vmladavaq_s8(s[p], vldrbq_s8(x + p * step), wv);
    }
  }
  for (int p = 0; p < P; ++p) {
    sums[p] = s[p];
  }
}

// sums[j][o] += sum(x * w) over the segments, every pixel and output lane.
void dot_tile(const small_window_tile_i8 *t, const Segment *segments, size_t n,
              int32_t *sums) {
  const size_t cb = t->cb, width = t->width, step = t->in_pixel_step;
  int32_t column[kConvMaxWidth];
  for (size_t o = 0; o < cb; ++o) {
    const int8_t *w = t->weights + o * kConvGroup;
    for (size_t j = 0; j < width; ++j) {
      column[j] = sums[j * cb + o];
    }
    size_t j = 0;
    for (; j + 4 <= width; j += 4) {
      dot<4>(segments, n, t->in + j * step, step, w, column + j);
    }
    switch (width - j) {
    case 3:
      dot<3>(segments, n, t->in + j * step, step, w, column + j);
      break;
    case 2:
      dot<2>(segments, n, t->in + j * step, step, w, column + j);
      break;
    case 1:
      dot<1>(segments, n, t->in + j * step, step, w, column + j);
      break;
    default:
      break;
    }
    for (j = 0; j < width; ++j) {
      sums[j * cb + o] = column[j];
    }
  }
}

// weight_sums[o] += sum(w) over the segments (for the zero point term).
void add_weight_sums(const small_window_tile_i8 *t, const Segment *segments,
                     size_t n, int32_t *weight_sums) {
  for (size_t o = 0; o < t->cb; ++o) {
    const int8_t *w = t->weights + o * kConvGroup;
    int32_t sum = weight_sums[o];
    for (size_t i = 0; i < n; ++i) {
      sum = vaddvaq_s8(sum, vldrbq_s8(w + segments[i].weights));
    }
    weight_sums[o] = sum;
  }
}

// The kernel serves the table's Cb only (t->cb == kChannelBlock), one
// output block per tile (conv_max_out_blocks = 1).
void conv_i8_blocked__helium(const small_window_tile_i8 *t) {
  const size_t cb = t->cb, width = t->width;
  int32_t sums[kConvMaxWidth * kChannelBlock] = {};
  int32_t weight_sums[kChannelBlock] = {};
  Segment segments[kMaxSegments];
  const size_t total = t->in_blocks * t->taps_h * t->taps_w;
  for (size_t first = 0; first < total;) {
    const size_t n = list_segments(t, first, total, segments);
    dot_tile(t, segments, n, sums);
    add_weight_sums(t, segments, n, weight_sums);
    first += n;
  }
  // bias - zp * sum(w) per output lane, wrapping as the scalar sum does.
  int32_t base[kChannelBlock];
  for (size_t o = 0; o < cb; o += 4) {
    vstrwq_s32(base + o, vsubq_s32(vldrwq_s32(t->bias + o),
                                   vmulq_n_s32(vldrwq_s32(weight_sums + o),
                                               t->in_zero_point)));
  }
  for (size_t j = 0; j < width; ++j) {
    for (size_t o = 0; o < cb; o += 4) {
      int32_t *a = sums + j * cb + o;
      vstrwq_s32(a, vaddq_s32(vldrwq_s32(a), vldrwq_s32(base + o)));
    }
  }
  for (size_t j = 0; j < width; ++j) {
    requantize_pixel(t, t->out + j * t->out_pixel_step, sums + j * cb, 0);
  }
}

} // namespace

small_window_i8_fn select_conv_i8__helium(const small_window_shape *s) {
  return s->in_lanes == 1 ? select_conv_i8_planar__helium(s)
                          : conv_i8_blocked__helium;
}

} // namespace small::helium
