// Logical tensor shape (n, c, h, w) and its size in the blocked layout.
#ifndef SMALL_GRAPH_SHAPE_H
#define SMALL_GRAPH_SHAPE_H

#include <cstddef>
#include <cstdint>
#include <string>

#include "util/checked_math.h"

namespace small {

struct Shape {
  uint32_t n = 0, c = 0, h = 0, w = 0;

  size_t blocks(size_t cb) const { return ceil_div(c, cb); }
  // Floats of one channel block of one batch item: h * w * Cb.
  size_t block_floats(size_t cb) const { return size_t{h} * w * cb; }
  // Floats of one batch item in the blocked layout.
  size_t item_floats(size_t cb) const { return blocks(cb) * block_floats(cb); }
  size_t elements() const { return size_t{n} * c * h * w; }
  std::string str() const {
    return "(" + std::to_string(n) + ", " + std::to_string(c) + ", " +
           std::to_string(h) + ", " + std::to_string(w) + ")";
  }
  bool operator==(const Shape &o) const {
    return n == o.n && c == o.c && h == o.h && w == o.w;
  }
  bool operator!=(const Shape &o) const { return !(*this == o); }
};

// No tensor may exceed this (1 TiB on 64-bit, 2 GiB on 32-bit targets): far
// beyond any edge device, and small enough that offsets and sums of a few
// such sizes never overflow.
constexpr size_t kMaxTensorBytes =
    sizeof(size_t) >= 8 ? size_t(uint64_t{1} << 40) : size_t{1} << 31;

// Bytes of a blocked tensor, checked for overflow and the size limit.
inline size_t blocked_bytes(const Shape &s, size_t cb,
                            const std::string &what) {
  size_t v = checked_mul(s.n, ceil_div(s.c, cb), what);
  v = checked_mul(v, s.h, what);
  v = checked_mul(v, s.w, what);
  v = checked_mul(v, cb, what);
  v = checked_mul(v, sizeof(float), what);
  if (v > kMaxTensorBytes) {
    fail(SMALL_ERR_OVERFLOW,
         what + ": tensor " + s.str() + " needs " + std::to_string(v) +
             " bytes, above the limit of " + std::to_string(kMaxTensorBytes));
  }
  return v;
}

} // namespace small

#endif
