// Library information: version, status text, last error, kernel config.
#include <string>

#include "api/api_guard.h"
#include "kernel_contract.h"
#include "small/small.h"

namespace small {

namespace {
thread_local std::string last_error;
}

void set_last_error(const std::string &message) {
  try {
    last_error = message;
  } catch (...) {
    last_error.clear(); // out of memory while reporting: keep going
  }
}

void clear_last_error() { last_error.clear(); }

} // namespace small

#define SMALL_STR2(x) #x
#define SMALL_STR(x) SMALL_STR2(x)

extern "C" {

SMALL_API uint32_t small_version(void) { return SMALL_VERSION_NUMBER; }

SMALL_API const char *small_version_string(void) {
  return SMALL_STR(SMALL_VERSION_MAJOR) "." SMALL_STR(
      SMALL_VERSION_MINOR) "." SMALL_STR(SMALL_VERSION_PATCH);
}

SMALL_API const char *small_status_string(small_status status) {
  switch (status) {
  case SMALL_OK:
    return "success";
  case SMALL_ERR_NULL_POINTER:
    return "a required pointer argument is NULL";
  case SMALL_ERR_INVALID_ARGUMENT:
    return "invalid argument";
  case SMALL_ERR_SHAPE_MISMATCH:
    return "tensor shapes do not match";
  case SMALL_ERR_UNSUPPORTED:
    return "unsupported combination of parameters";
  case SMALL_ERR_OUT_OF_MEMORY:
    return "out of memory";
  case SMALL_ERR_OVERFLOW:
    return "size computation overflows";
  case SMALL_ERR_INVALID_STATE:
    return "call not allowed in the network's current state";
  case SMALL_ERR_BUFFER_TOO_SMALL:
    return "buffer too small";
  case SMALL_ERR_NOT_FOUND:
    return "no such tensor, input or output";
  case SMALL_ERR_PARSE:
    return "malformed model";
  case SMALL_ERR_IO:
    return "file input/output failed";
  case SMALL_ERR_INTERNAL:
    return "internal error (a bug in SMaLL)";
  }
  return "unknown status code";
}

SMALL_API const char *small_last_error(void) {
  return small::last_error.c_str();
}

SMALL_API small_status small_report_error(small_status status,
                                          const char *message) {
  small::set_last_error(message != nullptr ? message : "");
  return status;
}

SMALL_API small_status small_kernel_config(small_kernel_info *info) {
  return small::guarded("small_kernel_config", [&] {
    small::require(info, "info");
    const small_kernel_table *t = small_kernels_active();
    info->isa = t->isa;
    info->channel_block = static_cast<uint32_t>(t->channel_block);
    info->conv_tile_width = static_cast<uint32_t>(t->conv_max_width);
    info->conv_tile_channels =
        static_cast<uint32_t>(t->channel_block * t->conv_max_out_blocks);
  });
}

} // extern "C"
