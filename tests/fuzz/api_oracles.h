// The oracles of the C API fuzzer (api_call_fuzz.cpp). A failed oracle
// prints the call, its status and small_last_error(), then aborts, which
// libFuzzer reports as a crash with the input that caused it.
#ifndef SMALL_FUZZ_API_ORACLES_H
#define SMALL_FUZZ_API_ORACLES_H

#include "small/small.h"

// The status as the integer it is (a value outside the enum must be seen,
// not loaded as the enum type).
int status_value(small_status status);

// Checks a returned status: a small_status value, never SMALL_ERR_INTERNAL,
// small_last_error() non-empty exactly when it is not SMALL_OK. Returns the
// value.
int check(const char *call, small_status status);

// A call given a NULL array it needs must not succeed.
void check_rejected(const char *call, int status);

[[noreturn]] void oracle_failed(const char *call, int status, const char *why);

#endif
