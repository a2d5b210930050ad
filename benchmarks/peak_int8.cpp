// Measures the single-core int8 multiply-accumulate peak of the instruction
// the build's int8 convolution kernels use: byte dot products vpdpbusd
// (AVX-512 VNNI: 64 MACs per zmm instruction; AVX-VNNI in the AVX2 build:
// 32 per ymm) when the table takes them, else vpmaddwd + vpaddd on int16
// pairs (32 MACs per zmm, 16 per ymm). Independent chains
// in the widest registers, timed over a fixed count; the fastest run counts.
#include "bench_util.h"

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

namespace small_bench {

namespace {

constexpr int kChains = 12;

#if defined(__AVX512F__)
__attribute__((target("avx512vnni"))) void vnni_loop(long iters) {
  __m512i acc[kChains];
  for (int i = 0; i < kChains; ++i) {
    acc[i] = _mm512_set1_epi32(i);
  }
  const __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-2);
  for (long it = 0; it < iters; ++it) {
    for (int i = 0; i < kChains; ++i) {
      acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
    }
  }
  __m512i s = acc[0];
  for (int i = 1; i < kChains; ++i) {
    s = _mm512_add_epi32(s, acc[i]);
  }
  do_not_optimize(_mm512_reduce_add_epi32(s));
}

void madd_loop(long iters) {
  __m512i acc[kChains];
  for (int i = 0; i < kChains; ++i) {
    acc[i] = _mm512_set1_epi32(i);
  }
  const __m512i a = _mm512_set1_epi16(3), b = _mm512_set1_epi16(-2);
  for (long it = 0; it < iters; ++it) {
    for (int i = 0; i < kChains; ++i) {
      acc[i] = _mm512_add_epi32(acc[i], _mm512_madd_epi16(a, b));
    }
  }
  __m512i s = acc[0];
  for (int i = 1; i < kChains; ++i) {
    s = _mm512_add_epi32(s, acc[i]);
  }
  do_not_optimize(_mm512_reduce_add_epi32(s));
}
#elif defined(__AVX2__)
__attribute__((target("avxvnni"))) void vnni_loop(long iters) {
  __m256i acc[kChains];
  for (int i = 0; i < kChains; ++i) {
    acc[i] = _mm256_set1_epi32(i);
  }
  const __m256i a = _mm256_set1_epi8(3), b = _mm256_set1_epi8(-2);
  for (long it = 0; it < iters; ++it) {
    for (int i = 0; i < kChains; ++i) {
      acc[i] = _mm256_dpbusd_avx_epi32(acc[i], a, b);
    }
  }
  __m256i s = acc[0];
  for (int i = 1; i < kChains; ++i) {
    s = _mm256_add_epi32(s, acc[i]);
  }
  int32_t out[8];
  _mm256_storeu_si256(reinterpret_cast<__m256i *>(out), s);
  do_not_optimize(out[0]);
}

void madd_loop(long iters) {
  __m256i acc[kChains];
  for (int i = 0; i < kChains; ++i) {
    acc[i] = _mm256_set1_epi32(i);
  }
  const __m256i a = _mm256_set1_epi16(3), b = _mm256_set1_epi16(-2);
  for (long it = 0; it < iters; ++it) {
    for (int i = 0; i < kChains; ++i) {
      acc[i] = _mm256_add_epi32(acc[i], _mm256_madd_epi16(a, b));
    }
  }
  __m256i s = acc[0];
  for (int i = 1; i < kChains; ++i) {
    s = _mm256_add_epi32(s, acc[i]);
  }
  int32_t out[8];
  _mm256_storeu_si256(reinterpret_cast<__m256i *>(out), s);
  do_not_optimize(out[0]);
}
#endif

} // namespace

Int8Peak measure_peak_int8(long iters, int reps, bool byte_dots) {
#if defined(__AVX512F__)
  if (byte_dots) {
    const double s = time_runs([iters] { vnni_loop(iters); }, 1, reps).min;
    return {2.0 * 64 * kChains * static_cast<double>(iters) / s / 1e9,
            "vpdpbusd-zmm"};
  }
  const double s = time_runs([iters] { madd_loop(iters); }, 1, reps).min;
  return {2.0 * 32 * kChains * static_cast<double>(iters) / s / 1e9,
          "vpmaddwd-zmm"};
#elif defined(__AVX2__)
  if (byte_dots) {
    const double s = time_runs([iters] { vnni_loop(iters); }, 1, reps).min;
    return {2.0 * 32 * kChains * static_cast<double>(iters) / s / 1e9,
            "vpdpbusd-ymm"};
  }
  const double s = time_runs([iters] { madd_loop(iters); }, 1, reps).min;
  return {2.0 * 16 * kChains * static_cast<double>(iters) / s / 1e9,
          "vpmaddwd-ymm"};
#else
  (void)iters;
  (void)reps;
  (void)byte_dots;
  return {0.0, "none"};
#endif
}

Int8Peak quick_peak_int8(bool byte_dots) {
  return measure_peak_int8(500'000, 5, byte_dots);
}

} // namespace small_bench
