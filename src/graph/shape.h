// Logical tensor shape (n, c, h, w) and its size in the blocked layout.
#ifndef SMALL_GRAPH_SHAPE_H
#define SMALL_GRAPH_SHAPE_H

#include <cstddef>
#include <cstdint>

#include "small/small.h"
#include "util/checked_math.h"
#include "util/error.h"

namespace small {

struct Shape {
  uint32_t n = 0, c = 0, h = 0, w = 0;

  size_t blocks(size_t cb) const { return ceil_div(c, cb); }
  // Floats of one channel block of one batch item: h * w * Cb.
  size_t block_floats(size_t cb) const { return size_t{h} * w * cb; }
  // Floats of one batch item in the blocked layout.
  size_t item_floats(size_t cb) const { return blocks(cb) * block_floats(cb); }
  size_t elements() const { return size_t{n} * c * h * w; }
  bool operator==(const Shape &o) const {
    return n == o.n && c == o.c && h == o.h && w == o.w;
  }
  bool operator!=(const Shape &o) const { return !(*this == o); }
};

// Writes "(n, c, h, w)" into a message.
inline Failure &operator<<(Failure &f, const Shape &s) {
  return f << "(" << s.n << ", " << s.c << ", " << s.h << ", " << s.w << ")";
}

// No tensor may exceed this (1 TiB on 64-bit, 2 GiB on 32-bit targets): far
// beyond any edge device, and small enough that offsets and sums of a few
// such sizes never overflow.
constexpr size_t kMaxTensorBytes =
    sizeof(size_t) >= 8 ? size_t(uint64_t{1} << 40) : size_t{1} << 31;

// Bytes of one element of a tensor of this type.
inline size_t element_bytes(small_dtype dtype) {
  return dtype == SMALL_DTYPE_INT8 ? sizeof(int8_t) : sizeof(float);
}

// Bytes of a blocked tensor, checked for overflow and the size limit.
[[nodiscard]] inline small_status
blocked_bytes(const Shape &s, size_t cb, size_t &bytes, const std::string &what,
              size_t element_size = sizeof(float)) {
  size_t v = 0;
  SMALL_TRY(checked_mul(s.n, ceil_div(s.c, cb), v, what));
  SMALL_TRY(checked_mul(v, s.h, v, what));
  SMALL_TRY(checked_mul(v, s.w, v, what));
  SMALL_TRY(checked_mul(v, cb, v, what));
  SMALL_TRY(checked_mul(v, element_size, v, what));
  if (v > kMaxTensorBytes) {
    return fail(SMALL_ERR_OVERFLOW)
           << what << ": tensor " << s << " needs " << v
           << " bytes, above the limit of " << kMaxTensorBytes;
  }
  bytes = v;
  return SMALL_OK;
}

} // namespace small

#endif
