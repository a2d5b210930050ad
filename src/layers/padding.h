// Padding and output size of windowed layers (convolution, pooling): the one
// place SAME padding is computed (small_padding_same uses it too) and the one
// place an output size along an axis is derived.
#ifndef SMALL_LAYERS_PADDING_H
#define SMALL_LAYERS_PADDING_H

#include <cstdint>
#include <string>

#include "small/small.h"

namespace small {

// TensorFlow SAME padding for one axis: out = ceil(in / stride), the odd
// pixel after (bottom/right). Errors name `where`.
[[nodiscard]] small_status same_padding(uint32_t in, uint32_t kernel,
                                        uint32_t stride, uint32_t dilation,
                                        uint32_t &before, uint32_t &after,
                                        const std::string &where);

// Resolves the padding of one axis from a public padding mode (read as the
// int it holds and range-checked): EXPLICIT keeps before/after, VALID zeroes
// them, SAME computes them.
[[nodiscard]] small_status resolve_padding(const small_padding_mode &mode,
                                           uint32_t in, uint32_t kernel,
                                           uint32_t stride, uint32_t dilation,
                                           uint32_t &before, uint32_t &after,
                                           const std::string &where);

// Output size along one axis, computed in 64 bits: an error naming the
// layer and axis when the window is larger than the padded input or the
// size does not fit 32 bits. The result is >= 1.
[[nodiscard]] small_status
window_output_size(uint32_t in, uint32_t kernel, uint32_t stride,
                   uint32_t dilation, uint32_t pad_before, uint32_t pad_after,
                   uint32_t &out, const std::string &where, const char *axis);

// Convolution padding bound: each side at most the input size plus the
// dilated kernel extent. Padding beyond that only adds outputs whose windows
// lie a whole input away from any pixel; unbounded, it makes output sizes
// and tile planning grow with it (a 2^32 - 16 pixel pad took 30 s and 2 GB).
[[nodiscard]] small_status
check_conv_padding(uint32_t in, uint32_t kernel, uint32_t dilation,
                   uint32_t pad_before, uint32_t pad_after,
                   const std::string &where, const char *axis);

} // namespace small

#endif
