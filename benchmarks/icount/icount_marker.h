// Region markers for the qemu instruction-count plugin
// (tools/qemu_insn_count): two hint instructions that the architecture
// executes as NOPs and the plugin recognises by their encoding. Instructions
// between icount_begin() and icount_end() are counted as a region.
#ifndef SMALL_BENCH_ICOUNT_MARKER_H
#define SMALL_BENCH_ICOUNT_MARKER_H

namespace small_bench {

// "memory" keeps the compiler from moving loads and stores across them.
#if defined(__aarch64__)
inline void icount_begin() { __asm__ volatile("hint #0x7e" ::: "memory"); }
inline void icount_end() { __asm__ volatile("hint #0x7f" ::: "memory"); }
#elif defined(__arm__) && defined(__thumb2__)
// The T32 encoding of the same hints (halfwords 0xf3af, 0x807e/0x807f).
inline void icount_begin() {
  __asm__ volatile(".inst.w 0xf3af807e" ::: "memory");
}
inline void icount_end() {
  __asm__ volatile(".inst.w 0xf3af807f" ::: "memory");
}
#elif defined(__arm__)
// The A32 encoding (condition always).
inline void icount_begin() {
  __asm__ volatile(".inst 0xe320f07e" ::: "memory");
}
inline void icount_end() { __asm__ volatile(".inst 0xe320f07f" ::: "memory"); }
#else
#error "the instruction-count markers are ARM hint instructions"
#endif

} // namespace small_bench

#endif
