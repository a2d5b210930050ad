// x86 convolution tiles over an ISA's vector traits (avx2/vec.h,
// avx512/vec.h): W output pixels x OB output blocks of CB channels, each
// block CB / V::kLanes vectors. The ISA folder picks W and OB from its
// register file and instantiates conv_select with them.
//
// Narrow tiles (the clipped border columns, small images) would have too few
// independent FMA chains to hide the FMA latency, so they split the input
// channel sum over P partial accumulator sets (chains * P >= 8), added
// before the epilogue.
//
// QA: the vectors of each output block the tile computes, CB / V::kLanes or
// fewer for a layer with at most QA * V::kLanes channels (the shape's
// out_lanes: MobileNet's 8-channel first layer in AVX2's two-ymm blocks).
// The other vectors' bias and weights are zero (kernel_contract.h), so they
// store act(0) without a product.
#ifndef SMALL_KERNELS_X86_CONV_TILE_H
#define SMALL_KERNELS_X86_CONV_TILE_H

#include <algorithm>
#include <cstddef>
#include <utility>

#include <immintrin.h>

#include "kernel_contract.h"
#include "x86/activation.h"

namespace small::x86 {

constexpr int partial_sets(int chains) {
  return chains >= 8 ? 1 : (chains >= 4 ? 2 : (chains >= 2 ? 4 : 8));
}

// STEP: floats between consecutive pixels' inputs when known at compile
// time (stride 1 or 2), 0 for the runtime t->in_pixel_step.
//
// RES: the tile adds small_window_tile::residual before the activation (a
// folded residual Add: the shape's residual), a variant of its own so that
// the other tiles' code stays as it was (a runtime branch in the epilogue
// made GCC spill the 12x32 tile's accumulators in its main loop).
template <class V, size_t CB, int W, int OB, size_t STEP,
          int QA = static_cast<int>(CB / V::kLanes), bool RES = false>
void conv_tile(const small_window_tile *t) {
  constexpr size_t L = V::kLanes;
  constexpr int Q = QA;
  constexpr int P = partial_sets(Q * W * OB);
  using T = typename V::type;
  const size_t step = STEP != 0 ? STEP : t->in_pixel_step;
  T acc[P][OB][W][Q];
#pragma GCC unroll 16
  for (int k = 0; k < OB; ++k) {
#pragma GCC unroll 16
    for (int q = 0; q < Q; ++q) {
      const T bias = V::load(t->bias + k * CB + q * L);
#pragma GCC unroll 16
      for (int j = 0; j < W; ++j) {
        acc[0][k][j][q] = bias;
#pragma GCC unroll 16
        for (int p = 1; p < P; ++p) {
          acc[p][k][j][q] = V::zero();
        }
      }
    }
  }
  // Input channel i of the tap at (in, w) into sums a: one weight row per
  // output block, one broadcast per pixel. Forced inline: called from
  // several loops, a header template (weak linkage) would otherwise get an
  // out-of-line call that passes the accumulators through memory.
  const auto channel = [&](const float *in, const float *w, size_t i,
                           T(*a)[W][Q]) __attribute__((always_inline)) {
    T wv[OB][Q];
    if constexpr (W == 1) {
      // A one-pixel tile (a dense layer's) streams its weights once, from
      // L2: ask for them 16 channels (1 KB at Cb 16) ahead.
#pragma GCC unroll 16
      for (int k = 0; k < OB; ++k) {
        _mm_prefetch(reinterpret_cast<const char *>(
                         w + k * t->w_out_block_step + (i + 16) * CB),
                     _MM_HINT_T0);
      }
    }
#pragma GCC unroll 16
    for (int k = 0; k < OB; ++k) {
#pragma GCC unroll 16
      for (int q = 0; q < Q; ++q) {
        wv[k][q] = V::load(w + k * t->w_out_block_step + i * CB + q * L);
      }
    }
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      const T x = V::broadcast(in + j * step + i);
#pragma GCC unroll 16
      for (int k = 0; k < OB; ++k) {
#pragma GCC unroll 16
        for (int q = 0; q < Q; ++q) {
          a[k][j][q] = V::fmadd(x, wv[k][q], a[k][j][q]);
        }
      }
    }
  };
  // A 1x1 layer over one input block of kNarrowLanes channels (MobileNet's
  // 8 -> 16 pointwise layer): its whole reduction is kNarrowLanes channels,
  // too short to amortize the block, tap and lane loops below; unrolled at
  // compile time it runs 15-20% faster (docs/benchmarks.md). Only the
  // stride-1 tiles of 12 or more sums without a residual take it (a
  // pointwise layer's row): the border tiles and the other variants keep
  // one copy of the loops, not a second of the reduction.
  constexpr size_t kNarrowLanes = 8;
  constexpr bool kNarrowPath = P == 1 && W * OB * Q >= 12 && STEP == CB && !RES;
  const bool narrow_pointwise = kNarrowPath && t->in_blocks == 1 &&
                                t->taps_h == 1 && t->taps_w == 1 &&
                                t->in_last_channels == kNarrowLanes;
  if constexpr (kNarrowPath) {
    if (narrow_pointwise) {
#pragma GCC unroll 8
      for (size_t i = 0; i < kNarrowLanes; ++i) {
        channel(t->in, t->weights, i, acc[0]);
      }
    }
  }
  for (size_t b = 0; !narrow_pointwise && b < t->in_blocks; ++b) {
    const size_t lanes =
        b + 1 == t->in_blocks ? t->in_last_channels : t->in_lanes;
    for (size_t r = 0; r < t->taps_h; ++r) {
      for (size_t s = 0; s < t->taps_w; ++s) {
        const float *in = t->in + b * t->in_block_step + r * t->in_tap_h_step +
                          s * t->in_tap_w_step;
        const float *w = t->weights + b * t->w_block_step +
                         r * t->w_tap_h_step + s * t->w_tap_w_step;
        size_t i = 0;
        for (; i + P <= lanes; i += P) {
#pragma GCC unroll 16
          for (int p = 0; p < P; ++p) {
            channel(in, w, i + p, acc[p]);
          }
        }
        for (; i < lanes; ++i) {
          channel(in, w, i, acc[0]);
        }
      }
    }
  }
  // act(sum), with RES act(sum + residual): the additions the Add layer
  // would make, so the same floats; padding vectors included. The
  // activation is chosen once per tile, not once per stored vector. The
  // output steps are read once: the vector stores may alias the tile, so
  // its fields would be read again after every store.
  const size_t out_pixel_step = t->out_pixel_step;
  const size_t out_block_step = t->out_block_step;
  const auto epilogue = [&](auto act) __attribute__((always_inline)) {
#pragma GCC unroll 16
    for (int k = 0; k < OB; ++k) {
      float *out = t->out + k * out_block_step;
      const float *residual = RES ? t->residual + k * out_block_step : nullptr;
#pragma GCC unroll 16
      for (int j = 0; j < W; ++j) {
        const size_t pixel = j * out_pixel_step;
#pragma GCC unroll 16
        for (int q = 0; q < Q; ++q) {
#pragma GCC unroll 16
          for (int p = 1; p < P; ++p) {
            acc[0][k][j][q] = V::add(acc[0][k][j][q], acc[p][k][j][q]);
          }
          typename V::type sum = acc[0][k][j][q];
          if constexpr (RES) {
            sum = V::add(sum, V::load(residual + pixel + q * L));
          }
          V::store(out + pixel + q * L, act(sum));
        }
        // The padding vectors of a narrow block: act(0), or with RES
        // act(0 + residual).
#pragma GCC unroll 16
        for (int q = QA; q < static_cast<int>(CB / L); ++q) {
          typename V::type pad = V::zero();
          if constexpr (RES) {
            pad = V::add(pad, V::load(residual + pixel + q * L));
          }
          V::store(out + pixel + q * L, act(pad));
        }
      }
    }
  };
  with_activation<V>(t->act, epilogue);
}

// Planar input (one channel per input block: a narrow network input such as
// RGB): every (block, row, column) tap is a single lane, so the generic tile
// would spend its time on loop overhead around 1-lane reductions. Here the
// tap loop is the innermost one and the weights of consecutive taps of a row
// are consecutive CB vectors. Narrow tiles (the border rows of a first
// layer: DS-CNN's 1 and 3 pixels) split the window's taps over P partial
// sums, as the generic tile splits its channels.
template <class V, size_t CB, int W, int OB, size_t STEP,
          int QA = static_cast<int>(CB / V::kLanes)>
void conv_tile_planar(const small_window_tile *t) {
  constexpr size_t L = V::kLanes;
  constexpr int Q = QA;
  // Counted on whole blocks: a tile of fewer vectors (QA) has fewer chains,
  // but more partial sums cost it more than the latency (AVX2's 6-pixel
  // half-block tiles of MobileNet's first layer: with 2 sets their 12 sums
  // spill from the 16 registers, 18% more instructions).
  constexpr int P = partial_sets(static_cast<int>(CB / L) * W * OB);
  using T = typename V::type;
  const size_t step = STEP != 0 ? STEP : t->in_pixel_step;
  T acc[P][OB][W][Q];
#pragma GCC unroll 16
  for (int k = 0; k < OB; ++k) {
#pragma GCC unroll 16
    for (int q = 0; q < Q; ++q) {
      const T bias = V::load(t->bias + k * CB + q * L);
#pragma GCC unroll 16
      for (int j = 0; j < W; ++j) {
        acc[0][k][j][q] = bias;
#pragma GCC unroll 8
        for (int p = 1; p < P; ++p) {
          acc[p][k][j][q] = V::zero();
        }
      }
    }
  }
  // Tap (in, w) into partial sums a: one weight row per output block, one
  // broadcast per pixel.
  auto tap = [&](const float *in, const float *w, T(*a)[W][Q])
      __attribute__((always_inline)) {
    T wv[OB][Q];
#pragma GCC unroll 16
    for (int k = 0; k < OB; ++k) {
#pragma GCC unroll 16
      for (int q = 0; q < Q; ++q) {
        wv[k][q] = V::load(w + k * t->w_out_block_step + q * L);
      }
    }
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      const T x = V::broadcast(in + j * step);
#pragma GCC unroll 16
      for (int k = 0; k < OB; ++k) {
#pragma GCC unroll 16
        for (int q = 0; q < Q; ++q) {
          a[k][j][q] = V::fmadd(x, wv[k][q], a[k][j][q]);
        }
      }
    }
  };
  // A row of 3 adjacent taps at stride 2 (MobileNet's first layer), for
  // the tiles of one vector of sums per pixel: input float 2 j + 2 is tap 2
  // of pixel j and tap 0 of pixel j + 1, so the row takes 2 W + 1
  // broadcasts where three taps take 3 W, its 3 weight vectors held (AVX2's
  // 12-pixel tiles: 12 sums + 3 weights + 1 input fill the 16 ymm). Each
  // sum still adds taps 0, 1, 2 in order.
  constexpr bool kRowOfThree = STEP == 2 && P == 1 && OB == 1 && Q == 1;
  const bool row_of_three =
      kRowOfThree && t->taps_w == 3 && t->in_tap_w_step == 1;
  const auto row3 = [&](const float *in, const float *w)
      __attribute__((always_inline)) {
    const T w0 = V::load(w), w1 = V::load(w + t->w_tap_w_step);
    const T w2 = V::load(w + 2 * t->w_tap_w_step);
    T(&a)[W][Q] = acc[0][0];
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      const T x0 = V::broadcast(in + 2 * j);
      if (j > 0) {
        a[j - 1][0] = V::fmadd(x0, w2, a[j - 1][0]);
      }
      a[j][0] = V::fmadd(x0, w0, a[j][0]);
      a[j][0] = V::fmadd(V::broadcast(in + 2 * j + 1), w1, a[j][0]);
    }
    a[W - 1][0] = V::fmadd(V::broadcast(in + 2 * W), w2, a[W - 1][0]);
  };
  for (size_t b = 0; b < t->in_blocks; ++b) {
    const float *in_block = t->in + b * t->in_block_step;
    const float *w_block = t->weights + b * t->w_block_step;
    if (row_of_three) {
      for (size_t r = 0; r < t->taps_h; ++r) {
        row3(in_block + r * t->in_tap_h_step, w_block + r * t->w_tap_h_step);
      }
      continue;
    }
    if (P == 1) {
      for (size_t r = 0; r < t->taps_h; ++r) {
        const float *in = in_block + r * t->in_tap_h_step;
        const float *w = w_block + r * t->w_tap_h_step;
        for (size_t s = 0; s < t->taps_w;
             ++s, in += t->in_tap_w_step, w += t->w_tap_w_step) {
          tap(in, w, acc[0]);
        }
      }
      continue;
    }
    // The window's taps row after row, P at a time over the partial sums:
    // a row of fewer than P taps (DS-CNN's 4-wide first-layer window on
    // 1-pixel border tiles, P = 8) still fills every set.
    const float *in_row = in_block, *w_row = w_block;
    size_t s = 0;
    const auto next = [&] {
      if (++s == t->taps_w) {
        s = 0;
        in_row += t->in_tap_h_step;
        w_row += t->w_tap_h_step;
      }
    };
    const size_t taps = t->taps_h * t->taps_w;
    size_t i = 0;
    for (; i + P <= taps; i += P) {
#pragma GCC unroll 8
      for (int p = 0; p < P; ++p) {
        tap(in_row + s * t->in_tap_w_step, w_row + s * t->w_tap_w_step, acc[p]);
        next();
      }
    }
    for (; i < taps; ++i) {
      tap(in_row + s * t->in_tap_w_step, w_row + s * t->w_tap_w_step, acc[0]);
      next();
    }
  }
  // The activation chosen once per tile (with_activation); the padding
  // vectors of a narrow block get act(0). The output steps are read once,
  // as in conv_tile.
  const size_t out_pixel_step = t->out_pixel_step;
  const size_t out_block_step = t->out_block_step;
  const auto epilogue = [&](auto act) __attribute__((always_inline)) {
    const T pad = act(V::zero());
#pragma GCC unroll 16
    for (int k = 0; k < OB; ++k) {
      float *out = t->out + k * out_block_step;
#pragma GCC unroll 16
      for (int j = 0; j < W; ++j) {
        float *pixel = out + j * out_pixel_step;
#pragma GCC unroll 16
        for (int q = 0; q < Q; ++q) {
#pragma GCC unroll 8
          for (int p = 1; p < P; ++p) {
            acc[0][k][j][q] = V::add(acc[0][k][j][q], acc[p][k][j][q]);
          }
          V::store(pixel + q * L, act(acc[0][k][j][q]));
        }
#pragma GCC unroll 16
        for (int q = QA; q < static_cast<int>(CB / L); ++q) {
          V::store(pixel + q * L, pad);
        }
      }
    }
  };
  with_activation<V>(t->act, epilogue);
}

template <class V, size_t CB, int OB, size_t STEP, int QA, int... Ws>
small_window_fn conv_by_width(size_t width, std::integer_sequence<int, Ws...>) {
  static constexpr small_window_fn by_width[] = {
      conv_tile<V, CB, Ws + 1, OB, STEP, QA>...};
  // The engine never passes more than the max width (the table's
  // conv_max_width, sizeof...(Ws)).
  return by_width[std::min(width, sizeof...(Ws)) - 1];
}

template <class V, size_t CB, int OB, size_t STEP, int QA, int... Ws>
small_window_fn conv_planar_by_width(size_t width,
                                     std::integer_sequence<int, Ws...>) {
  static constexpr small_window_fn by_width[] = {
      conv_tile_planar<V, CB, Ws + 1, OB, STEP, QA>...};
  return by_width[std::min(width, sizeof...(Ws)) - 1];
}

// Picks the tile of OB output blocks for a shape: its width, and a
// compile-time pixel step where there is one, so the broadcasts use
// immediate offsets. A planar input's pixel step is the stride (1 and 2
// compiled); a blocked input's is the stride times CB (CB and 2 CB). Only
// these pairs are instantiated: the others would be code no shape reaches.
template <class V, size_t CB, int MAX_W, int OB, int QA>
small_window_fn conv_select_steps(const small_window_shape &s) {
  using Widths = std::make_integer_sequence<int, MAX_W>;
  if (s.in_lanes == 1) {
    switch (s.in_pixel_step) {
    case 1:
      return conv_planar_by_width<V, CB, OB, 1, QA>(s.width, Widths{});
    case 2:
      return conv_planar_by_width<V, CB, OB, 2, QA>(s.width, Widths{});
    default:
      return conv_planar_by_width<V, CB, OB, 0, QA>(s.width, Widths{});
    }
  }
  switch (s.in_pixel_step) {
  case CB:
    return conv_by_width<V, CB, OB, CB, QA>(s.width, Widths{});
  case 2 * CB:
    return conv_by_width<V, CB, OB, 2 * CB, QA>(s.width, Widths{});
  default:
    return conv_by_width<V, CB, OB, 0, QA>(s.width, Widths{});
  }
}

// Whether a pixels-in-lanes planar tile (an ISA's own: at most `outputs`
// channels of one block, up to `max_width` pixels, rows of at most 3 taps
// at stride 1 or 2, dilation 1) takes the shape.
inline bool planar_lanes_fit(const small_window_shape &s, size_t outputs,
                             size_t max_width) {
  return s.in_lanes == 1 && s.out_blocks == 1 && s.out_lanes <= outputs &&
         s.taps_w >= 1 && s.taps_w <= 3 && s.in_tap_w_step == 1 &&
         (s.in_pixel_step == 1 || s.in_pixel_step == 2) && s.width >= 1 &&
         s.width <= max_width;
}

// The selector of an ISA's pixels-in-lanes planar tiles, K<STEP, TW>::run
// for stride STEP (1 or 2) and TW taps per row (1 to 3): for the shapes
// planar_lanes_fit accepts.
template <template <int, int> class K, int STEP>
small_window_fn planar_lanes_by_taps(size_t taps_w) {
  switch (taps_w) {
  case 1:
    return K<STEP, 1>::run;
  case 2:
    return K<STEP, 2>::run;
  default:
    return K<STEP, 3>::run;
  }
}

template <template <int, int> class K>
small_window_fn planar_lanes_select(const small_window_shape &s) {
  return s.in_pixel_step == 1 ? planar_lanes_by_taps<K, 1>(s.taps_w)
                              : planar_lanes_by_taps<K, 2>(s.taps_w);
}

// Planar tiles wider than the table's conv_max_width, FROM to TO pixels (a
// table with conv_planar_lanes_max_width: only a planar layer of one block
// of few channels gets them): the planar template, one output block of QA
// vectors. AVX2's for every such shape; AVX-512's where its pixels-in-lanes
// tile does not fit (down a column, wider windows).
template <class V, size_t CB, int FROM, int QA, size_t STEP, int... Ws>
small_window_fn planar_wide_by_width(size_t width,
                                     std::integer_sequence<int, Ws...>) {
  static constexpr small_window_fn by_width[] = {
      conv_tile_planar<V, CB, FROM + Ws, 1, STEP, QA>...};
  return by_width[width - FROM];
}

template <class V, size_t CB, int FROM, int TO, int QA>
small_window_fn conv_select_planar_wide(const small_window_shape &s) {
  using Widths = std::make_integer_sequence<int, TO - FROM + 1>;
  switch (s.in_pixel_step) {
  case 1:
    return planar_wide_by_width<V, CB, FROM, QA, 1>(s.width, Widths{});
  case 2:
    return planar_wide_by_width<V, CB, FROM, QA, 2>(s.width, Widths{});
  default:
    return planar_wide_by_width<V, CB, FROM, QA, 0>(s.width, Widths{});
  }
}

// Tiles of one output block over a blocked input wider than the table's
// conv_max_width, FROM to TO pixels (conv_one_block_max_width), at the
// compile-time steps of stride 1 and 2 or the runtime one, with or without
// a residual.
template <class V, size_t CB, int FROM, size_t STEP, int... Ws>
small_window_fn one_block_wide_by_width(const small_window_shape &s,
                                        std::integer_sequence<int, Ws...>) {
  constexpr int Q = static_cast<int>(CB / V::kLanes);
  static constexpr small_window_fn plain[] = {
      conv_tile<V, CB, FROM + Ws, 1, STEP, Q, false>...};
  static constexpr small_window_fn residual[] = {
      conv_tile<V, CB, FROM + Ws, 1, STEP, Q, true>...};
  return s.residual != 0 ? residual[s.width - FROM] : plain[s.width - FROM];
}

template <class V, size_t CB, int FROM, int TO>
small_window_fn conv_select_one_block_wide(const small_window_shape &s) {
  using Widths = std::make_integer_sequence<int, TO - FROM + 1>;
  switch (s.in_pixel_step) {
  case CB:
    return one_block_wide_by_width<V, CB, FROM, CB>(s, Widths{});
  case 2 * CB:
    return one_block_wide_by_width<V, CB, FROM, 2 * CB>(s, Widths{});
  default:
    return one_block_wide_by_width<V, CB, FROM, 0>(s, Widths{});
  }
}

// The tiles with a residual (a blocked input: never planar) by width, at
// the compile-time steps of stride 1 and 2 or the runtime one.
template <class V, size_t CB, int OB, size_t STEP, int QA, int... Ws>
small_window_fn conv_residual_by_width(size_t width,
                                       std::integer_sequence<int, Ws...>) {
  static constexpr small_window_fn by_width[] = {
      conv_tile<V, CB, Ws + 1, OB, STEP, QA, true>...};
  return by_width[std::min(width, sizeof...(Ws)) - 1];
}

template <class V, size_t CB, int MAX_W, int OB, int QA>
small_window_fn conv_select_residual(const small_window_shape &s) {
  using Widths = std::make_integer_sequence<int, MAX_W>;
  switch (s.in_pixel_step) {
  case CB:
    return conv_residual_by_width<V, CB, OB, CB, QA>(s.width, Widths{});
  case 2 * CB:
    return conv_residual_by_width<V, CB, OB, 2 * CB, QA>(s.width, Widths{});
  default:
    return conv_residual_by_width<V, CB, OB, 0, QA>(s.width, Widths{});
  }
}

// The one-pixel tiles of 1 to MAX_OB output blocks a dense layer takes
// (the table's conv_f32_dense_out_blocks): the pixel step is never read.
template <class V, size_t CB, bool RES, int... OBs>
small_window_fn conv_dense_by_blocks(size_t out_blocks,
                                     std::integer_sequence<int, OBs...>) {
  static constexpr small_window_fn by_blocks[] = {
      conv_tile<V, CB, 1, OBs + 1, CB, static_cast<int>(CB / V::kLanes),
                RES>...};
  return by_blocks[std::min(out_blocks, sizeof...(OBs)) - 1];
}

template <class V, size_t CB, int MAX_OB>
small_window_fn conv_select_dense(const small_window_shape &s) {
  using Blocks = std::make_integer_sequence<int, MAX_OB>;
  return s.residual != 0
             ? conv_dense_by_blocks<V, CB, true>(s.out_blocks, Blocks{})
             : conv_dense_by_blocks<V, CB, false>(s.out_blocks, Blocks{});
}

// A layer of one output block with at most one vector of channels (a block
// of several vectors: AVX2) takes the tiles that compute only that vector.
template <class V, size_t CB, int MAX_W, int OB>
small_window_fn conv_select(const small_window_shape &s) {
  constexpr int Q = static_cast<int>(CB / V::kLanes);
  if constexpr (Q > 1) {
    if (s.out_lanes <= V::kLanes && s.out_blocks == 1) {
      return s.residual != 0 ? conv_select_residual<V, CB, MAX_W, OB, 1>(s)
                             : conv_select_steps<V, CB, MAX_W, OB, 1>(s);
    }
  }
  return s.residual != 0 ? conv_select_residual<V, CB, MAX_W, OB, Q>(s)
                         : conv_select_steps<V, CB, MAX_W, OB, Q>(s);
}

} // namespace small::x86

#endif
