#include "threads/thread_pool.h"

#include "threads/topology.h"
#include "util/error.h"

#if defined(SMALL_HAVE_THREADS)
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <new>
#include <vector>

#include "util/clock.h"
#endif

namespace small {

namespace {

small_status check_thread_count(uint32_t threads) {
  if (threads > kMaxThreads) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << "threads: " << threads << " is more than the " << kMaxThreads
           << " a pool may have (0 means one per physical core)";
  }
  return SMALL_OK;
}

} // namespace

#if defined(SMALL_HAVE_THREADS)

namespace {

// How long a worker spins for the next job before it sleeps: longer than the
// gap between two parallel layers of one run, short enough that an idle pool
// soon stops using the CPU.
constexpr uint64_t kSpinNs = 100000;
// Spins between two sched_yield() calls of a waiting thread (a few
// microseconds): when the threads outnumber the free cores (other processes,
// or a pool larger than the machine), the thread it waits for may need this
// core, and a spinner that never yields holds it for a whole time slice.
constexpr uint32_t kSpinsPerYield = 256;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  __asm__ __volatile__("yield");
#endif
}

} // namespace

struct ThreadPool::Workers {
  struct Start {
    Workers *workers;
    size_t part;
  };
  std::vector<pthread_t> threads;
  std::vector<Start> starts;
  // The job: written by the caller before it bumps `epoch` (release), read
  // by the workers after they see the new epoch (acquire).
  PartFn fn = nullptr;
  void *context = nullptr;
  std::atomic<uint32_t> epoch{0};
  std::atomic<size_t> remaining{0}; // workers still on the current job
  std::atomic<bool> stop{false};
  std::atomic<bool> in_use{false}; // a caller owns the pool
  // Sleeping workers: the caller takes the mutex and notifies only if any.
  std::atomic<int> sleepers{0};
  std::mutex mutex;
  std::condition_variable wake;

  // Spins, then sleeps, until the epoch differs from `seen`.
  uint32_t wait_for_job(uint32_t seen) {
    const uint64_t give_up = clock_now_ns() + kSpinNs;
    for (uint32_t spin = 1;; ++spin) {
      const uint32_t e = epoch.load(std::memory_order_acquire);
      if (e != seen) {
        return e;
      }
      cpu_relax();
      if (spin % kSpinsPerYield == 0) {
        if (clock_now_ns() > give_up) {
          break;
        }
        sched_yield();
      }
    }
    std::unique_lock<std::mutex> lock(mutex);
    sleepers.fetch_add(1, std::memory_order_seq_cst);
    uint32_t e;
    while ((e = epoch.load(std::memory_order_seq_cst)) == seen) {
      wake.wait(lock);
    }
    sleepers.fetch_sub(1, std::memory_order_relaxed);
    return e;
  }

  void loop(size_t part) {
    uint32_t seen = 0;
    for (;;) {
      seen = wait_for_job(seen);
      if (stop.load(std::memory_order_acquire)) {
        return;
      }
      fn(context, part);
      remaining.fetch_sub(1, std::memory_order_acq_rel);
    }
  }

  static void *thread_main(void *arg) {
    const Start *s = static_cast<const Start *>(arg);
    s->workers->loop(s->part);
    return nullptr;
  }

  // Publishes a new epoch (a job or the stop flag) and wakes the sleepers.
  void publish() {
    epoch.fetch_add(1, std::memory_order_seq_cst);
    if (sleepers.load(std::memory_order_seq_cst) > 0) {
      // Taking the mutex orders this after a sleeper's check of the epoch.
      { const std::lock_guard<std::mutex> lock(mutex); }
      wake.notify_all();
    }
  }

  void join_all() {
    stop.store(true, std::memory_order_release);
    publish();
    for (pthread_t t : threads) {
      pthread_join(t, nullptr);
    }
    threads.clear();
  }
};

ThreadPool::~ThreadPool() {
  if (workers_ != nullptr) {
    workers_->join_all();
    delete workers_;
  }
}

small_status ThreadPool::start(uint32_t threads) {
  SMALL_TRY(check_thread_count(threads));
  if (threads == 0) {
    threads = cpu_topology().physical_cores;
  }
  size_ = 1;
  if (threads <= 1) {
    return SMALL_OK;
  }
  workers_ = new (std::nothrow) Workers();
  if (workers_ == nullptr) {
    return fail(SMALL_ERR_OUT_OF_MEMORY) << "cannot allocate the thread pool";
  }
  // Filled before any thread starts: the workers read their Start entry.
  workers_->starts.resize(threads);
  workers_->threads.reserve(threads - 1);
  for (size_t part = 1; part < threads; ++part) {
    workers_->starts[part] = {workers_, part};
    pthread_t thread;
    const int error = pthread_create(&thread, nullptr, &Workers::thread_main,
                                     &workers_->starts[part]);
    if (error != 0) {
      workers_->join_all();
      delete workers_;
      workers_ = nullptr;
      return fail(SMALL_ERR_OUT_OF_MEMORY)
             << "cannot start worker thread " << part << " of " << threads
             << " (pthread_create error " << error << ")";
    }
    workers_->threads.push_back(thread);
  }
  size_ = threads;
  // The cost of one fork/join with the workers awake and the cores free:
  // the fastest of many short batches, spread over up to a few
  // milliseconds. On a busy machine most batches wait for a core; the
  // fastest one is the cost the pool has whenever the cores are there.
  auto empty = [](void *, size_t) {};
  for (int i = 0; i < 64; ++i) {
    run(empty, nullptr);
  }
  constexpr int kMinBatches = 16, kMaxBatches = 512, kPerBatch = 8;
  constexpr uint64_t kBudgetNs = 20000000;
  const uint64_t first = clock_now_ns();
  uint64_t best_ns = UINT64_MAX;
  for (int b = 0; b < kMaxBatches; ++b) {
    const uint64_t begin = clock_now_ns();
    if (b >= kMinBatches && begin - first > kBudgetNs) {
      break;
    }
    for (int i = 0; i < kPerBatch; ++i) {
      run(empty, nullptr);
    }
    best_ns = std::min<uint64_t>(best_ns, (clock_now_ns() - begin) / kPerBatch);
  }
  fork_join_ns_ = std::max<uint64_t>(best_ns, 1);
  return SMALL_OK;
}

void ThreadPool::run(PartFn fn, void *context) {
  bool expected = false;
  if (workers_ == nullptr || !workers_->in_use.compare_exchange_strong(
                                 expected, true, std::memory_order_acquire)) {
    // One thread, or another network holds the pool: every part here.
    for (size_t part = 0; part < size_; ++part) {
      fn(context, part);
    }
    return;
  }
  Workers &w = *workers_;
  w.fn = fn;
  w.context = context;
  w.remaining.store(size_ - 1, std::memory_order_relaxed);
  w.publish();
  fn(context, 0);
  for (uint32_t spin = 1; w.remaining.load(std::memory_order_acquire) != 0;
       ++spin) {
    cpu_relax();
    if (spin % kSpinsPerYield == 0) {
      sched_yield();
    }
  }
  w.in_use.store(false, std::memory_order_release);
}

#else // no threads: the caller is the pool

ThreadPool::~ThreadPool() = default;

small_status ThreadPool::start(uint32_t threads) {
  SMALL_TRY(check_thread_count(threads));
  if (threads > 1) {
    return fail(SMALL_ERR_UNSUPPORTED)
           << "threads: this build has no thread support (SMALL_THREADS=OFF); "
              "only a pool of 1 thread (the caller) is available";
  }
  size_ = 1;
  return SMALL_OK;
}

void ThreadPool::run(PartFn fn, void *context) { fn(context, 0); }

#endif

} // namespace small
