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

// Max over the taps of N pixels (`step` floats apart; vector q + n Q is
// pixel n's), one running maximum per lane (exact in any order).
template <class V, size_t Q, size_t N>
PixelVectors<V, N * Q> max_taps(const small_window_tile *t, const float *in,
                                size_t step) {
  constexpr size_t L = V::kLanes;
  PixelVectors<V, N * Q> acc;
#pragma GCC unroll 8
  for (size_t v = 0; v < N * Q; ++v) {
    acc.v[v] = V::load(in + v / Q * step + v % Q * L);
  }
  for (size_t r = 0; r < t->taps_h; ++r) {
    for (size_t s = 0; s < t->taps_w; ++s) {
      const float *p = in + r * t->in_tap_h_step + s * t->in_tap_w_step;
#pragma GCC unroll 8
      for (size_t v = 0; v < N * Q; ++v) {
        acc.v[v] = V::max(acc.v[v], V::load(p + v / Q * step + v % Q * L));
      }
    }
  }
  return acc;
}

// Sum over the taps of N pixels, blocked and pairwise (pairwise_sum.h) as
// the scalar kernel does it: each row's taps in blocks of kSumBlock; a
// window of at most kSumBlock taps is one block. The N pixels' sums are
// independent chains in the same order as one pixel's, so a tile of
// several pixels (a global pooling across channel blocks: DS-CNN's four)
// overlaps their latencies with the same result.
template <class V, size_t Q, size_t N>
PixelVectors<V, N * Q> sum_taps(const small_window_tile *t, const float *in,
                                size_t step) {
  constexpr size_t L = V::kLanes;
  using Pixels = PixelVectors<V, N * Q>;
  const auto add_taps = [&](Pixels &block, const float *p) {
#pragma GCC unroll 8
    for (size_t v = 0; v < N * Q; ++v) {
      block.v[v] = V::add(block.v[v], V::load(p + v / Q * step + v % Q * L));
    }
  };
  if (t->taps_h * t->taps_w <= kSumBlock) { // one block: a running sum
    Pixels block = zero_pixels<V, N * Q>();
    for (size_t r = 0; r < t->taps_h; ++r) {
      for (size_t s = 0; s < t->taps_w; ++s) {
        add_taps(block, in + r * t->in_tap_h_step + s * t->in_tap_w_step);
      }
    }
    return block;
  }
  auto sum = pairwise_sum<Pixels>([](const Pixels &a, const Pixels &b) {
    return add_pixels<V, N * Q>(a, b);
  });
  for (size_t r = 0; r < t->taps_h; ++r) {
    const float *row = in + r * t->in_tap_h_step;
    for (size_t s0 = 0; s0 < t->taps_w; s0 += kSumBlock) {
      const size_t s1 = std::min(t->taps_w, s0 + kSumBlock);
      Pixels block = zero_pixels<V, N * Q>();
      for (size_t s = s0; s < s1; ++s) {
        add_taps(block, row + s * t->in_tap_w_step);
      }
      sum.push(block);
    }
  }
  return sum.total(zero_pixels<V, N * Q>());
}

// N pixels from `j` on: their taps, scaled (average) and stored.
template <class V, size_t CB, bool MAX, size_t N>
void pool_pixels(const small_window_tile *t, size_t j) {
  constexpr size_t L = V::kLanes, Q = CB / L;
  const float *in = t->in + j * t->in_pixel_step;
  PixelVectors<V, N *Q> acc = MAX ? max_taps<V, Q, N>(t, in, t->in_pixel_step)
                                  : sum_taps<V, Q, N>(t, in, t->in_pixel_step);
#pragma GCC unroll 8
  for (size_t v = 0; v < N * Q; ++v) {
    if (!MAX) {
      acc.v[v] = V::mul(acc.v[v], V::set1(t->scale));
    }
    V::store(t->out + (j + v / Q) * t->out_pixel_step + v % Q * L, acc.v[v]);
  }
}

// Two pixels at a time (AVX2's two vectors per pixel: four chains), then
// the last one.
template <class V, size_t CB, bool MAX> void pool(const small_window_tile *t) {
  size_t j = 0;
  for (; j + 2 <= t->width; j += 2) {
    pool_pixels<V, CB, MAX, 2>(t, j);
  }
  if (j < t->width) {
    pool_pixels<V, CB, MAX, 1>(t, j);
  }
}

} // namespace small::x86

#endif
