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
#include <type_traits>
#include <utility>

#include "kernel_contract.h"
#include "x86/requant_i8.h"

namespace small::x86 {

// What the pixels of one weight set share: the bias with the zero point's
// term folded in (bias - zp * sum of the tap weights) and the requantization
// constants of its channels (from lane `channel` on). A tile that reads its
// input with an offset (x + input_offset, VNNI's unsigned bytes) folds (zp +
// input_offset). The constants (requant_i8.h): derived from multiplier and
// shift, or prepared, copied for pixels in a loop (int8 stores may alias
// memory: see conv_i8_store), read in place by a pixel of its own
// (OwnChannels).
template <class V>
using SharedRequant = std::conditional_t<kPreparedRequant<V>,
                                         PreparedRequant<V>, ChannelRequant<V>>;
template <class V, class Q = SharedRequant<V>> struct DepthwiseChannels {
  using T = typename V::type;
  T bias;
  Q q;
  DepthwiseChannels(const small_window_tile_i8 *t, T weight_sum, size_t channel,
                    int32_t input_offset = 0)
      : bias(V::sub(
            V::load(t->bias + channel),
            V::mullo(weight_sum, V::set1(t->in_zero_point + input_offset)))),
        q(requant(t, channel)) {}

private:
  static Q requant(const small_window_tile_i8 *t, size_t channel) {
    if constexpr (kPreparedRequant<V>) {
      return prepared_requant<V>(t, channel / V::kLanes);
    } else {
      return derived_requant<V>(t, channel);
    }
  }
};
template <class V>
using OwnChannels = DepthwiseChannels<
    V, std::conditional_t<kPreparedRequant<V>, const PreparedRequant<V> &,
                          ChannelRequant<V>>>;

// The sum of the tap weights at w, per channel, over two chains of
// dependent dot products (a tile of a few pixels waits on this sum).
template <class V>
inline typename V::type depthwise_weight_sum(const small_window_tile_i8 *t,
                                             const int8_t *w) {
  using T = typename V::type;
  const T ones = V::set1(1);
  T sum[2] = {V::set1(0), V::set1(0)};
  size_t k = 0;
  for (size_t r = 0; r < t->taps_h; ++r) {
    for (size_t s = 0; s < t->taps_w; ++s, k ^= 1) {
      sum[k] = V::dot16(
          sum[k], V::widen_low16(w + r * t->w_tap_h_step + s * t->w_tap_w_step),
          ones);
    }
  }
  return V::add(sum[0], sum[1]);
}

template <class V, int N, class Q>
[[gnu::flatten]] inline void depthwise_i8_store(
    const small_window_tile_i8 *t, size_t j0, const typename V::type (&acc)[N],
    const DepthwiseChannels<V, Q> &ch, const RequantConsts<V> &c) {
  int8_t *out = t->out + j0 * t->out_pixel_step;
  const size_t out_step = t->out_pixel_step;
  with_store_mode(ch.q.mode, c.low_clamped, [&](auto mode) {
    with_clamp(c.clamp, [&](auto clamp) {
      store_pixels<V, N, clamp>(out, out_step, c, [&](int n) {
        return requantize_as<V, decltype(mode)::value, false>(
            V::add(acc[n], ch.bias), ch.q, c);
      });
    });
  });
}

// Pixels [j0, j0 + N) with their own channels (tiles across blocks): each
// pixel's bias and prepared constants read in place, stored one by one and
// always clamped. Not depthwise_i8_store: its clamp dispatch, once per pixel
// here, took MobileNet's 6x6 layers from 1.8 back to 2.1 us.
template <class V, int N>
inline void depthwise_i8_store_own(const small_window_tile_i8 *t, size_t j0,
                                   const typename V::type (&acc)[N],
                                   const typename V::type (&weight_sum)[N],
                                   const RequantConsts<V> &c,
                                   int32_t input_offset = 0) {
  int8_t *out = t->out + j0 * t->out_pixel_step;
#pragma GCC unroll 16
  for (int n = 0; n < N; ++n) {
    const OwnChannels<V> ch(t, weight_sum[n], (j0 + n) * t->bias_pixel_step,
                            input_offset);
    const typename V::type sum = V::add(acc[n], ch.bias);
    int8_t *p = out + n * t->out_pixel_step;
    with_store_mode(ch.q.mode, c.low_clamped, [&](auto mode) {
      V::store_i8(p, requantize_as<V, decltype(mode)::value>(sum, ch.q, c));
    });
  }
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

// Pixels [j0, j0 + N) of a full 3x3 window sliding S input pixels per
// output pixel along the row (in_pixel_step = S * in_tap_w_step): each
// input pixel of a row is widened once and feeds every output pixel whose
// window covers it, (N - 1) * S + 3 widenings per row instead of 3 N.
template <class V, int N, int S>
inline void depthwise_i8_pixels_3x3_row(const small_window_tile_i8 *t,
                                        size_t j0,
                                        const typename V::type (&wv)[9],
                                        const DepthwiseChannels<V> &ch,
                                        const RequantConsts<V> &c) {
  using T = typename V::type;
  constexpr int kRowPixels = (N - 1) * S + 3;
  const int8_t *in = t->in + j0 * t->in_pixel_step;
  const size_t step = t->in_tap_w_step;
  T acc[N];
#pragma GCC unroll 16
  for (int n = 0; n < N; ++n) {
    acc[n] = V::set1(0);
  }
#pragma GCC unroll 3
  for (int r = 0; r < 3; ++r) {
    const int8_t *x = in + r * t->in_tap_h_step;
#pragma GCC unroll 32
    for (int p = 0; p < kRowPixels; ++p) {
      const T xp = V::widen(x + p * step);
#pragma GCC unroll 3
      for (int s = 0; s < 3; ++s) {
        const int d = p - s; // = n * S for the output pixel n that uses it
        if (d >= 0 && d % S == 0 && d / S < N) {
          acc[d / S] = V::dot16(acc[d / S], xp, wv[r * 3 + s]);
        }
      }
    }
  }
  depthwise_i8_store<V, N>(t, j0, acc, ch, c);
}

// Pixels [j0, j0 + N) with their own weights and channels (a tile across
// channel blocks): each pixel's weight sum in the same pass as its products,
// so each tap's weights are widened once, and the N pixels' chains
// interleaved.
template <class V, int N>
inline void depthwise_i8_own_pixels(const small_window_tile_i8 *t, size_t j0,
                                    const RequantConsts<V> &c) {
  using T = typename V::type;
  const T ones = V::set1(1);
  T acc[N], weight_sum[N];
#pragma GCC unroll 16
  for (int n = 0; n < N; ++n) {
    acc[n] = weight_sum[n] = V::set1(0);
  }
  const int8_t *w0 = t->weights + j0 * t->w_pixel_step;
  const int8_t *in0 = t->in + j0 * t->in_pixel_step;
  for (size_t r = 0; r < t->taps_h; ++r) {
    for (size_t s = 0; s < t->taps_w; ++s) {
      const int8_t *w = w0 + r * t->w_tap_h_step + s * t->w_tap_w_step;
      const int8_t *x = in0 + r * t->in_tap_h_step + s * t->in_tap_w_step;
#pragma GCC unroll 16
      for (int n = 0; n < N; ++n) {
        const T wv = V::widen_low16(w + n * t->w_pixel_step);
        weight_sum[n] = V::dot16(weight_sum[n], wv, ones);
        acc[n] = V::dot16(acc[n], V::widen(x + n * t->in_pixel_step), wv);
      }
    }
  }
  depthwise_i8_store_own<V, N>(t, j0, acc, weight_sum, c);
}

// How a tile's pixels compute (fixed per tile shape).
enum class DepthwiseI8Kind {
  kOwnWeights, // across channel blocks: each pixel has its weights
  kShared3x3,  // one block, a full 3x3 window: the weights in registers
  kRow3x3S1,   // ... sliding 1 input pixel per output pixel along the row
  kRow3x3S2,   // ... sliding 2
  kShared      // one block, any window
};

// Register tiles of N pixels, then the last REST pixels as one register
// tile of their exact width (REST = width % N, fixed per tile shape), so a
// short tile's chains of dot products run side by side. Pixels that share
// weights share the folded bias and requantization constants too.
template <class V, DepthwiseI8Kind K, int N, int REST>
void depthwise_i8_run(const small_window_tile_i8 *t) {
  const RequantConsts<V> c(t);
  const size_t width = t->width;
  size_t j = 0;
  if constexpr (K == DepthwiseI8Kind::kOwnWeights) {
    for (; j + N <= width; j += N) {
      depthwise_i8_own_pixels<V, N>(t, j, c);
    }
    if constexpr (REST > 0) {
      depthwise_i8_own_pixels<V, REST>(t, j, c);
    }
  } else {
    const DepthwiseChannels<V> ch(t, depthwise_weight_sum<V>(t, t->weights), 0);
    if constexpr (K != DepthwiseI8Kind::kShared) {
      typename V::type wv[9];
#pragma GCC unroll 3
      for (int r = 0; r < 3; ++r) {
#pragma GCC unroll 3
        for (int s = 0; s < 3; ++s) {
          wv[r * 3 + s] = V::widen_low16(t->weights + r * t->w_tap_h_step +
                                         s * t->w_tap_w_step);
        }
      }
      const auto pixels = [&](size_t j0, auto n) {
        constexpr int kN = decltype(n)::value;
        if constexpr (K == DepthwiseI8Kind::kShared3x3) {
          depthwise_i8_pixels_3x3<V, kN>(t, j0, wv, ch, c);
        } else {
          constexpr int kS = K == DepthwiseI8Kind::kRow3x3S1 ? 1 : 2;
          depthwise_i8_pixels_3x3_row<V, kN, kS>(t, j0, wv, ch, c);
        }
      };
      for (; j + N <= width; j += N) {
        pixels(j, std::integral_constant<int, N>{});
      }
      if constexpr (REST > 0) {
        pixels(j, std::integral_constant<int, REST>{});
      }
    } else {
      for (; j + N <= width; j += N) {
        depthwise_i8_pixels<V, N>(t, j, t->weights, ch, c);
      }
      if constexpr (REST > 0) {
        depthwise_i8_pixels<V, REST>(t, j, t->weights, ch, c);
      }
    }
  }
}

template <class V, DepthwiseI8Kind K, int N, int... Rs>
small_window_i8_fn depthwise_i8_by_rest(size_t width,
                                        std::integer_sequence<int, Rs...>) {
  static constexpr small_window_i8_fn by_rest[] = {
      depthwise_i8_run<V, K, N, Rs>...};
  return by_rest[width % N];
}

// The tile for a shape: register tiles of N pixels that share weights, or
// of N / 2 pixels with their own weights (two chains each: the weight sum
// and the products).
template <class V, int N>
small_window_i8_fn depthwise_i8_select(const small_window_shape *s) {
  if (s->w_pixel_step != 0 || s->bias_pixel_step != 0) {
    constexpr int kOwn = N / 2 > 0 ? N / 2 : 1;
    return depthwise_i8_by_rest<V, DepthwiseI8Kind::kOwnWeights, kOwn>(
        s->width, std::make_integer_sequence<int, kOwn>{});
  }
  if (s->taps_h == 3 && s->taps_w == 3) {
    if (s->in_pixel_step == s->in_tap_w_step) {
      return depthwise_i8_by_rest<V, DepthwiseI8Kind::kRow3x3S1, N>(
          s->width, std::make_integer_sequence<int, N>{});
    }
    if (s->in_pixel_step == 2 * s->in_tap_w_step) {
      return depthwise_i8_by_rest<V, DepthwiseI8Kind::kRow3x3S2, N>(
          s->width, std::make_integer_sequence<int, N>{});
    }
    return depthwise_i8_by_rest<V, DepthwiseI8Kind::kShared3x3, N>(
        s->width, std::make_integer_sequence<int, N>{});
  }
  return depthwise_i8_by_rest<V, DepthwiseI8Kind::kShared, N>(
      s->width, std::make_integer_sequence<int, N>{});
}

} // namespace small::x86

#endif
