#include "alloc_injection.h"

#include <cstdlib>
#include <new>

namespace alloc_injection {
namespace {

// Per thread, constant-initialized: safe to touch from operator new.
thread_local bool armed = false;
thread_local bool count_nothrow_only = false;
thread_local size_t fail_at_count = 0;
thread_local Counts counts;

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
  if (armed && p != nullptr) {
    ++counts.frees;
  }
}

void *allocate(size_t size, size_t align, bool nothrow) {
  if (take(nothrow)) {
    return nullptr;
  }
  if (size == 0) {
    size = 1;
  }
  if (align <= alignof(std::max_align_t)) {
    return std::malloc(size);
  }
  return std::aligned_alloc(align, (size + align - 1) / align * align);
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

} // namespace

void arm(size_t fail_at, bool nothrow_only) {
  counts = Counts{};
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
