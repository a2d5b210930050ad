// The TFLite operators the importer lowers, one function per builtin code.
#ifndef SMALL_TFLITE_OP_TABLE_H
#define SMALL_TFLITE_OP_TABLE_H

#include <cstdint>

namespace small_tflite {

class Importer;

// Lowers importer.op(): checks its options and inputs, adds the SMaLL
// layers it maps to (or none, for views) and sets its output. Throws
// ImportError.
using LowerFn = void (*)(Importer &importer);

// The lowering of builtin operator `code`, or nullptr if unsupported.
LowerFn find_lowering(int32_t code);

// Lowering functions, one file per op family in ops/.
void lower_conv_2d(Importer &im);           // ops/conv.cpp
void lower_depthwise_conv_2d(Importer &im); // ops/conv.cpp
void lower_fully_connected(Importer &im);   // ops/dense.cpp
void lower_average_pool_2d(Importer &im);   // ops/pool.cpp
void lower_max_pool_2d(Importer &im);       // ops/pool.cpp
void lower_mean(Importer &im);              // ops/pool.cpp
void lower_add(Importer &im);               // ops/add.cpp
void lower_concatenation(Importer &im);     // ops/shape.cpp
void lower_reshape(Importer &im);           // ops/shape.cpp
void lower_pad(Importer &im);               // ops/shape.cpp
void lower_softmax(Importer &im);           // ops/softmax.cpp
void lower_quantize(Importer &im);          // ops/quantize.cpp
void lower_dequantize(Importer &im);        // ops/quantize.cpp

} // namespace small_tflite

#endif
