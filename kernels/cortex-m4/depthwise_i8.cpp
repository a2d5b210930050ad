// Cortex-M4 int8 depthwise tile, bit for bit the scalar kernel's result.
//
// Depthwise sums run along the taps of one lane, and the lanes of a word
// belong to different channels, so there is no pair of products to add
// (SMLAD); instead one word load brings 4 lanes of input and 4 of weights,
// SXTAB16 / SXTB16 widen them (subtracting the input zero point on the way)
// and SMLABB / SMLATT accumulate one product per lane: per tap and 4 lanes,
// 2 loads, 4 extensions and 4 multiply-accumulates, where the scalar
// kernel spent about 10 per product on DS-CNN, requantization included.
#include <cstddef>
#include <cstdint>

#include "cortex-m/requant_i8.h"
#include "dsp.h"
#include "kernel_contract.h"
#include "kernels.h"

namespace small::cortex_m4 {

namespace {

constexpr size_t kLanes = 4; // lanes per word

// The sums of lanes [lane, lane + 4) of one pixel (in and w at its tap 0).
// TapsW: the window's width when fixed at compile time (3: the row's taps
// unrolled, no loop overhead per tap), else 0 (t->taps_w).
template <size_t TapsW>
void dot4(const small_window_tile_i8 *t, const int8_t *in, const int8_t *w,
          int32_t offset, const int32_t *bias, int32_t *acc) {
  const size_t taps_w = TapsW != 0 ? TapsW : t->taps_w;
  int32_t a0 = bias[0], a1 = bias[1], a2 = bias[2], a3 = bias[3];
  const size_t in_step = t->in_tap_w_step, w_step = t->w_tap_w_step;
  for (size_t r = 0; r < t->taps_h; ++r) {
    const int8_t *x = in + r * t->in_tap_h_step;
    const int8_t *wr = w + r * t->w_tap_h_step;
#pragma GCC unroll 3
    for (size_t s = taps_w; s > 0; --s, x += in_step, wr += w_step) {
      const int32_t xv = load_word(x), wv = load_word(wr);
      const int32_t x02 = offset_even_bytes(offset, xv);
      const int32_t x13 = offset_odd_bytes(offset, xv);
      const int32_t w02 = even_bytes(wv), w13 = odd_bytes(wv);
      a0 = mac_low(x02, w02, a0);
      a2 = mac_high(x02, w02, a2);
      a1 = mac_low(x13, w13, a1);
      a3 = mac_high(x13, w13, a3);
    }
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

// dot4 for pixels j and j + 1 sharing weights: the weight word and its
// halves serve both.
template <size_t TapsW>
void dot4_pair(const small_window_tile_i8 *t, const int8_t *in, const int8_t *w,
               int32_t offset, const int32_t *bias, int32_t *acc) {
  const size_t taps_w = TapsW != 0 ? TapsW : t->taps_w;
  int32_t a0 = bias[0], a1 = bias[1], a2 = bias[2], a3 = bias[3];
  int32_t b0 = a0, b1 = a1, b2 = a2, b3 = a3;
  const size_t in_step = t->in_tap_w_step, w_step = t->w_tap_w_step;
  const size_t pixel = t->in_pixel_step;
  for (size_t r = 0; r < t->taps_h; ++r) {
    const int8_t *x = in + r * t->in_tap_h_step;
    const int8_t *wr = w + r * t->w_tap_h_step;
#pragma GCC unroll 3
    for (size_t s = taps_w; s > 0; --s, x += in_step, wr += w_step) {
      const int32_t wv = load_word(wr);
      const int32_t w02 = even_bytes(wv), w13 = odd_bytes(wv);
      int32_t xv = load_word(x);
      int32_t x02 = offset_even_bytes(offset, xv);
      int32_t x13 = offset_odd_bytes(offset, xv);
      a0 = mac_low(x02, w02, a0);
      a2 = mac_high(x02, w02, a2);
      a1 = mac_low(x13, w13, a1);
      a3 = mac_high(x13, w13, a3);
      xv = load_word(x + pixel);
      x02 = offset_even_bytes(offset, xv);
      x13 = offset_odd_bytes(offset, xv);
      b0 = mac_low(x02, w02, b0);
      b2 = mac_high(x02, w02, b2);
      b1 = mac_low(x13, w13, b1);
      b3 = mac_high(x13, w13, b3);
    }
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
  acc[4] = b0;
  acc[5] = b1;
  acc[6] = b2;
  acc[7] = b3;
}

// The sums of lanes [lane, lane + 4) of every pixel into acc[pixel * 4..].
template <size_t TapsW>
void sum_lanes(const small_window_tile_i8 *t, size_t lane, int32_t offset,
               int32_t *acc) {
  const size_t width = t->width;
  size_t j = 0;
  if (t->w_pixel_step == 0 && t->bias_pixel_step == 0) { // one block
    for (; j + 2 <= width; j += 2) {
      dot4_pair<TapsW>(t, t->in + j * t->in_pixel_step + lane,
                       t->weights + lane, offset, t->bias + lane,
                       acc + j * kLanes);
    }
  }
  for (; j < width; ++j) {
    dot4<TapsW>(t, t->in + j * t->in_pixel_step + lane,
                t->weights + j * t->w_pixel_step + lane, offset,
                t->bias + j * t->bias_pixel_step + lane, acc + j * kLanes);
  }
}

// Requantizes the sums of lanes [lane, lane + 4) of every pixel. Pixels of
// one channel block share a channel's requantization (its constants derived
// once per tile); pixels across blocks (bias_pixel_step != 0) each have
// their own.
void store_lanes(const small_window_tile_i8 *t,
                 const cortex_m::TileRequant &requant, size_t lane,
                 const int32_t *acc) {
  const size_t width = t->width;
  if (t->bias_pixel_step == 0) {
    cortex_m::FusedRounding f[kLanes];
    if (requant.fused_full_range(lane, kLanes, f)) {
      for (size_t j = 0; j < width; ++j) {
        int8_t *out = t->out + j * t->out_pixel_step + lane;
        for (size_t l = 0; l < kLanes; ++l) {
          out[l] = static_cast<int8_t>(__ssat(f[l](acc[j * kLanes + l]), 8));
        }
      }
      return;
    }
    for (size_t l = 0; l < kLanes; ++l) {
      requant.channel(lane + l).store(acc + l, kLanes, t->out + lane + l,
                                      t->out_pixel_step, width);
    }
    return;
  }
  for (size_t j = 0; j < width; ++j) {
    int8_t *out = t->out + j * t->out_pixel_step + lane;
    const size_t channel = j * t->bias_pixel_step + lane;
    for (size_t l = 0; l < kLanes; ++l) {
      out[l] = requant.requantize(channel + l, acc[j * kLanes + l]);
    }
  }
}

template <size_t TapsW> void depthwise_i8(const small_window_tile_i8 *t) {
  const int32_t offset = negated_pair(t->in_zero_point);
  const cortex_m::TileRequant requant(t);
  int32_t acc[kWindowMaxWidth * kLanes];
  for (size_t lane = 0; lane < t->cb; lane += kLanes) {
    sum_lanes<TapsW>(t, lane, offset, acc);
    store_lanes(t, requant, lane, acc);
  }
}

} // namespace

small_window_i8_fn select_depthwise_i8__cortex_m4(const small_window_shape *s) {
  return s->taps_w == 3 ? depthwise_i8<3> : depthwise_i8<0>;
}

} // namespace small::cortex_m4
