// Networks and threads: separate networks run in parallel correctly, also
// when they share one thread pool; one network called from two threads at
// once refuses the overlapping call with SMALL_ERR_INVALID_STATE and never
// returns a wrong result, with or without a pool. Catch2 is not thread-safe,
// so the threads only record and the main thread checks.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "common/require_ok.h"
#include "small/small.h"
#include "unit/thread_test_util.h"

namespace {

constexpr uint32_t kC = 8, kH = 24, kW = 24, kK = 16;

std::vector<float> pattern(size_t count, int seed, float scale) {
  std::vector<float> v(count);
  for (size_t i = 0; i < count; ++i) {
    v[i] =
        scale * static_cast<float>(static_cast<int>((i * 7 + seed) % 17) - 8);
  }
  return v;
}

// input (1,8,24,24) -> conv 3x3 SAME (16) + ReLU -> conv 3x3 SAME (16):
// long enough per run for two threads to overlap.
small_network *make_network(int seed) {
  small_network *net = nullptr;
  REQUIRE_OK(small_network_create(&net));
  small_tensor x, a, b;
  REQUIRE_OK(small_network_add_input(net, 1, kC, kH, kW, &x));
  small_conv2d_params cp;
  small_conv2d_params_init(&cp);
  cp.out_channels = kK;
  cp.kernel_h = cp.kernel_w = 3;
  cp.padding_mode = SMALL_PADDING_SAME;
  cp.activation = small_activation_make(SMALL_ACT_RELU);
  const std::vector<float> w1 = pattern(kK * kC * 9, seed, 0.03f);
  const std::vector<float> w2 = pattern(kK * kK * 9, seed + 3, 0.02f);
  REQUIRE_OK(small_network_add_conv2d(net, x, &cp, w1.data(), nullptr, &a));
  cp.activation = small_activation_make(SMALL_ACT_NONE);
  REQUIRE_OK(small_network_add_conv2d(net, a, &cp, w2.data(), nullptr, &b));
  REQUIRE_OK(small_network_mark_output(net, b));
  REQUIRE_OK(small_network_finalize(net));
  return net;
}

small_status run_once(small_network *net, const std::vector<float> &in,
                      std::vector<float> &out) {
  const float *ins[1] = {in.data()};
  float *outs[1] = {out.data()};
  return small_network_run(net, ins, 1, outs, 1, SMALL_LAYOUT_NCHW);
}

struct Tally {
  size_t ok = 0, busy = 0, wrong = 0, other = 0;
  std::string busy_message, other_message;
};

} // namespace

TEST_CASE("two networks on two threads give correct results", "[concurrency]") {
  small_network *nets[2] = {make_network(1), make_network(5)};
  const std::vector<float> inputs[2] = {pattern(kC * kH * kW, 2, 0.1f),
                                        pattern(kC * kH * kW, 9, 0.1f)};
  std::vector<float> want[2];
  for (int i = 0; i < 2; ++i) {
    want[i].assign(kK * kH * kW, 0.0f);
    REQUIRE_OK(run_once(nets[i], inputs[i], want[i]));
  }
  Tally tally[2];
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      std::vector<float> out(kK * kH * kW);
      for (int round = 0; round < 300; ++round) {
        const small_status s = run_once(nets[i], inputs[i], out);
        if (s != SMALL_OK) {
          ++tally[i].other;
        } else if (out != want[i]) {
          ++tally[i].wrong;
        } else {
          ++tally[i].ok;
        }
      }
    });
  }
  for (std::thread &t : threads) {
    t.join();
  }
  for (int i = 0; i < 2; ++i) {
    INFO("network " << i);
    CHECK(tally[i].ok == 300);
    CHECK(tally[i].wrong == 0);
    CHECK(tally[i].other == 0);
    small_network_destroy(nets[i]);
  }
}

namespace {

// Runs `net` from two threads at once until each had 20 good runs and some
// call was refused; checks that no result was wrong and the refusals say
// why. Destroys the network.
void check_overlapping_runs_refused(small_network *net) {
  const std::vector<float> inputs[2] = {pattern(kC * kH * kW, 4, 0.1f),
                                        pattern(kC * kH * kW, 11, 0.1f)};
  std::vector<float> want[2];
  for (int i = 0; i < 2; ++i) {
    want[i].assign(kK * kH * kW, 0.0f);
    REQUIRE_OK(run_once(net, inputs[i], want[i]));
  }
  Tally tally[2];
  std::atomic<int> ready{0};
  std::atomic<size_t> busy_seen{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      std::vector<float> out(kK * kH * kW);
      ready.fetch_add(1);
      while (ready.load() < 2) {
      }
      // Retry like a caller would, until this thread has had its share of
      // successful runs and some call was refused (or a generous cap).
      for (int round = 0; round < 1000000; ++round) {
        if (tally[i].ok >= 20 && busy_seen.load() >= 1) {
          break;
        }
        const small_status s = run_once(net, inputs[i], out);
        if (s == SMALL_ERR_INVALID_STATE) {
          ++tally[i].busy;
          busy_seen.fetch_add(1);
          if (tally[i].busy_message.empty()) {
            tally[i].busy_message = small_last_error();
          }
          // Back off like a caller would: on a busy machine (or with the
          // network's pool needing the cores) the thread holding the
          // network must get to finish its run.
          std::this_thread::yield();
        } else if (s != SMALL_OK) {
          ++tally[i].other;
          tally[i].other_message = small_last_error();
        } else if (out != want[i]) {
          ++tally[i].wrong;
        } else {
          ++tally[i].ok;
        }
      }
    });
  }
  for (std::thread &t : threads) {
    t.join();
  }
  for (int i = 0; i < 2; ++i) {
    INFO("thread " << i << ": " << tally[i].ok << " ok, " << tally[i].busy
                   << " refused; " << tally[i].other_message);
    CHECK(tally[i].wrong == 0);
    CHECK(tally[i].other == 0);
    CHECK(tally[i].ok >= 20);
    if (tally[i].busy > 0) {
      CHECK(tally[i].busy_message.find("small_network_run") == 0);
      CHECK(tally[i].busy_message.find("another thread") != std::string::npos);
    }
  }
  CHECK(tally[0].busy + tally[1].busy >= 1);
  // Afterwards the network is as good as new.
  std::vector<float> out(kK * kH * kW);
  REQUIRE_OK(run_once(net, inputs[0], out));
  CHECK(out == want[0]);
  small_network_destroy(net);
}

} // namespace

TEST_CASE("one network run from two threads refuses the overlapping call",
          "[concurrency]") {
  check_overlapping_runs_refused(make_network(3));
}

TEST_CASE("one network on a thread pool run from two threads refuses the "
          "overlapping call",
          "[concurrency]") {
  small_threadpool *pool = threadtest::eager_pool(2);
  if (pool == nullptr) {
    return; // a build without threads
  }
  small_network *net = make_network(4);
  REQUIRE_OK(small_network_set_threadpool(net, pool));
  check_overlapping_runs_refused(net);
}

TEST_CASE("two networks on two threads sharing one pool give correct results",
          "[concurrency]") {
  small_threadpool *pool = threadtest::eager_pool(2);
  if (pool == nullptr) {
    return; // a build without threads
  }
  small_network *nets[2] = {make_network(2), make_network(6)};
  const std::vector<float> inputs[2] = {pattern(kC * kH * kW, 3, 0.1f),
                                        pattern(kC * kH * kW, 8, 0.1f)};
  std::vector<float> want[2];
  for (int i = 0; i < 2; ++i) {
    want[i].assign(kK * kH * kW, 0.0f);
    REQUIRE_OK(run_once(nets[i], inputs[i], want[i]));
    REQUIRE_OK(small_network_set_threadpool(nets[i], pool));
    // Both convolutions are split, so the runs really share the workers.
    CHECK(threadtest::layer_parts(nets[i]) == std::vector<uint32_t>{2, 2});
  }
  constexpr int kRuns = 1000;
  Tally tally[2];
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      std::vector<float> out(kK * kH * kW);
      for (int round = 0; round < kRuns; ++round) {
        const small_status s = run_once(nets[i], inputs[i], out);
        if (s != SMALL_OK) {
          ++tally[i].other;
        } else if (out != want[i]) {
          ++tally[i].wrong;
        } else {
          ++tally[i].ok;
        }
      }
    });
  }
  for (std::thread &t : threads) {
    t.join();
  }
  for (int i = 0; i < 2; ++i) {
    INFO("network " << i);
    CHECK(tally[i].ok == kRuns);
    CHECK(tally[i].wrong == 0);
    CHECK(tally[i].other == 0);
    small_network_destroy(nets[i]);
  }
}
