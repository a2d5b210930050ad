// Which optional x86 int8 extensions a kernel table installs: those the CPU
// reports, capped by the environment variable SMALL_X86_INT8, read once when
// the table is built:
//   pairs  the 16-bit pair products (vpmaddwd) every AVX2 and AVX-512 CPU has
//   vnni   plus VNNI's byte dot products (AVX-VNNI in the AVX2 build), no VBMI
//   all    (or unset) everything the CPU has
// so that one machine runs, and ctest checks bit for bit, the kernels an
// older CPU would take (a Zen 2 or Haswell takes the pairs), and a user can
// compare them. An unknown value is reported on stderr and ignored.
#ifndef SMALL_KERNELS_X86_INT8_EXTENSIONS_H
#define SMALL_KERNELS_X86_INT8_EXTENSIONS_H

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace small::x86 {

struct Int8Extensions {
  bool vnni; // byte dot products: AVX-512 VNNI, or AVX-VNNI in the AVX2 build
  bool vbmi; // AVX-512 VBMI byte permutes (used together with VNNI)
};

inline Int8Extensions int8_extensions(bool cpu_vnni, bool cpu_vbmi) {
  const Int8Extensions cpu{cpu_vnni, cpu_vnni && cpu_vbmi};
  const char *cap = std::getenv("SMALL_X86_INT8");
  if (cap == nullptr || std::strcmp(cap, "all") == 0) {
    return cpu;
  }
  if (std::strcmp(cap, "vnni") == 0) {
    return {cpu.vnni, false};
  }
  if (std::strcmp(cap, "pairs") == 0) {
    return {false, false};
  }
  std::fprintf(stderr,
               "SMaLL: SMALL_X86_INT8=%s is not pairs, vnni or all; ignored\n",
               cap);
  return cpu;
}

} // namespace small::x86

#endif
