// The cost of one fork/join of SMaLL's thread pool: the caller hands an
// empty job to every worker, runs its own part and waits for all of them.
//   hot:  back to back, as between the layers of one run (workers spinning);
//   cold: after the workers have gone to sleep (the first layer of a run
//         that follows an idle period).
// Usage: small_fork_join_bench [--threads 2,3] (default: 2 and one per
// physical core). Prints one line per pool size:
//   threads=<n> hot_median_ns=<x> hot_min_ns=<y> cold_median_ns=<z>
//   pool_measured_ns=<w>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "small/small.h"
#include "threads/thread_pool.h"

namespace {

void empty_part(void *, size_t) {}

void bench(uint32_t threads) {
  small::ThreadPool pool;
  if (pool.start(threads) != SMALL_OK) {
    std::printf("threads=%u unavailable: %s\n", threads, small_last_error());
    return;
  }
  // Hot: the median of 2000 single fork/joins after 1000 warm-up ones.
  const small_bench::Timing hot = small_bench::time_runs(
      [&] { pool.run(empty_part, nullptr); }, 1000, 2000);
  // Cold: each after a pause longer than the workers' spin (100 us).
  std::vector<double> cold;
  for (int i = 0; i < 50; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    cold.push_back(small_bench::median_seconds(
        [&] { pool.run(empty_part, nullptr); }, 0, 1));
  }
  std::sort(cold.begin(), cold.end());
  std::printf("threads=%u hot_median_ns=%.0f hot_min_ns=%.0f "
              "cold_median_ns=%.0f pool_measured_ns=%llu\n",
              threads, hot.median * 1e9, hot.min * 1e9,
              cold[cold.size() / 2] * 1e9,
              static_cast<unsigned long long>(pool.fork_join_ns()));
}

} // namespace

int main(int argc, char **argv) {
  std::vector<uint32_t> counts;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc) {
      const std::string list = argv[++i];
      for (size_t pos = 0; pos < list.size();) {
        const size_t comma = list.find(',', pos);
        counts.push_back(static_cast<uint32_t>(
            std::atoi(list.substr(pos, comma - pos).c_str())));
        pos = comma == std::string::npos ? list.size() : comma + 1;
      }
    } else {
      std::fprintf(stderr, "usage: %s [--threads 2,3]\n", argv[0]);
      return 2;
    }
  }
  if (counts.empty()) {
    small_cpu_info info;
    (void)small_cpu_info_get(&info);
    counts.push_back(2);
    if (info.physical_cores > 2) {
      counts.push_back(info.physical_cores);
    }
  }
  for (uint32_t n : counts) {
    bench(n);
  }
  return 0;
}
