#include "util/aligned_buffer.h"

#include <cstdint>

namespace small {

namespace {

#if defined(SMALL_NO_ALIGNED_ALLOC)
// The C library has no aligned_alloc (newlib on bare metal): over-allocate
// with malloc, align inside the block, and keep malloc's pointer in the
// word just below the aligned one for default_free. `alignment` is a power
// of two at least the size of a pointer.
void *default_allocate(size_t alignment, size_t bytes) {
  if (bytes > SIZE_MAX - alignment - sizeof(void *))
    return nullptr;
  void *block = std::malloc(bytes + alignment + sizeof(void *));
  if (block == nullptr)
    return nullptr;
  const uintptr_t first = reinterpret_cast<uintptr_t>(block) + sizeof(void *);
  const uintptr_t aligned =
      (first + alignment - 1) & ~(uintptr_t{alignment} - 1);
  void **slot = reinterpret_cast<void **>(aligned) - 1;
  *slot = block;
  return reinterpret_cast<void *>(aligned);
}

void default_free(void *p) {
  if (p != nullptr)
    std::free(*(static_cast<void **>(p) - 1));
}
#else
void *default_allocate(size_t alignment, size_t bytes) {
  return std::aligned_alloc(alignment, bytes);
}

void default_free(void *p) { std::free(p); }
#endif

BufferAllocateFn allocate_fn = default_allocate;
BufferFreeFn free_fn = default_free;

} // namespace

void set_buffer_allocator(BufferAllocateFn allocate, BufferFreeFn release) {
  allocate_fn = allocate != nullptr ? allocate : default_allocate;
  free_fn = release != nullptr ? release : default_free;
}

void *buffer_allocate(size_t alignment, size_t bytes) {
  return allocate_fn(alignment, bytes);
}

void buffer_free(void *p) { free_fn(p); }

} // namespace small
