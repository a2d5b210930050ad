// AVX2 depthwise tile: 16 channels (two ymm) x up to 6 pixels at a time:
// 12 accumulators + 2 weight vectors. The tiles of one channel block are the
// x86 templates (x86/depthwise_tile.h); tiles across channel blocks are
// this folder's own.
#include <immintrin.h>

#include <cstddef>
#include <utility>

#include "depthwise_rows.h"
#include "kernels.h"
#include "vec.h"
#include "x86/activation.h"
#include "x86/depthwise_tile.h"

namespace small::avx2 {

namespace {

constexpr size_t kCb = 16;
constexpr int kTileWidth = 6;

// Pixels with their own weights and bias (one pixel in W channel blocks):
// two weight loads per pixel and tap, 2 * W independent chains. act: the
// tile's activation (x86::with_activation).
template <int W, class Act>
void depthwise_tile_blocks(const small_window_tile *t, const float *in,
                           const float *weights, const float *bias, float *out,
                           Act act) {
  __m256 lo[W], hi[W];
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
    lo[j] = _mm256_loadu_ps(bias + j * t->bias_pixel_step);
    hi[j] = _mm256_loadu_ps(bias + j * t->bias_pixel_step + 8);
  }
  for (size_t r = 0; r < t->taps_h; ++r) {
    for (size_t s = 0; s < t->taps_w; ++s) {
      const float *x = in + r * t->in_tap_h_step + s * t->in_tap_w_step;
      const float *w = weights + r * t->w_tap_h_step + s * t->w_tap_w_step;
#pragma GCC unroll 16
      for (int j = 0; j < W; ++j) {
        const float *p = x + j * t->in_pixel_step;
        const float *q = w + j * t->w_pixel_step;
        lo[j] = _mm256_fmadd_ps(_mm256_loadu_ps(p), _mm256_loadu_ps(q), lo[j]);
        hi[j] = _mm256_fmadd_ps(_mm256_loadu_ps(p + 8), _mm256_loadu_ps(q + 8),
                                hi[j]);
      }
    }
  }
#pragma GCC unroll 16
  for (int j = 0; j < W; ++j) {
    _mm256_storeu_ps(out + j * t->out_pixel_step, act(lo[j]));
    _mm256_storeu_ps(out + j * t->out_pixel_step + 8, act(hi[j]));
  }
}

// W pixels of a tile across blocks, from its pixel j on.
template <int W, class Act>
void blocks_from(const small_window_tile *t, size_t j, Act act) {
  depthwise_tile_blocks<W>(
      t, t->in + j * t->in_pixel_step, t->weights + j * t->w_pixel_step,
      t->bias + j * t->bias_pixel_step, t->out + j * t->out_pixel_step, act);
}

// Any width across blocks: full 6-pixel tiles, then the REST.
template <int REST> void depthwise_blocks(const small_window_tile *t) {
  x86::with_activation<Vec>(
      t->act, [t](auto act) __attribute__((always_inline)) {
        size_t j = 0;
        for (; j + kTileWidth <= t->width; j += kTileWidth) {
          blocks_from<kTileWidth>(t, j, act);
        }
        if constexpr (REST > 0) {
          blocks_from<REST>(t, j, act);
        }
      });
}

template <int... Rs>
small_window_fn depthwise_blocks_by_rest(size_t width,
                                         std::integer_sequence<int, Rs...>) {
  static constexpr small_window_fn by_rest[] = {depthwise_blocks<Rs>...};
  return by_rest[width % kTileWidth];
}

} // namespace

small_window_fn select_depthwise_f32_6x16__avx2(const small_window_shape *s) {
  if (s->w_pixel_step != 0 || s->bias_pixel_step != 0) {
    return depthwise_blocks_by_rest(
        s->width, std::make_integer_sequence<int, kTileWidth>{});
  }
  return x86::depthwise_select<Vec, kCb, kTileWidth>(*s);
}

// Whole rows of up to 6 pixels, wider ones in chunks of 6: 6 sums (rows of
// 3 or fewer pixels, two rows at a time) + 9 weights + the input fill the
// 16 ymm. Not rows wider than 6 at stride 2: MobileNet's 48 -> 24 layer
// measured 5% slower in chunks of 6 (2.52 -> 2.66 us on a Zen 5) than in
// its ordinary tiles.
small_window_fn select_depthwise_rows_f32__avx2(const small_window_shape *s) {
  if (s->in_pixel_step == 2 * kCb && s->width > 6) {
    return nullptr;
  }
  return whole_rows::select_depthwise_rows<Vec, kCb, 6, 6, 6, 6, 6>(*s);
}

} // namespace small::avx2
