// Helium int8 convolution of a planar input (in_lanes == 1: the network's
// first layer on an RGB or one-channel image), bit for bit the scalar
// kernel's result.
//
// A planar pixel has one lane, so the reduction runs over the window's taps
// instead: the tile lists its taps (input block, tap row, tap) as segments
// of up to 16 taps of one block whose input offsets from the segment's
// first fit a byte, and gathers each pixel's segment as one int8 vector
// (VLDRB gather). The weights are stored by tap (16 outputs side by side),
// so the tile first transposes them into a stack copy by output and
// segment (two VSTRB scatters per tap). Each output of two pixels then
// takes one weight load and two VMLADAVA per segment: 16 taps per
// instruction, where a VMLA by each tap's scalar input makes 4. With
// sum((x - zp) * w) = sum(x * w) - zp * sum(w), the raw bytes multiply.
// Lanes past a segment's taps read the segment's first tap and meet zero
// weights. Windows of more than kMaxSegments segments (none in the MLPerf
// Tiny models: DS-CNN's 10x4 window is 3 segments, an RGB 3x3 one 3) keep
// the direct form: each tap's input value (x - zp) multiplies the tap's
// output weights, loaded widened to int32 four at a time, with VMLA into
// up to 4 vectors of int32 sums.
// Only the groups of 4 outputs that hold channels run (out_last_channels:
// MobileNet's first layer has 8 channels in its 16-lane block); the pad
// lanes past them get their fixed byte.
#include <arm_mve.h>
#include <cstddef>
#include <cstdint>

#include "kernel_contract.h"
#include "kernels.h"
#include "requant_mve.h"

namespace small::helium {

namespace {

// The sums of output lanes [0, 4 Groups) of pixel j of output block k into
// acc. TapsW: the window's width when fixed at compile time (3 or 4: a row's
// taps unrolled), else 0 (t->taps_w).
template <size_t Groups, size_t TapsW>
void dot_pixel(const small_window_tile_i8 *t, size_t k, size_t j,
               int32_t *acc) {
  const int8_t *in = t->in + j * t->in_pixel_step;
  const int8_t *weights = t->weights + k * t->w_out_block_step;
  const int32_t *bias = t->bias + k * kChannelBlock;
  const size_t taps_w = TapsW != 0 ? TapsW : t->taps_w;
  const size_t in_w = t->in_tap_w_step, w_w = t->w_tap_w_step;
  const int32_t zp = t->in_zero_point;
  int32x4_t a[Groups];
  for (size_t g = 0; g < Groups; ++g) {
    a[g] = vldrwq_s32(bias + 4 * g);
  }
  for (size_t b = 0; b < t->in_blocks; ++b) {
    for (size_t r = 0; r < t->taps_h; ++r) {
      const int8_t *x = in + b * t->in_block_step + r * t->in_tap_h_step;
      const int8_t *w = weights + b * t->w_block_step + r * t->w_tap_h_step;
      const auto tap = [&] {
        const int32_t v = *x - zp;
        for (size_t g = 0; g < Groups; ++g) {
          a[g] = vmlaq_n_s32(a[g], vldrbq_s32(w + 4 * g), v);
        }
        x += in_w;
        w += w_w;
      };
      if constexpr (TapsW != 0) {
#pragma GCC unroll 4
        for (size_t s = 0; s < TapsW; ++s) {
          tap();
        }
      } else {
        for (size_t s = 0; s < taps_w; ++s) {
          tap();
        }
      }
    }
  }
  for (size_t g = 0; g < Groups; ++g) {
    vstrwq_s32(acc + 4 * g, a[g]);
  }
}

// The output bytes of one pixel of output block `channel` / Cb from its
// sums acc[0, lanes), the pad lanes past them (lanes < Cb) written first
// with their byte. Right: as for requantize_lanes. One function shared by
// every (Groups, TapsW) instance of the dot (noclone: GCC 12 otherwise
// copied it per lane count): inlined, the requantization paths made the
// 12 instances 19.6 KB of flash, against 7.6 KB now, for 2% fewer
// instructions on DS-CNN.
__attribute__((noinline, noclone)) void
store_pixel(const small_window_tile_i8 *t, int8_t *out, const int32_t *acc,
            size_t channel, size_t lanes, bool right) {
  if (lanes < kChannelBlock) { // the whole block, before the computed lanes
    vstrbq_s8(out, vdupq_n_s8(pad_lane_byte(t)));
  }
  if (t->single_rounding != 0) {
    const cortex_m::TileRequant requant(t);
    for (size_t o = 0; o < lanes; ++o) {
      out[o] = requant.channel(channel + o)(acc[o]);
    }
    return;
  }
  for (size_t o = 0; o < lanes; o += 4) {
    const int32x4_t sums = vldrwq_s32(acc + o);
    if (right) {
      requantize_lanes<true>(t, out + o, sums, channel + o);
    } else {
      requantize_lanes<false>(t, out + o, sums, channel + o);
    }
  }
}

// Output block k of every pixel, its lanes [0, 4 Groups) computed and the
// rest (pad lanes) written with their byte.
template <size_t Groups, size_t TapsW>
void block_pixels(const small_window_tile_i8 *t, size_t k) {
  const size_t channel = k * kChannelBlock;
  const size_t lanes = 4 * Groups;
  const bool right =
      t->single_rounding == 0 && right_shifts_only(t, channel, lanes);
  int32_t acc[kChannelBlock];
  for (size_t j = 0; j < t->width; ++j) {
    dot_pixel<Groups, TapsW>(t, k, j, acc);
    store_pixel(t, t->out + k * t->out_block_step + j * t->out_pixel_step, acc,
                channel, lanes, right);
  }
}

// Segments per window, and tile pixels (the tile's max width). Tiles of
// fewer than kMinPixels pixels keep the direct form: the per-tile listing
// and transposition cost more than the gathers save on them (DS-CNN's
// one-pixel border tiles).
constexpr size_t kMaxSegments = 3;
constexpr size_t kMaxPixels = 16;
constexpr size_t kMinPixels = 4;

// The window's taps as segments for the gathers, listed row of taps by
// row of taps: segment g's taps are at input offsets in[g] + offsets[g][i]
// (i < taps[g]; lanes past them: 0) from a pixel's input. A row of taps
// stays in one segment; row q's taps (row_taps[q] of them, w_tap_w_step
// apart) have their weights (output lane 0) from the tile's weights +
// row_weights[q] on, and row_first[q] is its first tap's segment lane
// (g * 16 + i).
struct Segments {
  size_t count = 0, rows = 0;
  size_t in[kMaxSegments];
  uint8_t offsets[kMaxSegments][16];
  size_t taps[kMaxSegments];
  size_t row_weights[kMaxSegments * 16];
  uint8_t row_taps[kMaxSegments * 16], row_first[kMaxSegments * 16];
};

// Lists the tile's taps in (block, tap row, tap) order; false when a row of
// taps spans more than a byte of offsets or 16 taps, or the window needs
// more than kMaxSegments segments. A row's offsets are one vector
// (first + s * step) stored with a tail predicate.
bool list_segments(const small_window_tile_i8 *t, Segments &sg) {
  const size_t blocks = t->in_blocks, rows = t->taps_h, cols = t->taps_w;
  const size_t in_block = t->in_block_step, in_row = t->in_tap_h_step,
               in_col = t->in_tap_w_step;
  const size_t w_block = t->w_block_step, w_row = t->w_tap_h_step;
  const size_t span = (cols - 1) * in_col;
  if (cols == 0 || cols > 16 || span > 255) {
    return false;
  }
  const uint8x16_t steps =
      vmulq_n_u8(vidupq_n_u8(0, 1), static_cast<uint8_t>(in_col));
  const mve_pred16_t row_lanes = vctp8q(cols);
  size_t count = 0, taps = 16, base = 0, q = 0;
  for (size_t b = 0; b < blocks; ++b) {
    for (size_t r = 0; r < rows; ++r, ++q) {
      const size_t in = b * in_block + r * in_row;
      if (taps + cols > 16 || in < base || in + span - base > 255) {
        if (count == kMaxSegments) {
          return false;
        }
        if (count > 0) {
          sg.taps[count - 1] = taps;
        }
        base = in;
        taps = 0;
        sg.in[count] = in;
        vstrbq_u8(sg.offsets[count], vdupq_n_u8(0));
        ++count;
      }
      const size_t g = count - 1;
      vstrbq_p_u8(&sg.offsets[g][taps],
                  vaddq_n_u8(steps, static_cast<uint8_t>(in - base)),
                  row_lanes);
      sg.row_weights[q] = b * w_block + r * w_row;
      sg.row_taps[q] = static_cast<uint8_t>(cols);
      sg.row_first[q] = static_cast<uint8_t>(g * 16 + taps);
      taps += cols;
    }
  }
  if (count == 0) {
    return false;
  }
  sg.taps[count - 1] = taps;
  sg.count = count;
  sg.rows = q;
  return true;
}

// Transposes the rows' weights (output block k, outputs o < 8 (Hi false)
// or < 16) into wt[g][o][16], zero past a segment's taps, and sets wsum[o]
// to each output's sum of weights (int16: at most 48 taps of 127). Per tap
// two widening loads and two VSTRB scatters.
template <bool Hi>
void transpose_weights(const small_window_tile_i8 *t, size_t k,
                       const Segments &sg, int8_t (*wt)[kChannelBlock][16],
                       int16_t *wsum) {
  const int8_t *const weights = t->weights + k * t->w_out_block_step;
  const size_t w_col = t->w_tap_w_step;
  // Output o's byte of a tap goes to wt[g][o][i]: 16 bytes apart.
  const uint16x8_t by_output = vmulq_n_u16(vidupq_n_u16(0, 1), 16);
  int16x8_t lo_sum = vdupq_n_s16(0), hi_sum = vdupq_n_s16(0);
  for (size_t g = 0; g < sg.count; ++g) {
    for (size_t o = 0; o < (Hi ? 16 : 8); ++o) {
      vstrbq_s8(wt[g][o], vdupq_n_s8(0));
    }
  }
  for (size_t q = 0; q < sg.rows; ++q) {
    const size_t first = sg.row_first[q];
    int8_t *dst = &wt[first / 16][0][first % 16];
    const int8_t *w = weights + sg.row_weights[q];
    for (size_t s = sg.row_taps[q]; s > 0; --s, ++dst, w += w_col) {
      const int16x8_t lo = vldrbq_s16(w);
      vstrbq_scatter_offset_s16(dst, by_output, lo);
      lo_sum = vaddq_s16(lo_sum, lo);
      if (Hi) {
        const int16x8_t hi = vldrbq_s16(w + 8);
        vstrbq_scatter_offset_s16(dst + 8 * 16, by_output, hi);
        hi_sum = vaddq_s16(hi_sum, hi);
      }
    }
  }
  vstrhq_s16(wsum, lo_sum);
  if (Hi) {
    vstrhq_s16(wsum + 8, hi_sum);
  }
}

// sums[o * kMaxPixels + j] for outputs o < lanes and the tile's pixels, two
// pixels at a time (a lone last pixel with itself): per output and segment
// one weight load and two VMLADAVA.
template <size_t NSeg>
void dot_planar(const small_window_tile_i8 *t, const Segments &sg,
                const int8_t (*wt)[kChannelBlock][16], size_t lanes,
                int32_t *sums) {
  const size_t width = t->width, step = t->in_pixel_step;
  for (size_t j = 0; j < width; j += 2) {
    const int8_t *pa = t->in + j * step;
    const int8_t *pb = j + 1 < width ? pa + step : pa;
    // The offsets are loaded per pixel pair: kept in registers across the
    // pairs, 3 segments' offsets and inputs and a weight vector are 10 of
    // MVE's 8 registers (GCC spilled two inputs per output).
    int8x16_t xa[NSeg], xb[NSeg];
    for (size_t g = 0; g < NSeg; ++g) {
      const uint8x16_t offsets = vldrbq_u8(sg.offsets[g]);
      xa[g] = vldrbq_gather_offset_s8(pa + sg.in[g], offsets);
      xb[g] = vldrbq_gather_offset_s8(pb + sg.in[g], offsets);
    }
    int32_t *s = sums + j;
    for (size_t o = 0; o < lanes; ++o, s += kMaxPixels) {
      int32_t a = 0, c = 0;
      for (size_t g = 0; g < NSeg; ++g) {
        const int8x16_t w = vldrbq_s8(wt[g][o]);
        a = vmladavaq_s8(a, xa[g], w);
        c = vmladavaq_s8(c, xb[g], w);
      }
      s[0] = a;
      s[1] = c;
    }
  }
}

// Output block k of the tile through the segments; false (nothing written)
// when its window has too many.
bool block_segments(const small_window_tile_i8 *t, size_t k, size_t lanes) {
  Segments sg;
  if (t->width > kMaxPixels || t->width < kMinPixels || !list_segments(t, sg)) {
    return false;
  }
  int8_t wt[kMaxSegments][kChannelBlock][16];
  int16_t wsum[kChannelBlock];
  if (lanes > 8) {
    transpose_weights<true>(t, k, sg, wt, wsum);
  } else {
    transpose_weights<false>(t, k, sg, wt, wsum);
  }
  // Two pixels' sums past an odd width: the lone pixel's pair.
  int32_t sums[kChannelBlock * kMaxPixels + 1];
  switch (sg.count) {
  case 1:
    dot_planar<1>(t, sg, wt, lanes, sums);
    break;
  case 2:
    dot_planar<2>(t, sg, wt, lanes, sums);
    break;
  default:
    dot_planar<3>(t, sg, wt, lanes, sums);
    break;
  }
  // bias - zp * sum(w) per output lane, wrapping as the scalar sum does.
  const size_t channel = k * kChannelBlock;
  int32_t base[kChannelBlock];
  for (size_t o = 0; o < lanes; o += 4) {
    vstrwq_s32(base + o,
               vsubq_s32(vldrwq_s32(t->bias + channel + o),
                         vmulq_n_s32(vldrhq_s32(wsum + o), t->in_zero_point)));
  }
  int8_t *out = t->out + k * t->out_block_step;
  if (lanes < kChannelBlock) { // the pad lanes' byte, before the computed
    const int8x16_t pad = vdupq_n_s8(pad_lane_byte(t));
    for (size_t j = 0; j < t->width; ++j) {
      vstrbq_s8(out + j * t->out_pixel_step, pad);
    }
  }
  requantize_sums<kMaxPixels>(t, out, sums, base, channel, lanes);
  return true;
}

// The kernel serves the table's Cb only (t->cb == kChannelBlock).
template <size_t TapsW>
void conv_i8_planar__helium(const small_window_tile_i8 *t) {
  for (size_t k = 0; k < t->out_blocks; ++k) {
    const size_t live =
        k + 1 == t->out_blocks ? t->out_last_channels : kChannelBlock;
    if (block_segments(t, k, (live + 3) / 4 * 4)) {
      continue;
    }
    switch ((live + 3) / 4) {
    case 1:
      block_pixels<1, TapsW>(t, k);
      break;
    case 2:
      block_pixels<2, TapsW>(t, k);
      break;
    case 3:
      block_pixels<3, TapsW>(t, k);
      break;
    default:
      block_pixels<4, TapsW>(t, k);
      break;
    }
  }
}

} // namespace

small_window_i8_fn select_conv_i8_planar__helium(const small_window_shape *s) {
  switch (s->taps_w) {
  case 3: // MobileNet's and ResNet-8's 3x3
    return conv_i8_planar__helium<3>;
  case 4: // DS-CNN's 10x4
    return conv_i8_planar__helium<4>;
  default:
    return conv_i8_planar__helium<0>;
  }
}

} // namespace small::helium
