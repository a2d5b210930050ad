// NEON depthwise tiles shared by the aarch64 (kernels/neon, kernels/neondot,
// Cb = 16) and armv7 (kernels/armv7, Cb = 8) folders, with their selector:
// the generic tile, and on aarch64 the tiles that slide along a row or down
// a column of 3x3 windows. Header-only, as arm/neon_tiles.h (activate()).
#ifndef SMALL_KERNELS_ARM_NEON_DEPTHWISE_TILES_H
#define SMALL_KERNELS_ARM_NEON_DEPTHWISE_TILES_H

#include <arm_neon.h>

#include <cstddef>

#include "arm/neon_tiles.h"
#include "arm/vec_f32.h"
#include "depthwise_rows.h"
#include "kernel_contract.h"

namespace small::arm {

// Depthwise: W pixels x Cb channels. Pixels of one block share each tap's
// weight vectors (one load per tap); pixels in different blocks
// (w_pixel_step != 0) load their own.
template <int W, int Q, bool PER_PIXEL, bool ANY_ACT>
void depthwise_tile(const small_window_tile *t, const float *in,
                    const float *weights, const float *bias, float *out) {
  float32x4_t acc[W][Q];
#pragma GCC unroll 16
  for (int q = 0; q < Q; ++q) {
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      acc[j][q] = vld1q_f32(bias + j * t->bias_pixel_step + 4 * q);
    }
  }
  for (size_t r = 0; r < t->taps_h; ++r) {
    for (size_t s = 0; s < t->taps_w; ++s) {
      const float *x = in + r * t->in_tap_h_step + s * t->in_tap_w_step;
      const float *w = weights + r * t->w_tap_h_step + s * t->w_tap_w_step;
#pragma GCC unroll 16
      for (int q = 0; q < Q; ++q) {
        const float32x4_t wv = vld1q_f32(w + 4 * q);
#pragma GCC unroll 16
        for (int j = 0; j < W; ++j) {
          const float32x4_t wj =
              PER_PIXEL ? vld1q_f32(w + j * t->w_pixel_step + 4 * q) : wv;
          acc[j][q] = vfmaq_f32(
              acc[j][q], vld1q_f32(x + j * t->in_pixel_step + 4 * q), wj);
        }
      }
    }
  }
  // The usual epilogue (none, ReLU, ReLU6, clip) inline; any other one as a
  // second pass over the stored pixels. With the whole activation switch
  // inline, GCC 12 spilled an accumulator of the armv7 4x8 tile in the tap
  // loop (the sigmoid path calls out).
  const bool clip = t->act.op == SMALL_ACT_OP_CLIP;
  if (!ANY_ACT || clip || t->act.op == SMALL_ACT_OP_NONE) {
    const float inf = __builtin_inff();
    const float32x4_t lo = vdupq_n_f32(clip ? t->act.lo : -inf);
    const float32x4_t hi = vdupq_n_f32(clip ? t->act.hi : inf);
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
#pragma GCC unroll 16
      for (int q = 0; q < Q; ++q) {
        vst1q_f32(out + j * t->out_pixel_step + 4 * q,
                  vminq_f32(vmaxq_f32(acc[j][q], lo), hi));
      }
    }
    return;
  }
  if constexpr (ANY_ACT) {
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
#pragma GCC unroll 16
      for (int q = 0; q < Q; ++q) {
        vst1q_f32(out + j * t->out_pixel_step + 4 * q, acc[j][q]);
      }
    }
    for (int j = 0; j < W; ++j) {
      for (int q = 0; q < Q; ++q) {
        float *p = out + j * t->out_pixel_step + 4 * q;
        vst1q_f32(p, activate(vld1q_f32(p), t->act));
      }
    }
  }
}

template <int Q, bool PER_PIXEL, bool ANY_ACT>
void depthwise_widths(const small_window_tile *t) {
  constexpr int kW = 8 / Q; // 8 accumulators
  size_t j = 0;
  for (; j + kW <= t->width; j += kW) {
    depthwise_tile<kW, Q, PER_PIXEL, ANY_ACT>(
        t, t->in + j * t->in_pixel_step, t->weights + j * t->w_pixel_step,
        t->bias + j * t->bias_pixel_step, t->out + j * t->out_pixel_step);
  }
  for (; j < t->width; ++j) {
    depthwise_tile<1, Q, PER_PIXEL, ANY_ACT>(
        t, t->in + j * t->in_pixel_step, t->weights + j * t->w_pixel_step,
        t->bias + j * t->bias_pixel_step, t->out + j * t->out_pixel_step);
  }
}

#if defined(__aarch64__)
// The sliding tiles' epilogue: the activation held in a local copy (the
// stores through `out` could otherwise alias the tile for the compiler,
// which then reloads it for every store); ReLU, ReLU6, Clip and none are one
// max and one min, any other goes through activate().
template <bool ANY_ACT> struct SlidingEpilogue {
  small_act_params act;
  bool inline_act;
  ClipOrNone clip;
  explicit SlidingEpilogue(const small_act_params &a)
      : act(a), inline_act(is_clip_or_none(a)), clip(a) {}
  template <int W>
  void store(const float32x4_t (&acc)[W], float *o, size_t out_step) const {
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j, o += out_step) {
      if (!ANY_ACT || inline_act) {
        vst1q_f32(o, clip(acc[j]));
      } else {
        vst1q_f32(o, activate(acc[j], act));
      }
    }
  }
};

// Depthwise with three taps per row whose pixels are P (1 or 2) taps apart:
// pixel j's tap s reads the row's input at position j * P + s, so each of
// the row's (W - 1) * P + 3 input vectors is loaded once and serves up to
// three pixels, instead of one load per pixel and tap. One group of four
// channels at a time (W accumulators, 3 weights, the row's inputs). Each
// accumulator adds the taps in the generic tile's order (row, then column),
// so the sums are unchanged.
template <int W, int P, int Q, bool ANY_ACT>
void depthwise_rows3(const small_window_tile *t, const float *in, float *out) {
  constexpr size_t kCb = 4 * Q;
  constexpr int kPositions = (W - 1) * P + 3;
  // The tile's fields in locals: the stores through `out` could otherwise
  // alias them for the compiler, which then reloads them for every store.
  const size_t taps_h = t->taps_h, in_row = t->in_tap_h_step;
  const size_t w_row = t->w_tap_h_step, out_step = t->out_pixel_step;
  const float *weights = t->weights, *bias = t->bias;
  const SlidingEpilogue<ANY_ACT> epilogue(t->act);
  for (int q = 0; q < Q; ++q) {
    float32x4_t acc[W];
    const float32x4_t b = vld1q_f32(bias + 4 * q);
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      acc[j] = b;
    }
    const float *row = in + 4 * q;
    const float *w = weights + 4 * q;
    for (size_t r = 0; r < taps_h; ++r, row += in_row, w += w_row) {
      const float32x4_t w0 = vld1q_f32(w);
      const float32x4_t w1 = vld1q_f32(w + kCb);
      const float32x4_t w2 = vld1q_f32(w + 2 * kCb);
      float32x4_t x[kPositions];
#pragma GCC unroll 32
      for (int p = 0; p < kPositions; ++p) {
        x[p] = vld1q_f32(row + p * kCb);
      }
#pragma GCC unroll 16
      for (int j = 0; j < W; ++j) {
        acc[j] = vfmaq_f32(acc[j], x[j * P], w0);
        acc[j] = vfmaq_f32(acc[j], x[j * P + 1], w1);
        acc[j] = vfmaq_f32(acc[j], x[j * P + 2], w2);
      }
    }
    epilogue.store(acc, out + 4 * q, out_step);
  }
}

// Row-sliding tiles of W pixels while they fit, then of W / 2, the generic
// ones for the rest of the row.
template <int W, int P, int Q, bool ANY_ACT>
void depthwise_rows3_widths(const small_window_tile *t) {
  constexpr size_t kCb = 4 * Q;
  size_t j = 0;
  if (t->w_tap_w_step == kCb) {
    for (; j + W <= t->width; j += W) {
      depthwise_rows3<W, P, Q, ANY_ACT>(t, t->in + j * t->in_pixel_step,
                                        t->out + j * t->out_pixel_step);
    }
    // Rows narrower than W (DS-CNN's are 5 pixels wide) in halves.
    for (; W >= 4 && j + W / 2 <= t->width; j += W / 2) {
      depthwise_rows3<W / 2, P, Q, ANY_ACT>(t, t->in + j * t->in_pixel_step,
                                            t->out + j * t->out_pixel_step);
    }
  }
  if (j < t->width) {
    small_window_tile rest = *t;
    rest.in += j * t->in_pixel_step;
    rest.out += j * t->out_pixel_step;
    rest.width -= j;
    depthwise_widths<Q, false, ANY_ACT>(&rest);
  }
}
#endif

#if defined(__aarch64__)
// Depthwise tiles across channel blocks (the engine's choice on small
// images) with Cb = 16: the tile's pixels are consecutive channel blocks at
// one output pixel, each with its own weights and bias, so they share no
// load. A tap's 16 inputs and its 16 weights are then one LD1 of four
// registers each (tap_16): 6 instructions per 4 FMAs, where the generic
// tile loads vector by vector and recomputes each pixel's addresses per
// tap. Each accumulator adds the taps in the generic tile's order (row,
// then column). Two blocks at a time: 8 accumulator chains for the FMA
// latency.
//
// The tile's fields in locals (the stores through `out` could otherwise
// alias them for the compiler, which then reloads them for every block).
struct AcrossBlocks {
  size_t taps_h, taps_w, in_row, w_row, in_tap_bytes, w_tap_bytes;
  size_t in_step, w_step, bias_step, out_step;
  explicit AcrossBlocks(const small_window_tile *t)
      : taps_h(t->taps_h), taps_w(t->taps_w), in_row(t->in_tap_h_step),
        w_row(t->w_tap_h_step), in_tap_bytes(t->in_tap_w_step * 4),
        w_tap_bytes(t->w_tap_w_step * 4), in_step(t->in_pixel_step),
        w_step(t->w_pixel_step), bias_step(t->bias_pixel_step),
        out_step(t->out_pixel_step) {}
};

// One tap of one block: acc[q] += x[4q ..] * w[4q ..] for q < 4, then x and
// w move on by their tap steps. In assembly: an LD1 of four registers needs
// four consecutive ones, which no operand constraint can ask for (v16-v23
// are clobbered instead); GCC's own vld1q_f32_x4 went through the stack.
inline void tap_16(float32x4_t (&acc)[4], const float *&x, const float *&w,
                   size_t x_bytes, size_t w_bytes) {
  __asm__("ld1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[x]], %[xs]\n\t"
          "ld1 {v20.4s, v21.4s, v22.4s, v23.4s}, [%[w]], %[ws]\n\t"
          "fmla %[a0].4s, v16.4s, v20.4s\n\t"
          "fmla %[a1].4s, v17.4s, v21.4s\n\t"
          "fmla %[a2].4s, v18.4s, v22.4s\n\t"
          "fmla %[a3].4s, v19.4s, v23.4s"
          : [a0] "+w"(acc[0]), [a1] "+w"(acc[1]), [a2] "+w"(acc[2]),
            [a3] "+w"(acc[3]), [x] "+r"(x), [w] "+r"(w)
          : [xs] "r"(x_bytes), [ws] "r"(w_bytes),
            "m"(*reinterpret_cast<const float(*)[16]>(x)),
            "m"(*reinterpret_cast<const float(*)[16]>(w))
          : "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23");
}

// W blocks, their outputs clamped to [lo, hi] (none, ReLU, ReLU6, clip).
template <int W>
inline void depthwise_across_blocks(const AcrossBlocks &k, float32x4_t lo,
                                    float32x4_t hi, const float *in,
                                    const float *weights, const float *bias,
                                    float *out) {
  float32x4_t acc[W][4];
#pragma GCC unroll 4
  for (int j = 0; j < W; ++j) {
#pragma GCC unroll 4
    for (int q = 0; q < 4; ++q) {
      acc[j][q] = vld1q_f32(bias + j * k.bias_step + 4 * q);
    }
  }
  for (size_t r = 0; r < k.taps_h; ++r, in += k.in_row, weights += k.w_row) {
    const float *x[W], *w[W];
#pragma GCC unroll 4
    for (int j = 0; j < W; ++j) {
      x[j] = in + j * k.in_step;
      w[j] = weights + j * k.w_step;
    }
    for (size_t s = 0; s < k.taps_w; ++s) {
#pragma GCC unroll 4
      for (int j = 0; j < W; ++j) {
        tap_16(acc[j], x[j], w[j], k.in_tap_bytes, k.w_tap_bytes);
      }
    }
  }
#pragma GCC unroll 4
  for (int j = 0; j < W; ++j) {
#pragma GCC unroll 4
    for (int q = 0; q < 4; ++q) {
      vst1q_f32(out + j * k.out_step + 4 * q,
                vminq_f32(vmaxq_f32(acc[j][q], lo), hi));
    }
  }
}

// Other activations (rare here) take the generic tile.
inline void depthwise_across_widths(const small_window_tile *t) {
  const small_act_params act = t->act;
  const bool clip = act.op == SMALL_ACT_OP_CLIP;
  if (!clip && act.op != SMALL_ACT_OP_NONE) {
    depthwise_widths<4, true, true>(t);
    return;
  }
  const float inf = __builtin_inff();
  const float32x4_t lo = vdupq_n_f32(clip ? act.lo : -inf);
  const float32x4_t hi = vdupq_n_f32(clip ? act.hi : inf);
  const AcrossBlocks k(t);
  const float *in = t->in, *weights = t->weights, *bias = t->bias;
  float *out = t->out;
  size_t j = 0;
  for (; j + 2 <= t->width; j += 2) {
    depthwise_across_blocks<2>(k, lo, hi, in, weights, bias, out);
    in += 2 * k.in_step;
    weights += 2 * k.w_step;
    bias += 2 * k.bias_step;
    out += 2 * k.out_step;
  }
  if (j < t->width) {
    depthwise_across_blocks<1>(k, lo, hi, in, weights, bias, out);
  }
}

// Depthwise tiles that run down a column (the engine tiles along the longer
// side: DS-CNN's 25x5 maps), three tap rows at stride 1, TW (2 or 3) tap
// columns: pixel j's tap row r is input row j + r, so the W + 2 rows' TW
// vectors are loaded once for up to three pixels. The FMAs go in the
// generic tile's order (tap row, then tap column) for each accumulator.
template <int W, int TW, int Q, bool ANY_ACT>
void depthwise_cols3(const small_window_tile *t, const float *in, float *out) {
  constexpr size_t kCb = 4 * Q;
  const size_t in_row = t->in_tap_h_step, w_row = t->w_tap_h_step;
  const size_t out_step = t->out_pixel_step;
  const float *weights = t->weights, *bias = t->bias;
  const SlidingEpilogue<ANY_ACT> epilogue(t->act);
  for (int q = 0; q < Q; ++q) {
    float32x4_t acc[W];
    const float32x4_t b = vld1q_f32(bias + 4 * q);
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      acc[j] = b;
    }
    float32x4_t x[W + 2][TW];
#pragma GCC unroll 16
    for (int p = 0; p < W + 2; ++p) {
#pragma GCC unroll 4
      for (int s = 0; s < TW; ++s) {
        x[p][s] = vld1q_f32(in + p * in_row + s * kCb + 4 * q);
      }
    }
#pragma GCC unroll 4
    for (int r = 0; r < 3; ++r) {
#pragma GCC unroll 4
      for (int s = 0; s < TW; ++s) {
        const float32x4_t wv = vld1q_f32(weights + r * w_row + s * kCb + 4 * q);
#pragma GCC unroll 16
        for (int j = 0; j < W; ++j) {
          acc[j] = vfmaq_f32(acc[j], x[j + r][s], wv);
        }
      }
    }
    epilogue.store(acc, out + 4 * q, out_step);
  }
}

template <int W, int TW, int Q, bool ANY_ACT>
void depthwise_cols3_widths(const small_window_tile *t) {
  constexpr size_t kCb = 4 * Q;
  size_t j = 0;
  if (t->w_tap_w_step == kCb && t->taps_h == 3 && t->taps_w == TW) {
    for (; j + W <= t->width; j += W) {
      depthwise_cols3<W, TW, Q, ANY_ACT>(t, t->in + j * t->in_pixel_step,
                                         t->out + j * t->out_pixel_step);
    }
  }
  if (j < t->width) {
    small_window_tile rest = *t;
    rest.in += j * t->in_pixel_step;
    rest.out += j * t->out_pixel_step;
    rest.width -= j;
    depthwise_widths<Q, false, ANY_ACT>(&rest);
  }
}
#endif

// Depthwise tiles of any width: with or without per-pixel weights (tiles
// across channel blocks), fixed per tile shape; on aarch64, windows three
// taps wide at stride 1 or 2 slide along the row (depthwise_rows3), three
// taps high at stride 1 down the column (depthwise_cols3).
template <int Q, bool ANY_ACT>
small_window_fn depthwise_select_as(const small_window_shape &s) {
#if defined(__aarch64__)
  constexpr size_t kCb = 4 * Q;
  if constexpr (Q == 4) {
    if (s.w_pixel_step != 0 && s.bias_pixel_step != 0) {
      return depthwise_across_widths;
    }
  }
#endif
  if (s.w_pixel_step != 0 || s.bias_pixel_step != 0) {
    return depthwise_widths<Q, true, ANY_ACT>;
  }
#if defined(__aarch64__)
  if (s.taps_w == 3 && s.in_tap_w_step == kCb && s.in_pixel_step == kCb) {
    return depthwise_rows3_widths<8, 1, Q, ANY_ACT>;
  }
  if (s.taps_w == 3 && s.in_tap_w_step == kCb && s.in_pixel_step == 2 * kCb) {
    return depthwise_rows3_widths<4, 2, Q, ANY_ACT>;
  }
  const bool down_column = s.taps_h == 3 && s.in_tap_w_step == kCb &&
                           s.in_pixel_step == s.in_tap_h_step;
  if (down_column && s.taps_w == 3) {
    return depthwise_cols3_widths<4, 3, Q, ANY_ACT>;
  }
  if (down_column && s.taps_w == 2) {
    return depthwise_cols3_widths<4, 2, Q, ANY_ACT>;
  }
#endif
  return depthwise_widths<Q, false, ANY_ACT>;
}

// The tile for a shape: variants without the activations other than none
// and clip when the shape's is one of those (as conv_select: no expf call,
// so no callee-saved registers saved and restored per tile).
template <int Q> small_window_fn depthwise_select(const small_window_shape &s) {
  return s.act == SMALL_ACT_OP_NONE || s.act == SMALL_ACT_OP_CLIP
             ? depthwise_select_as<Q, false>(s)
             : depthwise_select_as<Q, true>(s);
}

// Whole-row depthwise tiles (depthwise_rows.h) for aarch64 (Cb = 16, 32
// q registers): one chunk for rows of up to 16 pixels (12 at stride 2)
// with about 16 sums (the band's 9 weight vectors, an input vector and the
// clip bounds take 12 more), wider rows in chunks of 8 pixels, two rows at
// a time. armv7 (Cb = 8, 16 q registers) instantiates its own
// (armv7/kernels.cpp).
#ifdef __aarch64__
inline small_window_fn select_depthwise_rows_a64(const small_window_shape &s) {
  return whole_rows::select_depthwise_rows<VecF32, 16, 16, 16, 8, 12, 6>(s);
}
#endif

} // namespace small::arm

#endif
