#include "layers/layer.h"

namespace small {

const char *layer_kind_name(small_layer_kind kind) {
  switch (kind) {
  case SMALL_LAYER_CONV2D:
    return "conv2d";
  case SMALL_LAYER_DEPTHWISE:
    return "depthwise";
  case SMALL_LAYER_DENSE:
    return "dense";
  case SMALL_LAYER_MAXPOOL:
    return "maxpool";
  case SMALL_LAYER_AVGPOOL:
    return "avgpool";
  case SMALL_LAYER_GLOBAL_AVGPOOL:
    return "global_avgpool";
  case SMALL_LAYER_ADD:
    return "add";
  case SMALL_LAYER_CONCAT:
    return "concat";
  case SMALL_LAYER_ACTIVATION:
    return "activation";
  case SMALL_LAYER_SOFTMAX:
    return "softmax";
  case SMALL_LAYER_BATCHNORM:
    return "batchnorm";
  case SMALL_LAYER_RESHAPE:
    return "reshape";
  case SMALL_LAYER_FLATTEN:
    return "flatten";
  case SMALL_LAYER_QUANTIZE:
    return "quantize";
  case SMALL_LAYER_DEQUANTIZE:
    return "dequantize";
  }
  return "unknown";
}

} // namespace small
