// The thread pool: its C API (sizes, bad input, destroying a pool a network
// still uses), the pool's fork/join (every part runs exactly once, on the
// thread it belongs to), and the decision which layers are worth splitting.
// Tagged [concurrency]: the ThreadSanitizer job runs these.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "api/threadpool_handle.h"
#include "reference/test_util.h"
#include "small/small.h"
#include "threads/thread_pool.h"
#include "unit/thread_test_util.h"

namespace {

bool built_with_threads() {
  small_cpu_info info;
  REQUIRE(small_cpu_info_get(&info) == SMALL_OK);
  return std::string(info.source) != "none";
}

} // namespace

TEST_CASE("the CPU topology is plausible", "[threads][concurrency]") {
  small_cpu_info info;
  REQUIRE(small_cpu_info_get(&info) == SMALL_OK);
  CHECK(info.physical_cores >= 1);
  CHECK(info.logical_cpus >= info.physical_cores);
  const std::string source = info.source;
  CHECK((source == "hwloc" || source == "sysconf" || source == "none"));
  if (source != "none") {
    // Cores are not more than the CPUs the OS can run threads on.
    const unsigned online = std::thread::hardware_concurrency();
    CHECK((online == 0 || info.logical_cpus <= online));
  }
  if (info.l1d_bytes != 0 && info.l2_bytes != 0) {
    CHECK(info.l1d_bytes < info.l2_bytes);
  }
  CHECK(small_cpu_info_get(nullptr) == SMALL_ERR_NULL_POINTER);
}

TEST_CASE("thread pool API: sizes and bad input", "[threads][concurrency]") {
  small_threadpool *pool = nullptr;
  uint32_t size = 0;

  SECTION("0 threads means one per physical core") {
    small_cpu_info info;
    REQUIRE(small_cpu_info_get(&info) == SMALL_OK);
    REQUIRE(small_threadpool_create(0, &pool) == SMALL_OK);
    REQUIRE(small_threadpool_size(pool, &size) == SMALL_OK);
    CHECK(size == (built_with_threads() ? info.physical_cores : 1u));
    CHECK(small_threadpool_destroy(pool) == SMALL_OK);
  }
  SECTION("explicit sizes, more threads than cores included") {
    for (uint32_t n : {1u, 2u, 3u}) {
      const small_status s = small_threadpool_create(n, &pool);
      if (!built_with_threads() && n > 1) {
        CHECK(s == SMALL_ERR_UNSUPPORTED);
        CHECK(pool == nullptr);
        CHECK(std::string(small_last_error()).find("SMALL_THREADS") !=
              std::string::npos);
        continue;
      }
      REQUIRE(s == SMALL_OK);
      REQUIRE(small_threadpool_size(pool, &size) == SMALL_OK);
      CHECK(size == n);
      uint64_t ns = 1;
      REQUIRE(small_threadpool_fork_join_ns(pool, &ns) == SMALL_OK);
      if (n == 1) {
        CHECK(ns == 0);
      }
      CHECK(small_threadpool_destroy(pool) == SMALL_OK);
    }
  }
  SECTION("100,000 threads is refused with a message") {
    pool = reinterpret_cast<small_threadpool *>(&size); // must be cleared
    CHECK(small_threadpool_create(100000, &pool) == SMALL_ERR_INVALID_ARGUMENT);
    CHECK(pool == nullptr);
    const std::string msg = small_last_error();
    CHECK(msg.find("small_threadpool_create") == 0);
    CHECK(msg.find("100000") != std::string::npos);
    CHECK(msg.find("1024") != std::string::npos);
    CHECK(small_threadpool_create(SMALL_MAX_THREADS + 1, &pool) ==
          SMALL_ERR_INVALID_ARGUMENT);
  }
  SECTION("NULL pointers") {
    CHECK(small_threadpool_create(2, nullptr) == SMALL_ERR_NULL_POINTER);
    CHECK(small_threadpool_size(nullptr, &size) == SMALL_ERR_NULL_POINTER);
    CHECK(small_threadpool_fork_join_ns(nullptr, nullptr) ==
          SMALL_ERR_NULL_POINTER);
    CHECK(small_threadpool_destroy(nullptr) == SMALL_OK);
    CHECK(small_network_set_threadpool(nullptr, nullptr) ==
          SMALL_ERR_NULL_POINTER);
    REQUIRE(small_threadpool_create(1, &pool) == SMALL_OK);
    CHECK(small_threadpool_size(pool, nullptr) == SMALL_ERR_NULL_POINTER);
    CHECK(small_threadpool_destroy(pool) == SMALL_OK);
  }
}

TEST_CASE("a pool still attached to a network is not destroyed",
          "[threads][concurrency]") {
  const uint32_t threads = built_with_threads() ? 2 : 1;
  small_threadpool *pool = nullptr;
  REQUIRE(small_threadpool_create(threads, &pool) == SMALL_OK);
  testutil::Rng rng(7);
  testutil::Net net;
  small_tensor x = net.input(1, 4, 6, 6);
  small_tensor y = net.activation(x, small_activation_make(SMALL_ACT_RELU));
  net.output(y);
  // Attached before finalize (planned at finalize) ...
  REQUIRE(small_network_set_threadpool(net.get(), pool) == SMALL_OK);
  net.finalize();
  CHECK(small_threadpool_destroy(pool) == SMALL_ERR_INVALID_STATE);
  const std::string msg = small_last_error();
  CHECK(msg.find("small_threadpool_destroy") == 0);
  CHECK(msg.find("1 network") != std::string::npos);
  // ... the pool is intact and still runs the network.
  const ref::Tensor in = testutil::random_tensor(rng, 1, 4, 6, 6);
  const ref::Tensor out = net.run1(in);
  for (size_t i = 0; i < in.size(); ++i) {
    REQUIRE(out.data[i] == std::max(in.data[i], 0.0f));
  }
  // Detached, it can go; the network runs on its own thread again.
  REQUIRE(small_network_set_threadpool(net.get(), nullptr) == SMALL_OK);
  CHECK(small_threadpool_destroy(pool) == SMALL_OK);
  CHECK(net.run1(in).data == out.data);

  // A destroyed network detaches itself.
  REQUIRE(small_threadpool_create(threads, &pool) == SMALL_OK);
  {
    testutil::Net other;
    small_tensor a = other.input(1, 4, 6, 6);
    other.output(other.activation(a, small_activation_make(SMALL_ACT_RELU)));
    REQUIRE(small_network_set_threadpool(other.get(), pool) == SMALL_OK);
    CHECK(small_threadpool_destroy(pool) == SMALL_ERR_INVALID_STATE);
  }
  CHECK(small_threadpool_destroy(pool) == SMALL_OK);
}

TEST_CASE("fork/join runs every part once, on its worker or the caller",
          "[threads][concurrency]") {
  for (uint32_t threads : {1u, 2u, 3u}) {
    small::ThreadPool pool;
    const small_status s = pool.start(threads);
    if (s == SMALL_ERR_UNSUPPORTED) {
      continue; // a build without threads
    }
    REQUIRE(s == SMALL_OK);
    REQUIRE(pool.size() == threads);
    struct Tally {
      explicit Tally(size_t n) : calls(n), runner(n) {}
      std::vector<std::atomic<int>> calls;
      std::vector<std::thread::id> runner; // of the current job
      std::chrono::milliseconds part0_sleep{0};
    } tally(threads);
    auto record = [](void *context, size_t part) {
      auto &t = *static_cast<Tally *>(context);
      if (part == 0) {
        std::this_thread::sleep_for(t.part0_sleep);
      }
      t.runner[part] = std::this_thread::get_id();
      t.calls[part].fetch_add(1);
    };
    // Part p runs on worker p, or on the caller when the caller got to it
    // first (empty parts: it usually does); never on another worker.
    const std::thread::id caller = std::this_thread::get_id();
    std::vector<std::thread::id> worker(threads);
    constexpr int kJobs = 2000;
    int wrong_thread = 0;
    for (int i = 0; i < kJobs; ++i) {
      pool.run(record, &tally);
      CHECK(tally.runner[0] == caller);
      for (uint32_t p = 1; p < threads; ++p) {
        if (tally.runner[p] == caller) {
          continue;
        }
        if (worker[p] == std::thread::id()) {
          worker[p] = tally.runner[p];
        }
        wrong_thread += tally.runner[p] != worker[p] ? 1 : 0;
      }
    }
    CHECK(wrong_thread == 0);
    // While the caller is busy with a long part 0, the workers run theirs.
    tally.part0_sleep = std::chrono::milliseconds(20);
    int by_workers = 0;
    for (int i = 0; i < 5; ++i) {
      pool.run(record, &tally);
      for (uint32_t p = 1; p < threads; ++p) {
        by_workers += tally.runner[p] != caller ? 1 : 0;
      }
    }
    if (threads > 1) {
      CHECK(by_workers > 0);
    }
    for (uint32_t p = 0; p < threads; ++p) {
      CHECK(tally.calls[p].load() == kJobs + 5);
    }
    // Each worker is its own thread.
    for (uint32_t p = 1; p < threads; ++p) {
      for (uint32_t q = p + 1; q < threads; ++q) {
        CHECK((worker[p] == std::thread::id() || worker[p] != worker[q]));
      }
    }
  }
}

TEST_CASE("two threads sharing one pool both get every part run",
          "[threads][concurrency]") {
  small::ThreadPool pool;
  const small_status s = pool.start(2);
  if (s == SMALL_ERR_UNSUPPORTED) {
    return;
  }
  REQUIRE(s == SMALL_OK);
  // Each caller counts its own parts; a caller that finds the pool busy
  // runs all of them itself.
  auto count = [](void *context, size_t part) {
    static_cast<std::atomic<int> *>(context)[part].fetch_add(1);
  };
  constexpr int kJobs = 1000;
  std::atomic<int> counts[2][2] = {};
  std::vector<std::thread> callers;
  for (int c = 0; c < 2; ++c) {
    callers.emplace_back([&, c] {
      for (int i = 0; i < kJobs; ++i) {
        pool.run(count, counts[c]);
      }
    });
  }
  for (std::thread &t : callers) {
    t.join();
  }
  for (int c = 0; c < 2; ++c) {
    CHECK(counts[c][0].load() == kJobs);
    CHECK(counts[c][1].load() == kJobs);
  }
}

TEST_CASE("only layers that gain from threads are split",
          "[threads][concurrency]") {
  small_threadpool *pool = nullptr;
  const small_status s = small_threadpool_create(2, &pool);
  if (s == SMALL_ERR_UNSUPPORTED) {
    return;
  }
  REQUIRE(s == SMALL_OK);
  uint64_t measured_ns = 0;
  REQUIRE(small_threadpool_fork_join_ns(pool, &measured_ns) == SMALL_OK);
  CHECK(measured_ns > 0);
  testutil::Rng rng(3);
  testutil::Net net;
  // A ReLU over 8 floats takes nanoseconds; a 3x3 convolution of 32 -> 32
  // channels over 64x64 pixels (38M multiply-adds) takes hundreds of
  // microseconds even on the fastest core.
  small_tensor tiny = net.input(1, 8, 1, 1);
  net.output(net.activation(tiny, small_activation_make(SMALL_ACT_RELU)));
  small_tensor big = net.input(1, 32, 64, 64);
  small_conv2d_params p;
  small_conv2d_params_init(&p);
  p.out_channels = 32;
  p.kernel_h = p.kernel_w = 3;
  p.padding_mode = SMALL_PADDING_SAME;
  net.output(net.conv2d(big, p, testutil::random_vector(rng, 32 * 32 * 9), {}));
  net.finalize();
  CHECK(threadtest::layer_parts(net.get()) == std::vector<uint32_t>{1, 1});

  // With the cost the pool measured, the ReLU is never worth a fork/join.
  REQUIRE(small_network_set_threadpool(net.get(), pool) == SMALL_OK);
  CHECK(threadtest::layer_parts(net.get())[0] == 1);
  // The rule itself, with the fork/join cost pinned between the two layers'
  // times (the measured one depends on how busy the machine is): the
  // convolution splits, the ReLU does not; a cost above both splits nothing.
  small::ThreadPool &internal = pool->pool;
  internal.set_fork_join_ns(20000);
  REQUIRE(small_network_set_threadpool(net.get(), pool) == SMALL_OK);
  CHECK(threadtest::layer_parts(net.get()) == std::vector<uint32_t>{1, 2});
  // Even free, a fork/join cannot split the ReLU: its 8 channels are one
  // blocked pixel, and each thread must get at least one.
  internal.set_fork_join_ns(0);
  REQUIRE(small_network_set_threadpool(net.get(), pool) == SMALL_OK);
  CHECK(threadtest::layer_parts(net.get()) == std::vector<uint32_t>{1, 2});
  internal.set_fork_join_ns(UINT64_C(1000000000));
  REQUIRE(small_network_set_threadpool(net.get(), pool) == SMALL_OK);
  CHECK(threadtest::layer_parts(net.get()) == std::vector<uint32_t>{1, 1});
  REQUIRE(small_network_set_threadpool(net.get(), nullptr) == SMALL_OK);
  CHECK(threadtest::layer_parts(net.get()) == std::vector<uint32_t>{1, 1});
  CHECK(small_threadpool_destroy(pool) == SMALL_OK);
}
