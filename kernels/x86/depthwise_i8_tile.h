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
#include <utility>

#include "kernel_contract.h"
#include "x86/requant_i8.h"

namespace small::x86 {

// What the pixels of one weight set share: the bias with the zero point's
// term folded in (bias - zp * sum of the tap weights) and the requantization
// constants of its channels.
template <class V, bool FUSE = true> struct DepthwiseChannels {
  using T = typename V::type;
  T bias;
  ChannelRequant<V, FUSE> q;
  DepthwiseChannels(const small_window_tile_i8 *t, T weight_sum, size_t channel,
                    bool single)
      : bias(V::sub(V::load(t->bias + channel),
                    V::mullo(weight_sum, V::set1(t->in_zero_point)))),
        q(V::load(t->multiplier + channel), V::load(t->shift + channel),
          single) {}
};

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

template <class V, int N, bool F>
inline void depthwise_i8_store(const small_window_tile_i8 *t, size_t j0,
                               const typename V::type (&acc)[N],
                               const DepthwiseChannels<V, F> &ch,
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
template <class V, int N, bool F>
inline void depthwise_i8_pixels(const small_window_tile_i8 *t, size_t j0,
                                const int8_t *w,
                                const DepthwiseChannels<V, F> &ch,
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
template <class V, int N, bool F>
inline void depthwise_i8_pixels_3x3(const small_window_tile_i8 *t, size_t j0,
                                    const typename V::type (&wv)[9],
                                    const DepthwiseChannels<V, F> &ch,
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

// The axis along which a tile's windows slide: its pixels step S input
// pixels along it (in_pixel_step = S * the axis' tap step) and the window
// has 3 taps on it, any number on the other axis.
enum class SlideAxis { kRow, kColumn };

// Pixels [j0, j0 + N) of windows sliding S input pixels per output pixel
// along AXIS: each input pixel of a line along the axis is widened once and
// feeds every output pixel whose window covers it, (N - 1) * S + 3
// widenings per line instead of 3 N. A full 3x3 window (FULL) takes its
// nine weights from registers the tile filled once ([r * 3 + s]); a
// window clipped across the axis widens its lines' weights per register
// tile.
template <class V, int N, int S, SlideAxis AXIS, bool FULL, bool F>
inline void depthwise_i8_pixels_slide(const small_window_tile_i8 *t, size_t j0,
                                      const typename V::type (&w9)[9],
                                      const DepthwiseChannels<V, F> &ch,
                                      const RequantConsts<V> &c) {
  using T = typename V::type;
  constexpr bool kRow = AXIS == SlideAxis::kRow;
  constexpr int kLinePixels = (N - 1) * S + 3;
  const size_t in_along = kRow ? t->in_tap_w_step : t->in_tap_h_step;
  const size_t in_across = kRow ? t->in_tap_h_step : t->in_tap_w_step;
  const size_t w_along = kRow ? t->w_tap_w_step : t->w_tap_h_step;
  const size_t w_across = kRow ? t->w_tap_h_step : t->w_tap_w_step;
  const size_t lines = FULL ? 3 : (kRow ? t->taps_h : t->taps_w);
  const int8_t *in = t->in + j0 * t->in_pixel_step;
  T acc[N];
#pragma GCC unroll 16
  for (int n = 0; n < N; ++n) {
    acc[n] = V::set1(0);
  }
#pragma GCC unroll 3
  for (size_t l = 0; l < lines; ++l) {
    const int8_t *x = in + l * in_across;
    T wv[3];
#pragma GCC unroll 3
    for (int k = 0; k < 3; ++k) {
      wv[k] = FULL ? w9[kRow ? l * 3 + k : k * 3 + l]
                   : V::widen_low16(t->weights + l * w_across + k * w_along);
    }
#pragma GCC unroll 32
    for (int p = 0; p < kLinePixels; ++p) {
      const T xp = V::widen(x + p * in_along);
#pragma GCC unroll 3
      for (int k = 0; k < 3; ++k) {
        const int d = p - k; // = n * S for the output pixel n that uses it
        if (d >= 0 && d % S == 0 && d / S < N) {
          acc[d / S] = V::dot16(acc[d / S], xp, wv[k]);
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
#pragma GCC unroll 16
  for (int n = 0; n < N; ++n) {
    const size_t j = j0 + n;
    // Per pixel: without the fused rounding's constants (requant_i8.h).
    const DepthwiseChannels<V, false> ch(t, weight_sum[n],
                                         j * t->bias_pixel_step, c.single);
    const T one[1] = {acc[n]};
    depthwise_i8_store<V, 1>(t, j, one, ch, c);
  }
}

// How a tile's pixels compute (fixed per tile shape).
enum class DepthwiseI8Kind {
  kOwnWeights, // across channel blocks: each pixel has its weights
  kShared3x3,  // one block, a full 3x3 window: the weights in registers
  kRowS1,      // one block, 3 taps along the row, sliding 1 input pixel
  kRowS2,      // ... sliding 2
  kColumnS1,   // one block, 3 taps down the column, sliding 1 input row
  kColumnS2,   // ... sliding 2
  kShared      // one block, any window
};

// Register tiles of N pixels, then the last REST pixels as one register
// tile of their exact width (REST = width % N, fixed per tile shape), so a
// short tile's chains of dot products run side by side. Pixels that share
// weights share the folded bias and requantization constants too.
template <class V, DepthwiseI8Kind K, bool FULL_3X3, int N, int REST>
void depthwise_i8_run(const small_window_tile_i8 *t) {
  using Kind = DepthwiseI8Kind;
  const RequantConsts<V> c(t);
  const size_t width = t->width;
  size_t j = 0;
  if constexpr (K == Kind::kOwnWeights) {
    for (; j + N <= width; j += N) {
      depthwise_i8_own_pixels<V, N>(t, j, c);
    }
    if constexpr (REST > 0) {
      depthwise_i8_own_pixels<V, REST>(t, j, c);
    }
    return;
  }
  const DepthwiseChannels<V> ch(t, depthwise_weight_sum<V>(t, t->weights), 0,
                                c.single);
  if constexpr (K == Kind::kShared) {
    for (; j + N <= width; j += N) {
      depthwise_i8_pixels<V, N>(t, j, t->weights, ch, c);
    }
    if constexpr (REST > 0) {
      depthwise_i8_pixels<V, REST>(t, j, t->weights, ch, c);
    }
    return;
  }
  // A full 3x3 window's nine weights, in registers for the whole tile.
  constexpr bool kFull = K == Kind::kShared3x3 || FULL_3X3;
  typename V::type w9[9];
  if constexpr (kFull) {
#pragma GCC unroll 3
    for (int r = 0; r < 3; ++r) {
#pragma GCC unroll 3
      for (int s = 0; s < 3; ++s) {
        w9[r * 3 + s] = V::widen_low16(t->weights + r * t->w_tap_h_step +
                                       s * t->w_tap_w_step);
      }
    }
  }
  const auto pixels = [&](size_t j0, auto n) {
    constexpr int kN = decltype(n)::value;
    if constexpr (K == Kind::kShared3x3) {
      depthwise_i8_pixels_3x3<V, kN>(t, j0, w9, ch, c);
    } else {
      constexpr int kS = K == Kind::kRowS1 || K == Kind::kColumnS1 ? 1 : 2;
      constexpr SlideAxis kAxis = K == Kind::kRowS1 || K == Kind::kRowS2
                                      ? SlideAxis::kRow
                                      : SlideAxis::kColumn;
      depthwise_i8_pixels_slide<V, kN, kS, kAxis, kFull>(t, j0, w9, ch, c);
    }
  };
  for (; j + N <= width; j += N) {
    pixels(j, std::integral_constant<int, N>{});
  }
  if constexpr (REST > 0) {
    pixels(j, std::integral_constant<int, REST>{});
  }
}

template <class V, DepthwiseI8Kind K, bool FULL_3X3, int N, int... Rs>
small_window_i8_fn depthwise_i8_by_rest(size_t width,
                                        std::integer_sequence<int, Rs...>) {
  static constexpr small_window_i8_fn by_rest[] = {
      depthwise_i8_run<V, K, FULL_3X3, N, Rs>...};
  return by_rest[width % N];
}

// The tile of kind `kind` (a full 3x3 window or not) for a width.
template <class V, int N, bool FULL_3X3>
small_window_i8_fn depthwise_i8_of_kind(DepthwiseI8Kind kind, size_t width) {
  using Kind = DepthwiseI8Kind;
  using Rests = std::make_integer_sequence<int, N>;
  switch (kind) {
  case Kind::kRowS1:
    return depthwise_i8_by_rest<V, Kind::kRowS1, FULL_3X3, N>(width, Rests{});
  case Kind::kRowS2:
    return depthwise_i8_by_rest<V, Kind::kRowS2, FULL_3X3, N>(width, Rests{});
  case Kind::kColumnS1:
    return depthwise_i8_by_rest<V, Kind::kColumnS1, FULL_3X3, N>(width,
                                                                 Rests{});
  case Kind::kColumnS2:
    return depthwise_i8_by_rest<V, Kind::kColumnS2, FULL_3X3, N>(width,
                                                                 Rests{});
  case Kind::kShared3x3:
    return depthwise_i8_by_rest<V, Kind::kShared3x3, true, N>(width, Rests{});
  default:
    return depthwise_i8_by_rest<V, Kind::kShared, false, N>(width, Rests{});
  }
}

// The tile for a shape: register tiles of N pixels that share weights, or
// of N / 2 pixels with their own weights (two chains each: the weight sum
// and the products). Windows that slide along an axis with 3 taps on it (a
// row tile, or a column tile going down) take the sliding tile, whatever
// their taps on the other axis.
template <class V, int N>
small_window_i8_fn depthwise_i8_select(const small_window_shape *s) {
  using Kind = DepthwiseI8Kind;
  if (s->w_pixel_step != 0 || s->bias_pixel_step != 0) {
    constexpr int kOwn = N / 2 > 0 ? N / 2 : 1;
    return depthwise_i8_by_rest<V, Kind::kOwnWeights, false, kOwn>(
        s->width, std::make_integer_sequence<int, kOwn>{});
  }
  const size_t step = s->in_pixel_step;
  const bool full = s->taps_h == 3 && s->taps_w == 3;
  Kind kind = full ? Kind::kShared3x3 : Kind::kShared;
  if (s->taps_w == 3 && step == s->in_tap_w_step) {
    kind = Kind::kRowS1;
  } else if (s->taps_w == 3 && step == 2 * s->in_tap_w_step) {
    kind = Kind::kRowS2;
  } else if (s->taps_h == 3 && step == s->in_tap_h_step) {
    kind = Kind::kColumnS1;
  } else if (s->taps_h == 3 && step == 2 * s->in_tap_h_step) {
    kind = Kind::kColumnS2;
  }
  return full ? depthwise_i8_of_kind<V, N, true>(kind, s->width)
              : depthwise_i8_of_kind<V, N, false>(kind, s->width);
}

} // namespace small::x86

#endif
