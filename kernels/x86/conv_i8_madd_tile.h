// x86 int8 convolution tiles on 16-bit pair products (pmaddwd), over an
// ISA's int32 vector traits (one int32 lane per output channel, Cb =
// V::kLanes): W output pixels x OB output blocks. Exact: inputs minus the
// zero point fit int16 ([-255, 255]), weights are int8, and pmaddwd sums two
// int16 products into an int32 lane without saturation (unlike pmaddubsw).
// Weights are packed in pairs of input lanes (conv_i8_k_group 2):
// w[(i / 2) * 2 Cb + 2 o + i % 2], so a pair's Cb outputs are 2 Cb int8.
//
// Also the planar-input variant (one lane per input block), shared with the
// VNNI tiles: each tap's input is a single int8, multiplied as int16 with
// the tap's Cb weights held in the low halves of the int32 lanes.
#ifndef SMALL_KERNELS_X86_CONV_I8_MADD_TILE_H
#define SMALL_KERNELS_X86_CONV_I8_MADD_TILE_H

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "kernel_contract.h"
#include "x86/requant_i8.h"

namespace small::x86 {

// acc[k][j] for output block k, pixel j, as for the float tiles: bias plus
// the accumulated sum, requantized and stored.
// The block's requantization constants as the store reads them: derived
// (AVX2, kPreparedRequant), or prepared, copied by a tile of several pixels
// (read through the pointer, they would be reloaded after every int8 store,
// which may alias them) as only what the mode reads (FusedRequant: the
// whole struct went through the stack), read in place by a tile of one or
// two pixels (a Dense layer), which measured faster there.
template <class V>
using StoreRequant = std::conditional_t<!kPreparedRequant<V>, ChannelRequant<V>,
                                        const PreparedRequant<V> &>;

template <class V, int W, int OB>
[[gnu::flatten]] inline void
conv_i8_store(const small_window_tile_i8 *t,
              const typename V::type (&acc)[OB][W],
              const typename V::type (&correction)[OB]) {
  constexpr size_t CB = V::kLanes;
  const RequantConsts<V> c(t);
#pragma GCC unroll 4
  for (int k = 0; k < OB; ++k) {
    const typename V::type bias =
        V::add(V::load(t->bias + k * CB), correction[k]);
    const StoreRequant<V> q = [&]() -> StoreRequant<V> {
      if constexpr (kPreparedRequant<V>) {
        return prepared_requant<V>(t, k);
      } else {
        return derived_requant<V>(t, k * CB);
      }
    }();
    int8_t *out = t->out + k * t->out_block_step;
    const size_t out_step = t->out_pixel_step;
    with_store_mode(q.mode, c.low_clamped, [&](auto mode) {
      constexpr int M = decltype(mode)::value;
      const auto pixels = [&](const auto &qm) {
        with_clamp(c.clamp, [&](auto clamp) {
          store_pixels<V, W, clamp>(out, out_step, c, [&](int j) {
            return requantize_as<V, M, false>(V::add(acc[k][j], bias), qm, c);
          });
        });
      };
      if constexpr (!kPreparedRequant<V> || W <= 2) {
        pixels(q);
      } else if constexpr (kFusedOnly<V, M>) {
        pixels(FusedRequant<V>{q.fused});
      } else {
        pixels(PreparedRequant<V>(q));
      }
    });
  }
}

template <class V, int W, int OB, size_t STEP>
void conv_i8_madd_tile(const small_window_tile_i8 *t) {
  constexpr size_t CB = V::kLanes;
  using T = typename V::type;
  const size_t step = STEP != 0 ? STEP : t->in_pixel_step;
  const int16_t zp = static_cast<int16_t>(t->in_zero_point);
  T acc[OB][W], none[OB];
#pragma GCC unroll 4
  for (int k = 0; k < OB; ++k) {
    none[k] = V::set1(0);
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      acc[k][j] = V::set1(0);
    }
  }
  // The tap's W pixels minus the zero point as int16, so that each (pixel,
  // pair) is one 32-bit broadcast load in the product loop.
  alignas(64) int16_t pixels[W][CB];
  for (size_t b = 0; b < t->in_blocks; ++b) {
    const size_t lanes =
        b + 1 == t->in_blocks ? t->in_last_channels : t->in_lanes;
    const size_t pairs = (lanes + 1) / 2;
    for (size_t r = 0; r < t->taps_h; ++r) {
      for (size_t s = 0; s < t->taps_w; ++s) {
        const int8_t *in = t->in + b * t->in_block_step + r * t->in_tap_h_step +
                           s * t->in_tap_w_step;
        const int8_t *w = t->weights + b * t->w_block_step +
                          r * t->w_tap_h_step + s * t->w_tap_w_step;
#pragma GCC unroll 16
        for (int j = 0; j < W; ++j) {
          V::store_minus_zp16(pixels[j], in + j * step, zp);
        }
        for (size_t g = 0; g < pairs; ++g) {
          T wv[OB];
#pragma GCC unroll 4
          for (int k = 0; k < OB; ++k) {
            wv[k] = V::widen_pairs(w + k * t->w_out_block_step + g * 2 * CB);
          }
#pragma GCC unroll 16
          for (int j = 0; j < W; ++j) {
            const T xg = V::broadcast_pair(pixels[j] + 2 * g);
#pragma GCC unroll 4
            for (int k = 0; k < OB; ++k) {
              acc[k][j] = V::dot16(acc[k][j], xg, wv[k]);
            }
          }
        }
      }
    }
  }
  conv_i8_store<V, W, OB>(t, acc, none);
}

// Planar input: input x * weight w as pmaddwd of (x - zp, 0) with (w, 0)
// in each int32 lane.
template <class V, int W, int OB, size_t STEP>
void conv_i8_planar_tile(const small_window_tile_i8 *t) {
  using T = typename V::type;
  const size_t step = STEP != 0 ? STEP : t->in_pixel_step;
  const int32_t zp = t->in_zero_point;
  T acc[OB][W], none[OB];
#pragma GCC unroll 4
  for (int k = 0; k < OB; ++k) {
    none[k] = V::set1(0);
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      acc[k][j] = V::set1(0);
    }
  }
  for (size_t b = 0; b < t->in_blocks; ++b) {
    for (size_t r = 0; r < t->taps_h; ++r) {
      const int8_t *in = t->in + b * t->in_block_step + r * t->in_tap_h_step;
      const int8_t *w = t->weights + b * t->w_block_step + r * t->w_tap_h_step;
      for (size_t s = 0; s < t->taps_w;
           ++s, in += t->in_tap_w_step, w += t->w_tap_w_step) {
        T wv[OB];
#pragma GCC unroll 4
        for (int k = 0; k < OB; ++k) {
          wv[k] = V::widen_low16(w + k * t->w_out_block_step);
        }
#pragma GCC unroll 16
        for (int j = 0; j < W; ++j) {
          const T x = V::set1((in[j * step] - zp) & 0xffff);
#pragma GCC unroll 4
          for (int k = 0; k < OB; ++k) {
            acc[k][j] = V::dot16(acc[k][j], x, wv[k]);
          }
        }
      }
    }
  }
  conv_i8_store<V, W, OB>(t, acc, none);
}

} // namespace small::x86

#endif
