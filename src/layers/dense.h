// Dense (fully connected): lowered to a convolution whose window is the
// whole input, so it reads (c, h, w) in NCHW flatten order with no Flatten
// layer before it.
#ifndef SMALL_LAYERS_DENSE_H
#define SMALL_LAYERS_DENSE_H

#include <cstdint>

#include "small/small.h"

namespace small {

class Network;

// small_network_add_dense: weights [out_features][c*h*w], bias NULL or
// out_features floats.
[[nodiscard]] small_status
add_dense(Network &net, int input, uint32_t out_features, const float *weights,
          const float *bias, const small_activation &activation, int &output);

} // namespace small

#endif
