// What the C API tests share: REQUIRE_OK (a call's status must be
// SMALL_OK; on failure Catch prints the call, the status and the library's
// message) and Net, a network destroyed with its scope.
#ifndef SMALL_TESTS_COMMON_REQUIRE_OK_H
#define SMALL_TESTS_COMMON_REQUIRE_OK_H

#include <catch2/catch.hpp>

#include "small/small.h"

#define REQUIRE_OK(call)                                                       \
  do {                                                                         \
    const small_status s_ = (call);                                            \
    INFO(#call << " -> " << small_status_string(s_) << ": "                    \
               << small_last_error());                                         \
    REQUIRE(s_ == SMALL_OK);                                                   \
  } while (0)

struct Net {
  small_network *p = nullptr;
  Net() { REQUIRE_OK(small_network_create(&p)); }
  ~Net() { small_network_destroy(p); }
  Net(const Net &) = delete;
  Net &operator=(const Net &) = delete;
  operator small_network *() const { return p; }
};

#endif
