#include "unit/thread_test_util.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <limits>
#include <memory>

#include "api/network_handle.h"
#include "api/threadpool_handle.h"

namespace threadtest {

namespace {

struct PoolDeleter {
  void operator()(small_threadpool *p) const {
    (void)small_threadpool_destroy(p);
  }
};

// Outputs of one run, each output's floats in NCHW order.
std::vector<std::vector<float>>
run_all(small_network *net, const std::vector<std::vector<float>> &inputs) {
  size_t out_count = 0;
  REQUIRE(small_network_output_count(net, &out_count) == SMALL_OK);
  std::vector<std::vector<float>> outs(out_count);
  std::vector<float *> out_ptrs;
  for (size_t i = 0; i < out_count; ++i) {
    uint32_t dims[4];
    REQUIRE(small_network_output_shape(net, i, dims) == SMALL_OK);
    // NaN first: an output element nobody writes shows up.
    outs[i].assign(size_t{dims[0]} * dims[1] * dims[2] * dims[3],
                   std::numeric_limits<float>::quiet_NaN());
    out_ptrs.push_back(outs[i].data());
  }
  std::vector<const float *> in_ptrs;
  for (const std::vector<float> &in : inputs) {
    in_ptrs.push_back(in.data());
  }
  const small_status s =
      small_network_run(net, in_ptrs.data(), in_ptrs.size(), out_ptrs.data(),
                        out_ptrs.size(), SMALL_LAYOUT_NCHW);
  INFO(small_last_error());
  REQUIRE(s == SMALL_OK);
  return outs;
}

bool bitwise_equal(const std::vector<float> &a, const std::vector<float> &b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

} // namespace

small_threadpool *eager_pool(uint32_t threads) {
  static std::unique_ptr<small_threadpool, PoolDeleter> pools[4];
  REQUIRE(threads >= 1);
  REQUIRE(threads <= 3);
  if (!pools[threads]) {
    small_threadpool *p = nullptr;
    const small_status s = small_threadpool_create(threads, &p);
    if (s == SMALL_ERR_UNSUPPORTED && threads > 1) {
      return nullptr; // a build without threads (SMALL_THREADS=OFF)
    }
    INFO(small_last_error());
    REQUIRE(s == SMALL_OK);
    p->pool.set_fork_join_ns(0);
    pools[threads].reset(p);
  }
  return pools[threads].get();
}

std::vector<uint32_t> layer_parts(small_network *net) {
  return net->net.layer_parts();
}

void check_same_on_all_thread_counts(
    small_network *net, const std::vector<std::vector<float>> &inputs,
    bool expect_split) {
  REQUIRE(small_network_set_threadpool(net, nullptr) == SMALL_OK);
  const std::vector<std::vector<float>> want = run_all(net, inputs);
  for (uint32_t threads = 1; threads <= 3; ++threads) {
    INFO(threads << " thread(s)");
    small_threadpool *pool = eager_pool(threads);
    if (pool == nullptr) {
      continue;
    }
    const small_status s = small_network_set_threadpool(net, pool);
    INFO(small_last_error());
    REQUIRE(s == SMALL_OK);
    const std::vector<uint32_t> parts = layer_parts(net);
    bool split = false;
    for (uint32_t p : parts) {
      CHECK((p == 1 || p == threads));
      split = split || p > 1;
    }
    if (expect_split && threads > 1) {
      CHECK(split);
    }
    // Twice: the second run starts with the workers awake.
    for (int round = 0; round < 2; ++round) {
      const std::vector<std::vector<float>> got = run_all(net, inputs);
      REQUIRE(got.size() == want.size());
      for (size_t i = 0; i < got.size(); ++i) {
        INFO("output " << i << ", round " << round);
        CHECK(bitwise_equal(got[i], want[i]));
      }
    }
  }
  REQUIRE(small_network_set_threadpool(net, nullptr) == SMALL_OK);
}

} // namespace threadtest
