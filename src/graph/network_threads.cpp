// The network's side of threads: attaching a pool, deciding at planning time
// which layers are worth splitting, and running a layer on the pool.
#include <algorithm>
#include <cstdint>
#include <cstring>

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

// Runs of each layer timed to decide whether it is worth splitting.
constexpr int kTimingRuns = 3;

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

// A layer is split among the pool's threads when the time it saves exceeds
// the cost of a fork/join, both measured: the pool timed its fork/join when
// it started, and each layer is timed here, alone on the calling thread
// over zeroed activations (defined values, no denormals). The margin of 2
// covers the imbalance between parts and the memory bandwidth the threads
// share.
void Network::plan_threads() {
  layer_parts_.assign(executed_.size(), 1);
  if (pool_ == nullptr || pool_->size() < 2) {
    return;
  }
  const size_t threads = pool_->size();
  const double fork_join_ns = static_cast<double>(pool_->fork_join_ns());
  std::memset(arena_, 0, arena_bytes_);
  for (size_t i = 0; i < executed_.size(); ++i) {
    const Node &node = nodes_[executed_[i]];
    uint64_t best_ns = UINT64_MAX;
    for (int r = 0; r < kTimingRuns; ++r) {
      const uint64_t start = clock_now_ns();
      node.layer->run(kernels_, node.input_ptrs, node.output_ptr);
      best_ns = std::min(best_ns, clock_now_ns() - start);
    }
    const double saved_ns = static_cast<double>(best_ns) *
                            static_cast<double>(threads - 1) /
                            static_cast<double>(threads);
    if (saved_ns > 2.0 * fork_join_ns &&
        node.layer->plan_parts(kernels_, threads)) {
      layer_parts_[i] = static_cast<uint32_t>(threads);
    }
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
