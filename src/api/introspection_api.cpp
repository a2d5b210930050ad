// The C API's layer table and per-layer profiling.
#include "api/api_guard.h"
#include "api/network_handle.h"
#include "small/small.h"
#include "util/clock.h"

using small::guarded;
using small::require;

extern "C" {

SMALL_API small_status small_network_layer_count(const small_network *network,
                                                 size_t *count) {
  return guarded("small_network_layer_count", [&]() -> small_status {
    const small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    SMALL_TRY(require(count, "count"));
    *count = net->layer_count();
    return SMALL_OK;
  });
}

SMALL_API small_status small_network_layer_info(const small_network *network,
                                                size_t index,
                                                small_layer_info *info) {
  return guarded("small_network_layer_info", [&]() -> small_status {
    const small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    SMALL_TRY(require(info, "info"));
    return net->layer_info(index, *info);
  });
}

SMALL_API small_status small_network_enable_profiling(small_network *network,
                                                      int enable) {
  return guarded("small_network_enable_profiling", [&]() -> small_status {
    small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    return net->enable_profiling(enable != 0);
  });
}

SMALL_API small_status small_network_layer_time(const small_network *network,
                                                size_t index,
                                                double *microseconds) {
  return guarded("small_network_layer_time", [&]() -> small_status {
    const small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    SMALL_TRY(require(microseconds, "microseconds"));
    return net->layer_time_us(index, *microseconds);
  });
}

SMALL_API small_status small_network_layer_ticks(const small_network *network,
                                                 size_t index,
                                                 uint64_t *ticks) {
  return guarded("small_network_layer_ticks", [&]() -> small_status {
    const small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    SMALL_TRY(require(ticks, "ticks"));
    return net->layer_ticks(index, "layer_ticks", *ticks);
  });
}

SMALL_API small_status small_set_profiling_clock(uint64_t (*now)(void)) {
  return guarded("small_set_profiling_clock", [&]() -> small_status {
    small::set_profiling_clock(now);
    return SMALL_OK;
  });
}

} // extern "C"
