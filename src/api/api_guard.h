// Runs the body of a C entry point: clears the thread's last error, runs the
// body (which returns a small_status) and prefixes a failure's message with
// the entry point's name. Where the library is built with exceptions, an
// exception from the standard library (std::bad_alloc from a container) is
// caught here too and reported without allocating: nothing escapes the C API.
#ifndef SMALL_API_API_GUARD_H
#define SMALL_API_API_GUARD_H

#if __cpp_exceptions
#include <new>
#endif

#include "small/small.h"
#include "util/error.h"

namespace small {

// Rewrites the last error as "<function>: <message>" (the status text when
// the body left no message) and returns `status`.
small_status report_failure(const char *function, small_status status);

template <typename F>
small_status guarded(const char *function, F &&body) noexcept {
  clear_last_error();
#if __cpp_exceptions
  try {
#endif
    const small_status status = body();
    return status == SMALL_OK ? SMALL_OK : report_failure(function, status);
#if __cpp_exceptions
  } catch (const std::bad_alloc &) {
    clear_last_error();
    append_error("out of memory");
    return report_failure(function, SMALL_ERR_OUT_OF_MEMORY);
  } catch (...) {
    clear_last_error();
    append_error("internal error");
    return report_failure(function, SMALL_ERR_INTERNAL);
  }
#endif
}

} // namespace small

#endif
