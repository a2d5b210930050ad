// x86 pooling tiles over an ISA's vector traits: a pixel's CB channels are
// CB / V::kLanes vectors; max or (blocked pairwise) sum over the taps the
// engine clipped to the input (average: times the engine's scale).
#ifndef SMALL_KERNELS_X86_POOL_H
#define SMALL_KERNELS_X86_POOL_H

#include <algorithm>
#include <cstddef>

#include "kernel_contract.h"
#include "pairwise_sum.h"

namespace small::x86 {

// The Q vectors of one pixel's channels, added lane by lane.
template <class V, size_t Q> struct PixelVectors { typename V::type v[Q]; };

template <class V, size_t Q>
PixelVectors<V, Q> add_pixels(const PixelVectors<V, Q> &a,
                              const PixelVectors<V, Q> &b) {
  PixelVectors<V, Q> sum;
#pragma GCC unroll 4
  for (size_t q = 0; q < Q; ++q) {
    sum.v[q] = V::add(a.v[q], b.v[q]);
  }
  return sum;
}

template <class V, size_t Q> PixelVectors<V, Q> zero_pixels() {
  PixelVectors<V, Q> z;
#pragma GCC unroll 4
  for (size_t q = 0; q < Q; ++q) {
    z.v[q] = V::zero();
  }
  return z;
}

// Max over the taps, one running maximum per lane (exact in any order).
template <class V, size_t Q>
PixelVectors<V, Q> max_taps(const small_window_tile *t, const float *in) {
  constexpr size_t L = V::kLanes;
  PixelVectors<V, Q> acc;
#pragma GCC unroll 4
  for (size_t q = 0; q < Q; ++q) {
    acc.v[q] = V::load(in + q * L);
  }
  for (size_t r = 0; r < t->taps_h; ++r) {
    for (size_t s = 0; s < t->taps_w; ++s) {
      const float *p = in + r * t->in_tap_h_step + s * t->in_tap_w_step;
#pragma GCC unroll 4
      for (size_t q = 0; q < Q; ++q) {
        acc.v[q] = V::max(acc.v[q], V::load(p + q * L));
      }
    }
  }
  return acc;
}

// Sum over the taps, blocked and pairwise (pairwise_sum.h) as the scalar
// kernel does it: each row's taps in blocks of kSumBlock; a window of at
// most kSumBlock taps is one block.
template <class V, size_t Q>
PixelVectors<V, Q> sum_taps(const small_window_tile *t, const float *in) {
  constexpr size_t L = V::kLanes;
  if (t->taps_h * t->taps_w <= kSumBlock) { // one block: a running sum
    PixelVectors<V, Q> block = zero_pixels<V, Q>();
    for (size_t r = 0; r < t->taps_h; ++r) {
      for (size_t s = 0; s < t->taps_w; ++s) {
        const float *p = in + r * t->in_tap_h_step + s * t->in_tap_w_step;
#pragma GCC unroll 4
        for (size_t q = 0; q < Q; ++q) {
          block.v[q] = V::add(block.v[q], V::load(p + q * L));
        }
      }
    }
    return block;
  }
  auto sum = pairwise_sum<PixelVectors<V, Q>>(
      [](const PixelVectors<V, Q> &a, const PixelVectors<V, Q> &b) {
        return add_pixels<V, Q>(a, b);
      });
  for (size_t r = 0; r < t->taps_h; ++r) {
    const float *row = in + r * t->in_tap_h_step;
    for (size_t s0 = 0; s0 < t->taps_w; s0 += kSumBlock) {
      const size_t s1 = std::min(t->taps_w, s0 + kSumBlock);
      PixelVectors<V, Q> block = zero_pixels<V, Q>();
      for (size_t s = s0; s < s1; ++s) {
        const float *p = row + s * t->in_tap_w_step;
#pragma GCC unroll 4
        for (size_t q = 0; q < Q; ++q) {
          block.v[q] = V::add(block.v[q], V::load(p + q * L));
        }
      }
      sum.push(block);
    }
  }
  return sum.total(zero_pixels<V, Q>());
}

template <class V, size_t CB, bool MAX> void pool(const small_window_tile *t) {
  constexpr size_t L = V::kLanes, Q = CB / L;
  for (size_t j = 0; j < t->width; ++j) {
    const float *in = t->in + j * t->in_pixel_step;
    PixelVectors<V, Q> acc =
        MAX ? max_taps<V, Q>(t, in) : sum_taps<V, Q>(t, in);
#pragma GCC unroll 4
    for (size_t q = 0; q < Q; ++q) {
      if (!MAX) {
        acc.v[q] = V::mul(acc.v[q], V::set1(t->scale));
      }
      V::store(t->out + j * t->out_pixel_step + q * L, acc.v[q]);
    }
  }
}

} // namespace small::x86

#endif
