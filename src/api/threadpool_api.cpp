// The C API's thread pool: create, destroy, size, attach to a network, and
// the CPU topology.
#include <new>

#include "api/api_guard.h"
#include "api/network_handle.h"
#include "api/threadpool_handle.h"
#include "small/small.h"
#include "threads/topology.h"

static_assert(SMALL_MAX_THREADS == small::kMaxThreads,
              "small.h and the pool agree on the thread limit");

using small::guarded;
using small::require;

extern "C" {

SMALL_API small_status small_threadpool_create(uint32_t threads,
                                               small_threadpool **pool) {
  return guarded("small_threadpool_create", [&]() -> small_status {
    SMALL_TRY(require(pool, "pool"));
    *pool = nullptr;
    small_threadpool *created = new (std::nothrow) small_threadpool();
    if (created == nullptr) {
      return small::fail(SMALL_ERR_OUT_OF_MEMORY)
             << "cannot allocate the thread pool";
    }
    const small_status status = created->pool.start(threads);
    if (status != SMALL_OK) {
      delete created;
      return status;
    }
    *pool = created;
    return SMALL_OK;
  });
}

SMALL_API small_status small_threadpool_destroy(small_threadpool *pool) {
  return guarded("small_threadpool_destroy", [&]() -> small_status {
    if (pool == nullptr) {
      return SMALL_OK;
    }
    const size_t attached = pool->pool.attached();
    if (attached != 0) {
      return small::fail(SMALL_ERR_INVALID_STATE)
             << attached
             << " network(s) still use this pool: detach them "
                "(small_network_set_threadpool(net, NULL)) or destroy them "
                "first; the pool was left intact";
    }
    delete pool;
    return SMALL_OK;
  });
}

SMALL_API small_status small_threadpool_size(const small_threadpool *pool,
                                             uint32_t *threads) {
  return guarded("small_threadpool_size", [&]() -> small_status {
    SMALL_TRY(require(pool, "pool"));
    SMALL_TRY(require(threads, "threads"));
    *threads = static_cast<uint32_t>(pool->pool.size());
    return SMALL_OK;
  });
}

SMALL_API small_status
small_threadpool_fork_join_ns(const small_threadpool *pool, uint64_t *ns) {
  return guarded("small_threadpool_fork_join_ns", [&]() -> small_status {
    SMALL_TRY(require(pool, "pool"));
    SMALL_TRY(require(ns, "ns"));
    *ns = pool->pool.fork_join_ns();
    return SMALL_OK;
  });
}

SMALL_API small_status small_network_set_threadpool(small_network *network,
                                                    small_threadpool *pool) {
  return guarded("small_network_set_threadpool", [&]() -> small_status {
    small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    return net->set_threadpool(pool != nullptr ? &pool->pool : nullptr);
  });
}

SMALL_API small_status small_cpu_info_get(small_cpu_info *info) {
  return guarded("small_cpu_info_get", [&]() -> small_status {
    SMALL_TRY(require(info, "info"));
    const small::CpuTopology &t = small::cpu_topology();
    info->physical_cores = t.physical_cores;
    info->logical_cpus = t.logical_cpus;
    info->l1d_bytes = t.l1d_bytes;
    info->l2_bytes = t.l2_bytes;
    info->l3_bytes = t.l3_bytes;
    info->source = t.source;
    return SMALL_OK;
  });
}

} // extern "C"
