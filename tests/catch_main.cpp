// The Catch2 (v2) main of every Catch2 test program (tests/catch_main.cmake).
// A build whose kernels this CPU cannot run (e.g. AVX-512 on an AVX2-only
// machine) is reported as skipped (exit 77, ctest's SKIP_RETURN_CODE),
// visibly, instead of faulting.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>

#include "kernel_contract.h"

int main(int argc, char **argv) {
  if (!small_kernels_cpu_supported()) {
    std::printf("SKIPPED: this CPU cannot run the %s kernels of this build\n",
                small_kernels_active()->isa);
    return 77;
  }
  return Catch::Session().run(argc, argv);
}
