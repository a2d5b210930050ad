// A persistent pool of worker threads for fork/join over the parts of one
// layer. The calling thread takes part 0 and worker p takes part p, always
// the same one, so a thread keeps touching the same weights run after run.
// A part whose worker has not started it by the time the caller finished
// its own is taken by the caller: a worker without a core (the machine is
// busy) delays nothing.
// Workers spin briefly after a job (consecutive layers follow each other
// within microseconds), then sleep on a condition variable: an idle pool
// uses no CPU.
//
// One job at a time: a caller that finds the pool busy with another
// network's layer runs all the parts itself, in order. Every part writes
// its own outputs with the same arithmetic wherever it runs, so results do
// not depend on who ran what.
//
// Built without threads (SMALL_THREADS=OFF) the pool has one thread, the
// caller, and contains no pthread code.
#ifndef SMALL_THREADS_THREAD_POOL_H
#define SMALL_THREADS_THREAD_POOL_H

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "small/small.h"

namespace small {

// More threads than this is a caller's mistake, not a machine.
constexpr uint32_t kMaxThreads = 1024;

class ThreadPool {
public:
  using PartFn = void (*)(void *context, size_t part);

  ThreadPool() = default;
  ~ThreadPool(); // stops and joins the workers
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  // Starts threads - 1 workers (threads counts the caller; 0: one per
  // physical core) and measures the cost of one fork/join. Call once.
  [[nodiscard]] small_status start(uint32_t threads);
  size_t size() const { return size_; }
  // Time of one empty fork/join over all threads, measured by start() with
  // the workers awake: the fastest of many short batches over up to 20 ms
  // (0 for a pool of one thread).
  uint64_t fork_join_ns() const { return fork_join_ns_; }
  // For tests: pin the fork/join cost the split rule uses, and skip the
  // timed check of each split (so that which layers split is deterministic;
  // a cost of 0 then splits every layer that can be split).
  void set_fork_join_ns(uint64_t ns) {
    fork_join_ns_ = ns;
    time_splits_ = false;
  }
  // False after set_fork_join_ns(): networks then split by the cost rule
  // alone.
  bool time_splits() const { return time_splits_; }

  // Calls fn(context, p) for every p in [0, size()) and returns when all
  // have returned. Allocates nothing.
  void run(PartFn fn, void *context);
  // Returns once every worker is awake (each ran an empty part): the next
  // jobs, within the spin time, find them running. True if every thread
  // ran on a CPU of its own (false also where that cannot be known): right
  // after the workers start, the OS may still have several on one CPU.
  bool wake();
  // Parts callers ran because their worker had not started them (see
  // above); counts since start().
  uint64_t stolen_parts() const;

  // Networks using the pool: the pool refuses to be destroyed while any is.
  void attach() { attached_.fetch_add(1, std::memory_order_relaxed); }
  void detach() { attached_.fetch_sub(1, std::memory_order_relaxed); }
  size_t attached() const { return attached_.load(std::memory_order_relaxed); }

private:
  // run(), or with `steal` false every part on its own thread (wake() and
  // the fork/join measurement).
  void fork_join(PartFn fn, void *context, bool steal);

  struct Workers; // the threads and their handshake (thread_pool.cpp)
  Workers *workers_ = nullptr;
  size_t size_ = 1;
  uint64_t fork_join_ns_ = 0;
  bool time_splits_ = true;
  std::atomic<size_t> attached_{0};
};

} // namespace small

#endif
