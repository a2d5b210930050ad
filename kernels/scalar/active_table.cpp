// The scalar build's active table. Cb = 8: a middle ground that keeps the
// padding cost of small channel counts low and still exercises blocking.
#include "kernel_contract.h"

extern "C" const small_kernel_table *small_kernels_active(void) {
  static const small_kernel_table table = small_kernels_scalar(8);
  return &table;
}

// Plain C++: every CPU runs it.
extern "C" int small_kernels_cpu_supported(void) { return 1; }
