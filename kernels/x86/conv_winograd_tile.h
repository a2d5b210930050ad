// x86 Winograd F(2,3) convolution tiles along a row: the interior tiles of a
// 3x3, stride-1, dilation-1 convolution over a blocked input (the engine
// sends only those here, small_kernel_table.conv_f32_winograd). Two
// neighbouring outputs of one filter row need 6 multiplications directly
// and 4 through F(2,3), so the tile's FMAs drop by a third.
//
// For the pair of outputs j, j + 1 of filter row g = (g0, g1, g2) over the
// input columns d0..d3 (columns j .. j + 3 of the window):
//     V = (d0 - d2, d1 + d2, d2 - d1, d1 - d3)          input transform
//     U = (g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2)  weights (packed)
//     m_k = sum over input channels and filter rows of U_k V_k
//     y_j = m0 + m1 + m2,  y_j+1 = m1 - m2 - m3         output transform
// The output transform is linear, so the products of every input channel
// and filter row add up in the four transformed sums m_k and are turned
// into outputs once, in the epilogue.
//
// The tile first transforms its input (every input block, filter row and
// pair: 4 vectors per pair of input columns) into a stack buffer, then
// reduces it in passes of PP pairs x OBP output blocks x one vector of
// lanes, 4 sums each, held in registers: per input channel 4 * OBP weight
// loads and 4 * PP broadcasts feed 4 * PP * OBP FMAs that stand for
// 6 * PP * OBP direct ones.
//
// Weights: the engine's transformed copy (kernel_contract.h,
// conv_f32_winograd): per output block, input block and filter row,
// [input lane][k = 0..3][Cb], U_k of that input lane for the block's Cb
// outputs; the tile's weight steps count in that copy.
#ifndef SMALL_KERNELS_X86_CONV_WINOGRAD_TILE_H
#define SMALL_KERNELS_X86_CONV_WINOGRAD_TILE_H

#include <cstddef>
#include <utility>

#include "kernel_contract.h"
#include "x86/activation.h"

namespace small::x86 {

// W pixels (2 .. 16), OB output blocks; passes of at most MAX_PP pairs
// (balanced: 8 pairs at most 6 go 4 + 4) and OBP output blocks. BLOCKS:
// the ISA's conv_f32_winograd_blocks, which bounds the input blocks of the
// tile's transformed input (3 rows x 8 pairs x 4 vectors of 16 floats, 6 KB
// per block, on the stack).
template <class V, size_t CB, int W, int OB, int MAX_PP, int OBP, bool RES,
          size_t BLOCKS>
struct WinogradTile {
  static constexpr size_t L = V::kLanes;
  static constexpr int Q = static_cast<int>(CB / L);
  static constexpr int PAIRS = (W + 1) / 2;
  static constexpr int PASSES = (PAIRS + MAX_PP - 1) / MAX_PP;
  static constexpr int PP = (PAIRS + PASSES - 1) / PASSES;
  using T = typename V::type;

  // Where the transformed input V_k of pair p, filter row r, input block b
  // starts in the tile's buffer (Cb lanes).
  static constexpr size_t at(size_t b, size_t r, size_t p, size_t k) {
    return (((b * 3 + r) * PAIRS + p) * 4 + k) * CB;
  }

  static void transform_input(const small_window_tile *t, float *vt) {
    for (size_t b = 0; b < t->in_blocks; ++b) {
      for (size_t r = 0; r < t->taps_h; ++r) {
        const float *x = t->in + b * t->in_block_step + r * t->in_tap_h_step;
#pragma GCC unroll 8
        for (int p = 0; p < PAIRS; ++p) {
#pragma GCC unroll 4
          for (int q = 0; q < Q; ++q) {
            const float *d = x + 2 * p * CB + q * L;
            const T d0 = V::load(d), d1 = V::load(d + CB);
            const T d2 = V::load(d + 2 * CB);
            // An odd width's last pair has no second output: its column d3
            // lies past the tile's windows, and V_3 feeds only that output.
            const T d3 = 2 * p + 1 < W ? V::load(d + 3 * CB) : d1;
            float *v = vt + at(b, r, p, 0) + q * L;
            V::store(v, V::sub(d0, d2));
            V::store(v + CB, V::add(d1, d2));
            V::store(v + 2 * CB, V::sub(d2, d1));
            V::store(v + 3 * CB, V::sub(d1, d3));
          }
        }
      }
    }
  }

  // One pass: pairs [P0, P0 + NP) x output blocks [K0, K0 + NK) x vector q
  // of their lanes, 4 NP NK sums in registers.
  template <int P0, int K0, class Act>
  [[gnu::always_inline]] static inline void
  pass(const small_window_tile *t, const float *vt, int q, Act act) {
    constexpr int NP = PAIRS - P0 < PP ? PAIRS - P0 : PP;
    constexpr int NK = OB - K0 < OBP ? OB - K0 : OBP;
    const size_t w_block = t->w_block_step, w_row = t->w_tap_h_step;
    const size_t w_out = t->w_out_block_step;
    T m[NP][4][NK];
#pragma GCC unroll 8
    for (int p = 0; p < NP; ++p) {
#pragma GCC unroll 4
      for (int k = 0; k < 4; ++k) {
#pragma GCC unroll 4
        for (int o = 0; o < NK; ++o) {
          m[p][k][o] = V::zero();
        }
      }
    }
    const size_t blocks = t->in_blocks;
    for (size_t b = 0; b < blocks; ++b) {
      const size_t lanes = b + 1 == blocks ? t->in_last_channels : t->in_lanes;
      for (size_t r = 0; r < t->taps_h; ++r) {
        const float *v = vt + at(b, r, P0, 0);
        const float *w =
            t->weights + b * w_block + r * w_row + K0 * w_out + q * L;
        for (size_t i = 0; i < lanes; ++i, w += 4 * CB) {
#pragma GCC unroll 4
          for (int k = 0; k < 4; ++k) {
            T wv[NK];
#pragma GCC unroll 4
            for (int o = 0; o < NK; ++o) {
              wv[o] = V::load(w + o * w_out + k * CB);
              // In a register for all NP pairs: GCC would otherwise fold the
              // load into every FMA (NP loads instead of one).
              __asm__("" : "+v"(wv[o]));
            }
#pragma GCC unroll 8
            for (int p = 0; p < NP; ++p) {
              const T x = V::broadcast(v + (p * 4 + k) * CB + i);
#pragma GCC unroll 4
              for (int o = 0; o < NK; ++o) {
                m[p][k][o] = V::fmadd(x, wv[o], m[p][k][o]);
              }
            }
          }
        }
      }
    }
#pragma GCC unroll 4
    for (int o = 0; o < NK; ++o) {
      const size_t block = static_cast<size_t>(K0 + o);
      const T bias = V::load(t->bias + block * CB + q * L);
      float *out = t->out + block * t->out_block_step + q * L;
      const float *res =
          RES ? t->residual + block * t->out_block_step + q * L : nullptr;
#pragma GCC unroll 8
      for (int p = 0; p < NP; ++p) {
        const int j = 2 * (P0 + p);
        const T y0 =
            V::add(V::add(V::add(m[p][0][o], m[p][1][o]), m[p][2][o]), bias);
        const T y1 =
            V::add(V::sub(V::sub(m[p][1][o], m[p][2][o]), m[p][3][o]), bias);
        const size_t at0 = static_cast<size_t>(j) * t->out_pixel_step;
        V::store(out + at0, act(RES ? V::add(y0, V::load(res + at0)) : y0));
        if (j + 1 < W) {
          const size_t at1 = at0 + t->out_pixel_step;
          V::store(out + at1, act(RES ? V::add(y1, V::load(res + at1)) : y1));
        }
      }
    }
  }

  // The passes of pair group P0: every output block group and vector.
  template <int P0, class Act, int... KG>
  [[gnu::always_inline]] static inline void
  block_groups(const small_window_tile *t, const float *vt, Act act,
               std::integer_sequence<int, KG...>) {
    for (int q = 0; q < Q; ++q) {
      (pass<P0, KG * OBP>(t, vt, q, act), ...);
    }
  }

  template <class Act, int... G>
  [[gnu::always_inline]] static inline void
  pair_groups(const small_window_tile *t, const float *vt, Act act,
              std::integer_sequence<int, G...>) {
    (block_groups<G * PP>(
         t, vt, act, std::make_integer_sequence<int, (OB + OBP - 1) / OBP>{}),
     ...);
  }

  template <class Act>
  [[gnu::always_inline]] static inline void
  all_passes(const small_window_tile *t, const float *vt, Act act) {
    pair_groups(t, vt, act, std::make_integer_sequence<int, PASSES>{});
  }

  static void run(const small_window_tile *t) {
    alignas(64) float vt[BLOCKS * 3 * PAIRS * 4 * CB];
    transform_input(t, vt);
    const auto passes = [&](auto act) __attribute__((always_inline)) {
      all_passes(t, vt, act);
    };
    with_activation<V>(t->act, passes);
  }
};

// The Winograd tile of a shape, by width (2 .. MAX_W; a one-pixel tile has
// no pair: NULL, the engine keeps the direct tile), output blocks (1 or 2)
// and residual.
template <class V, size_t CB, int OB, int MAX_PP, int OBP, size_t BLOCKS,
          bool RES, int... Ws>
small_window_fn winograd_by_width(size_t width,
                                  std::integer_sequence<int, Ws...>) {
  static constexpr small_window_fn by_width[] = {
      WinogradTile<V, CB, Ws + 2, OB, MAX_PP, OBP, RES, BLOCKS>::run...};
  return by_width[width - 2];
}

template <class V, size_t CB, int MAX_W, int OB, int MAX_PP, int OBP,
          size_t BLOCKS>
small_window_fn winograd_select_width(const small_window_shape &s) {
  if (s.width < 2 || s.width > static_cast<size_t>(MAX_W)) {
    return nullptr;
  }
  using Widths = std::make_integer_sequence<int, MAX_W - 1>;
  return s.residual != 0
             ? winograd_by_width<V, CB, OB, MAX_PP, OBP, BLOCKS, true>(s.width,
                                                                       Widths{})
             : winograd_by_width<V, CB, OB, MAX_PP, OBP, BLOCKS, false>(
                   s.width, Widths{});
}

// Whether a shape is a Winograd tile's: full 3-tap rows along a row at
// stride 1 over a blocked input (the engine asks only for those; this keeps
// a selector honest on its own).
inline bool winograd_fits(const small_window_shape &s, size_t cb) {
  return s.in_lanes == cb && s.taps_w == 3 && s.taps_h >= 1 && s.taps_h <= 3 &&
         s.in_pixel_step == cb && s.in_tap_w_step == cb &&
         s.out_pixel_step == cb;
}

} // namespace small::x86

#endif
