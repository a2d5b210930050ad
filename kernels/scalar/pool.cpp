// Scalar pooling tiles: max, and average (blocked pairwise sum times the
// engine's scale).
#include <algorithm>
#include <cstddef>

#include "kernel_contract.h"
#include "pairwise_sum.h"
#include "scalar_kernels.h"

namespace small::scalar {

namespace {
const float *tap(const small_window_tile *t, size_t j, size_t r, size_t s) {
  return t->in + r * t->in_tap_h_step + s * t->in_tap_w_step +
         j * t->in_pixel_step;
}
} // namespace

void max_pool_f32__scalar(const small_window_tile *t) {
  const size_t cb = t->cb;
  for (size_t j = 0; j < t->width; ++j) {
    for (size_t l = 0; l < cb; ++l) {
      float m = tap(t, j, 0, 0)[l];
      for (size_t r = 0; r < t->taps_h; ++r) {
        for (size_t s = 0; s < t->taps_w; ++s) {
          const float x = tap(t, j, r, s)[l];
          m = x > m ? x : m;
        }
      }
      t->out[j * t->out_pixel_step + l] = m;
    }
  }
}

// The sum is blocked and pairwise (pairwise_sum.h): each row's taps in
// blocks of kSumBlock, so a global average over a large map keeps the error
// bound of docs/numerics.md. A window of at most kSumBlock taps is one block
// (a running sum over its rows, as fast as before).
void avg_pool_f32__scalar(const small_window_tile *t) {
  const size_t cb = t->cb;
  for (size_t j = 0; j < t->width; ++j) {
    for (size_t l = 0; l < cb; ++l) {
      if (t->taps_h * t->taps_w <= kSumBlock) { // one block: a running sum
        float sum = 0.0f;
        for (size_t r = 0; r < t->taps_h; ++r) {
          for (size_t s = 0; s < t->taps_w; ++s) {
            sum += tap(t, j, r, s)[l];
          }
        }
        t->out[j * t->out_pixel_step + l] = sum * t->scale;
        continue;
      }
      auto sum = pairwise_sum<float>([](float a, float b) { return a + b; });
      for (size_t r = 0; r < t->taps_h; ++r) {
        for (size_t s0 = 0; s0 < t->taps_w; s0 += kSumBlock) {
          const size_t s1 = std::min(t->taps_w, s0 + kSumBlock);
          float block = 0.0f;
          for (size_t s = s0; s < s1; ++s) {
            block += tap(t, j, r, s)[l];
          }
          sum.push(block);
        }
      }
      t->out[j * t->out_pixel_step + l] = sum.total(0.0f) * t->scale;
    }
  }
}

} // namespace small::scalar
