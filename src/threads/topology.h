// What the library knows about the CPU it runs on: physical cores (SMT
// siblings counted once) and data cache sizes. From hwloc where the build
// found it (SMALL_HAVE_HWLOC), else from sysconf; a build without threads
// reports one core and no cache sizes.
#ifndef SMALL_THREADS_TOPOLOGY_H
#define SMALL_THREADS_TOPOLOGY_H

#include <cstddef>
#include <cstdint>

namespace small {

struct CpuTopology {
  uint32_t physical_cores = 1; // at least 1
  uint32_t logical_cpus = 1;   // at least physical_cores
  // Bytes; 0 when unknown. The first cache of each level (per core for L1d
  // and usually L2, shared for L3).
  size_t l1d_bytes = 0, l2_bytes = 0, l3_bytes = 0;
  // "hwloc", "sysconf" or "none" (no threads): where the numbers came from.
  const char *source = "none";
};

// Detected once, on first use (thread-safe), then cached.
const CpuTopology &cpu_topology();

} // namespace small

#endif
