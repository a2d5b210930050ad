// A 64-byte aligned float array owned by the library (packed weights, the
// arena). Zero-initialized so that pad lanes of weights are exact zeros.
// Memory comes from std::aligned_alloc (no exception machinery, so a
// firmware build gets NULL, not a throw, when it runs out); failure is a
// status.
#ifndef SMALL_UTIL_ALIGNED_BUFFER_H
#define SMALL_UTIL_ALIGNED_BUFFER_H

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "util/error.h"

namespace small {

constexpr size_t kAlignment = 64;

// Tests only (allocation-failure injection): replaces the functions every
// AlignedBuffer allocates and frees with; (nullptr, nullptr) restores
// std::aligned_alloc and std::free. Not thread-safe: set it while no network
// is being built or finalized.
using BufferAllocateFn = void *(*)(size_t alignment, size_t bytes);
using BufferFreeFn = void (*)(void *);
void set_buffer_allocator(BufferAllocateFn allocate, BufferFreeFn release);
void *buffer_allocate(size_t alignment, size_t bytes);
void buffer_free(void *p);

class AlignedBuffer {
public:
  AlignedBuffer() = default;
  ~AlignedBuffer() { release(); }
  AlignedBuffer(const AlignedBuffer &) = delete;
  AlignedBuffer &operator=(const AlignedBuffer &) = delete;
  AlignedBuffer(AlignedBuffer &&o) noexcept : data_(o.data_), bytes_(o.bytes_) {
    o.data_ = nullptr;
    o.bytes_ = 0;
  }
  AlignedBuffer &operator=(AlignedBuffer &&o) noexcept {
    std::swap(data_, o.data_);
    std::swap(bytes_, o.bytes_);
    return *this;
  }

  // Replaces the contents with `bytes` zeroed bytes (none for 0). On failure
  // the buffer is empty and the status is SMALL_ERR_OUT_OF_MEMORY naming
  // `what`.
  [[nodiscard]] small_status reset(size_t bytes, const char *what) {
    release();
    if (bytes == 0) {
      return SMALL_OK;
    }
    const size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
    if (rounded >= bytes) {
      data_ = buffer_allocate(kAlignment, rounded);
    }
    if (data_ == nullptr) {
      return fail(SMALL_ERR_OUT_OF_MEMORY)
             << what << ": cannot allocate " << bytes << " bytes";
    }
    std::memset(data_, 0, rounded);
    bytes_ = bytes;
    return SMALL_OK;
  }
  void release() {
    buffer_free(data_);
    data_ = nullptr;
    bytes_ = 0;
  }

  float *floats() { return static_cast<float *>(data_); }
  const float *floats() const { return static_cast<const float *>(data_); }
  unsigned char *bytes() { return static_cast<unsigned char *>(data_); }
  // The contents as an array of T (int8 weights, int32 biases).
  template <typename T> T *as() { return static_cast<T *>(data_); }
  template <typename T> const T *as() const {
    return static_cast<const T *>(data_);
  }
  size_t size_bytes() const { return bytes_; }

private:
  void *data_ = nullptr;
  size_t bytes_ = 0;
};

} // namespace small

#endif
