// The busy flag of a network: run, finalize, set_arena and enable_profiling
// hold it for their duration, so that a second such call from another
// thread fails instead of sharing the arena.
#ifndef SMALL_GRAPH_BUSY_SCOPE_H
#define SMALL_GRAPH_BUSY_SCOPE_H

#include <atomic>

#include "util/error.h"

namespace small {

// Holds a network's busy flag for the duration of one call.
class BusyScope {
public:
  explicit BusyScope(std::atomic<bool> &flag) : flag_(flag) {
    bool expected = false;
    acquired_ = flag_.compare_exchange_strong(expected, true,
                                              std::memory_order_acquire);
  }
  ~BusyScope() {
    if (acquired_) {
      flag_.store(false, std::memory_order_release);
    }
  }
  BusyScope(const BusyScope &) = delete;
  BusyScope &operator=(const BusyScope &) = delete;
  [[nodiscard]] small_status check(const char *call) const {
    if (!acquired_) {
      return fail(SMALL_ERR_INVALID_STATE)
             << call
             << ": another thread is using this network (run, finalize and "
                "set_arena of one network must not overlap; use one network "
                "per thread)";
    }
    return SMALL_OK;
  }

private:
  std::atomic<bool> &flag_;
  bool acquired_ = false;
};

} // namespace small

#endif
