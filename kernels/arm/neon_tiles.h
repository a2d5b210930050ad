// NEON tiles shared by the aarch64 (kernels/neon, Cb = 16) and armv7
// (kernels/armv7, Cb = 8) folders, with their selectors (the depthwise ones
// are in neon_depthwise_tiles.h). Q = Cb / 4 is the number of float32x4_t
// vectors per pixel. Intrinsics common to both (vfmaq_f32 needs VFPv4 on
// armv7, i.e. -mfpu=neon-vfpv4: Cortex-A7/A15/A17 and every ARMv8 core),
// except in the sections under __aarch64__ (FMAs by lane, which armv7's
// VFMA lacks). Header-only: each ISA folder instantiates it with its own
// compiler flags.
#ifndef SMALL_KERNELS_ARM_NEON_TILES_H
#define SMALL_KERNELS_ARM_NEON_TILES_H

#include <arm_neon.h>

#include <algorithm>
#include <cstddef>
#include <utility>

#include "kernel_contract.h"
#include "pairwise_sum.h"
#include "scalar/activation.h"

namespace small::arm {

inline float32x4_t activate(float32x4_t x, const small_act_params &a) {
  switch (a.op) {
  case SMALL_ACT_OP_NONE:
    return x;
  case SMALL_ACT_OP_CLIP:
    return vminq_f32(vmaxq_f32(x, vdupq_n_f32(a.lo)), vdupq_n_f32(a.hi));
  case SMALL_ACT_OP_LEAKY: {
    const uint32x4_t neg = vcltq_f32(x, vdupq_n_f32(0.0f));
    return vbslq_f32(neg, vmulq_f32(x, vdupq_n_f32(a.alpha)), x);
  }
  case SMALL_ACT_OP_HARD_SWISH: {
    const float32x4_t r6 =
        vminq_f32(vmaxq_f32(vaddq_f32(x, vdupq_n_f32(3.0f)), vdupq_n_f32(0.0f)),
                  vdupq_n_f32(6.0f));
    return vmulq_f32(vmulq_f32(x, r6), vdupq_n_f32(1.0f / 6.0f));
  }
  case SMALL_ACT_OP_HARD_SIGMOID:
    return vminq_f32(
        vmaxq_f32(vfmaq_f32(vdupq_n_f32(a.beta), x, vdupq_n_f32(a.alpha)),
                  vdupq_n_f32(0.0f)),
        vdupq_n_f32(1.0f));
  case SMALL_ACT_OP_SIGMOID: {
    // Rare in edge CNNs: lane by lane through the scalar definition.
    float v[4];
    vst1q_f32(v, x);
    for (float &e : v) {
      e = scalar::apply_activation(e, a);
    }
    return vld1q_f32(v);
  }
  }
  return x;
}

// The accumulators stay in registers only when the helpers below are
// inlined into the tile, and GCC 12 stopped inlining fma_by_lane once the
// file had more tile variants: they are always inline, as store_tile.
#if defined(__aarch64__)
// One input channel's products: acc[j][q] += x[j][LANE] * w[4q .. 4q+3].
template <int W, int Q, int LANE>
__attribute__((always_inline)) inline void
fma_by_lane(float32x4_t (&acc)[W][Q], const float32x4_t (&x)[W],
            const float *w) {
  float32x4_t wv[Q];
#pragma GCC unroll 16
  for (int q = 0; q < Q; ++q) {
    wv[q] = vld1q_f32(w + 4 * q);
  }
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
#pragma GCC unroll 16
    for (int q = 0; q < Q; ++q) {
      acc[j][q] = vfmaq_laneq_f32(acc[j][q], wv[q], x[j], LANE);
    }
  }
}
#endif

// acc[j][q] += sum over input channels i < lanes of in[j * step + i] *
// w[i * CB + 4q ..], channel by channel in order.
template <int W, int Q, size_t CB = 4 * Q>
__attribute__((always_inline)) inline void
accumulate_lanes(float32x4_t (&acc)[W][Q], const float *in, const float *w,
                 size_t lanes, size_t step) {
  constexpr size_t kCb = CB;
  size_t i = 0;
#if defined(__aarch64__)
  // Four input channels at a time: one vector load brings each pixel's
  // four inputs, and the FMAs take them by lane (fmla v, w, x.s[k])
  // instead of a broadcast load per channel. Each accumulator still adds
  // the channels in order, so the sums are unchanged.
#pragma GCC unroll 4
  for (; i + 4 <= lanes; i += 4) {
    float32x4_t x[W];
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      x[j] = vld1q_f32(in + j * step + i);
    }
    fma_by_lane<W, Q, 0>(acc, x, w + i * kCb);
    fma_by_lane<W, Q, 1>(acc, x, w + (i + 1) * kCb);
    fma_by_lane<W, Q, 2>(acc, x, w + (i + 2) * kCb);
    fma_by_lane<W, Q, 3>(acc, x, w + (i + 3) * kCb);
  }
#endif
  for (; i < lanes; ++i) {
    float32x4_t wv[Q];
#pragma GCC unroll 16
    for (int q = 0; q < Q; ++q) {
      wv[q] = vld1q_f32(w + i * kCb + 4 * q);
    }
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      const float32x4_t x = vld1q_dup_f32(in + j * step + i);
#pragma GCC unroll 16
      for (int q = 0; q < Q; ++q) {
        acc[j][q] = vfmaq_f32(acc[j][q], x, wv[q]);
      }
    }
  }
}

#if defined(__aarch64__)
// Input positions 0 .. LAST of a planar (one lane per pixel) input: the
// vectors that hold them, the last one ending exactly at LAST (no read past
// it), and position P's place among them.
template <size_t LAST> struct PlanarSpan {
  static constexpr int kVectors = static_cast<int>((LAST + 4) / 4);
  static constexpr size_t start(int v) {
    return 4 * static_cast<size_t>(v) < LAST - 3 ? 4 * v : LAST - 3;
  }
  static constexpr int vector_of(size_t p) {
    return static_cast<int>(p / 4) < kVectors - 1 ? static_cast<int>(p / 4)
                                                  : kVectors - 1;
  }
  static constexpr int lane_of(size_t p) {
    return static_cast<int>(p - start(vector_of(p)));
  }
};

// The vectors of a PlanarSpan, loaded from `in`.
template <class Span>
__attribute__((always_inline)) inline void
load_span(const float *in, float32x4_t (&x)[Span::kVectors]) {
#pragma GCC unroll 16
  for (int v = 0; v < Span::kVectors; ++v) {
    x[v] = vld1q_f32(in + Span::start(v));
  }
}

// acc[J][q] += w[q] * (input position TAP + J * STEP of the span x).
template <class Span, int W, int Q, size_t STEP, size_t TAP, int J>
__attribute__((always_inline)) inline void
planar_pixel_fmas(float32x4_t (&acc)[W][Q], const float32x4_t *x,
                  const float32x4_t *wv) {
  constexpr size_t kP = TAP + static_cast<size_t>(J) * STEP;
  constexpr int kV = Span::vector_of(kP), kLane = Span::lane_of(kP);
#pragma GCC unroll 16
  for (int q = 0; q < Q; ++q) {
    acc[J][q] = vfmaq_laneq_f32(acc[J][q], wv[q], x[kV], kLane);
  }
}

// Pixel J's three taps (0, 1, 2, in order) for output vectors 2h and
// 2h + 1: acc[J][2h + k] += wv[s][k] * (input position s + J * STEP).
template <class Span, int W, int Q, size_t STEP, int J>
__attribute__((always_inline)) inline void
planar_half_fmas(float32x4_t (&acc)[W][Q], const float32x4_t *x,
                 const float32x4_t (&wv)[3][2], int h) {
  constexpr size_t kP0 = static_cast<size_t>(J) * STEP;
  constexpr int kV0 = Span::vector_of(kP0), kL0 = Span::lane_of(kP0);
  constexpr int kV1 = Span::vector_of(kP0 + 1), kL1 = Span::lane_of(kP0 + 1);
  constexpr int kV2 = Span::vector_of(kP0 + 2), kL2 = Span::lane_of(kP0 + 2);
#pragma GCC unroll 2
  for (int k = 0; k < 2; ++k) {
    float32x4_t &a = acc[J][2 * h + k];
    a = vfmaq_laneq_f32(a, wv[0][k], x[kV0], kL0);
    a = vfmaq_laneq_f32(a, wv[1][k], x[kV1], kL1);
    a = vfmaq_laneq_f32(a, wv[2][k], x[kV2], kL2);
  }
}

// The Q weight vectors of one (input channel, tap).
template <int Q>
__attribute__((always_inline)) inline void load_weights(const float *w,
                                                        float32x4_t (&wv)[Q]) {
#pragma GCC unroll 16
  for (int q = 0; q < Q; ++q) {
    wv[q] = vld1q_f32(w + 4 * q);
  }
}

// One (input channel, tap) of a planar input whose W pixels are STEP
// floats apart: a few vector loads instead of a broadcast load per pixel,
// the FMAs by lane.
template <int W, int Q, size_t STEP, int... J>
__attribute__((always_inline)) inline void
accumulate_planar(float32x4_t (&acc)[W][Q], const float *in, const float *w,
                  std::integer_sequence<int, J...>) {
  using Span = PlanarSpan<(W - 1) * STEP>;
  float32x4_t x[Span::kVectors];
  load_span<Span>(in, x);
  float32x4_t wv[Q];
  load_weights<Q>(w, wv);
  (planar_pixel_fmas<Span, W, Q, STEP, 0, J>(acc, x, wv), ...);
}

// A row of three adjacent taps (in, in + 1, in + 2; weights kCb apart) of
// the same planar input: the positions the three taps read are loaded once
// for the row (ResNet-8's first layer: 2 vectors where each tap took 2;
// MobileNet's, at stride 2: 3 where each took 3).
template <int W, int Q, size_t STEP, size_t kCb, int... J>
__attribute__((always_inline)) inline void
accumulate_planar_row3(float32x4_t (&acc)[W][Q], const float *in,
                       const float *w, std::integer_sequence<int, J...>) {
  using Span = PlanarSpan<(W - 1) * STEP + 2>;
  float32x4_t x[Span::kVectors];
  load_span<Span>(in, x);
  if constexpr (Q == 4) {
    // Two output halves, each with its three taps' weights loaded first
    // (6 registers): with a whole tap's 4 weight vectors live across the
    // taps, GCC 12 rotated registers (4 moves per row of ResNet-8's first
    // layer). Each accumulator still adds taps 0, 1, 2 in order.
#pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
      float32x4_t wv[3][2];
#pragma GCC unroll 3
      for (int s = 0; s < 3; ++s) {
        wv[s][0] = vld1q_f32(w + s * kCb + 8 * h);
        wv[s][1] = vld1q_f32(w + s * kCb + 8 * h + 4);
      }
      (planar_half_fmas<Span, W, Q, STEP, J>(acc, x, wv, h), ...);
    }
    return;
  }
  float32x4_t wv[Q];
  load_weights<Q>(w, wv);
  (planar_pixel_fmas<Span, W, Q, STEP, 0, J>(acc, x, wv), ...);
  load_weights<Q>(w + kCb, wv);
  (planar_pixel_fmas<Span, W, Q, STEP, 1, J>(acc, x, wv), ...);
  load_weights<Q>(w + 2 * kCb, wv);
  (planar_pixel_fmas<Span, W, Q, STEP, 2, J>(acc, x, wv), ...);
}
#endif

// The activations none and clip (ReLU, ReLU6 and Clip import as clip) as
// one max and one min: none clamps to the infinities, which leaves every
// value as it is, NaN included. The tiles' common epilogue.
inline bool is_clip_or_none(const small_act_params &a) {
  return a.op == SMALL_ACT_OP_CLIP || a.op == SMALL_ACT_OP_NONE;
}

struct ClipOrNone {
  float32x4_t lo, hi;
  explicit ClipOrNone(const small_act_params &a) {
    const bool clip = a.op == SMALL_ACT_OP_CLIP;
    const float inf = __builtin_inff();
    lo = vdupq_n_f32(clip ? a.lo : -inf);
    hi = vdupq_n_f32(clip ? a.hi : inf);
  }
  float32x4_t operator()(float32x4_t v) const {
    return vminq_f32(vmaxq_f32(v, lo), hi);
  }
};

// Stores f(acc[j][q]) for every accumulator of the tile; with RES,
// f(acc[j][q] + residual) (a folded residual Add: the Add layer's own
// additions, so the same floats). The tile's fields are read into locals
// first: the stores could alias them for the compiler, which would reload
// them per store.
template <int W, int Q, bool RES, class F>
__attribute__((always_inline)) inline void
store_each(const small_window_tile *t, const float32x4_t (&acc)[W][Q], F f) {
  float *out = t->out;
  const float *residual = t->residual;
  const size_t out_step = t->out_pixel_step;
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
#pragma GCC unroll 16
    for (int q = 0; q < Q; ++q) {
      float32x4_t sum = acc[j][q];
      if constexpr (RES) {
        sum = vaddq_f32(sum, vld1q_f32(residual + j * out_step + 4 * q));
      }
      vst1q_f32(out + j * out_step + 4 * q, f(sum));
    }
  }
}

// The tile's epilogue: the usual activation (none, ReLU, ReLU6, clip) as
// one max and one min, any other through activate().
// Always inline: called out of line, the accumulators would go through
// memory (GCC 12 did that for the conv tiles).
template <int W, int Q, bool ANY_ACT = true, bool RES = false>
__attribute__((always_inline)) inline void
store_tile(const small_window_tile *t, const float32x4_t (&acc)[W][Q]) {
  const small_act_params act = t->act;
  if (!ANY_ACT || is_clip_or_none(act)) {
    store_each<W, Q, RES>(t, acc, ClipOrNone(act));
    return;
  }
  if constexpr (ANY_ACT) {
    store_each<W, Q, RES>(t, acc,
                          [&act](float32x4_t v) { return activate(v, act); });
  }
}

// store_tile for tiles with few FMAs per output (1x1 windows, the planar
// first layers), whose epilogue is a fifth to a third of their
// instructions: no activation stores the sums as they are and ReLU (a clip
// without upper bound) takes one max, so the clamp a layer does not need
// is not paid for (the same results: a max or min with an infinity is the
// identity, NaN included). The 3x3 tiles over blocked inputs keep
// store_tile: with these branches GCC 12 rotated registers in their main
// loop (16 moves per 320 FMAs in conv_tile<5, 4, 16>).
template <int W, int Q, bool ANY_ACT = true, bool RES = false>
__attribute__((always_inline)) inline void
store_tile_by_act(const small_window_tile *t, const float32x4_t (&acc)[W][Q]) {
  const small_act_params act = t->act;
  if (act.op == SMALL_ACT_OP_NONE) {
    store_each<W, Q, RES>(t, acc, [](float32x4_t v) { return v; });
    return;
  }
  if (act.op == SMALL_ACT_OP_CLIP && act.hi == __builtin_inff()) {
    const float32x4_t lo = vdupq_n_f32(act.lo);
    store_each<W, Q, RES>(t, acc,
                          [lo](float32x4_t v) { return vmaxq_f32(v, lo); });
    return;
  }
  store_tile<W, Q, ANY_ACT, RES>(t, acc);
}

// Every pixel's accumulators start from the tile's bias.
template <int W, int Q>
__attribute__((always_inline)) inline void load_bias(const small_window_tile *t,
                                                     float32x4_t (&acc)[W][Q]) {
#pragma GCC unroll 16
  for (int q = 0; q < Q; ++q) {
    const float32x4_t b = vld1q_f32(t->bias + 4 * q);
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      acc[j][q] = b;
    }
  }
}

// Lanes 4Q .. 4QB - 1 of the tile's pixels, which hold no channel (zero bias
// and weights: small_window_shape::out_lanes): act(0), uncomputed.
template <int W, int Q, int QB, bool ANY_ACT = true>
inline void store_pad_lanes(const small_window_tile *t) {
  if constexpr (QB > Q) {
    const small_act_params &act = t->act;
    const float32x4_t zero = vdupq_n_f32(0.0f);
    const float32x4_t pad =
        ANY_ACT ? activate(zero, act) : ClipOrNone(act)(zero);
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
#pragma GCC unroll 16
      for (int q = Q; q < QB; ++q) {
        vst1q_f32(t->out + j * t->out_pixel_step + 4 * q, pad);
      }
    }
  }
}

// Every tap of the window over input block b (its first `lanes` channels)
// into acc, row by row, channel by channel (accumulate_lanes).
template <int W, int Q, size_t CB>
__attribute__((always_inline)) inline void
accumulate_block_taps(float32x4_t (&acc)[W][Q], const small_window_tile *t,
                      size_t b, size_t lanes, size_t step) {
  for (size_t r = 0; r < t->taps_h; ++r) {
    for (size_t s = 0; s < t->taps_w; ++s) {
      accumulate_lanes<W, Q, CB>(acc,
                                 t->in + b * t->in_block_step +
                                     r * t->in_tap_h_step +
                                     s * t->in_tap_w_step,
                                 t->weights + b * t->w_block_step +
                                     r * t->w_tap_h_step + s * t->w_tap_w_step,
                                 lanes, step);
    }
  }
}

#if defined(__arm__)
// The armv7 steps below: assembly over W = 1 to 3 pixels into 8 output
// lanes each (Cb = 8). armv7 has no fused multiply-add by lane and its
// NEON loads take no immediate offset, so in C each load needed an address
// register of its own (an ADD per load: 16.5 instructions per channel of 3
// pixels). In assembly every stream moves by post-increment. All steps use
// the same registers (inputs in d0-d5, weights in q12-q15), so a tile that
// calls several kinds keeps its accumulators in place (with the one-channel
// step's weights in q8, q9 GCC moved five of the planar tile's out and back
// around each step: 10 VORRs per filter row).
//
// SMALL_ARMV7_ASM(W, code, X, WF): the step's operands, for W pixels whose
// inputs are x0.. (X floats read from each) and WF weights from w.
#define SMALL_ARMV7_CLOBBERS                                                   \
  "d0", "d1", "d2", "d3", "d4", "d5", "d24", "d25", "d26", "d27", "d28",       \
      "d29", "d30", "d31"
#define SMALL_ARMV7_IN(p, X) "m"(*reinterpret_cast<const float(*)[X]>(p))
#define SMALL_ARMV7_ASM_1(code, X, WF)                                         \
  asm(code                                                                     \
      :                                                                        \
      [a00] "+w"(acc[0][0]), [a01] "+w"(acc[0][1]), [x0] "+r"(x0), [w] "+r"(w) \
      : SMALL_ARMV7_IN(x0, X), SMALL_ARMV7_IN(w, WF)                           \
      : SMALL_ARMV7_CLOBBERS)
#define SMALL_ARMV7_ASM_2(code, X, WF)                                         \
  asm(code                                                                     \
      : [a00] "+w"(acc[0][0]), [a01] "+w"(acc[0][1]), [a10] "+w"(acc[1][0]),   \
        [a11] "+w"(acc[1][1]), [x0] "+r"(x0), [x1] "+r"(x1), [w] "+r"(w)       \
      : SMALL_ARMV7_IN(x0, X), SMALL_ARMV7_IN(x1, X), SMALL_ARMV7_IN(w, WF)    \
      : SMALL_ARMV7_CLOBBERS)
#define SMALL_ARMV7_ASM_3(code, X, WF)                                         \
  asm(code                                                                     \
      : [a00] "+w"(acc[0][0]), [a01] "+w"(acc[0][1]), [a10] "+w"(acc[1][0]),   \
        [a11] "+w"(acc[1][1]), [a20] "+w"(acc[2][0]), [a21] "+w"(acc[2][1]),   \
        [x0] "+r"(x0), [x1] "+r"(x1), [x2] "+r"(x2), [w] "+r"(w)               \
      : SMALL_ARMV7_IN(x0, X), SMALL_ARMV7_IN(x1, X), SMALL_ARMV7_IN(x2, X),   \
        SMALL_ARMV7_IN(w, WF)                                                  \
      : SMALL_ARMV7_CLOBBERS)
#define SMALL_ARMV7_ASM(W, code, X, WF) SMALL_ARMV7_ASM_##W(code, X, WF)
#define SMALL_ARMV7_LOAD(j, dd) "vld1.32 {" dd "}, [%[x" #j "]]!\n\t"
#define SMALL_ARMV7_WEIGHTS(dd) "vld1.32 {" dd "}, [%[w]]!\n\t"
#define SMALL_ARMV7_BY_W(code1, code2, code3, X, WF)                           \
  static_assert(W >= 1 && W <= 3, "1 to 3 pixels");                            \
  if constexpr (W == 1) {                                                      \
    SMALL_ARMV7_ASM(1, code1, X, WF);                                          \
  } else if constexpr (W == 2) {                                               \
    SMALL_ARMV7_ASM(2, code2, X, WF);                                          \
  } else {                                                                     \
    SMALL_ARMV7_ASM(3, code3, X, WF);                                          \
  }

// One channel: acc[j][q] += w[4q ..] * x_j[0], then each x_j moves one
// float and w 8 floats on: one VLD1 of the two weight registers, a
// broadcast load and two VFMAs per pixel. taps_w steps are a row of a
// planar layer's window whose taps are adjacent (tap s at x_j + s, w + 8 s)
// when the row is not 3 or 4 taps long (the border columns').
#define SMALL_ARMV7_PIXEL(j, dd, q)                                            \
  SMALL_ARMV7_LOAD(j, dd)                                                      \
  "vfma.f32 %q[a" #j "0], " q ", q12\n\t"                                      \
  "vfma.f32 %q[a" #j "1], " q ", q13\n\t"
#define SMALL_ARMV7_PIXEL_0 SMALL_ARMV7_PIXEL(0, "d0[], d1[]", "q0")
#define SMALL_ARMV7_PIXEL_1 SMALL_ARMV7_PIXEL(1, "d2[], d3[]", "q1")
#define SMALL_ARMV7_PIXEL_2 SMALL_ARMV7_PIXEL(2, "d4[], d5[]", "q2")
template <int W>
__attribute__((always_inline)) inline void
accumulate_step_x8(float32x4_t (&acc)[W][2], const float *&x0, const float *&x1,
                   const float *&x2, const float *&w) {
  SMALL_ARMV7_BY_W(
      SMALL_ARMV7_WEIGHTS("d24-d27") SMALL_ARMV7_PIXEL_0,
      SMALL_ARMV7_WEIGHTS("d24-d27") SMALL_ARMV7_PIXEL_0 SMALL_ARMV7_PIXEL_1,
      SMALL_ARMV7_WEIGHTS("d24-d27")
          SMALL_ARMV7_PIXEL_0 SMALL_ARMV7_PIXEL_1 SMALL_ARMV7_PIXEL_2,
      1, 8)
}
#undef SMALL_ARMV7_PIXEL_2
#undef SMALL_ARMV7_PIXEL_1
#undef SMALL_ARMV7_PIXEL_0
#undef SMALL_ARMV7_PIXEL

// Four channels: acc[j][q] += w[c][4q ..] * x_j[c] for c = 0..3 in that
// order, then each x_j moves 4 floats and w 32 on. Each pixel's four
// inputs are one VLD1 and each input a scalar operand of VMLA (armv7 has a
// multiply by scalar only unfused: each product is rounded before its sum,
// within the kernels' float tolerance), where the one-channel step needs a
// broadcast load per pixel and channel: 31 instructions for 3 pixels and 4
// channels instead of 40. A scalar operand must be one of d0-d15: the
// inputs are d0-d5, pixel j's in d(2j) (channels 0, 1) and d(2j + 1); the
// weights of two channels at a time in q12, q13 and q14, q15.
#define SMALL_ARMV7_MLA(j, x, wa, wb)                                          \
  "vmla.f32 %q[a" #j "0], " wa ", " x "\n\t"                                   \
  "vmla.f32 %q[a" #j "1], " wb ", " x "\n\t"
#define SMALL_ARMV7_WEIGHTS_2                                                  \
  SMALL_ARMV7_WEIGHTS("d24-d27") SMALL_ARMV7_WEIGHTS("d28-d31")
// Two channels, whose inputs are lanes 0 and 1 of pixel j's register rj.
#define SMALL_ARMV7_PAIR_1(r0)                                                 \
  SMALL_ARMV7_WEIGHTS_2                                                        \
  SMALL_ARMV7_MLA(0, r0 "[0]", "q12", "q13")                                   \
  SMALL_ARMV7_MLA(0, r0 "[1]", "q14", "q15")
#define SMALL_ARMV7_PAIR_2(r0, r1)                                             \
  SMALL_ARMV7_WEIGHTS_2                                                        \
  SMALL_ARMV7_MLA(0, r0 "[0]", "q12", "q13")                                   \
  SMALL_ARMV7_MLA(1, r1 "[0]", "q12", "q13")                                   \
  SMALL_ARMV7_MLA(0, r0 "[1]", "q14", "q15")                                   \
  SMALL_ARMV7_MLA(1, r1 "[1]", "q14", "q15")
#define SMALL_ARMV7_PAIR_3(r0, r1, r2)                                         \
  SMALL_ARMV7_WEIGHTS_2                                                        \
  SMALL_ARMV7_MLA(0, r0 "[0]", "q12", "q13")                                   \
  SMALL_ARMV7_MLA(1, r1 "[0]", "q12", "q13")                                   \
  SMALL_ARMV7_MLA(2, r2 "[0]", "q12", "q13")                                   \
  SMALL_ARMV7_MLA(0, r0 "[1]", "q14", "q15")                                   \
  SMALL_ARMV7_MLA(1, r1 "[1]", "q14", "q15")                                   \
  SMALL_ARMV7_MLA(2, r2 "[1]", "q14", "q15")
// clang-format off
#define SMALL_ARMV7_FOUR_1                                                     \
  SMALL_ARMV7_LOAD(0, "d0-d1")                                                 \
  SMALL_ARMV7_PAIR_1("d0")                                                     \
  SMALL_ARMV7_PAIR_1("d1")
#define SMALL_ARMV7_FOUR_2                                                     \
  SMALL_ARMV7_LOAD(0, "d0-d1")                                                 \
  SMALL_ARMV7_LOAD(1, "d2-d3")                                                 \
  SMALL_ARMV7_PAIR_2("d0", "d2")                                               \
  SMALL_ARMV7_PAIR_2("d1", "d3")
#define SMALL_ARMV7_FOUR_3                                                     \
  SMALL_ARMV7_LOAD(0, "d0-d1")                                                 \
  SMALL_ARMV7_LOAD(1, "d2-d3")                                                 \
  SMALL_ARMV7_LOAD(2, "d4-d5")                                                 \
  SMALL_ARMV7_PAIR_3("d0", "d2", "d4")                                         \
  SMALL_ARMV7_PAIR_3("d1", "d3", "d5")
// clang-format on
template <int W>
__attribute__((always_inline)) inline void
accumulate_4_channels_x8(float32x4_t (&acc)[W][2], const float *&x0,
                         const float *&x1, const float *&x2, const float *&w) {
  SMALL_ARMV7_BY_W(SMALL_ARMV7_FOUR_1, SMALL_ARMV7_FOUR_2, SMALL_ARMV7_FOUR_3,
                   4, 32)
}
#undef SMALL_ARMV7_FOUR_3
#undef SMALL_ARMV7_FOUR_2
#undef SMALL_ARMV7_FOUR_1

// Three channels (a planar layer's filter row of 3 adjacent taps): each
// pixel's first two inputs in d(2j), its third in lane 0 of d(2j + 1) (a
// 4-float load would read past the row's window, past the buffer at the
// image's last pixel); the third channel's weights in q12, q13.
#define SMALL_ARMV7_ONE_1(r0)                                                  \
  SMALL_ARMV7_WEIGHTS("d24-d27") SMALL_ARMV7_MLA(0, r0 "[0]", "q12", "q13")
#define SMALL_ARMV7_ONE_2(r0, r1)                                              \
  SMALL_ARMV7_ONE_1(r0) SMALL_ARMV7_MLA(1, r1 "[0]", "q12", "q13")
#define SMALL_ARMV7_ONE_3(r0, r1, r2)                                          \
  SMALL_ARMV7_ONE_2(r0, r1) SMALL_ARMV7_MLA(2, r2 "[0]", "q12", "q13")
// clang-format off
#define SMALL_ARMV7_THREE_1                                                    \
  SMALL_ARMV7_LOAD(0, "d0") SMALL_ARMV7_LOAD(0, "d1[0]")                       \
  SMALL_ARMV7_PAIR_1("d0")                                                     \
  SMALL_ARMV7_ONE_1("d1")
#define SMALL_ARMV7_THREE_2                                                    \
  SMALL_ARMV7_LOAD(0, "d0") SMALL_ARMV7_LOAD(0, "d1[0]")                       \
  SMALL_ARMV7_LOAD(1, "d2") SMALL_ARMV7_LOAD(1, "d3[0]")                       \
  SMALL_ARMV7_PAIR_2("d0", "d2")                                               \
  SMALL_ARMV7_ONE_2("d1", "d3")
#define SMALL_ARMV7_THREE_3                                                    \
  SMALL_ARMV7_LOAD(0, "d0") SMALL_ARMV7_LOAD(0, "d1[0]")                       \
  SMALL_ARMV7_LOAD(1, "d2") SMALL_ARMV7_LOAD(1, "d3[0]")                       \
  SMALL_ARMV7_LOAD(2, "d4") SMALL_ARMV7_LOAD(2, "d5[0]")                       \
  SMALL_ARMV7_PAIR_3("d0", "d2", "d4")                                         \
  SMALL_ARMV7_ONE_3("d1", "d3", "d5")
// clang-format on
template <int W>
__attribute__((always_inline)) inline void
accumulate_3_channels_x8(float32x4_t (&acc)[W][2], const float *&x0,
                         const float *&x1, const float *&x2, const float *&w) {
  SMALL_ARMV7_BY_W(SMALL_ARMV7_THREE_1, SMALL_ARMV7_THREE_2,
                   SMALL_ARMV7_THREE_3, 3, 24)
}
#undef SMALL_ARMV7_THREE_3
#undef SMALL_ARMV7_THREE_2
#undef SMALL_ARMV7_THREE_1
#undef SMALL_ARMV7_ONE_3
#undef SMALL_ARMV7_ONE_2
#undef SMALL_ARMV7_ONE_1
#undef SMALL_ARMV7_PAIR_3
#undef SMALL_ARMV7_PAIR_2
#undef SMALL_ARMV7_PAIR_1
#undef SMALL_ARMV7_WEIGHTS_2
#undef SMALL_ARMV7_MLA
#undef SMALL_ARMV7_BY_W
#undef SMALL_ARMV7_WEIGHTS
#undef SMALL_ARMV7_LOAD
#undef SMALL_ARMV7_ASM
#undef SMALL_ARMV7_ASM_3
#undef SMALL_ARMV7_ASM_2
#undef SMALL_ARMV7_ASM_1
#undef SMALL_ARMV7_IN
#undef SMALL_ARMV7_CLOBBERS

// A tap of a full block of 8 channels (W pixels from in, step floats apart).
template <int W>
__attribute__((always_inline)) inline void
accumulate_block_x8(float32x4_t (&acc)[W][2], const float *in, size_t step,
                    const float *w) {
  const float *x0 = in, *x1 = in + step, *x2 = in + 2 * step;
  accumulate_4_channels_x8<W>(acc, x0, x1, x2, w);
  accumulate_4_channels_x8<W>(acc, x0, x1, x2, w);
}
#endif

// The tile's input blocks with all kCb channels: every one, or all but a
// narrower last one (a layer of fewer channels than a multiple of a block).
inline size_t full_blocks(const small_window_tile *t, size_t kCb) {
  return t->in_last_channels == kCb ? t->in_blocks
                                    : t->in_blocks - (t->in_blocks > 0 ? 1 : 0);
}

// Convolution tile: W pixels x (4 * Q) output channels, W * Q accumulators.
// STEP: floats between consecutive pixels' inputs if fixed, else 0. QB:
// vectors per channel block when the tile computes only the first Q (a
// layer of fewer channels than a block), else Q.
// RES: the tile adds small_window_tile::residual (the shape's residual: a
// folded residual Add), a variant of its own so that the others keep their
// code.
template <int W, int Q, size_t STEP, int QB = Q, bool ANY_ACT = true,
          bool RES = false>
void conv_tile(const small_window_tile *t) {
  static_assert(!RES || QB == Q, "residual tiles compute whole blocks");
  constexpr size_t kCb = 4 * QB;
  const size_t step = STEP != 0 ? STEP : t->in_pixel_step;
  float32x4_t acc[W][Q];
  load_bias<W, Q>(t, acc);
#if defined(__aarch64__)
  // A planar input (in_lanes 1) at a fixed stride of 1 or 2 floats whose
  // pixels span at least one vector; each channel's taps in the generic
  // order. Rows of three adjacent taps take planar_row3_tile (the
  // selector).
  if constexpr (STEP != 0 && STEP < kCb && (W - 1) * STEP >= 3) {
    if (t->in_lanes == 1) {
      for (size_t b = 0; b < t->in_blocks; ++b) {
        for (size_t r = 0; r < t->taps_h; ++r) {
          const float *in = t->in + b * t->in_block_step + r * t->in_tap_h_step;
          const float *w =
              t->weights + b * t->w_block_step + r * t->w_tap_h_step;
          for (size_t s = 0; s < t->taps_w;
               ++s, in += t->in_tap_w_step, w += t->w_tap_w_step) {
            accumulate_planar<W, Q, STEP>(acc, in, w,
                                          std::make_integer_sequence<int, W>{});
          }
        }
      }
      store_tile_by_act<W, Q, ANY_ACT, RES>(t, acc);
      store_pad_lanes<W, Q, QB, ANY_ACT>(t);
      return;
    }
  }
#endif
  // 1x1 windows over blocked inputs take pointwise_tile (the selector).
  for (size_t b = 0; b < t->in_blocks; ++b) {
    accumulate_block_taps<W, Q, kCb>(
        acc, t, b, b + 1 == t->in_blocks ? t->in_last_channels : t->in_lanes,
        step);
  }
  store_tile<W, Q, ANY_ACT, RES>(t, acc);
  store_pad_lanes<W, Q, QB, ANY_ACT>(t);
}

#if defined(__aarch64__)
// Four input channels of one pixel into 16 output lanes: acc[q] += w[i][4q
// ..] * x[i] for i < 4, in that order (as fma_by_lane), then x and w move
// past them. Each channel's 16 weights are one LD1 of four registers: 21
// instructions per 16 FMAs, where vector-pair loads take 25. In assembly:
// an LD1 of four registers needs four consecutive ones, which no operand
// constraint can ask for (v16-v23 are clobbered instead).
inline void dense_group_16(float32x4_t (&acc)[4], const float *&x,
                           const float *&w) {
  float32x4_t xv;
  __asm__("ldr %q[xv], [%[x]], #16\n\t"
          "ld1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[w]], #64\n\t"
          "ld1 {v20.4s, v21.4s, v22.4s, v23.4s}, [%[w]], #64\n\t"
          "fmla %[a0].4s, v16.4s, %[xv].s[0]\n\t"
          "fmla %[a1].4s, v17.4s, %[xv].s[0]\n\t"
          "fmla %[a2].4s, v18.4s, %[xv].s[0]\n\t"
          "fmla %[a3].4s, v19.4s, %[xv].s[0]\n\t"
          "ld1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[w]], #64\n\t"
          "fmla %[a0].4s, v20.4s, %[xv].s[1]\n\t"
          "fmla %[a1].4s, v21.4s, %[xv].s[1]\n\t"
          "fmla %[a2].4s, v22.4s, %[xv].s[1]\n\t"
          "fmla %[a3].4s, v23.4s, %[xv].s[1]\n\t"
          "ld1 {v20.4s, v21.4s, v22.4s, v23.4s}, [%[w]], #64\n\t"
          "fmla %[a0].4s, v16.4s, %[xv].s[2]\n\t"
          "fmla %[a1].4s, v17.4s, %[xv].s[2]\n\t"
          "fmla %[a2].4s, v18.4s, %[xv].s[2]\n\t"
          "fmla %[a3].4s, v19.4s, %[xv].s[2]\n\t"
          "fmla %[a0].4s, v20.4s, %[xv].s[3]\n\t"
          "fmla %[a1].4s, v21.4s, %[xv].s[3]\n\t"
          "fmla %[a2].4s, v22.4s, %[xv].s[3]\n\t"
          "fmla %[a3].4s, v23.4s, %[xv].s[3]"
          : [a0] "+w"(acc[0]), [a1] "+w"(acc[1]), [a2] "+w"(acc[2]),
            [a3] "+w"(acc[3]), [xv] "=&w"(xv), [x] "+r"(x), [w] "+r"(w)
          : "m"(*reinterpret_cast<const float(*)[4]>(x)),
            "m"(*reinterpret_cast<const float(*)[64]>(w))
          : "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23");
}

// Four input channels of 2 pixels (x0, x1) into 16 output lanes each:
// a_j[q] += w[i][4q ..] * x_j[i] for i < 4, in that order (as
// fma_by_lane), then the x and w pointers move past them: 32 FMAs, 2 input
// loads and 4 LD1s of four weight registers. In C, GCC 12 rotated a 4-pixel
// tile's 16 accumulators through other registers in its unrolled block (43
// moves per 256 FMAs in ResNet-8's first shortcut); in assembly they stay
// put (the weights in v16-v23, clobbered, as dense_group_16). Two pixels per
// statement: 16 accumulators would pass GCC's limit of 30 operands.
inline void pointwise_pair_16(float32x4_t (&a0)[4], float32x4_t (&a1)[4],
                              const float *&x0, const float *&x1,
                              const float *&w) {
  float32x4_t xa, xb;
  __asm__("ldr %q[xa], [%[x0]], #16\n\t"
          "ldr %q[xb], [%[x1]], #16\n\t"
          "ld1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[w]], #64\n\t"
          "ld1 {v20.4s, v21.4s, v22.4s, v23.4s}, [%[w]], #64\n\t"
          "fmla %[a00].4s, v16.4s, %[xa].s[0]\n\t"
          "fmla %[a01].4s, v17.4s, %[xa].s[0]\n\t"
          "fmla %[a02].4s, v18.4s, %[xa].s[0]\n\t"
          "fmla %[a03].4s, v19.4s, %[xa].s[0]\n\t"
          "fmla %[a10].4s, v16.4s, %[xb].s[0]\n\t"
          "fmla %[a11].4s, v17.4s, %[xb].s[0]\n\t"
          "fmla %[a12].4s, v18.4s, %[xb].s[0]\n\t"
          "fmla %[a13].4s, v19.4s, %[xb].s[0]\n\t"
          "ld1 {v16.4s, v17.4s, v18.4s, v19.4s}, [%[w]], #64\n\t"
          "fmla %[a00].4s, v20.4s, %[xa].s[1]\n\t"
          "fmla %[a01].4s, v21.4s, %[xa].s[1]\n\t"
          "fmla %[a02].4s, v22.4s, %[xa].s[1]\n\t"
          "fmla %[a03].4s, v23.4s, %[xa].s[1]\n\t"
          "fmla %[a10].4s, v20.4s, %[xb].s[1]\n\t"
          "fmla %[a11].4s, v21.4s, %[xb].s[1]\n\t"
          "fmla %[a12].4s, v22.4s, %[xb].s[1]\n\t"
          "fmla %[a13].4s, v23.4s, %[xb].s[1]\n\t"
          "ld1 {v20.4s, v21.4s, v22.4s, v23.4s}, [%[w]], #64\n\t"
          "fmla %[a00].4s, v16.4s, %[xa].s[2]\n\t"
          "fmla %[a01].4s, v17.4s, %[xa].s[2]\n\t"
          "fmla %[a02].4s, v18.4s, %[xa].s[2]\n\t"
          "fmla %[a03].4s, v19.4s, %[xa].s[2]\n\t"
          "fmla %[a10].4s, v16.4s, %[xb].s[2]\n\t"
          "fmla %[a11].4s, v17.4s, %[xb].s[2]\n\t"
          "fmla %[a12].4s, v18.4s, %[xb].s[2]\n\t"
          "fmla %[a13].4s, v19.4s, %[xb].s[2]\n\t"
          "fmla %[a00].4s, v20.4s, %[xa].s[3]\n\t"
          "fmla %[a01].4s, v21.4s, %[xa].s[3]\n\t"
          "fmla %[a02].4s, v22.4s, %[xa].s[3]\n\t"
          "fmla %[a03].4s, v23.4s, %[xa].s[3]\n\t"
          "fmla %[a10].4s, v20.4s, %[xb].s[3]\n\t"
          "fmla %[a11].4s, v21.4s, %[xb].s[3]\n\t"
          "fmla %[a12].4s, v22.4s, %[xb].s[3]\n\t"
          "fmla %[a13].4s, v23.4s, %[xb].s[3]"
          : [a00] "+w"(a0[0]), [a01] "+w"(a0[1]), [a02] "+w"(a0[2]),
            [a03] "+w"(a0[3]), [a10] "+w"(a1[0]), [a11] "+w"(a1[1]),
            [a12] "+w"(a1[2]), [a13] "+w"(a1[3]), [xa] "=&w"(xa),
            [xb] "=&w"(xb), [x0] "+r"(x0), [x1] "+r"(x1), [w] "+r"(w)
          : "m"(*reinterpret_cast<const float(*)[4]>(x0)),
            "m"(*reinterpret_cast<const float(*)[4]>(x1)),
            "m"(*reinterpret_cast<const float(*)[64]>(w))
          : "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23");
}
#endif

// A 1x1 window over blocked inputs (pointwise layers, their stride-2
// shortcuts): the input blocks by pointer steps, the full ones with their
// lane count a constant (no loop remainder to dispatch), instead of
// conv_tile's tap loops and their address arithmetic per block. A function
// of its own, as planar_tile below.
template <int W, int Q, size_t STEP, bool ANY_ACT = true, bool RES = false>
void pointwise_tile(const small_window_tile *t) {
  constexpr size_t kCb = 4 * Q;
  const size_t step = STEP != 0 ? STEP : t->in_pixel_step;
  float32x4_t acc[W][Q];
  load_bias<W, Q>(t, acc);
  const float *in = t->in, *w = t->weights;
  const size_t in_block = t->in_block_step, w_block = t->w_block_step;
#if defined(__aarch64__)
  if constexpr (W == 1 && Q == 4) {
    // One pixel (dense layers): the weights stream by four-register loads,
    // a full block's 16 channels unrolled.
    for (size_t b = 1; b < t->in_blocks; ++b, in += in_block, w += w_block) {
      const float *x = in, *wg = w;
      dense_group_16(acc[0], x, wg);
      dense_group_16(acc[0], x, wg);
      dense_group_16(acc[0], x, wg);
      dense_group_16(acc[0], x, wg);
    }
    if (t->in_blocks > 0) {
      const size_t lanes = t->in_last_channels;
      const float *x = in;
      for (size_t i = 4; i <= lanes; i += 4) {
        dense_group_16(acc[0], x, w);
      }
      accumulate_lanes<W, Q, kCb>(acc, x, w, lanes % 4, step);
    }
    store_tile_by_act<W, Q, ANY_ACT, RES>(t, acc);
    return;
  }
  if constexpr (W == 4 && Q == 4 && STEP != 0) {
    // Four pixels at a fixed step (ResNet-8's 16-channel stride-2 shortcut,
    // MobileNet's 4-pixel tiles): every full block in assembly, four
    // channels of two pixels at a time.
    const size_t full = full_blocks(t, kCb);
    for (size_t b = 0; b < full; ++b, in += in_block, w += w_block) {
      const float *x0 = in, *x1 = in + STEP, *x2 = in + 2 * STEP,
                  *x3 = in + 3 * STEP;
#pragma GCC unroll 4
      for (size_t i = 0; i < kCb; i += 4) {
        const float *wa = w + i * kCb, *wb = wa;
        pointwise_pair_16(acc[0], acc[1], x0, x1, wa);
        pointwise_pair_16(acc[2], acc[3], x2, x3, wb);
      }
    }
    if (full < t->in_blocks) {
      accumulate_lanes<W, Q, kCb>(acc, in, w, t->in_last_channels, step);
    }
    store_tile_by_act<W, Q, ANY_ACT, RES>(t, acc);
    return;
  }
#elif defined(__arm__)
  if constexpr (W <= 3 && Q == 2) {
    // armv7's tiles (3 pixels, and 1 or 2 at a row's end and in dense
    // layers): every full block in assembly.
    const size_t full = full_blocks(t, kCb);
    for (size_t b = 0; b < full; ++b, in += in_block, w += w_block) {
      accumulate_block_x8<W>(acc, in, step, w);
    }
    if (full < t->in_blocks) {
      accumulate_lanes<W, Q, kCb>(acc, in, w, t->in_last_channels, step);
    }
    store_tile_by_act<W, Q, ANY_ACT, RES>(t, acc);
    return;
  }
#endif
  for (size_t b = 1; b < t->in_blocks; ++b, in += in_block, w += w_block) {
    accumulate_lanes<W, Q, kCb>(acc, in, w, kCb, step);
  }
  // A full last block (every MLPerf Tiny layer's but one) with the constant
  // count, as the others: unrolled, without the remainder loop's
  // bookkeeping.
  if (t->in_blocks > 0 && t->in_last_channels == kCb) {
    accumulate_lanes<W, Q, kCb>(acc, in, w, kCb, step);
  } else if (t->in_blocks > 0 && t->in_last_channels == kCb / 2) {
    // Half a block (MobileNet's 8 -> 16 layer) with its constant count too.
    accumulate_lanes<W, Q, kCb>(acc, in, w, kCb / 2, step);
  } else if (t->in_blocks > 0) {
    accumulate_lanes<W, Q, kCb>(acc, in, w, t->in_last_channels, step);
  }
  store_tile_by_act<W, Q, ANY_ACT, RES>(t, acc);
}

#if defined(__arm__)
// armv7's tiles over a blocked input with windows wider than 1x1: each tap
// of each full block in assembly (accumulate_block_x8), a partial last
// block (a narrow layer's) in C after them. A function of its own: inside
// conv_tile, GCC moved the accumulators between registers around every
// assembly block (ResNet-8 324,124 instructions more).
template <int W, size_t STEP, bool ANY_ACT, bool RES>
void blocked_tile_x8(const small_window_tile *t) {
  constexpr int Q = 2;
  constexpr size_t kCb = 4 * Q;
  const size_t step = STEP != 0 ? STEP : t->in_pixel_step;
  float32x4_t acc[W][Q];
  load_bias<W, Q>(t, acc);
  const size_t full = full_blocks(t, kCb);
  // At dilation 1 a filter row's taps are consecutive pixels of the block
  // and their weights consecutive (w_tap_w_step = in_lanes x Cb,
  // kernel_contract.h): tap s + 1 starts where the 8 channels of tap s
  // leave the post-incremented pointers, so a row is one run of steps
  // without address arithmetic per tap.
  const bool adjacent_taps = t->in_tap_w_step == kCb;
  for (size_t b = 0; b < full; ++b) {
    for (size_t r = 0; r < t->taps_h; ++r) {
      const float *in = t->in + b * t->in_block_step + r * t->in_tap_h_step;
      const float *w = t->weights + b * t->w_block_step + r * t->w_tap_h_step;
      if (adjacent_taps) {
        const float *x0 = in, *x1 = in + step, *x2 = in + 2 * step;
        for (size_t s = 0; s < t->taps_w; ++s) {
          accumulate_4_channels_x8<W>(acc, x0, x1, x2, w);
          accumulate_4_channels_x8<W>(acc, x0, x1, x2, w);
        }
        continue;
      }
      for (size_t s = 0; s < t->taps_w;
           ++s, in += t->in_tap_w_step, w += t->w_tap_w_step) {
        accumulate_block_x8<W>(acc, in, step, w);
      }
    }
  }
  if (full < t->in_blocks) {
    accumulate_block_taps<W, Q, kCb>(acc, t, full, t->in_last_channels, step);
  }
  store_tile<W, Q, ANY_ACT, RES>(t, acc);
}

// armv7's tiles over a planar input (in_lanes 1; the first layers) whose
// window rows are adjacent floats (in_tap_w_step 1, the selector): each
// filter row of each channel as taps_w steps of accumulate_step_x8, where
// conv_tile spent an address ADD per load on one-lane blocks (the taps of
// a row are Cb floats apart in the weights: kernel_contract.h).
template <int W, int TAPS, bool ANY_ACT>
void planar_tile_x8(const small_window_tile *t) {
  constexpr int Q = 2;
  const size_t step = t->in_pixel_step;
  float32x4_t acc[W][Q];
  load_bias<W, Q>(t, acc);
  for (size_t b = 0; b < t->in_blocks; ++b) {
    for (size_t r = 0; r < t->taps_h; ++r) {
      const float *x0 = t->in + b * t->in_block_step + r * t->in_tap_h_step;
      const float *x1 = x0 + step, *x2 = x0 + 2 * step;
      const float *w = t->weights + b * t->w_block_step + r * t->w_tap_h_step;
      if constexpr (TAPS == 3) {
        accumulate_3_channels_x8<W>(acc, x0, x1, x2, w);
      } else if constexpr (TAPS == 4) {
        accumulate_4_channels_x8<W>(acc, x0, x1, x2, w);
      } else {
        for (size_t s = 0; s < t->taps_w; ++s) {
          accumulate_step_x8<W>(acc, x0, x1, x2, w);
        }
      }
    }
  }
  store_tile<W, Q, ANY_ACT, false>(t, acc);
}
#endif

#if defined(__aarch64__)
// A planar input (in_lanes 1) at a pixel step other than 1 or 2 floats
// (DS-CNN's first layer, tiled down its columns): one broadcast per pixel,
// channel and tap, in the generic tile's order, without its lane loops.
// A function of its own: as a branch inside conv_tile it made GCC allocate
// conv_tile's other paths worse.
template <int W, int Q, int QB = Q, bool ANY_ACT = true>
void planar_tile(const small_window_tile *t) {
  float32x4_t acc[W][Q];
  load_bias<W, Q>(t, acc);
  const size_t step = t->in_pixel_step;
  for (size_t b = 0; b < t->in_blocks; ++b) {
    for (size_t r = 0; r < t->taps_h; ++r) {
      const float *in = t->in + b * t->in_block_step + r * t->in_tap_h_step;
      const float *w = t->weights + b * t->w_block_step + r * t->w_tap_h_step;
      for (size_t s = 0; s < t->taps_w;
           ++s, in += t->in_tap_w_step, w += t->w_tap_w_step) {
        float32x4_t wv[Q];
#pragma GCC unroll 16
        for (int q = 0; q < Q; ++q) {
          wv[q] = vld1q_f32(w + 4 * q);
        }
#pragma GCC unroll 16
        for (int j = 0; j < W; ++j) {
          const float32x4_t x = vld1q_dup_f32(in + j * step);
#pragma GCC unroll 16
          for (int q = 0; q < Q; ++q) {
            acc[j][q] = vfmaq_f32(acc[j][q], x, wv[q]);
          }
        }
      }
    }
  }
  store_tile_by_act<W, Q, ANY_ACT>(t, acc);
  store_pad_lanes<W, Q, QB, ANY_ACT>(t);
}

// TAPS (2 to 4) adjacent input values from p as one vector, without
// reading past them (lanes past TAPS are zero and never used).
template <int TAPS>
__attribute__((always_inline)) inline float32x4_t load_taps(const float *p) {
  static_assert(TAPS >= 2 && TAPS <= 4, "one vector of taps");
  if constexpr (TAPS == 4) {
    return vld1q_f32(p);
  } else if constexpr (TAPS == 3) {
    return vld1q_lane_f32(p + 2, vcombine_f32(vld1_f32(p), vdup_n_f32(0.0f)),
                          2);
  } else {
    return vcombine_f32(vld1_f32(p), vdup_n_f32(0.0f));
  }
}

// planar_tile for windows whose rows are TAPS (2 to 4) adjacent input
// values: each pixel's row is one vector (load_taps), and the FMAs take
// its taps by lane, where planar_tile broadcasts every (pixel, tap) with a
// load of its own. Each accumulator adds its taps in planar_tile's order.
template <int W, int Q, int... S>
__attribute__((always_inline)) inline void
taps_by_lane(float32x4_t (&acc)[W][Q], const float32x4_t (&x)[W],
             const float *w, size_t w_tap, std::integer_sequence<int, S...>) {
  (fma_by_lane<W, Q, S>(acc, x, w + S * w_tap), ...);
}
template <int W, int Q, int QB, int TAPS, bool ANY_ACT = true>
void planar_taps_tile(const small_window_tile *t) {
  float32x4_t acc[W][Q];
  load_bias<W, Q>(t, acc);
  const size_t step = t->in_pixel_step, rows = t->taps_h;
  const size_t in_row = t->in_tap_h_step, w_row = t->w_tap_h_step;
  const size_t w_tap = t->w_tap_w_step;
  const float *in_block = t->in, *w_block = t->weights;
  for (size_t b = 0; b < t->in_blocks;
       ++b, in_block += t->in_block_step, w_block += t->w_block_step) {
    const float *in = in_block, *w = w_block;
    for (size_t r = 0; r < rows; ++r, in += in_row, w += w_row) {
      float32x4_t x[W];
#pragma GCC unroll 16
      for (int j = 0; j < W; ++j) {
        x[j] = load_taps<TAPS>(in + j * step);
      }
      taps_by_lane<W, Q>(acc, x, w, w_tap,
                         std::make_integer_sequence<int, TAPS>{});
    }
  }
  store_tile_by_act<W, Q, ANY_ACT>(t, acc);
  store_pad_lanes<W, Q, QB, ANY_ACT>(t);
}

template <int Q, int QB, bool ANY_ACT, int... Ws>
small_window_fn planar_by_width(const small_window_shape &s,
                                std::integer_sequence<int, Ws...>) {
  static constexpr small_window_fn by_width[][sizeof...(Ws)] = {
      {planar_tile<Ws + 1, Q, QB, ANY_ACT>...},
      {planar_taps_tile<Ws + 1, Q, QB, 2, ANY_ACT>...},
      {planar_taps_tile<Ws + 1, Q, QB, 3, ANY_ACT>...},
      {planar_taps_tile<Ws + 1, Q, QB, 4, ANY_ACT>...}};
  const size_t taps =
      s.in_tap_w_step == 1 && s.taps_w >= 2 && s.taps_w <= 4 ? s.taps_w : 1;
  return by_width[taps - 1][std::min(s.width, sizeof...(Ws)) - 1];
}

// A planar input read in rows of three adjacent taps at a fixed pixel step
// of STEP (1 or 2) floats: the first layers' 3x3 windows away from the
// left and right borders (ResNet-8's, MobileNet's). A function of its own,
// whose input and weight pointers step by row and block: inside conv_tile's
// tap loops, GCC 12 recomputed both addresses with two multiply-adds per row
// and loaded the weights one register at a time. Weights whose taps are not
// Cb floats apart go to conv_tile.
template <int W, int Q, size_t STEP, int QB, bool ANY_ACT>
void planar_row3_tile(const small_window_tile *t) {
  constexpr size_t kCb = 4 * QB;
  if (t->w_tap_w_step != kCb) {
    conv_tile<W, Q, STEP, QB, ANY_ACT>(t);
    return;
  }
  float32x4_t acc[W][Q];
  load_bias<W, Q>(t, acc);
  const size_t rows = t->taps_h;
  const size_t in_row = t->in_tap_h_step, w_row = t->w_tap_h_step;
  const float *in_block = t->in, *w_block = t->weights;
  for (size_t b = 0; b < t->in_blocks;
       ++b, in_block += t->in_block_step, w_block += t->w_block_step) {
    const float *in = in_block, *w = w_block;
    for (size_t r = 0; r < rows; ++r, in += in_row, w += w_row) {
      accumulate_planar_row3<W, Q, STEP, kCb>(
          acc, in, w, std::make_integer_sequence<int, W>{});
    }
  }
  store_tile_by_act<W, Q, ANY_ACT>(t, acc);
  store_pad_lanes<W, Q, QB, ANY_ACT>(t);
}

// planar_row3_tile for the widths whose pixels span at least one vector
// ((W - 1) STEP >= 3, as conv_tile's planar path asks), conv_tile for the
// narrower ones.
template <int Q, size_t STEP, int QB, bool ANY_ACT, int... Ws>
small_window_fn planar_row3_by_width(size_t width,
                                     std::integer_sequence<int, Ws...>) {
  static constexpr small_window_fn by_width[] = {
      (Ws * STEP >= 3 ? planar_row3_tile<Ws + 1, Q, STEP, QB, ANY_ACT>
                      : conv_tile<Ws + 1, Q, STEP, QB, ANY_ACT>)...};
  return by_width[std::min(width, sizeof...(Ws)) - 1];
}
#endif

template <int Q, size_t STEP, bool ANY_ACT, bool RES = false, int... Ws>
small_window_fn pointwise_by_width(size_t width,
                                   std::integer_sequence<int, Ws...>) {
  static constexpr small_window_fn by_width[] = {
      pointwise_tile<Ws + 1, Q, STEP, ANY_ACT, RES>...};
  return by_width[std::min(width, sizeof...(Ws)) - 1];
}

template <int Q, size_t STEP, int QB, bool ANY_ACT, bool RES = false, int... Ws>
small_window_fn conv_by_width(size_t width, std::integer_sequence<int, Ws...>) {
  static constexpr small_window_fn by_width[] = {
      conv_tile<Ws + 1, Q, STEP, QB, ANY_ACT, RES>...};
  // The engine never passes more than the max width (sizeof...(Ws)).
  return by_width[std::min(width, sizeof...(Ws)) - 1];
}

// The tiles over a blocked input (in_lanes Cb) by width: conv_by_width, but
// armv7's (1 to 3 pixels) are blocked_tile_x8.
template <int Q, size_t STEP, bool ANY_ACT, bool RES = false, int... Ws>
small_window_fn blocked_by_width(size_t width,
                                 std::integer_sequence<int, Ws...> widths) {
#if defined(__arm__)
  if constexpr (Q == 2 && sizeof...(Ws) <= 3) {
    static constexpr small_window_fn by_width[] = {
        blocked_tile_x8<Ws + 1, STEP, ANY_ACT, RES>...};
    return by_width[std::min(width, sizeof...(Ws)) - 1];
  }
#endif
  return conv_by_width<Q, STEP, Q, ANY_ACT, RES>(width, widths);
}

// The convolution tile for a shape: its width, and a compile-time pixel step
// for stride 1 (and stride 2 when STRIDE_2) so the input loads use immediate
// offsets.
// The tiles with a residual (a blocked input: never planar), at the same
// steps as below.
template <int Q, int MAX_W, bool STRIDE_2, bool ANY_ACT>
small_window_fn conv_select_residual(const small_window_shape &s) {
  constexpr size_t kCb = 4 * Q;
  using Widths = std::make_integer_sequence<int, MAX_W>;
  if (s.taps_h == 1 && s.taps_w == 1) {
    if (s.in_pixel_step == kCb) {
      return pointwise_by_width<Q, kCb, ANY_ACT, true>(s.width, Widths{});
    }
    if (STRIDE_2 && s.in_pixel_step == 2 * kCb) {
      return pointwise_by_width<Q, 2 * kCb, ANY_ACT, true>(s.width, Widths{});
    }
    return pointwise_by_width<Q, 0, ANY_ACT, true>(s.width, Widths{});
  }
  if (s.in_pixel_step == kCb) {
    return blocked_by_width<Q, kCb, ANY_ACT, true>(s.width, Widths{});
  }
  if (STRIDE_2 && s.in_pixel_step == 2 * kCb) {
    return blocked_by_width<Q, 2 * kCb, ANY_ACT, true>(s.width, Widths{});
  }
  return blocked_by_width<Q, 0, ANY_ACT, true>(s.width, Widths{});
}

template <int Q, int MAX_W, bool STRIDE_2, bool ANY_ACT>
small_window_fn conv_select_as(const small_window_shape &s) {
  constexpr size_t kCb = 4 * Q;
  using Widths = std::make_integer_sequence<int, MAX_W>;
  if (s.residual != 0) {
    return conv_select_residual<Q, MAX_W, STRIDE_2, ANY_ACT>(s);
  }
  if (s.taps_h == 1 && s.taps_w == 1 && s.in_lanes == kCb) {
    if (s.in_pixel_step == kCb) {
      return pointwise_by_width<Q, kCb, ANY_ACT>(s.width, Widths{});
    }
    if (STRIDE_2 && s.in_pixel_step == 2 * kCb) {
      return pointwise_by_width<Q, 2 * kCb, ANY_ACT>(s.width, Widths{});
    }
    return pointwise_by_width<Q, 0, ANY_ACT>(s.width, Widths{});
  }
  if (s.in_lanes == kCb) {
    if (s.in_pixel_step == kCb) {
      return blocked_by_width<Q, kCb, ANY_ACT>(s.width, Widths{});
    }
    if (STRIDE_2 && s.in_pixel_step == 2 * kCb) {
      return blocked_by_width<Q, 2 * kCb, ANY_ACT>(s.width, Widths{});
    }
    return blocked_by_width<Q, 0, ANY_ACT>(s.width, Widths{});
  }
  // A planar input from here on.
#if defined(__arm__)
  if constexpr (Q == 2 && MAX_W <= 3) {
    if (s.in_tap_w_step == 1) {
      // Rows of 3 or 4 taps in one step each (the interior of a 3x3 or
      // 10x4 window), other rows (its border columns) tap by tap.
      static constexpr small_window_fn by_taps[][3] = {
          {planar_tile_x8<1, 0, ANY_ACT>, planar_tile_x8<2, 0, ANY_ACT>,
           planar_tile_x8<3, 0, ANY_ACT>},
          {planar_tile_x8<1, 3, ANY_ACT>, planar_tile_x8<2, 3, ANY_ACT>,
           planar_tile_x8<3, 3, ANY_ACT>},
          {planar_tile_x8<1, 4, ANY_ACT>, planar_tile_x8<2, 4, ANY_ACT>,
           planar_tile_x8<3, 4, ANY_ACT>}};
      const size_t kind = s.taps_w == 3 ? 1 : (s.taps_w == 4 ? 2 : 0);
      return by_taps[kind][std::min<size_t>(s.width, MAX_W) - 1];
    }
  }
#endif
  if (s.in_pixel_step == kCb) {
    return conv_by_width<Q, kCb, Q, ANY_ACT>(s.width, Widths{});
  }
  if (STRIDE_2 && s.in_pixel_step == 2 * kCb) {
    return conv_by_width<Q, 2 * kCb, Q, ANY_ACT>(s.width, Widths{});
  }
#if defined(__aarch64__)
  // A planar network input at stride 1 or 2 (conv_tile's vector loads).
  // A layer of at most half a block of channels (MobileNet's first, 8 of
  // 16 lanes) computes that half only.
  // Rows of three adjacent taps: planar_row3_tile.
  const bool row3 = s.in_lanes == 1 && s.taps_w == 3 && s.in_tap_w_step == 1;
  if constexpr (Q % 2 == 0) {
    if (row3 && s.out_lanes <= kCb / 2 && s.in_pixel_step == 1) {
      return planar_row3_by_width<Q / 2, 1, Q, ANY_ACT>(s.width, Widths{});
    }
    if (row3 && s.out_lanes <= kCb / 2 && s.in_pixel_step == 2) {
      return planar_row3_by_width<Q / 2, 2, Q, ANY_ACT>(s.width, Widths{});
    }
    if (s.in_lanes == 1 && s.out_lanes <= kCb / 2) {
      if (s.in_pixel_step == 1) {
        return conv_by_width<Q / 2, 1, Q, ANY_ACT>(s.width, Widths{});
      }
      if (s.in_pixel_step == 2) {
        return conv_by_width<Q / 2, 2, Q, ANY_ACT>(s.width, Widths{});
      }
      return planar_by_width<Q / 2, Q, ANY_ACT>(s, Widths{});
    }
  }
  if (row3 && s.in_pixel_step == 1) {
    return planar_row3_by_width<Q, 1, Q, ANY_ACT>(s.width, Widths{});
  }
  if (row3 && s.in_pixel_step == 2) {
    return planar_row3_by_width<Q, 2, Q, ANY_ACT>(s.width, Widths{});
  }
  if (s.in_lanes == 1 && s.in_pixel_step == 1) {
    return conv_by_width<Q, 1, Q, ANY_ACT>(s.width, Widths{});
  }
  if (s.in_lanes == 1 && s.in_pixel_step == 2) {
    return conv_by_width<Q, 2, Q, ANY_ACT>(s.width, Widths{});
  }
  if (s.in_lanes == 1) {
    return planar_by_width<Q, Q, ANY_ACT>(s, Widths{});
  }
#endif
  return conv_by_width<Q, 0, Q, ANY_ACT>(s.width, Widths{});
}

// The tile for a shape: the variants without the activations other than
// none and clip (the common case) when the shape's activation is one of
// those. Their epilogue calls nothing, where the others' sigmoid calls
// expf: with that call inside, GCC 12 saved and restored ten callee-saved
// registers at every call of every tile (1.1% to 2.7% of the MLPerf Tiny
// networks' instructions on aarch64).
template <int Q, int MAX_W, bool STRIDE_2>
small_window_fn conv_select(const small_window_shape &s) {
  return s.act == SMALL_ACT_OP_NONE || s.act == SMALL_ACT_OP_CLIP
             ? conv_select_as<Q, MAX_W, STRIDE_2, false>(s)
             : conv_select_as<Q, MAX_W, STRIDE_2, true>(s);
}

// Sum of one lane group over the taps, blocked and pairwise (pairwise_sum.h)
// as the scalar kernel does it: each row's taps in blocks of kSumBlock; a
// window of at most kSumBlock taps is one block.
inline float32x4_t sum_taps(const small_window_tile *t, const float *in) {
  if (t->taps_h * t->taps_w <= kSumBlock) { // one block: a running sum
    float32x4_t block = vdupq_n_f32(0.0f);
    for (size_t r = 0; r < t->taps_h; ++r) {
      for (size_t s = 0; s < t->taps_w; ++s) {
        block = vaddq_f32(
            block, vld1q_f32(in + r * t->in_tap_h_step + s * t->in_tap_w_step));
      }
    }
    return block;
  }
  auto sum = pairwise_sum<float32x4_t>(
      [](float32x4_t a, float32x4_t b) { return vaddq_f32(a, b); });
  for (size_t r = 0; r < t->taps_h; ++r) {
    const float *row = in + r * t->in_tap_h_step;
    for (size_t s0 = 0; s0 < t->taps_w; s0 += kSumBlock) {
      const size_t s1 = std::min(t->taps_w, s0 + kSumBlock);
      float32x4_t block = vdupq_n_f32(0.0f);
      for (size_t s = s0; s < s1; ++s) {
        block = vaddq_f32(block, vld1q_f32(row + s * t->in_tap_w_step));
      }
      sum.push(block);
    }
  }
  return sum.total(vdupq_n_f32(0.0f));
}

template <bool MAX, int Q> void pool(const small_window_tile *t) {
  for (size_t j = 0; j < t->width; ++j) {
    const float *in = t->in + j * t->in_pixel_step;
#pragma GCC unroll 16
    for (int q = 0; q < Q; ++q) {
      float32x4_t acc;
      if (MAX) {
        acc = vld1q_f32(in + 4 * q);
        for (size_t r = 0; r < t->taps_h; ++r) {
          for (size_t s = 0; s < t->taps_w; ++s) {
            acc = vmaxq_f32(acc, vld1q_f32(in + r * t->in_tap_h_step +
                                           s * t->in_tap_w_step + 4 * q));
          }
        }
      } else {
        acc = vmulq_f32(sum_taps(t, in + 4 * q), vdupq_n_f32(t->scale));
      }
      vst1q_f32(t->out + j * t->out_pixel_step + 4 * q, acc);
    }
  }
}

inline void activation(const float *in, float *out, size_t count,
                       const small_act_params *act) {
  size_t i = 0;
  for (; i + 4 <= count; i += 4) {
    vst1q_f32(out + i, activate(vld1q_f32(in + i), *act));
  }
  for (; i < count; ++i) {
    out[i] = scalar::apply_activation(in[i], *act);
  }
}

inline void add(const float *a, const float *b, float *out, size_t count,
                const small_act_params *act) {
  size_t i = 0;
  for (; i + 4 <= count; i += 4) {
    vst1q_f32(out + i,
              activate(vaddq_f32(vld1q_f32(a + i), vld1q_f32(b + i)), *act));
  }
  for (; i < count; ++i) {
    out[i] = scalar::apply_activation(a[i] + b[i], *act);
  }
}

} // namespace small::arm

#endif
