#include "util/aligned_buffer.h"

namespace small {

namespace {

void *default_allocate(size_t alignment, size_t bytes) {
  return std::aligned_alloc(alignment, bytes);
}

void default_free(void *p) { std::free(p); }

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
