// Size arithmetic that reports overflow instead of wrapping.
#ifndef SMALL_UTIL_CHECKED_MATH_H
#define SMALL_UTIL_CHECKED_MATH_H

#include <cstddef>
#include <cstdint>
#include <string>

#include "util/error.h"

namespace small {

// r = a * b, or SMALL_ERR_OVERFLOW "<what>: size overflows".
[[nodiscard]] inline small_status checked_mul(size_t a, size_t b, size_t &r,
                                              const std::string &what) {
  if (__builtin_mul_overflow(a, b, &r)) {
    return fail(SMALL_ERR_OVERFLOW) << what << ": size overflows";
  }
  return SMALL_OK;
}

[[nodiscard]] inline small_status checked_add(size_t a, size_t b, size_t &r,
                                              const std::string &what) {
  if (__builtin_add_overflow(a, b, &r)) {
    return fail(SMALL_ERR_OVERFLOW) << what << ": size overflows";
  }
  return SMALL_OK;
}

// Written without a + b - 1, which wraps for a near SIZE_MAX (32-bit targets).
inline size_t ceil_div(size_t a, size_t b) { return a / b + (a % b != 0); }

[[nodiscard]] inline small_status round_up(size_t a, size_t b, size_t &r,
                                           const std::string &what) {
  return checked_mul(ceil_div(a, b), b, r, what);
}

// a * b, or UINT64_MAX when the product does not fit (counters such as MACs
// saturate instead of wrapping).
inline uint64_t saturating_mul(uint64_t a, uint64_t b) {
  uint64_t r = 0;
  return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

} // namespace small

#endif
