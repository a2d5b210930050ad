// Runs the body of a C entry point: maps small::Error, std::bad_alloc and
// any other exception to a status and records the thread's last error.
#ifndef SMALL_API_API_GUARD_H
#define SMALL_API_API_GUARD_H

#include <new>
#include <string>

#include "small/small.h"
#include "util/error.h"

namespace small {

void set_last_error(const std::string &message);
void clear_last_error();

template <typename F> small_status guarded(const char *function, F &&body) {
  try {
    clear_last_error();
    body();
    return SMALL_OK;
  } catch (const Error &e) {
    set_last_error(std::string(function) + ": " + e.what());
    return e.status();
  } catch (const std::bad_alloc &) {
    set_last_error(std::string(function) + ": out of memory");
    return SMALL_ERR_OUT_OF_MEMORY;
  } catch (const std::exception &e) {
    set_last_error(std::string(function) + ": internal error: " + e.what());
    return SMALL_ERR_INTERNAL;
  } catch (...) {
    set_last_error(std::string(function) + ": internal error");
    return SMALL_ERR_INTERNAL;
  }
}

// Throws SMALL_ERR_NULL_POINTER naming the argument.
inline void require(const void *p, const char *name) {
  if (p == nullptr) {
    fail(SMALL_ERR_NULL_POINTER, std::string(name) + " is NULL");
  }
}

} // namespace small

#endif
