// Measures the single-core FMA peak of the build's ISA: many independent
// FMA chains in the widest vector registers, timed over a fixed count.
#include "bench_util.h"

#if defined(__AVX512F__)
#include <immintrin.h>
#define SMALL_VEC __m512
#define SMALL_LANES 16
#define SMALL_SET1 _mm512_set1_ps
#define SMALL_FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define SMALL_ADD _mm512_add_ps
#define SMALL_STORE _mm512_storeu_ps
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define SMALL_VEC __m256
#define SMALL_LANES 8
#define SMALL_SET1 _mm256_set1_ps
#define SMALL_FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define SMALL_ADD _mm256_add_ps
#define SMALL_STORE _mm256_storeu_ps
#elif defined(__ARM_NEON) &&                                                   \
    (defined(__aarch64__) || defined(__ARM_FEATURE_FMA))
#include <arm_neon.h>
#define SMALL_VEC float32x4_t
#define SMALL_LANES 4
#define SMALL_SET1 vdupq_n_f32
#define SMALL_FMA(a, b, c) vfmaq_f32(c, a, b)
#define SMALL_ADD vaddq_f32
#define SMALL_STORE vst1q_f32
#endif

namespace small_bench {

double measure_peak_gflops() { return measure_peak_gflops(20'000'000, 7); }
double quick_peak_gflops() { return measure_peak_gflops(1'000'000, 5); }

#if defined(SMALL_VEC)
double measure_peak_gflops(long iters, int reps) {
  constexpr int kChains = 12;
  const long kIters = iters;
  auto run = [kIters] {
    SMALL_VEC acc[kChains];
    for (int i = 0; i < kChains; ++i) {
      acc[i] = SMALL_SET1(0.001f * static_cast<float>(i));
    }
    const SMALL_VEC a = SMALL_SET1(0.999999f), b = SMALL_SET1(1e-7f);
    for (long it = 0; it < kIters; ++it) {
      for (int i = 0; i < kChains; ++i) {
        acc[i] = SMALL_FMA(acc[i], a, b);
      }
    }
    SMALL_VEC s = acc[0];
    for (int i = 1; i < kChains; ++i) {
      s = SMALL_ADD(s, acc[i]);
    }
    float out[SMALL_LANES];
    SMALL_STORE(out, s);
    do_not_optimize(out[0]);
  };
  // The peak is the best the core can do: take the fastest of the runs.
  const double seconds = time_runs(run, 1, reps).min;
  return 2.0 * SMALL_LANES * kChains * static_cast<double>(kIters) / seconds /
         1e9;
}
#else
double measure_peak_gflops(long iters, int reps) {
  // Scalar build: one FMA-free multiply-add chain per lane, 8 chains.
  const long kIters = iters * 5 / 2;
  auto run = [kIters] {
    float acc[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    for (long it = 0; it < kIters; ++it) {
      for (float &x : acc) {
        x = x * 0.999999f + 1e-7f;
      }
      __asm__ volatile("" ::: "memory");
    }
    do_not_optimize(acc[0] + acc[7]);
  };
  return 2.0 * 8 * static_cast<double>(kIters) / time_runs(run, 1, reps).min /
         1e9;
}
#endif

} // namespace small_bench
