// Whole-row depthwise tiles (kernel_contract.h, depthwise_rows) over an
// ISA's vector traits (`V::type`, `V::kLanes` floats, load, store, set1,
// min, max, fmadd = a * b + c: x86's avx2/vec.h and avx512/vec.h, the ARM
// folders' arm/vec_f32.h), for the x86 and NEON tables: a band
// of a 3x3 layer at stride 1 whose rows are padded by one pixel on each
// side, `rows` output rows of the whole width in one call per channel
// block. The taps that fall in the left and right padding are left out at
// compile time, so the border columns cost no calls of their own (a 6x6
// image: 3 calls per block instead of 12).
//
// One vector of lanes at a time: its TH x 3 weight vectors (TH: the band's
// filter rows) stay in registers for the whole band, and R output rows are
// summed together, so each input vector is loaded once for every tap of
// those rows that reads it. A row of at most MaxWidth pixels is one chunk
// of a compile-time width; a wider one goes in chunks of a fixed width
// (depthwise_rows_wide). Each sum adds its taps row by row, left to right,
// like the scalar kernel.
#ifndef SMALL_KERNELS_DEPTHWISE_ROWS_H
#define SMALL_KERNELS_DEPTHWISE_ROWS_H

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "inline_activation.h"
#include "kernel_contract.h"

namespace small::whole_rows {

// Stride S (1 or 2, both axes) and its padding: S 1 pads one column on each
// side (in_w == out_w), S 2 one on the right only (in_w == 2 out_w, TF's
// SAME padding of an even width). Output pixel j reads input columns
// S j - PL + s, s = 0..2, of those inside the row.
template <int S> constexpr int kPadLeft = S == 1 ? 1 : 0;

// Which of a step's rows and columns border the image's padding. Columns:
// LEFT, RIGHT, the chunk starts, ends the row, so the columns past it on
// that side are padding; else the chunk reads its neighbours' input there.
// Rows: R output rows. In a band (PT 0) they read TH filter rows from the
// step's `in` down, all inside the image. In a whole image (TH 3, PT the
// padding above, kPadLeft<S>) the rows are padded above and below as they
// are on the sides: TOP, BOTTOM, the step has the image's first, last row.
template <bool LEFT, bool RIGHT> struct Columns {};
template <int R, int PT = 0, bool TOP = false, bool BOTTOM = false>
struct Rows {
  static constexpr int kCount = R;
};

// R output rows of the CW pixels of a row's chunk: `in` at input column
// S c0 of the row that filter row PT of the step's first output row i0
// reads (in a band its first filter row; in a whole image input row S i0),
// `out` at output pixel c0 of row i0.
template <class V, size_t CB, int S, int CW, int TH, int R, int PT, bool TOP,
          bool BOTTOM, bool LEFT, bool RIGHT, class Act>
[[gnu::always_inline]] inline void
depthwise_rows_step(Rows<R, PT, TOP, BOTTOM>, Columns<LEFT, RIGHT>,
                    const float *in, float *out, size_t in_row, size_t out_row,
                    const typename V::type (&w)[TH][3], typename V::type bias,
                    Act act) {
  using T = typename V::type;
  constexpr int PL = kPadLeft<S>;
  // The input columns and rows the step reads, relative to `in`.
  constexpr int kFirst = LEFT ? 0 : -PL;
  constexpr int kEnd = RIGHT ? S * CW : S * (CW - 1) + 3 - PL;
  constexpr int kFirstRow = TOP ? 0 : -PT;
  constexpr int kEndRow = BOTTOM ? S * R : S * (R - 1) + TH - PT;
  T acc[R][CW];
#pragma GCC unroll 16
  for (int i = 0; i < R; ++i) {
#pragma GCC unroll 16
    for (int j = 0; j < CW; ++j) {
      acc[i][j] = bias;
    }
  }
  // Input row k feeds output row i through filter row k - S i + PT; input
  // column c feeds output pixel j through tap column c - S j + PL.
#pragma GCC unroll 8
  for (int k = kFirstRow; k < kEndRow; ++k) {
    const float *x = in + k * static_cast<ptrdiff_t>(in_row);
#pragma GCC unroll 34
    for (int c = kFirst; c < kEnd; ++c) {
      const T v = V::load(x + c * static_cast<ptrdiff_t>(CB));
#pragma GCC unroll 8
      for (int i = 0; i < R; ++i) {
        const int r = k - S * i + PT;
        if (r < 0 || r >= TH) {
          continue;
        }
#pragma GCC unroll 3
        for (int s = 0; s < 3; ++s) {
          const int shifted = c - s + PL; // = S j
          const int j = shifted / S;
          if (shifted >= 0 && shifted % S == 0 && j < CW) {
            acc[i][j] = V::fmadd(v, w[r][s], acc[i][j]);
          }
        }
      }
    }
  }
#pragma GCC unroll 8
  for (int i = 0; i < R; ++i) {
#pragma GCC unroll 16
    for (int j = 0; j < CW; ++j) {
      V::store(out + i * out_row + j * CB, act(acc[i][j]));
    }
  }
}

// Each vector of lanes of the tile's channel block `block` (0 but in a
// whole image of several blocks) in turn, as body(in, out, w, bias, act)
// with `in` and `out` at its first lane: its TH x 3 weight vectors and its
// bias held in registers for all of the tile's rows.
template <class V, size_t CB, int TH, class Body>
[[gnu::always_inline]] inline void for_each_vector(const small_window_tile *t,
                                                   size_t block, Body body) {
  using T = typename V::type;
  constexpr size_t L = V::kLanes;
  const float *in = t->in + block * t->in_block_step;
  const float *weights = t->weights + block * t->w_block_step;
  const float *bias = t->bias + block * CB;
  float *out = t->out + block * t->out_block_step;
  // Clip or none: the selector declines the other activations, whose
  // out-of-line path would be a third copy of every variant's code.
  with_inline_activation<V>(
      t->act, [&](auto act) __attribute__((always_inline)) {
        for (size_t q = 0; q < CB / L; ++q) {
          T w[TH][3];
#pragma GCC unroll 3
          for (int r = 0; r < TH; ++r) {
#pragma GCC unroll 3
            for (int s = 0; s < 3; ++s) {
              w[r][s] = V::load(weights + r * t->w_tap_h_step +
                                s * t->w_tap_w_step + q * L);
            }
          }
          body(in + q * L, out + q * L, w, V::load(bias + q * L), act);
        }
      });
}

// The rows of a band, R at a time, each as `chunks(Rows<R-or-1>, in, out,
// ...)`. Output row i reads from S i input rows down.
template <class V, size_t CB, int S, int TH, int R, class Chunks>
[[gnu::always_inline]] inline void
depthwise_rows_band(const small_window_tile *t, Chunks chunks) {
  const size_t rows = t->rows, in_row = t->in_tap_h_step;
  const size_t out_row = t->width * CB;
  for_each_vector<V, CB, TH>(
      t, 0,
      [&](const float *in, float *out, const auto &w, auto bias, auto act)
          __attribute__((always_inline)) {
            size_t i = 0;
            for (; i + R <= rows; i += R) {
              chunks(Rows<R>{}, in + i * S * in_row, out + i * out_row, in_row,
                     out_row, w, bias, act);
            }
            for (; i < rows; ++i) {
              chunks(Rows<1>{}, in + i * S * in_row, out + i * out_row, in_row,
                     out_row, w, bias, act);
            }
          });
}

// Rows of W pixels, a compile-time width: one chunk, padded on both sides.
template <class V, size_t CB, int S, int W, int TH, int R>
void depthwise_rows(const small_window_tile *t) {
  depthwise_rows_band<V, CB, S, TH, R>(
      t,
      [](auto rows, const float *in, float *out, size_t in_row, size_t out_row,
         const auto &w, auto bias, auto act) __attribute__((always_inline)) {
        depthwise_rows_step<V, CB, S, W, TH>(rows, Columns<true, true>{}, in,
                                             out, in_row, out_row, w, bias,
                                             act);
      });
}

// Rows wider than C pixels, in chunks of C: the first from the left edge,
// the last up to the right edge, the others between. Where C does not
// divide the width the last chunk overlaps the one before it and writes
// its first pixels again, the same sums in the same order.
template <class V, size_t CB, int S, int C, int TH, int R>
void depthwise_rows_wide(const small_window_tile *t) {
  const size_t width = t->width;
  depthwise_rows_band<V, CB, S, TH, R>(
      t, [width](auto rows, const float *in, float *out, size_t in_row,
                 size_t out_row, const auto &w, auto bias,
                 auto act) __attribute__((always_inline)) {
        depthwise_rows_step<V, CB, S, C, TH>(rows, Columns<true, false>{}, in,
                                             out, in_row, out_row, w, bias,
                                             act);
        size_t c = C;
        for (; c + C < width; c += C) {
          depthwise_rows_step<V, CB, S, C, TH>(rows, Columns<false, false>{},
                                               in + S * c * CB, out + c * CB,
                                               in_row, out_row, w, bias, act);
        }
        c = width - C;
        depthwise_rows_step<V, CB, S, C, TH>(rows, Columns<false, true>{},
                                             in + S * c * CB, out + c * CB,
                                             in_row, out_row, w, bias, act);
      });
}

// A whole image of W-pixel rows (small_window_shape::whole_image): the
// tile's `rows` output rows, `in` at input row 0, of each of its
// out_blocks channel blocks. An image of R rows is one step; a taller one takes
// its first and last rows alone (the filter rows in the padding left out) and
// the rows between R at a time.
//
// The input rows follow one another (in_tap_h_step = S W CB, which the
// selector checks), so every address is a constant offset from `in`: with
// the row step a variable, GCC kept the offsets of each step's rows in
// registers and spilled them (AVX2, a 6-pixel image at stride 2: 349
// stack accesses, 7% slower than its two bands).
template <class V, size_t CB, int S, int W, int R>
void depthwise_image(const small_window_tile *t) {
  constexpr int PT = kPadLeft<S>;
  constexpr size_t in_row = S * W * CB, out_row = W * CB;
  const size_t rows = t->rows;
  for (size_t block = 0; block < t->out_blocks; ++block) {
    for_each_vector<V, CB, 3>(
        t, block,
        [&](const float *in, float *out, const auto &w, auto bias,
            auto act) __attribute__((always_inline)) {
          // Output rows from i on, which read input rows from S i - PT.
          auto step = [&](auto group, size_t i) __attribute__((always_inline)) {
            depthwise_rows_step<V, CB, S, W, 3>(
                group, Columns<true, true>{}, in + i * S * in_row,
                out + i * out_row, in_row, out_row, w, bias, act);
          };
          if (R > 1 && rows == R) {
            step(Rows<R, PT, true, true>{}, 0);
            return;
          }
          if (rows == 1) {
            step(Rows<1, PT, true, true>{}, 0);
            return;
          }
          step(Rows<1, PT, true, false>{}, 0);
          size_t i = 1;
          for (; i + R < rows; i += R) {
            step(Rows<R, PT>{}, i);
          }
          for (; i + 1 < rows; ++i) {
            step(Rows<1, PT>{}, i);
          }
          step(Rows<1, PT, false, true>{}, rows - 1);
        });
  }
}

// Rows summed together for a width: as many as keep about `Sums` sums (the
// registers an ISA has for them), 1 to 3.
constexpr int rows_at_once(int width, int sums) {
  const int r = sums / width;
  return r < 1 ? 1 : (r > 3 ? 3 : r);
}

template <class V, size_t CB, int S, int Sums, int TH, int... Widths>
constexpr std::array<small_window_fn, sizeof...(Widths)>
rows_by_width(std::integer_sequence<int, Widths...>) {
  return {depthwise_rows<V, CB, S, Widths + 1, TH,
                         rows_at_once(Widths + 1, Sums)>...};
}

template <class V, size_t CB, int S, int Sums, int... Widths>
constexpr std::array<small_window_fn, sizeof...(Widths)>
images_by_width(std::integer_sequence<int, Widths...>) {
  return {
      depthwise_image<V, CB, S, Widths + 1, rows_at_once(Widths + 1, Sums)>...};
}

// The variants of stride S: widths up to MaxWidth in one chunk, by filter
// rows and width, and wider ones in chunks of Chunk pixels, by filter rows;
// whole images of widths up to MaxImageWidth, by width.
template <class V, size_t CB, int S, int MaxWidth, int Sums, int Chunk,
          int MaxImageWidth>
struct ByStride {
  using Widths = std::make_integer_sequence<int, MaxWidth>;
  static constexpr std::array<std::array<small_window_fn, MaxWidth>, 3> kOne{
      rows_by_width<V, CB, S, Sums, 1>(Widths{}),
      rows_by_width<V, CB, S, Sums, 2>(Widths{}),
      rows_by_width<V, CB, S, Sums, 3>(Widths{})};
  static constexpr int kChunkRows = rows_at_once(Chunk, Sums);
  static constexpr std::array<small_window_fn, 3> kWide{
      depthwise_rows_wide<V, CB, S, Chunk, 1, kChunkRows>,
      depthwise_rows_wide<V, CB, S, Chunk, 2, kChunkRows>,
      depthwise_rows_wide<V, CB, S, Chunk, 3, kChunkRows>};
  static constexpr std::array<small_window_fn, MaxImageWidth> kImage =
      images_by_width<V, CB, S, Sums>(
          std::make_integer_sequence<int, MaxImageWidth>{});

  static small_window_fn select(const small_window_shape &s) {
    if (s.whole_image != 0) {
      return s.width <= MaxImageWidth && s.in_tap_h_step == S * s.width * CB
                 ? kImage[s.width - 1]
                 : nullptr;
    }
    if (s.width <= MaxWidth) {
      return kOne[s.taps_h - 1][s.width - 1];
    }
    // A layer of at most CB / 2 channels keeps the ISA's own tiles, which
    // compute only its lanes.
    return s.out_lanes > CB / 2 ? kWide[s.taps_h - 1] : nullptr;
  }
};

// Shapes a whole-row variant may take: 1 to 3 filter rows (3 for a whole
// image), one block's pixels (taps CB floats apart), no activation or clip
// (ReLU, ReLU6; the MLPerf Tiny networks' only ones).
inline bool fits_rows_or_image(const small_window_shape &s, size_t cb) {
  return s.cb == cb && s.width >= 1 && s.taps_h >= 1 && s.taps_h <= 3 &&
         s.taps_w == 3 && s.in_tap_w_step == cb && s.out_pixel_step == cb &&
         s.w_pixel_step == 0 && (s.whole_image == 0 || s.taps_h == 3) &&
         (s.act == SMALL_ACT_OP_NONE || s.act == SMALL_ACT_OP_CLIP);
}

// A band's shape (not a whole image's) that fits.
inline bool fits(const small_window_shape &s, size_t cb) {
  return s.whole_image == 0 && fits_rows_or_image(s, cb);
}

// The whole-row variant for a shape, or NULL: shapes that fit, widths up
// to MaxWidth at stride 1, MaxWidth2 at stride 2 (pixels 2 CB floats
// apart), in one chunk; wider ones in chunks of Chunk pixels; whole images
// of widths up to MaxImageWidth (0: none). (A 12-pixel row in chunks of 8
// computes 4 pixels twice: MobileNet's 24 -> 12 layer measured 10% slower
// that way than in its ordinary tiles.)
template <class V, size_t CB, int MaxWidth, int Sums, int Chunk, int MaxWidth2,
          int MaxImageWidth>
small_window_fn select_depthwise_rows(const small_window_shape &s) {
  if (!fits_rows_or_image(s, CB)) {
    return nullptr;
  }
  if (s.in_pixel_step == CB) {
    return ByStride<V, CB, 1, MaxWidth, Sums, Chunk, MaxImageWidth>::select(s);
  }
  if (s.in_pixel_step == 2 * CB) {
    return ByStride<V, CB, 2, MaxWidth2, Sums, Chunk, MaxImageWidth>::select(s);
  }
  return nullptr;
}

} // namespace small::whole_rows

#endif
