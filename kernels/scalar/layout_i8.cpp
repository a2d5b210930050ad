// Scalar int8 layout conversion at the network boundary: an RGB input's
// pixels in 4 lanes (kernel_contract.h's rgb_to_lanes4_i8).
#include <cstddef>
#include <cstdint>

#include "scalar_kernels.h"

namespace small::scalar {

void rgb_to_lanes4_i8__scalar(const int8_t *rgb, int8_t *out, size_t pixels) {
  for (size_t p = 0; p < pixels; ++p) {
    out[4 * p] = rgb[3 * p];
    out[4 * p + 1] = rgb[3 * p + 1];
    out[4 * p + 2] = rgb[3 * p + 2];
    out[4 * p + 3] = 0;
  }
}

} // namespace small::scalar
