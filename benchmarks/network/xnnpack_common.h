// What the fp32 and int8 XNNPACK engines share: the library's one-time
// initialization and its status names.
#ifndef SMALL_BENCH_XNNPACK_COMMON_H
#define SMALL_BENCH_XNNPACK_COMMON_H

#include <xnnpack.h>

namespace small_bench {

inline const char *xnn_status_name(xnn_status status) {
  switch (status) {
  case xnn_status_success:
    return "xnn_status_success";
  case xnn_status_uninitialized:
    return "xnn_status_uninitialized";
  case xnn_status_invalid_parameter:
    return "xnn_status_invalid_parameter";
  case xnn_status_invalid_state:
    return "xnn_status_invalid_state";
  case xnn_status_unsupported_parameter:
    return "xnn_status_unsupported_parameter";
  case xnn_status_unsupported_hardware:
    return "xnn_status_unsupported_hardware";
  case xnn_status_out_of_memory:
    return "xnn_status_out_of_memory";
  }
  return "unknown xnn_status";
}

// Initialization probes the CPU and fills XNNPACK's kernel tables; done once
// per process and never undone, since other engines may still hold runtimes.
inline xnn_status xnn_initialize_once() {
  static const xnn_status status = xnn_initialize(nullptr);
  return status;
}

} // namespace small_bench

#endif
