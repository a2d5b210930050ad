// Timing helpers shared by the benchmark programs.
#ifndef SMALL_BENCH_UTIL_H
#define SMALL_BENCH_UTIL_H

#include <algorithm>
#include <chrono>
#include <vector>

namespace small_bench {

template <typename T> inline void do_not_optimize(const T &value) {
  __asm__ volatile("" : : "r,m"(value) : "memory");
}

struct Timing {
  double median = 0, min = 0; // seconds
};

// Runs fn `warmup` times, then `reps` timed times; median and min.
template <typename F> Timing time_runs(F &&fn, int warmup, int reps) {
  for (int i = 0; i < warmup; ++i) {
    fn();
  }
  std::vector<double> t;
  t.reserve(reps);
  for (int i = 0; i < reps; ++i) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    const auto end = std::chrono::steady_clock::now();
    t.push_back(std::chrono::duration<double>(end - start).count());
  }
  std::sort(t.begin(), t.end());
  return {t[t.size() / 2], t.front()};
}

template <typename F> double median_seconds(F &&fn, int warmup, int reps) {
  return time_runs(fn, warmup, reps).median;
}

// Single-core FMA peak of the build's ISA (fastest of reps runs of an
// FMA loop of `iters` iterations x 12 independent chains).
double measure_peak_gflops(long iters, int reps);
double measure_peak_gflops(); // ~0.4 s, for the header line
// A ~10 ms measurement, taken right before each measured layer or network:
// this machine's clock varies over seconds, so percent of peak is computed
// against the peak of that moment.
double quick_peak_gflops();

// Single-core int8 peak in GOPS (2 ops per multiply-accumulate) of the
// instruction the build's int8 convolution kernels multiply with (named in
// `instruction`); 0 for builds without an int8 SIMD path. byte_dots: the
// active table multiplies bytes in 4-lane dot products (its
// conv_i8_k_group is 4: VNNI, or AVX-VNNI in the AVX2 build), else 16-bit
// pairs.
struct Int8Peak {
  double gops;
  const char *instruction;
};
Int8Peak measure_peak_int8(long iters, int reps, bool byte_dots);
Int8Peak quick_peak_int8(bool byte_dots); // ~10 ms, like quick_peak_gflops

} // namespace small_bench

#endif
