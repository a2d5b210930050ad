// The ONNX operators the importer lowers, one function per op type.
#ifndef SMALL_ONNX_OP_TABLE_H
#define SMALL_ONNX_OP_TABLE_H

#include <string>

namespace small_onnx {

class Importer;

// Lowers importer.node(): checks its attributes and inputs, adds the SMaLL
// layers it maps to (or none, for views and pass-throughs) and sets its
// outputs. Throws ImportError.
using LowerFn = void (*)(Importer &importer);

// The lowering of `op_type` (default domain), or nullptr if unsupported.
LowerFn find_lowering(const std::string &op_type);

// Lowering functions, one file per op family in ops/.
void lower_conv(Importer &im);                // ops/conv.cpp
void lower_gemm(Importer &im);                // ops/dense.cpp
void lower_matmul(Importer &im);              // ops/dense.cpp
void lower_max_pool(Importer &im);            // ops/pool.cpp
void lower_average_pool(Importer &im);        // ops/pool.cpp
void lower_global_average_pool(Importer &im); // ops/pool.cpp
void lower_global_max_pool(Importer &im);     // ops/pool.cpp
void lower_add(Importer &im);                 // ops/add.cpp
void lower_relu(Importer &im);                // ops/activation.cpp
void lower_leaky_relu(Importer &im);          // ops/activation.cpp
void lower_sigmoid(Importer &im);             // ops/activation.cpp
void lower_hard_sigmoid(Importer &im);        // ops/activation.cpp
void lower_hard_swish(Importer &im);          // ops/activation.cpp
void lower_clip(Importer &im);                // ops/activation.cpp
void lower_softmax(Importer &im);             // ops/softmax.cpp
void lower_batchnorm(Importer &im);           // ops/batchnorm.cpp
void lower_flatten(Importer &im);             // ops/shape.cpp
void lower_reshape(Importer &im);             // ops/shape.cpp
void lower_concat(Importer &im);              // ops/shape.cpp
void lower_identity(Importer &im);            // ops/passthrough.cpp
void lower_dropout(Importer &im);             // ops/passthrough.cpp
void lower_constant(Importer &im);            // ops/passthrough.cpp

} // namespace small_onnx

#endif
