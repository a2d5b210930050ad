#include "util/clock.h"

#include <atomic>
#include <chrono>

namespace small {

namespace {

// Set from any thread, read by profiled runs: an atomic pointer (lock-free
// on every target, bare-metal Cortex-M included).
std::atomic<uint64_t (*)()> profiling_clock{nullptr};

} // namespace

uint64_t clock_now_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

uint64_t profiling_clock_now() {
  uint64_t (*now)() = profiling_clock.load(std::memory_order_relaxed);
  return now != nullptr ? now() : clock_now_ns();
}

void set_profiling_clock(uint64_t (*now)()) {
  profiling_clock.store(now, std::memory_order_relaxed);
}

} // namespace small
