#include "op_table.h"

#include "tflite_subset_generated.h"

namespace small_tflite {
namespace {

struct OpEntry {
  fb::BuiltinOperator code;
  LowerFn lower;
};

const OpEntry kOps[] = {
    {fb::BuiltinOperator::CONV_2D, lower_conv_2d},
    {fb::BuiltinOperator::DEPTHWISE_CONV_2D, lower_depthwise_conv_2d},
    {fb::BuiltinOperator::FULLY_CONNECTED, lower_fully_connected},
    {fb::BuiltinOperator::AVERAGE_POOL_2D, lower_average_pool_2d},
    {fb::BuiltinOperator::MAX_POOL_2D, lower_max_pool_2d},
    {fb::BuiltinOperator::MEAN, lower_mean},
    {fb::BuiltinOperator::ADD, lower_add},
    {fb::BuiltinOperator::CONCATENATION, lower_concatenation},
    {fb::BuiltinOperator::RESHAPE, lower_reshape},
    {fb::BuiltinOperator::PAD, lower_pad},
    {fb::BuiltinOperator::SOFTMAX, lower_softmax},
    {fb::BuiltinOperator::QUANTIZE, lower_quantize},
    {fb::BuiltinOperator::DEQUANTIZE, lower_dequantize},
};

} // namespace

LowerFn find_lowering(int32_t code) {
  for (const OpEntry &e : kOps) {
    if (code == static_cast<int32_t>(e.code)) {
      return e.lower;
    }
  }
  return nullptr;
}

} // namespace small_tflite
