// Allocation-failure injection for the test binary: the global operator new
// family is replaced (alloc_injection.cpp) by versions that, while armed on
// the calling thread, count allocations and make the k-th one fail (throwing
// new throws std::bad_alloc, nothrow new returns NULL). The library's own
// buffers (arena, packed weights) go through the same counter while a
// BufferHook is alive. Catch2 and other threads are never affected: arming
// is per thread.
#ifndef SMALL_TESTS_ALLOC_INJECTION_H
#define SMALL_TESTS_ALLOC_INJECTION_H

#include <cstddef>

namespace alloc_injection {

struct Counts {
  size_t allocations = 0; // counted while armed
  size_t live = 0;        // of those, not freed yet (while armed)
  bool failed = false;    // the k-th allocation was made to fail
};

// Arms this thread: allocation number `fail_at` (1-based; 0: none) fails.
// nothrow_only: count and fail only allocations that report failure by a
// NULL result (nothrow new, library buffers): for a library built without
// exceptions, where a throwing operator new would terminate.
void arm(size_t fail_at, bool nothrow_only);
// Disarms and returns what happened while armed. Pointers counted while
// armed stay tracked: a later arm(0, ...) window sees their frees.
Counts disarm();

// Routes the library's AlignedBuffer allocations through the counter for its
// lifetime.
struct BufferHook {
  BufferHook();
  ~BufferHook();
  BufferHook(const BufferHook &) = delete;
  BufferHook &operator=(const BufferHook &) = delete;
};

} // namespace alloc_injection

#endif
