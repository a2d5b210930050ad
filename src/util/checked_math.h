// Size arithmetic that reports overflow instead of wrapping.
#ifndef SMALL_UTIL_CHECKED_MATH_H
#define SMALL_UTIL_CHECKED_MATH_H

#include <cstddef>
#include <string>

#include "util/error.h"

namespace small {

inline size_t checked_mul(size_t a, size_t b, const std::string &what) {
  size_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) {
    fail(SMALL_ERR_OVERFLOW, what + ": size overflows");
  }
  return r;
}

inline size_t checked_add(size_t a, size_t b, const std::string &what) {
  size_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) {
    fail(SMALL_ERR_OVERFLOW, what + ": size overflows");
  }
  return r;
}

// Written without a + b - 1, which wraps for a near SIZE_MAX (32-bit targets).
inline size_t ceil_div(size_t a, size_t b) { return a / b + (a % b != 0); }

inline size_t round_up(size_t a, size_t b, const std::string &what) {
  return checked_mul(ceil_div(a, b), b, what);
}

} // namespace small

#endif
