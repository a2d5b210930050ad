// x86 int8 depthwise tiles over an ISA's int32 vector traits, vectorized
// over the Cb lanes of a block (one int32 lane per channel, Cb = V::kLanes).
// A tap's product x * w is one pmaddwd of x sign-extended to int32 with w in
// the low int16 half of the lane (high half zero): exact. The input zero
// point is folded into the bias as zp * (sum of the tap weights), once per
// chunk of N pixels instead of once per product.
#ifndef SMALL_KERNELS_X86_DEPTHWISE_I8_TILE_H
#define SMALL_KERNELS_X86_DEPTHWISE_I8_TILE_H

#include <cstddef>
#include <cstdint>

#include "kernel_contract.h"
#include "x86/requant_i8.h"

namespace small::x86 {

// Pixels [j0, j0 + N) that share weights (or N == 1).
template <class V, int N>
inline void depthwise_i8_pixels(const small_window_tile_i8 *t, size_t j0,
                                const RequantConsts<V> &c) {
  using T = typename V::type;
  const int8_t *w = t->weights + j0 * t->w_pixel_step;
  const int8_t *in = t->in + j0 * t->in_pixel_step;
  const T ones = V::set1(1);
  T acc[N];
#pragma GCC unroll 16
  for (int n = 0; n < N; ++n) {
    acc[n] = V::set1(0);
  }
  T weight_sum = V::set1(0);
  for (size_t r = 0; r < t->taps_h; ++r) {
    for (size_t s = 0; s < t->taps_w; ++s) {
      const T wv =
          V::widen_low16(w + r * t->w_tap_h_step + s * t->w_tap_w_step);
      weight_sum = V::dot16(weight_sum, wv, ones);
      const int8_t *x = in + r * t->in_tap_h_step + s * t->in_tap_w_step;
#pragma GCC unroll 16
      for (int n = 0; n < N; ++n) {
        acc[n] = V::dot16(acc[n], V::widen(x + n * t->in_pixel_step), wv);
      }
    }
  }
  const size_t channel = j0 * t->bias_pixel_step;
  const T bias = V::sub(V::load(t->bias + channel),
                        V::mullo(weight_sum, V::set1(t->in_zero_point)));
  const ChannelRequant<V> q(V::load(t->multiplier + channel),
                            V::load(t->shift + channel), c.single);
#pragma GCC unroll 16
  for (int n = 0; n < N; ++n) {
    V::store_i8(t->out + (j0 + n) * t->out_pixel_step,
                requantize<V>(V::add(acc[n], bias), q, c));
  }
}

// Chunks of N pixels, then single pixels; pixels with their own weights
// (w_pixel_step != 0) one at a time.
template <class V, int N>
void depthwise_i8_tile(const small_window_tile_i8 *t) {
  const RequantConsts<V> c(t);
  size_t j = 0;
  if (t->w_pixel_step == 0 && t->bias_pixel_step == 0) {
    for (; j + N <= t->width; j += N) {
      depthwise_i8_pixels<V, N>(t, j, c);
    }
  }
  for (; j < t->width; ++j) {
    depthwise_i8_pixels<V, 1>(t, j, c);
  }
}

} // namespace small::x86

#endif
