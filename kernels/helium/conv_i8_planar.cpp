// Helium int8 convolution of a planar input (in_lanes == 1: the network's
// first layer on an RGB or one-channel image), bit for bit the scalar
// kernel's result.
//
// A planar pixel has one lane, so there is nothing to reduce across lanes;
// instead each tap's input value (x - zp) multiplies the tap's output
// weights, loaded widened to int32 four at a time (VLDRB.S32), with VMLA
// (vector by scalar) into up to 4 vectors of int32 sums: per tap and pixel
// the scalar load and subtraction, then a load and a VMLA per 4 outputs.
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

// The kernel serves the table's Cb only (t->cb == kChannelBlock).
template <size_t TapsW>
void conv_i8_planar__helium(const small_window_tile_i8 *t) {
  for (size_t k = 0; k < t->out_blocks; ++k) {
    const size_t live =
        k + 1 == t->out_blocks ? t->out_last_channels : kChannelBlock;
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
