// What the importers' C APIs share: the error their code throws, the guard
// that turns it (and any other exception) into a status and a message, and
// reading a model file. Importers run on a host next to libraries that throw
// (protobuf), so they use exceptions inside; none crosses the C API.
#ifndef SMALL_IMPORT_IMPORT_ERROR_H
#define SMALL_IMPORT_IMPORT_ERROR_H

#include <fstream>
#include <iterator>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "small/small.h"

namespace small_import {

class ImportError : public std::runtime_error {
public:
  ImportError(small_status status, const std::string &message)
      : std::runtime_error(message), status_(status) {}
  small_status status() const { return status_; }

private:
  small_status status_;
};

[[noreturn]] inline void fail(small_status status, const std::string &msg) {
  throw ImportError(status, msg);
}

// Sets `last` to "fn: detail" and reports it to the core, so that
// small_last_error() tells the same story. Builds the string inside its own
// try: a catch handler of guarded() must not allocate where a bad_alloc
// could escape the C API.
inline void set_error(std::string &last, const char *fn,
                      const char *detail) noexcept {
  try {
    last = std::string(fn) + ": " + detail;
    small_report_error(SMALL_OK, last.c_str());
  } catch (...) {
    last.clear();
  }
}

// Runs body() for the C API function `fn`: SMALL_OK, or the status and
// message of what it threw, kept in `last` (the importer's thread_local
// last error).
template <typename F>
small_status guarded(std::string &last, const char *fn, F &&body) {
  try {
    last.clear();
    body();
    return SMALL_OK;
  } catch (const ImportError &e) {
    set_error(last, fn, e.what());
    return e.status();
  } catch (const std::bad_alloc &) {
    set_error(last, fn, "out of memory");
    return SMALL_ERR_OUT_OF_MEMORY;
  } catch (const std::exception &e) {
    set_error(last, fn, e.what());
    return SMALL_ERR_INTERNAL;
  } catch (...) {
    set_error(last, fn, "internal error");
    return SMALL_ERR_INTERNAL;
  }
}

// The whole file at `path`; throws ImportError (SMALL_ERR_NULL_POINTER,
// SMALL_ERR_IO).
inline std::vector<char> read_file(const char *path) {
  if (path == nullptr) {
    fail(SMALL_ERR_NULL_POINTER, "path is NULL");
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    fail(SMALL_ERR_IO, std::string("cannot open '") + path + "' for reading");
  }
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)),
                          std::istreambuf_iterator<char>());
  if (f.bad()) {
    fail(SMALL_ERR_IO, std::string("cannot read '") + path + "'");
  }
  return bytes;
}

} // namespace small_import

#endif
