// The one clock the library reads (layer profiling). A bare-metal port
// replaces clock.cpp with its cycle counter or timer.
#ifndef SMALL_UTIL_CLOCK_H
#define SMALL_UTIL_CLOCK_H

#include <cstdint>

namespace small {

// Monotonic time in nanoseconds from an arbitrary origin.
uint64_t clock_now_ns();

} // namespace small

#endif
