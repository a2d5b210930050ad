// The clocks the library reads: a monotonic nanosecond clock (thread
// planning's timings) and the profiling clock (per-layer profiling), which
// is the nanosecond clock unless the application installs its own count
// (small_set_profiling_clock: a cycle counter on bare metal, where the
// library has no clock of its own).
#ifndef SMALL_UTIL_CLOCK_H
#define SMALL_UTIL_CLOCK_H

#include <cstdint>

namespace small {

// Monotonic time in nanoseconds from an arbitrary origin.
uint64_t clock_now_ns();

// The profiling clock's count: the installed function's, else
// clock_now_ns().
uint64_t profiling_clock_now();

// Installs `now` as the profiling clock; nullptr restores the default.
void set_profiling_clock(uint64_t (*now)());

} // namespace small

#endif
