#include "tflite_quant.h"

namespace small_tflite {

small_quant activation_quant(const TensorInfo &t) {
  if (t.type != kInt8) {
    fail(SMALL_ERR_UNSUPPORTED, t.label() + " is " + type_name(t.type) +
                                    " where an INT8 tensor is expected");
  }
  const Quantization &q = t.quant;
  if (q.scales.size() != 1 || !(q.scales[0] > 0.0f)) {
    fail(SMALL_ERR_UNSUPPORTED,
         t.label() +
             ": an int8 activation needs one quantization scale > 0 "
             "(it has " +
             std::to_string(q.scales.size()) + ")");
  }
  return small_quant{q.scales[0], static_cast<int32_t>(q.zero_points[0])};
}

small_import::Int8Weights int8_weights(const TensorInfo &w,
                                       const TensorInfo *bias,
                                       uint32_t out_channels) {
  if (w.type != kInt8 || w.data == nullptr || !w.quant.present()) {
    fail(SMALL_ERR_UNSUPPORTED,
         "weights " + w.label() +
             " must be a constant quantized INT8 tensor for an int8 layer");
  }
  const Quantization &q = w.quant;
  const size_t channels = q.scales.size();
  if (channels != 1 && channels != out_channels) {
    fail(SMALL_ERR_UNSUPPORTED, "weights " + w.label() + ": " +
                                    std::to_string(channels) + " scales for " +
                                    std::to_string(out_channels) +
                                    " output channels");
  }
  for (int64_t z : q.zero_points) {
    if (z != 0) {
      fail(SMALL_ERR_UNSUPPORTED, "weights " + w.label() + " have zero point " +
                                      std::to_string(z) +
                                      " (int8 weights must be symmetric)");
    }
  }
  small_import::Int8Weights out;
  out.values.resize(w.bytes);
  for (size_t i = 0; i < w.bytes; ++i) {
    out.values[i] = static_cast<int8_t>(w.data[i]);
  }
  if (bias != nullptr) {
    if (bias->type != kInt32 ||
        element_count(bias->dims) != uint64_t{out_channels}) {
      fail(SMALL_ERR_UNSUPPORTED, "bias " + bias->label() +
                                      " must be INT32 with " +
                                      std::to_string(out_channels) + " values");
    }
    for (int64_t b : constant_ints(*bias, "bias")) {
      out.bias.push_back(static_cast<int32_t>(b));
    }
  }
  out.scales = q.scales;
  // Elements share a channel over `inner` consecutive values.
  size_t inner = 1;
  for (size_t k = static_cast<size_t>(q.dimension) + 1;
       channels > 1 && k < w.dims.size(); ++k) {
    inner *= static_cast<size_t>(w.dims[k]);
  }
  for (size_t c = 0; c < channels; ++c) {
    if (out.scales[c] != 0.0f) {
      continue;
    }
    for (size_t i = 0; i < out.values.size(); ++i) {
      const size_t ch = channels > 1 ? (i / inner) % channels : 0;
      const bool bias_zero = out.bias.empty() || out.bias[c] == 0;
      if (ch == c && (out.values[i] != 0 || !bias_zero)) {
        fail(SMALL_ERR_UNSUPPORTED,
             "weights " + w.label() + ": channel " + std::to_string(c) +
                 " has scale 0 but nonzero weights or bias");
      }
    }
    out.scales[c] = 1.0f;
  }
  return out;
}

} // namespace small_tflite
