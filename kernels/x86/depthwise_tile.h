// x86 depthwise tiles over an ISA's vector traits: W pixels x CB channels
// (CB / V::kLanes vectors per pixel), each lane its own channel, so a tap is
// one FMA per vector with the tap's weight vector. Full 3x3 windows along a
// row (stride 1 or 2) and down a column (the engine's border columns, stride
// 1) have unrolled tiles with compile-time offsets that load each input
// vector once for all the taps that read it; other windows (clipped,
// dilated) split the tap sum over P partial accumulators per pixel so the
// FMA latency stays hidden. Tiles across channel blocks (each pixel its own
// weights) differ per ISA and stay in the ISA folders.
//
// QA: the vectors of the block a tile computes, fewer than CB / V::kLanes
// for a layer of at most QA * V::kLanes channels (the shape's out_lanes:
// MobileNet's 8-channel depthwise in AVX2's two-ymm blocks); the others'
// weights and bias are zero, so they store act(0) (store_pad).
#ifndef SMALL_KERNELS_X86_DEPTHWISE_TILE_H
#define SMALL_KERNELS_X86_DEPTHWISE_TILE_H

#include <cstddef>
#include <utility>

#include "kernel_contract.h"
#include "x86/activation.h"

namespace small::x86 {

// The padding vectors QA.. of a pixel's block: `pad` (act(0)).
template <class V, size_t CB, int QA>
inline void store_pad(float *pixel, typename V::type pad) {
#pragma GCC unroll 16
  for (int q = QA; q < static_cast<int>(CB / V::kLanes); ++q) {
    V::store(pixel + q * V::kLanes, pad);
  }
}

// act: the tile's activation (with_activation, x86/activation.h).
template <class V, size_t CB, int W, int QA, class Act>
inline void depthwise_tile(const small_window_tile *t, const float *in,
                           float *out, Act act) {
  constexpr size_t L = V::kLanes;
  constexpr int Q = QA;
  constexpr int P = W >= 4 ? 1 : (W >= 2 ? 2 : 4);
  using T = typename V::type;
  T acc[P][W][Q];
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
#pragma GCC unroll 16
    for (int q = 0; q < Q; ++q) {
      acc[0][j][q] = V::load(t->bias + q * L);
#pragma GCC unroll 16
      for (int p = 1; p < P; ++p) {
        acc[p][j][q] = V::zero();
      }
    }
  }
  const size_t taps = t->taps_h * t->taps_w;
  size_t r = 0, s = 0, k = 0;
  // Forced inline, as the header template's weak linkage would otherwise
  // leave an out-of-line call that passes the accumulators through memory.
  auto tap = [&](T(*a)[Q]) __attribute__((always_inline)) {
    const float *x = in + r * t->in_tap_h_step + s * t->in_tap_w_step;
    const float *w = t->weights + r * t->w_tap_h_step + s * t->w_tap_w_step;
    T wv[Q];
#pragma GCC unroll 16
    for (int q = 0; q < Q; ++q) {
      wv[q] = V::load(w + q * L);
    }
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      const float *p = x + j * t->in_pixel_step;
#pragma GCC unroll 16
      for (int q = 0; q < Q; ++q) {
        a[j][q] = V::fmadd(V::load(p + q * L), wv[q], a[j][q]);
      }
    }
    if (++s == t->taps_w) {
      s = 0;
      ++r;
    }
  };
  for (; k + P <= taps; k += P) {
#pragma GCC unroll 16
    for (int p = 0; p < P; ++p) {
      tap(acc[p]);
    }
  }
  for (; k < taps; ++k) {
    tap(acc[0]);
  }
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
#pragma GCC unroll 16
    for (int q = 0; q < Q; ++q) {
#pragma GCC unroll 16
      for (int p = 1; p < P; ++p) {
        acc[0][j][q] = V::add(acc[0][j][q], acc[p][j][q]);
      }
      V::store(out + j * t->out_pixel_step + q * L, act(acc[0][j][q]));
    }
    store_pad<V, CB, QA>(out + j * t->out_pixel_step, act(V::zero()));
  }
}

// Windows of 3 taps per row (TH rows: 3, or 2 in the top and bottom
// border rows) along a row with stride S (1 or 2), dilation 1, one vector
// of lanes at a time (W accumulators + 3 weights + 1 input; with AVX2's 16
// registers a whole 16-channel pixel would not fit): all offsets are
// compile-time constants, and each input vector of a filter row is loaded
// once for every tap that reads it ((W - 1) * S + 3 loads per filter row
// instead of 3 W).
template <class V, size_t CB, int W, int S, int TH, class Act>
inline void depthwise_lanes_3x3_row(const small_window_tile *t, const float *in,
                                    const float *w, const float *bias,
                                    float *out, Act act) {
  using T = typename V::type;
  T acc[W];
  const T b = V::load(bias);
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
    acc[j] = b;
  }
  for (size_t r = 0; r < TH; ++r) {
    const float *x = in + r * t->in_tap_h_step;
    const float *wr = w + r * t->w_tap_h_step;
    const T w0 = V::load(wr);
    const T w1 = V::load(wr + t->w_tap_w_step);
    const T w2 = V::load(wr + 2 * t->w_tap_w_step);
    // Input column i feeds pixel j through tap s when i == j * S + s.
#pragma GCC unroll 64
    for (int i = 0; i < (W - 1) * S + 3; ++i) {
      const T v = V::load(x + i * CB);
      if (i % S == 0 && i / S < W) {
        acc[i / S] = V::fmadd(v, w0, acc[i / S]);
      }
      if (i >= 1 && (i - 1) % S == 0 && (i - 1) / S < W) {
        acc[(i - 1) / S] = V::fmadd(v, w1, acc[(i - 1) / S]);
      }
      if (i >= 2 && (i - 2) % S == 0 && (i - 2) / S < W) {
        acc[(i - 2) / S] = V::fmadd(v, w2, acc[(i - 2) / S]);
      }
    }
  }
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
    V::store(out + j * t->out_pixel_step, act(acc[j]));
  }
}

// Windows of 3 rows (TW columns: 3, or 2 in the left and right border
// columns) down a column with stride 1 and dilation 1, one vector of lanes
// at a time (W accumulators + 3 TW weights + 1 input): pixel j reads input
// rows j..j+2, so each of the W + 2 rows is loaded once and feeds every
// pixel that needs it; the row pointer advances by one increment.
template <class V, size_t CB, int W, int TW, class Act>
inline void depthwise_lanes_3x3_col(const small_window_tile *t, const float *in,
                                    const float *w, const float *bias,
                                    float *out, Act act) {
  using T = typename V::type;
  T acc[W];
  const T b = V::load(bias);
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
    acc[j] = b;
  }
  T wv[3][TW];
#pragma GCC unroll 3
  for (int r = 0; r < 3; ++r) {
#pragma GCC unroll 3
    for (int c = 0; c < TW; ++c) {
      wv[r][c] = V::load(w + r * t->w_tap_h_step + c * t->w_tap_w_step);
    }
  }
  const float *x = in;
#pragma GCC unroll 32
  for (int i = 0; i < W + 2; ++i, x += t->in_pixel_step) {
#pragma GCC unroll 3
    for (int c = 0; c < TW; ++c) {
      const T v = V::load(x + c * CB);
#pragma GCC unroll 3
      for (int r = 0; r < 3; ++r) {
        if (i - r >= 0 && i - r < W) {
          acc[i - r] = V::fmadd(v, wv[r][c], acc[i - r]);
        }
      }
    }
  }
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
    V::store(out + j * t->out_pixel_step, act(acc[j]));
  }
}

// One pixel whose window is 2x2 (the corners of a 3x3 depthwise layer
// padded by one: DS-CNN's 25x5 images have 4 per channel block and layer):
// the four taps unrolled over two partial sums, where the generic tile
// loops over runtime taps for a single pixel.
template <class V, size_t CB, int QA>
void depthwise_window_2x2(const small_window_tile *t) {
  constexpr size_t L = V::kLanes;
  using T = typename V::type;
  const size_t h = t->in_tap_h_step, wh = t->w_tap_h_step;
  const size_t ws = t->w_tap_w_step;
  with_activation<V>(
      t->act, [&](auto act) __attribute__((always_inline)) {
#pragma GCC unroll 4
        for (int q = 0; q < QA; ++q) {
          const float *x = t->in + q * L;
          const float *w = t->weights + q * L;
          T top = V::fmadd(V::load(x), V::load(w), V::load(t->bias + q * L));
          top = V::fmadd(V::load(x + CB), V::load(w + ws), top);
          T bottom = V::mul(V::load(x + h), V::load(w + wh));
          bottom = V::fmadd(V::load(x + h + CB), V::load(w + wh + ws), bottom);
          V::store(t->out + q * L, act(V::add(top, bottom)));
        }
        store_pad<V, CB, QA>(t->out, act(V::zero()));
      });
}

// Which depthwise tile a run of pixels takes (fixed per tile shape): the
// generic one, or 3-tap rows (3 or 2 of them: the top and bottom borders)
// along a row, or 3-row columns (3 or 2 taps wide: the left and right
// borders) down a column.
enum class DepthwiseKind {
  kGeneric,
  kRow3x3Stride1,
  kRow3x3Stride2,
  kRow2x3Stride1,
  kRow2x3Stride2,
  kCol3x3,
  kCol3x2
};

template <class V, size_t CB, DepthwiseKind K, int W, int QA, class Act>
inline void depthwise_pixels(const small_window_tile *t, const float *in,
                             float *out, Act act) {
  constexpr size_t L = V::kLanes;
  if constexpr (K == DepthwiseKind::kGeneric) {
    depthwise_tile<V, CB, W, QA>(t, in, out, act);
  } else {
#pragma GCC unroll 4
    for (size_t q = 0; q < QA; ++q) {
      const size_t o = q * L;
      if constexpr (K == DepthwiseKind::kCol3x3 ||
                    K == DepthwiseKind::kCol3x2) {
        constexpr int TW = K == DepthwiseKind::kCol3x3 ? 3 : 2;
        depthwise_lanes_3x3_col<V, CB, W, TW>(t, in + o, t->weights + o,
                                              t->bias + o, out + o, act);
      } else {
        constexpr int S = K == DepthwiseKind::kRow3x3Stride1 ||
                                  K == DepthwiseKind::kRow2x3Stride1
                              ? 1
                              : 2;
        constexpr int TH = K == DepthwiseKind::kRow3x3Stride1 ||
                                   K == DepthwiseKind::kRow3x3Stride2
                               ? 3
                               : 2;
        depthwise_lanes_3x3_row<V, CB, W, S, TH>(t, in + o, t->weights + o,
                                                 t->bias + o, out + o, act);
      }
    }
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      store_pad<V, CB, QA>(out + j * t->out_pixel_step, act(V::zero()));
    }
  }
}

// Pixels [first, first + count) of a call in tiles of W (count a multiple
// of W), the activation picked once (with_activation).
template <class V, size_t CB, DepthwiseKind K, int W, int QA>
inline void depthwise_tiles(const small_window_tile *t, size_t first,
                            size_t count) {
  with_activation<V>(
      t->act, [ t, first, count ](auto act) __attribute__((always_inline)) {
        for (size_t j = first; j < first + count; j += W) {
          depthwise_pixels<V, CB, K, W, QA>(t, t->in + j * t->in_pixel_step,
                                            t->out + j * t->out_pixel_step,
                                            act);
        }
      });
}

// The full register tiles of a call, out of line: one copy shared by the
// TILE_W functions that differ only in their REST (inlined into each, they
// were most of the kernel objects' code and of a sanitizer build's time).
template <class V, size_t CB, DepthwiseKind K, int TILE_W, int QA>
[[gnu::noinline]] void depthwise_full_tiles(const small_window_tile *t,
                                            size_t count) {
  depthwise_tiles<V, CB, K, TILE_W, QA>(t, 0, count);
}

// A tile of any width: full register tiles of TILE_W pixels, then the REST
// (t->width % TILE_W == REST).
template <class V, size_t CB, DepthwiseKind K, int TILE_W, int QA, int REST>
void depthwise_run(const small_window_tile *t) {
  const size_t full = t->width - REST;
  if (full > 0) {
    depthwise_full_tiles<V, CB, K, TILE_W, QA>(t, full);
  }
  if constexpr (REST > 0) {
    depthwise_tiles<V, CB, K, REST, QA>(t, full, REST);
  }
}

template <class V, size_t CB, DepthwiseKind K, int TILE_W, int QA, int... Rs>
small_window_fn depthwise_by_rest(size_t width,
                                  std::integer_sequence<int, Rs...>) {
  static constexpr small_window_fn by_rest[] = {
      depthwise_run<V, CB, K, TILE_W, QA, Rs>...};
  return by_rest[width % TILE_W];
}

// The tile for pixels of one channel block that share their weights (the
// ISA folder serves shapes with w_pixel_step != 0 itself): the full 3x3
// kernels where the shape allows, else the generic one.
template <class V, size_t CB, int TILE_W, int QA>
small_window_fn depthwise_select_kind(const small_window_shape &s) {
  using Rests = std::make_integer_sequence<int, TILE_W>;
  using K = DepthwiseKind;
  const bool dense = s.in_tap_w_step == CB; // dilation 1 along the row
  const bool rows_of_3 =
      dense && s.taps_w == 3 && (s.taps_h == 3 || s.taps_h == 2);
  const bool full_rows = s.taps_h == 3;
  if (rows_of_3 && s.in_pixel_step == CB) {
    return full_rows ? depthwise_by_rest<V, CB, K::kRow3x3Stride1, TILE_W, QA>(
                           s.width, Rests{})
                     : depthwise_by_rest<V, CB, K::kRow2x3Stride1, TILE_W, QA>(
                           s.width, Rests{});
  }
  if (rows_of_3 && s.in_pixel_step == 2 * CB) {
    return full_rows ? depthwise_by_rest<V, CB, K::kRow3x3Stride2, TILE_W, QA>(
                           s.width, Rests{})
                     : depthwise_by_rest<V, CB, K::kRow2x3Stride2, TILE_W, QA>(
                           s.width, Rests{});
  }
  // Down a column at stride 1 (the pixel step is one input row).
  if (dense && s.taps_h == 3 && s.in_pixel_step == s.in_tap_h_step &&
      (s.taps_w == 3 || s.taps_w == 2)) {
    return s.taps_w == 3
               ? depthwise_by_rest<V, CB, K::kCol3x3, TILE_W, QA>(s.width,
                                                                  Rests{})
               : depthwise_by_rest<V, CB, K::kCol3x2, TILE_W, QA>(s.width,
                                                                  Rests{});
  }
  if (dense && s.taps_h == 2 && s.taps_w == 2 && s.width == 1) {
    return depthwise_window_2x2<V, CB, QA>;
  }
  return depthwise_by_rest<V, CB, DepthwiseKind::kGeneric, TILE_W, QA>(s.width,
                                                                       Rests{});
}

template <class V, size_t CB, int TILE_W>
small_window_fn depthwise_select(const small_window_shape &s) {
  constexpr int Q = static_cast<int>(CB / V::kLanes);
  if constexpr (Q > 1) {
    if (s.out_lanes <= V::kLanes) {
      return depthwise_select_kind<V, CB, TILE_W, 1>(s);
    }
  }
  return depthwise_select_kind<V, CB, TILE_W, Q>(s);
}

} // namespace small::x86

#endif
