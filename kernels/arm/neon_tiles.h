// NEON tiles shared by the aarch64 (kernels/neon, Cb = 16) and armv7
// (kernels/armv7, Cb = 8) folders, with their selectors. Q = Cb / 4 is the
// number of float32x4_t vectors per pixel. Only intrinsics common to both
// (vfmaq_f32 needs VFPv4 on armv7, i.e. -mfpu=neon-vfpv4: Cortex-A7/A15/A17
// and every ARMv8 core). Header-only: each ISA folder instantiates it with
// its own compiler flags.
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

#if defined(__aarch64__)
// One input channel's products: acc[j][q] += x[j][LANE] * w[4q .. 4q+3].
template <int W, int Q, int LANE>
inline void fma_by_lane(float32x4_t (&acc)[W][Q], const float32x4_t (&x)[W],
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
// w[i * 4Q + 4q ..], channel by channel in order.
template <int W, int Q>
inline void accumulate_lanes(float32x4_t (&acc)[W][Q], const float *in,
                             const float *w, size_t lanes, size_t step) {
  constexpr size_t kCb = 4 * Q;
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
// A planar (one lane per pixel) input whose W pixels are STEP floats apart:
// the vectors that hold positions 0 .. (W - 1) * STEP of the input, the
// last one ending exactly at the last pixel (no read past the tile's
// pixels), and pixel J's place among them.
template <int W, size_t STEP> struct PlanarPixels {
  static constexpr size_t kLast = (W - 1) * STEP;
  static constexpr int kVectors = static_cast<int>((kLast + 4) / 4);
  static constexpr size_t start(int v) {
    return 4 * static_cast<size_t>(v) < kLast - 3 ? 4 * v : kLast - 3;
  }
  static constexpr int vector_of(int j) {
    return static_cast<int>(j * STEP / 4) < kVectors - 1
               ? static_cast<int>(j * STEP / 4)
               : kVectors - 1;
  }
  static constexpr int lane_of(int j) {
    return static_cast<int>(j * STEP - start(vector_of(j)));
  }
};

template <int W, int Q, size_t STEP, int J>
inline void planar_pixel_fmas(float32x4_t (&acc)[W][Q], const float32x4_t *x,
                              const float32x4_t *wv) {
  using P = PlanarPixels<W, STEP>;
  constexpr int kV = P::vector_of(J), kLane = P::lane_of(J);
#pragma GCC unroll 16
  for (int q = 0; q < Q; ++q) {
    acc[J][q] = vfmaq_laneq_f32(acc[J][q], wv[q], x[kV], kLane);
  }
}

// One (input channel, tap) of a planar input: a few vector loads instead
// of a broadcast load per pixel, the FMAs by lane.
template <int W, int Q, size_t STEP, int... J>
inline void accumulate_planar(float32x4_t (&acc)[W][Q], const float *in,
                              const float *w,
                              std::integer_sequence<int, J...>) {
  using P = PlanarPixels<W, STEP>;
  float32x4_t x[P::kVectors];
#pragma GCC unroll 16
  for (int v = 0; v < P::kVectors; ++v) {
    x[v] = vld1q_f32(in + P::start(v));
  }
  float32x4_t wv[Q];
#pragma GCC unroll 16
  for (int q = 0; q < Q; ++q) {
    wv[q] = vld1q_f32(w + 4 * q);
  }
  (planar_pixel_fmas<W, Q, STEP, J>(acc, x, wv), ...);
}
#endif

// The tile's epilogue: the usual activation (none, ReLU, ReLU6, clip) as
// one max and one min, any other through activate().
// Always inline: called out of line, the accumulators would go through
// memory (GCC 12 did that for the conv tiles).
template <int W, int Q>
__attribute__((always_inline)) inline void
store_tile(const small_window_tile *t, const float32x4_t (&acc)[W][Q]) {
  // The tile's fields in locals: the stores could alias them for the
  // compiler, which would reload them per store.
  float *out = t->out;
  const size_t out_step = t->out_pixel_step;
  const small_act_params act = t->act;
  if (act.op == SMALL_ACT_OP_CLIP || act.op == SMALL_ACT_OP_NONE) {
    const bool clip = act.op == SMALL_ACT_OP_CLIP;
    const float inf = __builtin_inff();
    const float32x4_t lo = vdupq_n_f32(clip ? act.lo : -inf);
    const float32x4_t hi = vdupq_n_f32(clip ? act.hi : inf);
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
#pragma GCC unroll 16
      for (int q = 0; q < Q; ++q) {
        vst1q_f32(out + j * out_step + 4 * q,
                  vminq_f32(vmaxq_f32(acc[j][q], lo), hi));
      }
    }
    return;
  }
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
#pragma GCC unroll 16
    for (int q = 0; q < Q; ++q) {
      vst1q_f32(out + j * out_step + 4 * q, activate(acc[j][q], act));
    }
  }
}

// Convolution tile: W pixels x (4 * Q) output channels, W * Q accumulators.
// STEP: floats between consecutive pixels' inputs if fixed, else 0.
template <int W, int Q, size_t STEP>
void conv_tile(const small_window_tile *t) {
  constexpr size_t kCb = 4 * Q;
  const size_t step = STEP != 0 ? STEP : t->in_pixel_step;
  float32x4_t acc[W][Q];
#pragma GCC unroll 16
  for (int q = 0; q < Q; ++q) {
    const float32x4_t b = vld1q_f32(t->bias + 4 * q);
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      acc[j][q] = b;
    }
  }
  // One tap whose input blocks and weight blocks follow each other without
  // gaps (a dense layer: one pixel of 1x1): all the input channels are one
  // run, with no loop per block.
  const bool one_run = t->taps_h == 1 && t->taps_w == 1 && t->in_lanes == kCb &&
                       t->in_block_step == kCb && t->w_block_step == kCb * kCb;
#if defined(__aarch64__)
  // A planar input (in_lanes 1) at a fixed stride of 1 or 2 floats whose
  // pixels span at least one vector; each channel's taps in the generic
  // order.
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
      store_tile<W, Q>(t, acc);
      return;
    }
  }
#endif
  if (one_run && t->in_blocks > 0) {
    accumulate_lanes<W, Q>(acc, t->in, t->weights,
                           (t->in_blocks - 1) * kCb + t->in_last_channels,
                           step);
  } else {
    for (size_t b = 0; b < t->in_blocks; ++b) {
      const size_t lanes =
          b + 1 == t->in_blocks ? t->in_last_channels : t->in_lanes;
      for (size_t r = 0; r < t->taps_h; ++r) {
        for (size_t s = 0; s < t->taps_w; ++s) {
          accumulate_lanes<W, Q>(acc,
                                 t->in + b * t->in_block_step +
                                     r * t->in_tap_h_step +
                                     s * t->in_tap_w_step,
                                 t->weights + b * t->w_block_step +
                                     r * t->w_tap_h_step + s * t->w_tap_w_step,
                                 lanes, step);
        }
      }
    }
  }
  store_tile<W, Q>(t, acc);
}

#if defined(__aarch64__)
// A planar input (in_lanes 1) at a pixel step other than 1 or 2 floats
// (DS-CNN's first layer, tiled down its columns): one broadcast per pixel,
// channel and tap, in the generic tile's order, without its lane loops.
// A function of its own: as a branch inside conv_tile it made GCC allocate
// conv_tile's other paths worse.
template <int W, int Q> void planar_tile(const small_window_tile *t) {
  float32x4_t acc[W][Q];
#pragma GCC unroll 16
  for (int q = 0; q < Q; ++q) {
    const float32x4_t b = vld1q_f32(t->bias + 4 * q);
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j) {
      acc[j][q] = b;
    }
  }
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
  store_tile<W, Q>(t, acc);
}

template <int Q, int... Ws>
small_window_fn planar_by_width(size_t width,
                                std::integer_sequence<int, Ws...>) {
  static constexpr small_window_fn by_width[] = {planar_tile<Ws + 1, Q>...};
  return by_width[std::min(width, sizeof...(Ws)) - 1];
}
#endif

template <int Q, size_t STEP, int... Ws>
small_window_fn conv_by_width(size_t width, std::integer_sequence<int, Ws...>) {
  static constexpr small_window_fn by_width[] = {conv_tile<Ws + 1, Q, STEP>...};
  // The engine never passes more than the max width (sizeof...(Ws)).
  return by_width[std::min(width, sizeof...(Ws)) - 1];
}

// The convolution tile for a shape: its width, and a compile-time pixel step
// for stride 1 (and stride 2 when STRIDE_2) so the input loads use immediate
// offsets.
template <int Q, int MAX_W, bool STRIDE_2>
small_window_fn conv_select(const small_window_shape &s) {
  constexpr size_t kCb = 4 * Q;
  using Widths = std::make_integer_sequence<int, MAX_W>;
  if (s.in_pixel_step == kCb) {
    return conv_by_width<Q, kCb>(s.width, Widths{});
  }
  if (STRIDE_2 && s.in_pixel_step == 2 * kCb) {
    return conv_by_width<Q, 2 * kCb>(s.width, Widths{});
  }
#if defined(__aarch64__)
  // A planar network input at stride 1 or 2 (conv_tile's vector loads).
  if (s.in_lanes == 1 && s.in_pixel_step == 1) {
    return conv_by_width<Q, 1>(s.width, Widths{});
  }
  if (s.in_lanes == 1 && s.in_pixel_step == 2) {
    return conv_by_width<Q, 2>(s.width, Widths{});
  }
  if (s.in_lanes == 1) {
    return planar_by_width<Q>(s.width, Widths{});
  }
#endif
  return conv_by_width<Q, 0>(s.width, Widths{});
}

// Depthwise: W pixels x Cb channels. Pixels of one block share each tap's
// weight vectors (one load per tap); pixels in different blocks
// (w_pixel_step != 0) load their own.
template <int W, int Q, bool PER_PIXEL>
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
  if (clip || t->act.op == SMALL_ACT_OP_NONE) {
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

template <int Q, bool PER_PIXEL>
void depthwise_widths(const small_window_tile *t) {
  constexpr int kW = 8 / Q; // 8 accumulators
  size_t j = 0;
  for (; j + kW <= t->width; j += kW) {
    depthwise_tile<kW, Q, PER_PIXEL>(
        t, t->in + j * t->in_pixel_step, t->weights + j * t->w_pixel_step,
        t->bias + j * t->bias_pixel_step, t->out + j * t->out_pixel_step);
  }
  for (; j < t->width; ++j) {
    depthwise_tile<1, Q, PER_PIXEL>(
        t, t->in + j * t->in_pixel_step, t->weights + j * t->w_pixel_step,
        t->bias + j * t->bias_pixel_step, t->out + j * t->out_pixel_step);
  }
}

#if defined(__aarch64__)
// Depthwise with three taps per row whose pixels are P (1 or 2) taps apart:
// pixel j's tap s reads the row's input at position j * P + s, so each of
// the row's (W - 1) * P + 3 input vectors is loaded once and serves up to
// three pixels, instead of one load per pixel and tap. One group of four
// channels at a time (W accumulators, 3 weights, the row's inputs). Each
// accumulator adds the taps in the generic tile's order (row, then column),
// so the sums are unchanged.
template <int W, int P, int Q>
void depthwise_rows3(const small_window_tile *t, const float *in, float *out) {
  constexpr size_t kCb = 4 * Q;
  constexpr int kPositions = (W - 1) * P + 3;
  // The tile's fields in locals: the stores through `out` could otherwise
  // alias them for the compiler, which then reloads them for every store.
  const size_t taps_h = t->taps_h, in_row = t->in_tap_h_step;
  const size_t w_row = t->w_tap_h_step, out_step = t->out_pixel_step;
  const float *weights = t->weights, *bias = t->bias;
  const small_act_params act = t->act;
  const bool clip = act.op == SMALL_ACT_OP_CLIP;
  const bool inline_act = clip || act.op == SMALL_ACT_OP_NONE;
  const float inf = __builtin_inff();
  const float32x4_t lo = vdupq_n_f32(clip ? act.lo : -inf);
  const float32x4_t hi = vdupq_n_f32(clip ? act.hi : inf);
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
    float *o = out + 4 * q;
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j, o += out_step) {
      vst1q_f32(o, inline_act ? vminq_f32(vmaxq_f32(acc[j], lo), hi)
                              : activate(acc[j], act));
    }
  }
}

// Row-sliding tiles of W pixels while they fit, then of W / 2, the generic
// ones for the rest of the row.
template <int W, int P, int Q>
void depthwise_rows3_widths(const small_window_tile *t) {
  constexpr size_t kCb = 4 * Q;
  size_t j = 0;
  if (t->w_tap_w_step == kCb) {
    for (; j + W <= t->width; j += W) {
      depthwise_rows3<W, P, Q>(t, t->in + j * t->in_pixel_step,
                               t->out + j * t->out_pixel_step);
    }
    // Rows narrower than W (DS-CNN's are 5 pixels wide) in halves.
    for (; W >= 4 && j + W / 2 <= t->width; j += W / 2) {
      depthwise_rows3<W / 2, P, Q>(t, t->in + j * t->in_pixel_step,
                                   t->out + j * t->out_pixel_step);
    }
  }
  if (j < t->width) {
    small_window_tile rest = *t;
    rest.in += j * t->in_pixel_step;
    rest.out += j * t->out_pixel_step;
    rest.width -= j;
    depthwise_widths<Q, false>(&rest);
  }
}
#endif

#if defined(__aarch64__)
// Depthwise tiles that run down a column (the engine tiles along the longer
// side: DS-CNN's 25x5 maps), three tap rows at stride 1, TW (2 or 3) tap
// columns: pixel j's tap row r is input row j + r, so the W + 2 rows' TW
// vectors are loaded once for up to three pixels. The FMAs go in the
// generic tile's order (tap row, then tap column) for each accumulator.
template <int W, int TW, int Q>
void depthwise_cols3(const small_window_tile *t, const float *in, float *out) {
  constexpr size_t kCb = 4 * Q;
  const size_t in_row = t->in_tap_h_step, w_row = t->w_tap_h_step;
  const size_t out_step = t->out_pixel_step;
  const float *weights = t->weights, *bias = t->bias;
  const small_act_params act = t->act;
  const bool clip = act.op == SMALL_ACT_OP_CLIP;
  const bool inline_act = clip || act.op == SMALL_ACT_OP_NONE;
  const float inf = __builtin_inff();
  const float32x4_t lo = vdupq_n_f32(clip ? act.lo : -inf);
  const float32x4_t hi = vdupq_n_f32(clip ? act.hi : inf);
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
    float *o = out + 4 * q;
#pragma GCC unroll 16
    for (int j = 0; j < W; ++j, o += out_step) {
      vst1q_f32(o, inline_act ? vminq_f32(vmaxq_f32(acc[j], lo), hi)
                              : activate(acc[j], act));
    }
  }
}

template <int W, int TW, int Q>
void depthwise_cols3_widths(const small_window_tile *t) {
  constexpr size_t kCb = 4 * Q;
  size_t j = 0;
  if (t->w_tap_w_step == kCb && t->taps_h == 3 && t->taps_w == TW) {
    for (; j + W <= t->width; j += W) {
      depthwise_cols3<W, TW, Q>(t, t->in + j * t->in_pixel_step,
                                t->out + j * t->out_pixel_step);
    }
  }
  if (j < t->width) {
    small_window_tile rest = *t;
    rest.in += j * t->in_pixel_step;
    rest.out += j * t->out_pixel_step;
    rest.width -= j;
    depthwise_widths<Q, false>(&rest);
  }
}
#endif

// Depthwise tiles of any width: with or without per-pixel weights (tiles
// across channel blocks), fixed per tile shape; on aarch64, windows three
// taps wide at stride 1 or 2 slide along the row (depthwise_rows3), three
// taps high at stride 1 down the column (depthwise_cols3).
template <int Q> small_window_fn depthwise_select(const small_window_shape &s) {
  if (s.w_pixel_step != 0 || s.bias_pixel_step != 0) {
    return depthwise_widths<Q, true>;
  }
#if defined(__aarch64__)
  constexpr size_t kCb = 4 * Q;
  if (s.taps_w == 3 && s.in_tap_w_step == kCb && s.in_pixel_step == kCb) {
    return depthwise_rows3_widths<8, 1, Q>;
  }
  if (s.taps_w == 3 && s.in_tap_w_step == kCb && s.in_pixel_step == 2 * kCb) {
    return depthwise_rows3_widths<4, 2, Q>;
  }
  const bool down_column = s.taps_h == 3 && s.in_tap_w_step == kCb &&
                           s.in_pixel_step == s.in_tap_h_step;
  if (down_column && s.taps_w == 3) {
    return depthwise_cols3_widths<4, 3, Q>;
  }
  if (down_column && s.taps_w == 2) {
    return depthwise_cols3_widths<4, 2, Q>;
  }
#endif
  return depthwise_widths<Q, false>;
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
