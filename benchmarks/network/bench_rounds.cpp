#include "bench_rounds.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "bench_util.h"

namespace small_bench {

namespace {
constexpr std::chrono::milliseconds kSettle{20};
}

bool attach_threadpool(small_network *network, int threads,
                       small_threadpool **pool, std::string *detail,
                       std::string *why) {
  *pool = nullptr;
  if (threads <= 1) {
    return true;
  }
  if (small_threadpool_create(static_cast<uint32_t>(threads), pool) !=
          SMALL_OK ||
      small_network_set_threadpool(network, *pool) != SMALL_OK) {
    *why = small_last_error();
    small_threadpool_destroy(*pool);
    *pool = nullptr;
    return false;
  }
  uint64_t fork_join_ns = 0;
  small_threadpool_fork_join_ns(*pool, &fork_join_ns);
  *detail = "pool of " + std::to_string(threads) + " threads, fork/join " +
            std::to_string(fork_join_ns) + " ns";
  return true;
}

void time_interleaved(std::vector<Runner> &runners, int rounds,
                      double round_seconds) {
  std::vector<int> batch(runners.size(), 1);
  for (size_t r = 0; r < runners.size(); ++r) {
    const double once = median_seconds([&] { runners[r].run(); }, 5, 5);
    batch[r] = static_cast<int>(
        std::clamp(round_seconds / std::max(once, 1e-7), 1.0, 2000.0));
  }
  for (int round = 0; round < rounds; ++round) {
    for (size_t r = 0; r < runners.size(); ++r) {
      // The previous engine's threads may still be spinning for work that
      // will not come (OpenMP spins for milliseconds by default); on a
      // small machine they would take the cores this engine's threads need.
      // Let them go to sleep, then warm this engine's own threads up.
      std::this_thread::sleep_for(kSettle);
      runners[r].run();
      for (int i = 0; i < batch[r]; ++i) {
        const auto start = std::chrono::steady_clock::now();
        runners[r].run();
        const auto end = std::chrono::steady_clock::now();
        runners[r].seconds.push_back(
            std::chrono::duration<double>(end - start).count());
      }
    }
  }
}

} // namespace small_bench
