// Helium int8 depthwise tile, bit for bit the scalar kernel's result.
//
// Depthwise sums run along the taps of one lane, so the lanes stay apart
// (MVE's integer VMLA multiplies by a scalar, not lane by lane). Per tap,
// 8 lanes of input are loaded widened to int16 (VLDRB.S16) with the input
// zero point subtracted, and 8 lanes of weights likewise; their products
// fit int16 exactly (|x - zp| <= 255, |w| <= 128), and VMULLB / VMULLT widen
// the even and the odd lanes' products to int32: per tap and 8 lanes, 7
// instructions for 8 multiply-accumulates. The sums run as even and odd
// lanes (VLD2 splits the bias and the requantization constants that way,
// VMOVNB / VMOVNT join the results again), 8 lanes at a time.
#include <arm_mve.h>
#include <cstddef>
#include <cstdint>

#include "kernel_contract.h"
#include "kernels.h"
#include "requant_mve.h"

namespace small::helium {

namespace {

// Lanes [8 h, 8 h + 8) of output pixel j, summed as even lanes (e) and odd
// lanes (o): 6 of the 8 vector registers, where all 16 lanes at once took 4
// for sums alone and spilled one to the stack at every tap.
struct HalfSums {
  int32x4_t e, o;
};

// Calls tap() at every tap of the tile's window in (row, tap) order (TH x
// TW taps unrolled; TH = TW = 0: the tile's window, in loops), each tap
// moving its pointers by the tap steps, and next_row(in_row, w_row) after
// every row with the steps from past a row's last tap to the next row's
// first (wrapping).
template <int TH, int TW, class Tap, class NextRow>
[[gnu::always_inline]] inline void walk_taps(const small_window_tile_i8 *t,
                                             Tap &&tap, NextRow &&next_row) {
  const size_t taps_h = TH > 0 ? TH : t->taps_h;
  const size_t taps_w = TW > 0 ? TW : t->taps_w;
  const size_t in_row = t->in_tap_h_step - taps_w * t->in_tap_w_step;
  const size_t w_row = t->w_tap_h_step - taps_w * t->w_tap_w_step;
#pragma GCC unroll 4
  for (size_t r = 0; r < taps_h; ++r) {
#pragma GCC unroll 4
    for (size_t s = 0; s < taps_w; ++s) {
      tap();
    }
    next_row(in_row, w_row);
  }
}

// TH x TW taps unrolled (TH = TW = 0: the tile's window, in loops).
template <int TH, int TW>
HalfSums dot_half(const small_window_tile_i8 *t, size_t j, size_t h) {
  const int8_t *in = t->in + j * t->in_pixel_step + 8 * h;
  const int8_t *weights = t->weights + j * t->w_pixel_step + 8 * h;
  // A scalar operand: a vector zero point would take a register.
  const int32_t zp = t->in_zero_point;
  const int32x4x2_t bias = vld2q_s32(t->bias + j * t->bias_pixel_step + 8 * h);
  int32x4_t e = bias.val[0], o = bias.val[1];
  // One tap in assembly, moving x and w to the next tap: written with
  // intrinsics, GCC 12 hoisted every tap's loads of an unrolled window ahead
  // of the products, spilled them, and computed each tap's addresses
  // separately. (A widening VLDRB takes a low base register: "l".)
  const size_t in_w = t->in_tap_w_step, w_w = t->w_tap_w_step;
  const auto tap = [&](const int8_t *&x, const int8_t *&w) {
    int16x8_t xv, wv;
    int32x4_t product;
    __asm__("vldrb.s16 %q[xv], [%[x]]\n\t"
            "vsub.i16 %q[xv], %q[xv], %[zp]\n\t"
            "vldrb.s16 %q[wv], [%[w]]\n\t"
            "vmullb.s16 %q[p], %q[xv], %q[wv]\n\t"
            "vadd.i32 %q[e], %q[e], %q[p]\n\t"
            "vmullt.s16 %q[p], %q[xv], %q[wv]\n\t"
            "vadd.i32 %q[o], %q[o], %q[p]\n\t"
            "add %[x], %[x], %[xs]\n\t"
            "add %[w], %[w], %[ws]"
            : [e] "+w"(e), [o] "+w"(o), [xv] "=&w"(xv), [wv] "=&w"(wv),
              [p] "=&w"(product), [x] "+l"(x), [w] "+l"(w)
            : [zp] "r"(zp), [xs] "r"(in_w), [ws] "r"(w_w),
              "m"(*reinterpret_cast<const int8_t(*)[8]>(x)),
              "m"(*reinterpret_cast<const int8_t(*)[8]>(w)));
  };
  // walk_taps' loop written out: through the helper's lambdas GCC 12 made
  // this one-pixel loop a third longer (MobileNet's tiles across blocks).
  const size_t taps_h = TH > 0 ? TH : t->taps_h;
  const size_t taps_w = TW > 0 ? TW : t->taps_w;
  // From past a row's last tap to the next row's first (wrapping).
  const size_t in_row = t->in_tap_h_step - taps_w * in_w;
  const size_t w_row = t->w_tap_h_step - taps_w * w_w;
  const int8_t *x = in, *w = weights;
#pragma GCC unroll 4
  for (size_t r = 0; r < taps_h; ++r, x += in_row, w += w_row) {
#pragma GCC unroll 4
    for (size_t s = 0; s < taps_w; ++s) {
      tap(x, w);
    }
  }
  return {e, o};
}

// bias - zp * sum(w) of half h, as dot_half's even and odd lanes: the
// start of dot_half_pair's sums, which multiply the raw input bytes
// (sum((x - zp) * w) = sum(x * w) - zp * sum(w), exact in wrapping int32).
// sum(w) runs in int16: at most kMaxPairTaps taps of |w| <= 128.
constexpr size_t kMaxPairTaps = 255;

HalfSums zero_point_bias(const small_window_tile_i8 *t, size_t h) {
  const int8_t *w = t->weights + 8 * h;
  const size_t w_w = t->w_tap_w_step;
  int16x8_t sum = vdupq_n_s16(0);
  walk_taps<0, 0>(
      t,
      [&] {
        sum = vaddq_s16(sum, vldrbq_s16(w));
        w += w_w;
      },
      [&](size_t, size_t w_row) { w += w_row; });
  const int16x8_t zp = vdupq_n_s16(static_cast<int16_t>(t->in_zero_point));
  const int32x4x2_t bias = vld2q_s32(t->bias + 8 * h);
  return {vsubq_s32(bias.val[0], vmullbq_int_s16(sum, zp)),
          vsubq_s32(bias.val[1], vmulltq_int_s16(sum, zp))};
}

// Half h of pixels j and j + 1 of a tile whose pixels share their weights,
// from `start` (zero_point_bias): per tap one weight load serves both
// pixels, and the raw bytes multiply (their products fit int16: |x|, |w|
// <= 128), so a tap of 2 pixels takes 14 instructions for 16
// multiply-accumulates, where dot_half takes 9 for 8. The second pixel is
// the first again for a tile's odd last pixel. In assembly for dot_half's
// reason; its 8 vector operands are all of MVE's registers.
template <int TH, int TW>
void dot_half_pair(const small_window_tile_i8 *t, size_t j, size_t h,
                   const HalfSums &start, HalfSums &a, HalfSums &b) {
  const size_t step = t->in_pixel_step;
  const int8_t *xa = t->in + j * step + 8 * h;
  const int8_t *xb = j + 1 < t->width ? xa + step : xa;
  const int8_t *w = t->weights + 8 * h;
  int32x4_t e0 = start.e, o0 = start.o, e1 = start.e, o1 = start.o;
  const size_t in_w = t->in_tap_w_step, w_w = t->w_tap_w_step;
  const auto tap = [&] {
    int16x8_t x0, x1, wv;
    int32x4_t product;
    __asm__("vldrb.s16 %q[wv], [%[w]]\n\t"
            "vldrb.s16 %q[x0], [%[xa]]\n\t"
            "vldrb.s16 %q[x1], [%[xb]]\n\t"
            "vmullb.s16 %q[p], %q[x0], %q[wv]\n\t"
            "vadd.i32 %q[e0], %q[e0], %q[p]\n\t"
            "vmullt.s16 %q[p], %q[x0], %q[wv]\n\t"
            "vadd.i32 %q[o0], %q[o0], %q[p]\n\t"
            "vmullb.s16 %q[p], %q[x1], %q[wv]\n\t"
            "vadd.i32 %q[e1], %q[e1], %q[p]\n\t"
            "vmullt.s16 %q[p], %q[x1], %q[wv]\n\t"
            "vadd.i32 %q[o1], %q[o1], %q[p]\n\t"
            "add %[xa], %[xa], %[xs]\n\t"
            "add %[xb], %[xb], %[xs]\n\t"
            "add %[w], %[w], %[ws]"
            : [e0] "+w"(e0), [o0] "+w"(o0), [e1] "+w"(e1), [o1] "+w"(o1),
              [x0] "=&w"(x0), [x1] "=&w"(x1), [wv] "=&w"(wv),
              [p] "=&w"(product), [xa] "+l"(xa), [xb] "+l"(xb), [w] "+l"(w)
            : [xs] "r"(in_w), [ws] "r"(w_w),
              "m"(*reinterpret_cast<const int8_t(*)[8]>(xa)),
              "m"(*reinterpret_cast<const int8_t(*)[8]>(xb)),
              "m"(*reinterpret_cast<const int8_t(*)[8]>(w)));
  };
  walk_taps<TH, TW>(t, tap, [&](size_t in_row, size_t w_row) {
    xa += in_row;
    xb += in_row;
    w += w_row;
  });
  a = {e0, o0};
  b = {e1, o1};
}

// The half's 8 output bytes at out: e and o requantized with their lanes'
// multipliers and shifts (VLD2 splits them as the sums), clamped, narrowed
// into one int16 vector in lane order (VMOVNB puts e in the even lanes,
// VMOVNT o in the odd ones) and stored as bytes. Right: every shift is a
// right shift of 1 to 31 (right_shifts_only).
template <bool Right>
void store_half(const small_window_tile_i8 *t, const HalfSums &sums,
                size_t channel, int8_t *out) {
  const int32x4x2_t m = vld2q_s32(t->multiplier + channel);
  const int32x4x2_t sh = vld2q_s32(t->shift + channel);
  const auto finish = [t](int32x4_t y) {
    return add_zero_point_and_clamp(t, y);
  };
  int32x4_t e, o;
  if constexpr (Right) {
    e = finish(requantize_right(sums.e, m.val[0], sh.val[0]));
    o = finish(requantize_right(sums.o, m.val[1], sh.val[1]));
  } else {
    e = finish(requantize_double(sums.e, m.val[0], sh.val[0]));
    o = finish(requantize_double(sums.o, m.val[1], sh.val[1]));
  }
  vstrbq_s16(out, vmovntq_s32(vmovnbq_s32(vdupq_n_s16(0), e), o));
}

// Single rounding needs 64-bit products, which MVE lacks: the scalar
// requantization, from the sums in lane order.
void store_half_single(const small_window_tile_i8 *t, const HalfSums &sums,
                       size_t channel, int8_t *out) {
  int32_t acc[8];
  const int32x4x2_t lanes = {{sums.e, sums.o}};
  vst2q_s32(acc, lanes);
  const cortex_m::TileRequant requant(t);
  for (size_t l = 0; l < 8; ++l) {
    out[l] = requant.channel(channel + l)(acc[l]);
  }
}

// The half's bytes with the tile's rounding (right: every shift of its
// lanes a right shift, right_shifts_only).
inline void store_half_as(const small_window_tile_i8 *t, const HalfSums &sums,
                          size_t channel, int8_t *out, bool right) {
  if (right) {
    store_half<true>(t, sums, channel, out);
  } else if (t->single_rounding == 0) {
    store_half<false>(t, sums, channel, out);
  } else {
    store_half_single(t, sums, channel, out);
  }
}

using PairFn = void (*)(const small_window_tile_i8 *, size_t, size_t,
                        const HalfSums &, HalfSums &, HalfSums &);

// dot_half_pair for the tile: the generic kernel's 3x2 and 2x3 windows
// (the left and right, top and bottom border pixels of a 3x3 layer) with
// their taps unrolled, where the loops cost about twice the instructions
// per tap.
template <int TH, int TW> PairFn pair_variant(const small_window_tile_i8 *t) {
  if constexpr (TH == 0 && TW == 0) {
    if (t->taps_h == 3 && t->taps_w == 2) {
      return dot_half_pair<3, 2>;
    }
    if (t->taps_h == 2 && t->taps_w == 3) {
      return dot_half_pair<2, 3>;
    }
  }
  return dot_half_pair<TH, TW>;
}

// The kernel serves the table's Cb only (t->cb == kChannelBlock). Each half
// of the block runs over all pixels of the tile; pixels of one block share
// their channels, so the requantization path is chosen once per half. A
// block of at most 8 channels (out_last_channels) computes its first half
// only and writes the pad lanes' byte into the second.
template <int TH, int TW>
void depthwise_i8__helium(const small_window_tile_i8 *t) {
  const size_t halves = t->out_last_channels <= 8 ? 1 : 2;
  if (halves == 1) {
    const int16x8_t pad = vdupq_n_s16(static_cast<int16_t>(pad_lane_byte(t)));
    for (size_t j = 0; j < t->width; ++j) {
      vstrbq_s16(t->out + j * t->out_pixel_step + 8, pad);
    }
  }
  const bool shared = t->bias_pixel_step == 0;
  // A tile across blocks (pixels in consecutive blocks, bias_pixel_step ==
  // Cb) checks its channels once: the general rounding's spills made it
  // 73 instructions per half where the right-shift one takes about 30.
  const bool across_right = !shared && t->single_rounding == 0 &&
                            t->bias_pixel_step == kChannelBlock &&
                            right_shifts_only(t, 0, kChannelBlock * t->width);
  for (size_t h = 0; h < halves; ++h) {
    const bool right =
        shared ? t->single_rounding == 0 && right_shifts_only(t, 8 * h, 8)
               : across_right;
    if (shared && t->w_pixel_step == 0 && t->width > 1 &&
        t->taps_h * t->taps_w <= kMaxPairTaps) {
      // Pixels of one block: their weights too are shared, two at a time.
      const HalfSums start = zero_point_bias(t, h);
      const auto pair = pair_variant<TH, TW>(t);
      for (size_t j = 0; j < t->width; j += 2) {
        HalfSums a, b;
        pair(t, j, h, start, a, b);
        for (size_t p = 0; p < 2 && j + p < t->width; ++p) {
          store_half_as(t, p == 0 ? a : b, 8 * h,
                        t->out + (j + p) * t->out_pixel_step + 8 * h, right);
        }
      }
      continue;
    }
    for (size_t j = 0; j < t->width; ++j) {
      int8_t *out = t->out + j * t->out_pixel_step + 8 * h;
      const size_t channel = j * t->bias_pixel_step + 8 * h;
      store_half_as(t, dot_half<TH, TW>(t, j, h), channel, out, right);
    }
  }
}

} // namespace

small_window_i8_fn select_depthwise_i8__helium(const small_window_shape *s) {
  if (s->taps_h == 3 && s->taps_w == 3) {
    return depthwise_i8__helium<3, 3>;
  }
  return depthwise_i8__helium<0, 0>;
}

} // namespace small::helium
