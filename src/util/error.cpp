#include "util/error.h"

#include <cstring>

namespace small {

namespace {
// One message per thread: small_last_error() is per thread. A build without
// threads (bare metal, which has no thread-local storage) keeps one.
#if defined(SMALL_NO_THREADS)
char last_error[kErrorCapacity];
#else
thread_local char last_error[kErrorCapacity];
#endif

size_t used() { return std::strlen(last_error); }
} // namespace

char *error_buffer() { return last_error; }

void clear_last_error() { last_error[0] = '\0'; }

void append_error(const char *text, size_t length) {
  const size_t at = used();
  const size_t room = kErrorCapacity - 1 - at;
  const size_t n = length < room ? length : room;
  std::memcpy(last_error + at, text, n);
  last_error[at + n] = '\0';
}

void append_error(const char *text) {
  append_error(text != nullptr ? text : "(null)",
               text != nullptr ? std::strlen(text) : 6);
}

void append_error_unsigned(uint64_t value) {
  char digits[20];
  size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  char text[20];
  for (size_t i = 0; i < n; ++i) {
    text[i] = digits[n - 1 - i];
  }
  append_error(text, n);
}

void append_error_signed(int64_t value) {
  if (value < 0) {
    append_error("-", 1);
    // Negate in unsigned arithmetic: INT64_MIN has no positive twin.
    append_error_unsigned(0 - static_cast<uint64_t>(value));
    return;
  }
  append_error_unsigned(static_cast<uint64_t>(value));
}

void append_error_float(float value) {
  if (value != value) {
    append_error("nan");
    return;
  }
  if (value < 0.0f) {
    append_error("-", 1);
    value = -value;
  }
  if (value > 3.4028235e38f) {
    append_error("inf");
    return;
  }
  // Whole part and six decimals, rounded like "%f"; values too large for a
  // 64-bit whole part like "%e" (mantissa and a power of ten).
  double v = value;
  int exponent = 0;
  if (v >= 1e18) {
    while (v >= 10.0) {
      v /= 10.0;
      ++exponent;
    }
  }
  uint64_t whole = static_cast<uint64_t>(v);
  uint64_t micros =
      static_cast<uint64_t>((v - static_cast<double>(whole)) * 1e6 + 0.5);
  if (micros >= 1000000) {
    ++whole;
    micros -= 1000000;
  }
  append_error_unsigned(whole);
  char frac[7] = {'.', '0', '0', '0', '0', '0', '0'};
  for (int i = 6; i >= 1; --i) {
    frac[i] = static_cast<char>('0' + micros % 10);
    micros /= 10;
  }
  append_error(frac, 7);
  if (exponent != 0) {
    append_error("e+");
    append_error_unsigned(static_cast<uint64_t>(exponent));
  }
}

} // namespace small
