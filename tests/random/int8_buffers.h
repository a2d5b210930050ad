// Running a finalized int8 network on caller buffers for the random test:
// int8 buffers (small_network_run_int8) or float ones (small_network_run,
// which quantizes the inputs and dequantizes the outputs), in NCHW or NHWC.
// Either way the outputs come back as int8 values in NCHW order, batch item
// after batch item, for an exact comparison with reference_int8.cpp.
#ifndef SMALL_TESTS_RANDOM_INT8_BUFFERS_H
#define SMALL_TESTS_RANDOM_INT8_BUFFERS_H

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <vector>

#include "small/small.h"

namespace rand_net {

// One batch item's shape and, for an output, its quantization.
struct ItemShape {
  size_t c = 0, h = 0, w = 0;
  small_quant quant{1.0f, 0};
  size_t size() const { return c * h * w; }
};

// inputs: each input's int8 values in NCHW order (all items).
bool run_with_int8_buffers(small_network *net, bool nhwc, size_t batch,
                           const ItemShape &input,
                           const std::vector<std::vector<int32_t>> &inputs,
                           const std::vector<ItemShape> &outputs,
                           std::vector<std::vector<int32_t>> &got,
                           std::ostringstream &log);

// inputs: each input's real values in NCHW order (all items). Every float
// output must be exactly a dequantized int8 value (it fails otherwise).
bool run_with_float_buffers(small_network *net, bool nhwc, size_t batch,
                            const ItemShape &input,
                            const std::vector<std::vector<float>> &inputs,
                            const std::vector<ItemShape> &outputs,
                            std::vector<std::vector<int32_t>> &got,
                            std::ostringstream &log);

} // namespace rand_net

#endif
