// Internal errors are small_status values. A failing function writes its
// message into the thread's fixed-size error buffer through Failure (no heap,
// no printf) and returns the status; callers pass it up with SMALL_TRY, and
// the C API guard (src/api/api_guard.h) prefixes the entry point's name.
#ifndef SMALL_UTIL_ERROR_H
#define SMALL_UTIL_ERROR_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

#include "small/small.h"

namespace small {

// Bytes of the last-error buffer, terminating NUL included; longer messages
// are truncated.
constexpr size_t kErrorCapacity = 512;

// This thread's last-error buffer (always NUL-terminated).
char *error_buffer();
void clear_last_error();
// Appends to the last-error buffer, truncating at its capacity.
void append_error(const char *text);
void append_error(const char *text, size_t length);
void append_error_unsigned(uint64_t value);
void append_error_signed(int64_t value);
// Fixed notation with six decimals like "%f" (nan, inf, -inf spelled out);
// integer arithmetic only, no printf.
void append_error_float(float value);

// Wraps a float for Failure's operator<< (floats are rare in messages and
// must not silently become integers).
struct FloatText {
  float value;
};

// A failure being described: starts a fresh message, collects its pieces and
// converts to its status: `return fail(SMALL_ERR_X) << name << ": ...";`.
class Failure {
public:
  explicit Failure(small_status status) : status_(status) {
    clear_last_error();
  }
  Failure &operator<<(const char *text) {
    append_error(text);
    return *this;
  }
  Failure &operator<<(const std::string &text) {
    append_error(text.data(), text.size());
    return *this;
  }
  Failure &operator<<(FloatText f) {
    append_error_float(f.value);
    return *this;
  }
  template <typename T,
            typename std::enable_if<std::is_integral<T>::value &&
                                        !std::is_same<T, bool>::value &&
                                        !std::is_same<T, char>::value,
                                    int>::type = 0>
  Failure &operator<<(T value) {
    if (std::is_signed<T>::value) {
      append_error_signed(static_cast<int64_t>(value));
    } else {
      append_error_unsigned(static_cast<uint64_t>(value));
    }
    return *this;
  }
  operator small_status() const { return status_; }
  small_status status() const { return status_; }

private:
  small_status status_;
};

inline Failure fail(small_status status) { return Failure(status); }

// SMALL_ERR_NULL_POINTER naming the argument, or SMALL_OK.
[[nodiscard]] inline small_status require(const void *p, const char *name) {
  if (p == nullptr) {
    return fail(SMALL_ERR_NULL_POINTER) << name << " is NULL";
  }
  return SMALL_OK;
}

// Reads a C enum as the int it holds: C lets any int into an enum object,
// and converting an out-of-range value in C++ is undefined. Range-check the
// result before converting it back.
template <typename Enum> int enum_value(const Enum &e) {
  static_assert(sizeof(Enum) == sizeof(int), "C enums are int-sized");
  int v;
  __builtin_memcpy(&v, &e, sizeof v);
  return v;
}

} // namespace small

// Returns the status of `expr` from the enclosing function unless it is OK.
#define SMALL_TRY(expr)                                                        \
  do {                                                                         \
    const small_status small_try_status_ = (expr);                             \
    if (small_try_status_ != SMALL_OK) {                                       \
      return small_try_status_;                                                \
    }                                                                          \
  } while (0)

#endif
