#include "threads/topology.h"

#if defined(SMALL_HAVE_HWLOC)
#include <hwloc.h>
#elif defined(SMALL_HAVE_THREADS)
#include <unistd.h>
#endif

namespace small {

namespace {

#if defined(SMALL_HAVE_HWLOC)

size_t first_cache_bytes(hwloc_topology_t topology, hwloc_obj_type_t type) {
  const hwloc_obj_t cache = hwloc_get_obj_by_type(topology, type, 0);
  return cache != nullptr && cache->attr != nullptr ? cache->attr->cache.size
                                                    : 0;
}

CpuTopology detect() {
  CpuTopology t;
  hwloc_topology_t topology;
  if (hwloc_topology_init(&topology) != 0) {
    return t;
  }
  if (hwloc_topology_load(topology) == 0) {
    const int cores = hwloc_get_nbobjs_by_type(topology, HWLOC_OBJ_CORE);
    const int pus = hwloc_get_nbobjs_by_type(topology, HWLOC_OBJ_PU);
    t.logical_cpus = pus > 0 ? static_cast<uint32_t>(pus) : 1;
    // Some virtual machines expose no core objects: then every PU is a core.
    t.physical_cores =
        cores > 0 ? static_cast<uint32_t>(cores) : t.logical_cpus;
    t.l1d_bytes = first_cache_bytes(topology, HWLOC_OBJ_L1CACHE);
    t.l2_bytes = first_cache_bytes(topology, HWLOC_OBJ_L2CACHE);
    t.l3_bytes = first_cache_bytes(topology, HWLOC_OBJ_L3CACHE);
    t.source = "hwloc";
  }
  hwloc_topology_destroy(topology);
  return t;
}

#elif defined(SMALL_HAVE_THREADS)

#if defined(_SC_LEVEL1_DCACHE_SIZE)
size_t sysconf_bytes(int name) {
  const long v = sysconf(name);
  return v > 0 ? static_cast<size_t>(v) : 0;
}
#endif

// Without hwloc SMT siblings cannot be told apart: every online CPU counts
// as a core.
CpuTopology detect() {
  CpuTopology t;
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  t.logical_cpus = cpus > 0 ? static_cast<uint32_t>(cpus) : 1;
  t.physical_cores = t.logical_cpus;
#if defined(_SC_LEVEL1_DCACHE_SIZE)
  t.l1d_bytes = sysconf_bytes(_SC_LEVEL1_DCACHE_SIZE);
  t.l2_bytes = sysconf_bytes(_SC_LEVEL2_CACHE_SIZE);
  t.l3_bytes = sysconf_bytes(_SC_LEVEL3_CACHE_SIZE);
#endif
  t.source = "sysconf";
  return t;
}

#else

CpuTopology detect() { return CpuTopology{}; }

#endif

} // namespace

const CpuTopology &cpu_topology() {
  static const CpuTopology topology = detect();
  return topology;
}

} // namespace small
