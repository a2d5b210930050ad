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
  for (size_t b = 0; b < t->in_blocks; ++b) {
    const size_t lanes =
        b + 1 == t->in_blocks ? t->in_last_channels : t->in_lanes;
    for (size_t r = 0; r < t->taps_h; ++r) {
      for (size_t s = 0; s < t->taps_w; ++s) {
        const float *in = t->in + b * t->in_block_step + r * t->in_tap_h_step +
                          s * t->in_tap_w_step;
        const float *w = t->weights + b * t->w_block_step +
                         r * t->w_tap_h_step + s * t->w_tap_w_step;
        for (size_t i = 0; i < lanes; ++i) {
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
    }
  }
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
#pragma GCC unroll 16
    for (int q = 0; q < Q; ++q) {
      vst1q_f32(t->out + j * t->out_pixel_step + 4 * q,
                activate(acc[j][q], t->act));
    }
  }
}

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

// Depthwise tiles of any width: with or without per-pixel weights (tiles
// across channel blocks), fixed per tile shape.
template <int Q> small_window_fn depthwise_select(const small_window_shape &s) {
  return s.w_pixel_step != 0 || s.bias_pixel_step != 0
             ? depthwise_widths<Q, true>
             : depthwise_widths<Q, false>;
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
