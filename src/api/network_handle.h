// The opaque small_network of the C API and the checks every entry point
// makes on it (not NULL, not left unusable by a failed finalize).
#ifndef SMALL_API_NETWORK_HANDLE_H
#define SMALL_API_NETWORK_HANDLE_H

#include "graph/network.h"
#include "small/small.h"
#include "util/error.h"

struct small_network {
  small::Network net;
};

namespace small {

[[nodiscard]] inline small_status get(small_network *network, Network *&net) {
  SMALL_TRY(require(network, "network"));
  SMALL_TRY(network->net.require_usable());
  net = &network->net;
  return SMALL_OK;
}

[[nodiscard]] inline small_status get(const small_network *network,
                                      const Network *&net) {
  SMALL_TRY(require(network, "network"));
  SMALL_TRY(network->net.require_usable());
  net = &network->net;
  return SMALL_OK;
}

// Writes a tensor id through the C API's out pointer.
inline void set_out(small_tensor *out, int id) {
  *out = static_cast<small_tensor>(id);
}

} // namespace small

#endif
