// The quantization of int8 tensors as SMaLL's int8 API takes it: one
// (scale, zero point) per activation tensor; int8 weights with one scale
// per output channel (or one) and an int32 bias.
#ifndef SMALL_TFLITE_QUANT_H
#define SMALL_TFLITE_QUANT_H

#include <string>

#include "small/small.h"
#include "small_import/network_description.h"
#include "tensor_data.h"

namespace small_tflite {

// The per-tensor quantization of an INT8 activation tensor: one scale
// (finite, > 0) and a zero point in [-128, 127]. Throws naming the tensor.
small_quant activation_quant(const TensorInfo &t);

// The int8 weights `w` (values in the file's layout, to be reordered by the
// caller), their scales along the quantized dimension, which must count
// `out_channels` or 1, and the INT32 `bias` (nullptr: none). Weights must be
// symmetric (zero point 0). A channel with scale 0, as converters write for
// a channel whose weights are all 0, gets scale 1: its weights and bias
// must be 0, so its accumulator is 0 either way. Throws naming the tensor.
small_import::Int8Weights int8_weights(const TensorInfo &w,
                                       const TensorInfo *bias,
                                       uint32_t out_channels);

} // namespace small_tflite

#endif
