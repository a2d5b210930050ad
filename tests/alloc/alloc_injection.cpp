#include "alloc_injection.h"

#include <cstdlib>
#include <new>

#include "util/aligned_buffer.h"

namespace alloc_injection {
namespace {

// Per thread, constant-initialized: safe to touch from operator new.
thread_local bool armed = false;
thread_local bool count_nothrow_only = false;
thread_local size_t fail_at_count = 0;
thread_local Counts counts;
// The counted allocations not freed yet (a fixed table: no heap in here).
constexpr size_t kTracked = 16384;
thread_local void *tracked[kTracked];
thread_local size_t tracked_count = 0;

void track(void *p) {
  if (p != nullptr && tracked_count < kTracked) {
    tracked[tracked_count++] = p;
    ++counts.live;
  }
}

// True when this allocation must fail.
bool take(bool nothrow) {
  if (!armed || (count_nothrow_only && !nothrow)) {
    return false;
  }
  ++counts.allocations;
  if (counts.allocations == fail_at_count) {
    counts.failed = true;
    return true;
  }
  return false;
}

void note_free(void *p) {
  if (!armed || p == nullptr) {
    return;
  }
  for (size_t i = 0; i < tracked_count; ++i) {
    if (tracked[i] == p) {
      tracked[i] = tracked[--tracked_count];
      --counts.live;
      return;
    }
  }
}

void *allocate(size_t size, size_t align, bool nothrow) {
  const bool counted = armed && (!count_nothrow_only || nothrow);
  if (take(nothrow)) {
    return nullptr;
  }
  if (size == 0) {
    size = 1;
  }
  void *p = align <= alignof(std::max_align_t)
                ? std::malloc(size)
                : std::aligned_alloc(align, (size + align - 1) / align * align);
  if (counted) {
    track(p);
  }
  return p;
}

void *allocate_or_throw(size_t size, size_t align) {
  void *p = allocate(size, align, false);
  if (p == nullptr) {
    throw std::bad_alloc();
  }
  return p;
}

void release(void *p) {
  note_free(p);
  std::free(p);
}

void *buffer_allocate(size_t alignment, size_t bytes) {
  return allocate(bytes, alignment, true);
}

} // namespace

BufferHook::BufferHook() {
  small::set_buffer_allocator(buffer_allocate, release);
}

BufferHook::~BufferHook() { small::set_buffer_allocator(nullptr, nullptr); }

void arm(size_t fail_at, bool nothrow_only) {
  counts = Counts{};
  counts.live = tracked_count;
  fail_at_count = fail_at;
  count_nothrow_only = nothrow_only;
  armed = true;
}

Counts disarm() {
  armed = false;
  return counts;
}

} // namespace alloc_injection

using alloc_injection::allocate;
using alloc_injection::allocate_or_throw;
using alloc_injection::release;

void *operator new(size_t size) { return allocate_or_throw(size, 0); }
void *operator new[](size_t size) { return allocate_or_throw(size, 0); }
void *operator new(size_t size, const std::nothrow_t &) noexcept {
  return allocate(size, 0, true);
}
void *operator new[](size_t size, const std::nothrow_t &) noexcept {
  return allocate(size, 0, true);
}
void *operator new(size_t size, std::align_val_t align) {
  return allocate_or_throw(size, static_cast<size_t>(align));
}
void *operator new[](size_t size, std::align_val_t align) {
  return allocate_or_throw(size, static_cast<size_t>(align));
}
void *operator new(size_t size, std::align_val_t align,
                   const std::nothrow_t &) noexcept {
  return allocate(size, static_cast<size_t>(align), true);
}
void *operator new[](size_t size, std::align_val_t align,
                     const std::nothrow_t &) noexcept {
  return allocate(size, static_cast<size_t>(align), true);
}

void operator delete(void *p) noexcept { release(p); }
void operator delete[](void *p) noexcept { release(p); }
void operator delete(void *p, const std::nothrow_t &) noexcept { release(p); }
void operator delete[](void *p, const std::nothrow_t &) noexcept { release(p); }
void operator delete(void *p, size_t) noexcept { release(p); }
void operator delete[](void *p, size_t) noexcept { release(p); }
void operator delete(void *p, std::align_val_t) noexcept { release(p); }
void operator delete[](void *p, std::align_val_t) noexcept { release(p); }
void operator delete(void *p, size_t, std::align_val_t) noexcept { release(p); }
void operator delete[](void *p, size_t, std::align_val_t) noexcept {
  release(p);
}
void operator delete(void *p, std::align_val_t,
                     const std::nothrow_t &) noexcept {
  release(p);
}
void operator delete[](void *p, std::align_val_t,
                       const std::nothrow_t &) noexcept {
  release(p);
}
