// x86 int8 depthwise tiles over an ISA's int32 vector traits, vectorized
// over the Cb lanes of a block (one int32 lane per channel, Cb = V::kLanes).
// A tap's product x * w is one pmaddwd of x sign-extended to int32 with w in
// the low int16 half of the lane (high half zero): exact. The input zero
// point is folded into the bias as zp * (sum of the tap weights), once per
// tile (per pixel when pixels have their own weights) instead of once per
// product.
#ifndef SMALL_KERNELS_X86_DEPTHWISE_I8_TILE_H
#define SMALL_KERNELS_X86_DEPTHWISE_I8_TILE_H

#include <cstddef>
#include <cstdint>

#include "kernel_contract.h"
#include "x86/requant_i8.h"

namespace small::x86 {

// What the pixels of one weight set share: the bias with the zero point's
// term folded in (bias - zp * sum of the tap weights) and the requantization
// constants of its channels.
template <class V> struct DepthwiseChannels {
  using T = typename V::type;
  T bias;
  ChannelRequant<V> q;
  DepthwiseChannels(const small_window_tile_i8 *t, T weight_sum, size_t channel,
                    bool single)
      : bias(V::sub(V::load(t->bias + channel),
                    V::mullo(weight_sum, V::set1(t->in_zero_point)))),
        q(V::load(t->multiplier + channel), V::load(t->shift + channel),
          single) {}
};

// The sum of the tap weights at w, per channel.
template <class V>
inline typename V::type depthwise_weight_sum(const small_window_tile_i8 *t,
                                             const int8_t *w) {
  using T = typename V::type;
  const T ones = V::set1(1);
  T sum = V::set1(0);
  for (size_t r = 0; r < t->taps_h; ++r) {
    for (size_t s = 0; s < t->taps_w; ++s) {
      sum = V::dot16(
          sum, V::widen_low16(w + r * t->w_tap_h_step + s * t->w_tap_w_step),
          ones);
    }
  }
  return sum;
}

template <class V, int N>
inline void depthwise_i8_store(const small_window_tile_i8 *t, size_t j0,
                               const typename V::type (&acc)[N],
                               const DepthwiseChannels<V> &ch,
                               const RequantConsts<V> &c) {
  int8_t *out = t->out + j0 * t->out_pixel_step;
  const size_t out_step = t->out_pixel_step;
  with_requant_mode(ch.q.mode, [&](auto mode) {
#pragma GCC unroll 16
    for (int n = 0; n < N; ++n) {
      V::store_i8(out + n * out_step, requantize_as<V, decltype(mode)::value>(
                                          V::add(acc[n], ch.bias), ch.q, c));
    }
  });
}

// Pixels [j0, j0 + N) with the weights at w, any window.
template <class V, int N>
inline void depthwise_i8_pixels(const small_window_tile_i8 *t, size_t j0,
                                const int8_t *w, const DepthwiseChannels<V> &ch,
                                const RequantConsts<V> &c) {
  using T = typename V::type;
  const int8_t *in = t->in + j0 * t->in_pixel_step;
  T acc[N];
#pragma GCC unroll 16
  for (int n = 0; n < N; ++n) {
    acc[n] = V::set1(0);
  }
  for (size_t r = 0; r < t->taps_h; ++r) {
    for (size_t s = 0; s < t->taps_w; ++s) {
      const T wv =
          V::widen_low16(w + r * t->w_tap_h_step + s * t->w_tap_w_step);
      const int8_t *x = in + r * t->in_tap_h_step + s * t->in_tap_w_step;
#pragma GCC unroll 16
      for (int n = 0; n < N; ++n) {
        acc[n] = V::dot16(acc[n], V::widen(x + n * t->in_pixel_step), wv);
      }
    }
  }
  depthwise_i8_store<V, N>(t, j0, acc, ch, c);
}

// Pixels [j0, j0 + N) of a full 3x3 window, the nine tap weights in
// registers for the whole tile.
template <class V, int N>
inline void depthwise_i8_pixels_3x3(const small_window_tile_i8 *t, size_t j0,
                                    const typename V::type (&wv)[9],
                                    const DepthwiseChannels<V> &ch,
                                    const RequantConsts<V> &c) {
  using T = typename V::type;
  const int8_t *in = t->in + j0 * t->in_pixel_step;
  T acc[N];
#pragma GCC unroll 16
  for (int n = 0; n < N; ++n) {
    acc[n] = V::set1(0);
  }
#pragma GCC unroll 3
  for (int r = 0; r < 3; ++r) {
#pragma GCC unroll 3
    for (int s = 0; s < 3; ++s) {
      const int8_t *x = in + r * t->in_tap_h_step + s * t->in_tap_w_step;
#pragma GCC unroll 16
      for (int n = 0; n < N; ++n) {
        acc[n] =
            V::dot16(acc[n], V::widen(x + n * t->in_pixel_step), wv[r * 3 + s]);
      }
    }
  }
  depthwise_i8_store<V, N>(t, j0, acc, ch, c);
}

// Pixel j with its own weights and channels: the weight sum in the same
// pass as the products, so each tap's weights are widened once.
template <class V>
inline void depthwise_i8_own_pixel(const small_window_tile_i8 *t, size_t j,
                                   const RequantConsts<V> &c) {
  using T = typename V::type;
  const int8_t *w = t->weights + j * t->w_pixel_step;
  const int8_t *in = t->in + j * t->in_pixel_step;
  const T ones = V::set1(1);
  T acc = V::set1(0), weight_sum = V::set1(0);
  for (size_t r = 0; r < t->taps_h; ++r) {
    for (size_t s = 0; s < t->taps_w; ++s) {
      const T wv =
          V::widen_low16(w + r * t->w_tap_h_step + s * t->w_tap_w_step);
      weight_sum = V::dot16(weight_sum, wv, ones);
      acc = V::dot16(
          acc, V::widen(in + r * t->in_tap_h_step + s * t->in_tap_w_step), wv);
    }
  }
  const DepthwiseChannels<V> ch(t, weight_sum, j * t->bias_pixel_step,
                                c.single);
  const T one[1] = {acc};
  depthwise_i8_store<V, 1>(t, j, one, ch, c);
}

// Chunks of N pixels, then single pixels. Pixels that share weights (one
// channel block) share the folded bias and requantization constants too,
// and a full 3x3 window keeps its weights in registers; pixels with their
// own weights (w_pixel_step != 0) run one at a time.
template <class V, int N>
void depthwise_i8_tile(const small_window_tile_i8 *t) {
  const RequantConsts<V> c(t);
  if (t->w_pixel_step != 0 || t->bias_pixel_step != 0) {
    for (size_t j = 0; j < t->width; ++j) {
      depthwise_i8_own_pixel<V>(t, j, c);
    }
    return;
  }
  const DepthwiseChannels<V> ch(t, depthwise_weight_sum<V>(t, t->weights), 0,
                                c.single);
  size_t j = 0;
  if (t->taps_h == 3 && t->taps_w == 3) {
    typename V::type wv[9];
#pragma GCC unroll 3
    for (int r = 0; r < 3; ++r) {
#pragma GCC unroll 3
      for (int s = 0; s < 3; ++s) {
        wv[r * 3 + s] = V::widen_low16(t->weights + r * t->w_tap_h_step +
                                       s * t->w_tap_w_step);
      }
    }
    for (; j + N <= t->width; j += N) {
      depthwise_i8_pixels_3x3<V, N>(t, j, wv, ch, c);
    }
    for (; j < t->width; ++j) {
      depthwise_i8_pixels_3x3<V, 1>(t, j, wv, ch, c);
    }
    return;
  }
  for (; j + N <= t->width; j += N) {
    depthwise_i8_pixels<V, N>(t, j, t->weights, ch, c);
  }
  for (; j < t->width; ++j) {
    depthwise_i8_pixels<V, 1>(t, j, t->weights, ch, c);
  }
}

} // namespace small::x86

#endif
