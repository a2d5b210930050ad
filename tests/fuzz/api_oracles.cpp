// The oracles of the C API fuzzer; see api_oracles.h.
#include "api_oracles.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

[[noreturn]] void oracle_failed(const char *call, int status, const char *why) {
  const char *msg = small_last_error();
  std::fprintf(stderr,
               "ORACLE: %s returned %d: %s (small_last_error: \"%s\")\n", call,
               status, why, msg != nullptr ? msg : "(null)");
  std::abort();
}

int status_value(small_status status) {
  int value;
  static_assert(sizeof value == sizeof status, "small_status is int-sized");
  std::memcpy(&value, &status, sizeof value);
  return value;
}

int check(const char *call, small_status status) {
  const int v = status_value(status);
  if (v < SMALL_OK || v > SMALL_ERR_INTERNAL) {
    oracle_failed(call, v, "not a small_status value");
  }
  if (v == SMALL_ERR_INTERNAL) {
    oracle_failed(call, v, "SMALL_ERR_INTERNAL");
  }
  const char *msg = small_last_error();
  if (msg == nullptr) {
    oracle_failed(call, v, "small_last_error() is NULL");
  }
  if ((v == SMALL_OK) != (msg[0] == '\0')) {
    oracle_failed(call, v,
                  v == SMALL_OK ? "success left an error message"
                                : "failure without an error message");
  }
  return v;
}

void check_rejected(const char *call, int status) {
  if (status == SMALL_OK) {
    oracle_failed(call, status, "accepted a NULL weights array");
  }
}
