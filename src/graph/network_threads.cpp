// The network's side of threads: attaching a pool, deciding at planning time
// which layers are worth splitting, and running a layer on the pool.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "graph/busy_scope.h"
#include "graph/network.h"
#include "threads/thread_pool.h"
#include "util/clock.h"

namespace small {

namespace {

// One layer handed to the pool: every thread runs its part of it.
struct LayerJob {
  const Layer *layer;
  const small_kernel_table *kernels;
  const Node *node;
};

void run_job_part(void *context, size_t part) {
  const LayerJob &job = *static_cast<const LayerJob *>(context);
  job.layer->run_part(*job.kernels, job.node->input_ptrs, job.node->output_ptr,
                      part);
}

// Timed runs of the whole network when deciding which layers to split: the
// fastest of them counts (the others met a busy core or a cold cache).
constexpr int kTimingRounds = 8;
// ...unless the network is slow enough that fewer suffice.
constexpr uint64_t kTimingBudgetNs = 20000000;

} // namespace

Network::~Network() {
  if (pool_ != nullptr) {
    pool_->detach();
  }
}

small_status Network::set_threadpool(ThreadPool *pool) {
  const BusyScope busy(busy_);
  SMALL_TRY(busy.check("set_threadpool"));
  if (pool != nullptr) {
    pool->attach();
  }
  if (pool_ != nullptr) {
    pool_->detach();
  }
  pool_ = pool;
  if (finalized_) {
    plan_threads();
  }
  return SMALL_OK;
}

// Which layers run split among the pool's threads, decided in two steps,
// both with the network running as it will (layer after layer over the
// arena, zeroed: defined values, no denormals).
// 1. The cost rule: a layer is a candidate when the time splitting would
//    save exceeds twice the pool's fork/join cost (the margin covers the
//    imbalance between parts and the memory bandwidth the threads share).
// 2. The check: the network runs alternately with every candidate split and
//    with none, and a candidate stays split only if it ran faster split.
//    This catches what the rule cannot see: a memory-bound layer whose
//    split part reads data the previous layer left in the other core's cache.
void Network::plan_threads() {
  const size_t layers = executed_.size();
  layer_parts_.assign(layers, 1);
  // A network packed for another build (set_packing) never runs.
  if (pool_ == nullptr || pool_->size() < 2 || layers == 0 || packing_only_) {
    return;
  }
  const uint32_t threads = static_cast<uint32_t>(pool_->size());
  std::memset(arena_, 0, arena_bytes_);
  std::vector<uint64_t> whole_ns(layers, UINT64_MAX);
  std::vector<uint64_t> split_ns(layers, UINT64_MAX);
  auto time_layers = [&](std::vector<uint64_t> &best) {
    for (size_t i = 0; i < layers; ++i) {
      const uint64_t start = clock_now_ns();
      run_layer(i);
      best[i] = std::min(best[i], clock_now_ns() - start);
    }
  };
  const double fork_join_ns = static_cast<double>(pool_->fork_join_ns());
  auto worth_splitting = [&](uint64_t ns) {
    return static_cast<double>(ns) * static_cast<double>(threads - 1) /
               static_cast<double>(threads) >=
           2.0 * fork_join_ns;
  };
  const uint64_t begin = clock_now_ns();
  for (int round = 0; round < 3; ++round) { // the first warms the caches
    time_layers(whole_ns);
  }
  std::vector<uint32_t> candidate(layers, 1);
  bool any = false;
  for (size_t i = 0; i < layers; ++i) {
    const Node &node = nodes_[executed_[i]];
    if (worth_splitting(whole_ns[i]) &&
        node.layer->plan_parts(kernels_, threads)) {
      candidate[i] = threads;
      any = true;
    }
  }
  if (!any || !pool_->time_splits()) {
    layer_parts_ = candidate;
    return;
  }
  std::vector<uint64_t> round_ns(layers);
  bool measured = false;
  for (int round = 0; round < kTimingRounds; ++round) {
    // A split run counts only if it ran split: with every thread on its own
    // CPU (the workers may have slept through the unsplit run, and waking a
    // core can take longer than the whole network on a virtual machine) and
    // no part left to the caller.
    layer_parts_ = candidate;
    const bool spread = pool_->wake();
    const uint64_t stolen = pool_->stolen_parts();
    std::fill(round_ns.begin(), round_ns.end(), UINT64_MAX);
    time_layers(round_ns);
    if (spread && pool_->stolen_parts() == stolen) {
      measured = true;
      for (size_t i = 0; i < layers; ++i) {
        split_ns[i] = std::min(split_ns[i], round_ns[i]);
      }
    }
    layer_parts_.assign(layers, 1);
    time_layers(whole_ns);
    if (clock_now_ns() - begin > kTimingBudgetNs) {
      break;
    }
  }
  // The rule again, with the fastest whole time of all rounds (one slow
  // early round must not make a tiny layer a candidate); then the check,
  // unless no split run was valid (the machine too busy to tell).
  for (size_t i = 0; i < layers; ++i) {
    const bool faster = !measured || split_ns[i] < whole_ns[i];
    layer_parts_[i] = worth_splitting(whole_ns[i]) && faster ? candidate[i] : 1;
  }
}

void Network::run_layer(size_t step) const {
  const Node &node = nodes_[executed_[step]];
  if (layer_parts_[step] > 1) {
    LayerJob job{node.layer.get(), &kernels_, &node};
    pool_->run(&run_job_part, &job);
  } else {
    node.layer->run(kernels_, node.input_ptrs, node.output_ptr);
  }
}

} // namespace small
