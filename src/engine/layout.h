// Data movement between layouts: the network's user-facing NCHW/NHWC buffers
// and the blocked NCHWc layout, plus the channel gathers of Concat and
// Reshape. These are the only places data is re-laid-out.
#ifndef SMALL_ENGINE_LAYOUT_H
#define SMALL_ENGINE_LAYOUT_H

#include <cstddef>

#include "graph/shape.h"
#include "small/small.h"

namespace small {

// Plain (NCHW or NHWC) -> blocked; pad lanes are written with zeros.
void to_blocked(const float *src, small_layout layout, const Shape &s,
                size_t cb, float *dst);
// Blocked -> plain.
void from_blocked(const float *src, const Shape &s, size_t cb,
                  small_layout layout, float *dst);
// Copies all channels of `src` into channels [first_channel, +src.c) of dst.
void copy_channels(const float *src, const Shape &src_shape, float *dst,
                   const Shape &dst_shape, size_t first_channel, size_t cb);
// Reinterprets src (NCHW element order) as dst_shape (same element count
// per batch item) and writes it blocked; pad lanes get zeros.
void reshape_blocked(const float *src, const Shape &src_shape, float *dst,
                     const Shape &dst_shape, size_t cb);

} // namespace small

#endif
