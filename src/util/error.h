// Internal error type: code below the API throws small::Error; the API shims
// catch it and turn it into a status plus the thread's last-error message.
#ifndef SMALL_UTIL_ERROR_H
#define SMALL_UTIL_ERROR_H

#include <stdexcept>
#include <string>

#include "small/small.h"

namespace small {

class Error : public std::runtime_error {
public:
  Error(small_status status, const std::string &message)
      : std::runtime_error(message), status_(status) {}
  small_status status() const { return status_; }

private:
  small_status status_;
};

[[noreturn]] inline void fail(small_status status, const std::string &message) {
  throw Error(status, message);
}

} // namespace small

#endif
