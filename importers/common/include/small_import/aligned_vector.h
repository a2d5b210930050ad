// A vector on 64-byte aligned storage, for the tools' and benchmarks' input
// buffers: a planar network input at that alignment is read where it is,
// without a copy (small_network_run, small.h), as it is for an application
// that aligns its buffers.
#ifndef SMALL_IMPORT_ALIGNED_VECTOR_H
#define SMALL_IMPORT_ALIGNED_VECTOR_H

#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

namespace small_import {

template <typename T> struct Aligned64 {
  using value_type = T;
  Aligned64() = default;
  template <typename U> Aligned64(const Aligned64<U> &) {}
  T *allocate(size_t n) {
    void *p = std::aligned_alloc(64, (n * sizeof(T) + 63) / 64 * 64);
    if (p == nullptr) {
      throw std::bad_alloc();
    }
    return static_cast<T *>(p);
  }
  void deallocate(T *p, size_t) { std::free(p); }
  template <typename U> bool operator==(const Aligned64<U> &) const {
    return true;
  }
  template <typename U> bool operator!=(const Aligned64<U> &) const {
    return false;
  }
};

template <typename T> using AlignedVector = std::vector<T, Aligned64<T>>;

} // namespace small_import

#endif
