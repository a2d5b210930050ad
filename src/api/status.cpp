// Library information: version, status text, last error, kernel config.
#include <algorithm>
#include <cstring>

#include "api/api_guard.h"
#include "kernel_contract.h"
#include "small/small.h"

namespace small {

small_status report_failure(const char *function, small_status status) {
  char *buffer = error_buffer();
  if (buffer[0] == '\0') {
    append_error(small_status_string(status));
  }
  // Shift the message right and put "<function>: " in front, truncating
  // the message's end if the buffer is full.
  const size_t prefix = std::strlen(function) + 2;
  if (prefix < kErrorCapacity) {
    const size_t kept =
        std::min(std::strlen(buffer), kErrorCapacity - 1 - prefix);
    std::memmove(buffer + prefix, buffer, kept);
    buffer[prefix + kept] = '\0';
    std::memcpy(buffer, function, prefix - 2);
    buffer[prefix - 2] = ':';
    buffer[prefix - 1] = ' ';
  }
  return status;
}

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
  // The value may be any int (C lets it into the enum): switch on the int.
  switch (small::enum_value(status)) {
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

SMALL_API const char *small_last_error(void) { return small::error_buffer(); }

SMALL_API small_status small_report_error(small_status status,
                                          const char *message) {
  small::clear_last_error();
  if (message != nullptr) {
    small::append_error(message);
  }
  return status;
}

SMALL_API small_status small_kernel_config(small_kernel_info *info) {
  return small::guarded("small_kernel_config", [&]() -> small_status {
    SMALL_TRY(small::require(info, "info"));
    const small_kernel_table *t = small_kernels_active();
    info->isa = t->isa;
    info->channel_block = static_cast<uint32_t>(t->channel_block);
    info->conv_tile_width = static_cast<uint32_t>(t->conv_max_width);
    info->conv_tile_channels =
        static_cast<uint32_t>(t->channel_block * t->conv_max_out_blocks);
    return SMALL_OK;
  });
}

} // extern "C"
