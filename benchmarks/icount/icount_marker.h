// Region markers for the qemu instruction-count plugin
// (tools/qemu_insn_count): two hint instructions that the architecture
// executes as NOPs and the plugin recognises by their encoding. Instructions
// between icount_begin() and icount_end() are counted as a region.
#ifndef SMALL_BENCH_ICOUNT_MARKER_H
#define SMALL_BENCH_ICOUNT_MARKER_H

#if !defined(__aarch64__)
#error "the instruction-count markers are aarch64 hint instructions"
#endif

namespace small_bench {

// "memory" keeps the compiler from moving loads and stores across them.
inline void icount_begin() { __asm__ volatile("hint #0x7e" ::: "memory"); }
inline void icount_end() { __asm__ volatile("hint #0x7f" ::: "memory"); }

} // namespace small_bench

#endif
