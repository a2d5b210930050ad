// Options shared by the windowed operators (convolutions and pooling):
// strides, dilations and filter sizes, and TFLite's padding modes.
#ifndef SMALL_TFLITE_OPS_WINDOW_OPTIONS_H
#define SMALL_TFLITE_OPS_WINDOW_OPTIONS_H

#include <string>

#include "tflite_importer.h"

namespace small_tflite {

// A stride, dilation or filter size from the file, which must be >= 1.
inline uint32_t window_size(const Importer &im, int32_t v, const char *name) {
  if (v < 1) {
    im.op_fail(SMALL_ERR_PARSE,
               std::string(name) + " = " + std::to_string(v) + " must be >= 1");
  }
  return static_cast<uint32_t>(v);
}

// TFLite SAME and VALID are SMaLL's (SAME: out = ceil(in / stride), the odd
// extra row/column at the bottom/right).
inline small_padding_mode padding_mode(const Importer &im, fb::Padding p) {
  switch (p) {
  case fb::Padding::SAME:
    return SMALL_PADDING_SAME;
  case fb::Padding::VALID:
    return SMALL_PADDING_VALID;
  default:
    im.op_fail(SMALL_ERR_PARSE, "padding " +
                                    std::to_string(static_cast<int>(p)) +
                                    " is neither SAME nor VALID");
  }
}

// The input of a convolution or pool as (n, c, h, w), which must come from
// a rank-4 NHWC tensor.
inline const uint32_t *spatial_input(const Importer &im, const Value &x) {
  if (x.dims.size() != 4) {
    im.op_fail(SMALL_ERR_UNSUPPORTED,
               "input " + dims_str(x.dims) + " must be [N, H, W, C]");
  }
  return im.shape_of(x.tensor);
}

} // namespace small_tflite

#endif
