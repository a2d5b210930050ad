// The armv7 build's kernel table: the scalar table at Cb = 8, with the
// kernels this folder implements put in its slots.
#include "kernel_contract.h"

extern "C" const small_kernel_table *small_kernels_active(void) {
  static const small_kernel_table table = [] {
    small_kernel_table t = small_kernels_scalar(8);
    t.isa = "armv7";
    return t;
  }();
  return &table;
}
