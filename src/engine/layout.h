// Data movement between layouts: the network's user-facing NCHW/NHWC buffers
// and the blocked NCHWc layout, plus the channel gathers of Concat and
// Reshape. These are the only places data is re-laid-out. Each works on
// float and int8 tensors alike (the layout is the same with one-byte lanes);
// the boundary conversions may also convert the element type (quantize a
// float input into an int8 tensor, dequantize an int8 output).
#ifndef SMALL_ENGINE_LAYOUT_H
#define SMALL_ENGINE_LAYOUT_H

#include <cstddef>
#include <cstdint>

#include "graph/shape.h"
#include "kernel_contract.h"
#include "small/small.h"

namespace small {

// Plain (NCHW or NHWC) -> blocked; pad lanes are written with zeros.
void to_blocked(const float *src, small_layout layout, const Shape &s,
                size_t cb, float *dst);
void to_blocked(const int8_t *src, small_layout layout, const Shape &s,
                size_t cb, int8_t *dst);
// Floats quantized with q (round half away from zero, clamped) as they go.
void to_blocked(const float *src, small_layout layout, const Shape &s,
                size_t cb, const small_quant &q, int8_t *dst);
// Blocked -> plain.
void from_blocked(const float *src, const Shape &s, size_t cb,
                  small_layout layout, float *dst);
void from_blocked(const int8_t *src, const Shape &s, size_t cb,
                  small_layout layout, int8_t *dst);
// int8 values dequantized with q as they go.
void from_blocked(const int8_t *src, const small_quant &q, const Shape &s,
                  size_t cb, small_layout layout, float *dst);
// Copies all channels of `src` into channels [first_channel, +src.c) of dst.
template <typename T>
void copy_channels(const T *src, const Shape &src_shape, T *dst,
                   const Shape &dst_shape, size_t first_channel, size_t cb);
// The same for int8 with every value requantized (concat of inputs with
// another quantization than the output's).
void copy_channels(const int8_t *src, const Shape &src_shape, int8_t *dst,
                   const Shape &dst_shape, size_t first_channel, size_t cb,
                   const small_requant_i8_params &requant);
// Element-wise type conversion of `count` values (whole blocked tensors:
// QUANTIZE float -> int8 and DEQUANTIZE layers).
void quantize_values(const float *src, size_t count, const small_quant &q,
                     int8_t *dst);
void dequantize_values(const int8_t *src, size_t count, const small_quant &q,
                       float *dst);
// Reinterprets src (NCHW element order) as dst_shape (same element count
// per batch item) and writes it blocked; pad lanes get zeros.
template <typename T>
void reshape_blocked(const T *src, const Shape &src_shape, T *dst,
                     const Shape &dst_shape, size_t cb);

} // namespace small

#endif
