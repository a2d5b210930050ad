// The avx2 build's kernel table: the scalar table at Cb = 16, with the
// kernels this folder implements put in its slots.
#include "kernel_contract.h"

extern "C" const small_kernel_table *small_kernels_active(void) {
  static const small_kernel_table table = [] {
    small_kernel_table t = small_kernels_scalar(16);
    t.isa = "avx2";
    return t;
  }();
  return &table;
}
