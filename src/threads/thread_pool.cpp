#include "threads/thread_pool.h"

#include "threads/topology.h"
#include "util/error.h"

#if defined(SMALL_HAVE_THREADS)
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <memory>
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
constexpr uint64_t kSpinNs = 1000000;
// Spins between two sched_yield() calls of a waiting thread (a few
// microseconds): when the threads outnumber the free cores (other processes,
// or a pool larger than the machine), the thread it waits for may need this
// core, and a spinner that never yields holds it for a whole time slice.
constexpr uint32_t kSpinsPerYield = 256;

// The CPU the calling thread runs on, -1 if unknown.
int current_cpu() {
#if defined(__linux__)
  return sched_getcpu();
#else
  return -1;
#endif
}

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
#if defined(__linux__)
  // The CPUs the process may use, and whether the workers were started on
  // those other than the caller's (start_attributes()).
  cpu_set_t allowed;
  bool placed = false;
#endif
  std::vector<Start> starts;
  // The job: written by the caller before it bumps `epoch` (release), read
  // by the workers after they see the new epoch (acquire).
  PartFn fn = nullptr;
  void *context = nullptr;
  std::atomic<uint32_t> epoch{0};
  // claimed[p]: the last epoch whose part p someone took (claim()).
  std::unique_ptr<std::atomic<uint32_t>[]> claimed;
  std::atomic<size_t> finished{0}; // parts workers ran in the current job
  std::atomic<uint64_t> stolen{0}; // parts callers ran for their workers
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

  // Takes part p of job `job` unless someone already did. A worker that
  // wakes late (its core was busy) finds its part taken by the caller, and
  // a worker still holding an older epoch can never take a newer job's part.
  bool claim(size_t p, uint32_t job) {
    uint32_t seen = claimed[p].load(std::memory_order_relaxed);
    while (static_cast<int32_t>(job - seen) > 0) {
      if (claimed[p].compare_exchange_weak(seen, job,
                                           std::memory_order_acq_rel)) {
        return true;
      }
    }
    return false;
  }

  void loop(size_t part) {
    uint32_t seen = 0;
    for (;;) {
      seen = wait_for_job(seen);
      if (stop.load(std::memory_order_acquire)) {
        return;
      }
      if (claim(part, seen)) {
        fn(context, part);
        finished.fetch_add(1, std::memory_order_acq_rel);
      }
    }
  }

  // Linux starts a new thread on its creator's CPU and moves it only when
  // the load balancer next runs, milliseconds later; until then a worker and
  // the caller share one CPU and every fork/join waits for a context switch
  // (the pool would measure that as its cost and split nothing). So the
  // workers start on the other CPUs the process may use, and widen their
  // mask back at once (thread_main): the OS stays free to move them later.
  void start_away_from_caller(pthread_attr_t &attr) {
#if defined(__linux__)
    const int caller = sched_getcpu();
    if (caller < 0 || caller >= CPU_SETSIZE ||
        sched_getaffinity(0, sizeof allowed, &allowed) != 0 ||
        !CPU_ISSET(caller, &allowed) || CPU_COUNT(&allowed) < 2) {
      return;
    }
    cpu_set_t others = allowed;
    CPU_CLR(caller, &others);
    placed = pthread_attr_setaffinity_np(&attr, sizeof others, &others) == 0;
#else
    (void)attr;
#endif
  }

  static void *thread_main(void *arg) {
    const Start *s = static_cast<const Start *>(arg);
#if defined(__linux__)
    if (s->workers->placed) { // started away from the caller: free again
      pthread_setaffinity_np(pthread_self(), sizeof(cpu_set_t),
                             &s->workers->allowed);
    }
#endif
    s->workers->loop(s->part);
    return nullptr;
  }

  // Publishes a new epoch (a job or the stop flag), wakes the sleepers and
  // returns the epoch.
  uint32_t publish() {
    const uint32_t job = epoch.fetch_add(1, std::memory_order_seq_cst) + 1;
    if (sleepers.load(std::memory_order_seq_cst) > 0) {
      // Taking the mutex orders this after a sleeper's check of the epoch.
      { const std::lock_guard<std::mutex> lock(mutex); }
      wake.notify_all();
    }
    return job;
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
  workers_->claimed.reset(new (std::nothrow) std::atomic<uint32_t>[threads]);
  if (!workers_->claimed) {
    delete workers_;
    workers_ = nullptr;
    return fail(SMALL_ERR_OUT_OF_MEMORY) << "cannot allocate the thread pool";
  }
  for (size_t part = 0; part < threads; ++part) {
    workers_->claimed[part].store(0, std::memory_order_relaxed);
  }
  workers_->threads.reserve(threads - 1);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  workers_->start_away_from_caller(attr);
  for (size_t part = 1; part < threads; ++part) {
    workers_->starts[part] = {workers_, part};
    pthread_t thread;
    const int error = pthread_create(&thread, &attr, &Workers::thread_main,
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
  pthread_attr_destroy(&attr);
  size_ = threads;
  // The cost of one fork/join with the workers awake and the cores free:
  // the fastest of many short batches, spread over up to a few
  // milliseconds. On a busy machine most batches wait for a core; the
  // fastest one is the cost the pool has whenever the cores are there.
  // Every part on its own thread (no stealing: the caller would do the
  // empty parts itself): this is what handing work to the workers costs.
  // The first calls also wait for the workers to start.
  auto empty = [](void *, size_t) {};
  for (int i = 0; i < 64; ++i) {
    fork_join(empty, nullptr, false);
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
      fork_join(empty, nullptr, false);
    }
    best_ns = std::min<uint64_t>(best_ns, (clock_now_ns() - begin) / kPerBatch);
  }
  fork_join_ns_ = std::max<uint64_t>(best_ns, 1);
  return SMALL_OK;
}

void ThreadPool::run(PartFn fn, void *context) { fork_join(fn, context, true); }

bool ThreadPool::wake() {
  if (workers_ == nullptr) {
    return true;
  }
  std::vector<int> cpus(size_, -1);
  auto where = [](void *context, size_t part) {
    static_cast<int *>(context)[part] = current_cpu();
  };
  fork_join(where, cpus.data(), false);
  std::sort(cpus.begin(), cpus.end());
  return cpus.front() >= 0 &&
         std::adjacent_find(cpus.begin(), cpus.end()) == cpus.end();
}

uint64_t ThreadPool::stolen_parts() const {
  return workers_ != nullptr ? workers_->stolen.load(std::memory_order_relaxed)
                             : 0;
}

void ThreadPool::fork_join(PartFn fn, void *context, bool steal) {
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
  w.finished.store(0, std::memory_order_relaxed);
  const uint32_t job = w.publish();
  // Part 0, then every part no worker has started: when the threads
  // outnumber the free cores, the caller does the work of workers that are
  // not running instead of waiting for them.
  size_t by_workers = size_ - 1;
  for (size_t part = 0; part < (steal ? size_ : 1); ++part) {
    if (w.claim(part, job)) {
      fn(context, part);
      if (part > 0) {
        --by_workers;
        w.stolen.fetch_add(1, std::memory_order_relaxed);
      }
    }
  }
  for (uint32_t spin = 1;
       w.finished.load(std::memory_order_acquire) != by_workers; ++spin) {
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

bool ThreadPool::wake() { return true; }

uint64_t ThreadPool::stolen_parts() const { return 0; }

#endif

} // namespace small
