#include "op_table.h"

namespace small_onnx {
namespace {

struct OpEntry {
  const char *op_type;
  LowerFn lower;
};

const OpEntry kOps[] = {
    {"Conv", lower_conv},
    {"Gemm", lower_gemm},
    {"MatMul", lower_matmul},
    {"MaxPool", lower_max_pool},
    {"AveragePool", lower_average_pool},
    {"GlobalAveragePool", lower_global_average_pool},
    {"GlobalMaxPool", lower_global_max_pool},
    {"Add", lower_add},
    {"Relu", lower_relu},
    {"LeakyRelu", lower_leaky_relu},
    {"Sigmoid", lower_sigmoid},
    {"HardSigmoid", lower_hard_sigmoid},
    {"HardSwish", lower_hard_swish},
    {"Clip", lower_clip},
    {"Softmax", lower_softmax},
    {"BatchNormalization", lower_batchnorm},
    {"Flatten", lower_flatten},
    {"Reshape", lower_reshape},
    {"Concat", lower_concat},
    {"Identity", lower_identity},
    {"Dropout", lower_dropout},
    {"Constant", lower_constant},
};

} // namespace

LowerFn find_lowering(const std::string &op_type) {
  for (const OpEntry &e : kOps) {
    if (op_type == e.op_type) {
      return e.lower;
    }
  }
  return nullptr;
}

} // namespace small_onnx
