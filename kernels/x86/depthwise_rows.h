// x86 whole-row depthwise tiles (kernel_contract.h, depthwise_rows): a band
// of a 3x3 layer at stride 1 whose rows are padded by one pixel on each
// side, `rows` output rows of W pixels (the whole row, a compile-time
// constant) in one call per channel block. The taps that fall in the left
// and right padding are left out at compile time, so a small image's border
// columns cost no calls of their own (a 6x6 image: 3 calls per block
// instead of 12).
//
// One vector of lanes at a time: its TH x 3 weight vectors (TH: the band's
// filter rows) stay in registers for the whole band, and R output rows are
// summed together (R x W sums), so each input vector is loaded once for
// every tap of those rows that reads it. Each sum adds its taps row by row,
// left to right, like the scalar kernel.
#ifndef SMALL_KERNELS_X86_DEPTHWISE_ROWS_H
#define SMALL_KERNELS_X86_DEPTHWISE_ROWS_H

#include <array>
#include <cstddef>
#include <utility>

#include "kernel_contract.h"
#include "x86/activation.h"

namespace small::x86 {

// R output rows from `in` (their first filter row's input row, column 0)
// and `out`, the vector of lanes the pointers point at.
template <class V, size_t CB, int W, int TH, int R, class Act>
[[gnu::always_inline]] inline void
depthwise_rows_step(const float *in, float *out, size_t in_row,
                    const typename V::type (&w)[TH][3], typename V::type bias,
                    Act act) {
  using T = typename V::type;
  T acc[R][W];
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) {
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      acc[i][j] = bias;
    }
  }
  // Input row k feeds output row i through filter row k - i; input
  // column c feeds output pixel j through tap column c - j + 1.
#pragma GCC unroll 8
  for (int k = 0; k < R + TH - 1; ++k) {
    const float *x = in + k * in_row;
#pragma GCC unroll 16
    for (int c = 0; c < W; ++c) {
      const T v = V::load(x + c * CB);
#pragma GCC unroll 8
      for (int i = 0; i < R; ++i) {
        const int r = k - i;
        if (r < 0 || r >= TH) {
          continue;
        }
#pragma GCC unroll 3
        for (int s = 0; s < 3; ++s) {
          const int j = c - s + 1;
          if (j >= 0 && j < W) {
            acc[i][j] = V::fmadd(v, w[r][s], acc[i][j]);
          }
        }
      }
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) {
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      V::store(out + (i * W + j) * CB, act(acc[i][j]));
    }
  }
}

template <class V, size_t CB, int W, int TH, int R>
void depthwise_rows(const small_window_tile *t) {
  using T = typename V::type;
  constexpr size_t L = V::kLanes;
  const size_t rows = t->rows, in_row = t->in_tap_h_step;
  with_activation<V>(
      t->act, [&](auto act) __attribute__((always_inline)) {
        for (size_t q = 0; q < CB / L; ++q) {
          T w[TH][3];
#pragma GCC unroll 3
          for (int r = 0; r < TH; ++r) {
#pragma GCC unroll 3
            for (int s = 0; s < 3; ++s) {
              w[r][s] = V::load(t->weights + r * t->w_tap_h_step +
                                s * t->w_tap_w_step + q * L);
            }
          }
          const T bias = V::load(t->bias + q * L);
          const float *in = t->in + q * L;
          float *out = t->out + q * L;
          size_t i = 0;
          for (; i + R <= rows; i += R) {
            depthwise_rows_step<V, CB, W, TH, R>(
                in + i * in_row, out + i * W * CB, in_row, w, bias, act);
          }
          for (; i < rows; ++i) {
            depthwise_rows_step<V, CB, W, TH, 1>(
                in + i * in_row, out + i * W * CB, in_row, w, bias, act);
          }
        }
      });
}

// Rows summed together for a width: as many as keep about `Sums` sums (the
// registers an ISA has for them), 1 to 3.
constexpr int rows_at_once(int width, int sums) {
  const int r = sums / width;
  return r < 1 ? 1 : (r > 3 ? 3 : r);
}

template <class V, size_t CB, int Sums, int TH, int... Widths>
constexpr std::array<small_window_fn, sizeof...(Widths)>
rows_by_width(std::integer_sequence<int, Widths...>) {
  return {
      depthwise_rows<V, CB, Widths + 1, TH, rows_at_once(Widths + 1, Sums)>...};
}

// The whole-row variant for a shape, or NULL: widths 1 .. MaxWidth, 1 to 3
// filter rows, one block's pixels (pixels and taps CB floats apart).
template <class V, size_t CB, int MaxWidth, int Sums>
small_window_fn select_depthwise_rows(const small_window_shape &s) {
  using Widths = std::make_integer_sequence<int, MaxWidth>;
  static constexpr std::array<std::array<small_window_fn, MaxWidth>, 3> kByRows{
      rows_by_width<V, CB, Sums, 1>(Widths{}),
      rows_by_width<V, CB, Sums, 2>(Widths{}),
      rows_by_width<V, CB, Sums, 3>(Widths{})};
  const bool fits = s.cb == CB && s.width >= 1 && s.width <= MaxWidth &&
                    s.taps_h >= 1 && s.taps_h <= 3 && s.taps_w == 3 &&
                    s.in_pixel_step == CB && s.in_tap_w_step == CB &&
                    s.out_pixel_step == CB && s.w_pixel_step == 0;
  return fits ? kByRows[s.taps_h - 1][s.width - 1] : nullptr;
}

} // namespace small::x86

#endif
