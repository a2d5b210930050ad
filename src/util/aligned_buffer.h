// A 64-byte aligned float array owned by the library (packed weights, the
// arena). Zero-initialized so that pad lanes of weights are exact zeros.
#ifndef SMALL_UTIL_ALIGNED_BUFFER_H
#define SMALL_UTIL_ALIGNED_BUFFER_H

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>

namespace small {

constexpr size_t kAlignment = 64;

class AlignedBuffer {
public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t bytes) { reset(bytes); }
  ~AlignedBuffer() { std::free(data_); }
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

  void reset(size_t bytes) {
    std::free(data_);
    data_ = nullptr;
    bytes_ = 0;
    if (bytes == 0) {
      return;
    }
    const size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
    if (rounded < bytes) {
      throw std::bad_alloc();
    }
    data_ = std::aligned_alloc(kAlignment, rounded);
    if (data_ == nullptr) {
      throw std::bad_alloc();
    }
    std::memset(data_, 0, rounded);
    bytes_ = bytes;
  }

  float *floats() { return static_cast<float *>(data_); }
  const float *floats() const { return static_cast<const float *>(data_); }
  unsigned char *bytes() { return static_cast<unsigned char *>(data_); }
  size_t size_bytes() const { return bytes_; }

private:
  void *data_ = nullptr;
  size_t bytes_ = 0;
};

} // namespace small

#endif
