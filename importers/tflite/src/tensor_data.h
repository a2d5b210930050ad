// What the TFLite importer knows about a tensor, its error type, and the
// conversions of constant tensor data (float32, float16, int8 dequantized
// with its scales, int32/int64 indices).
#ifndef SMALL_TFLITE_TENSOR_DATA_H
#define SMALL_TFLITE_TENSOR_DATA_H

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "small/small.h"
#include "small_import/import_error.h"

namespace small_tflite {

// Thrown inside the importer; the C API in tflite_api.cpp turns it into a
// status + message.
using small_import::fail;
using small_import::ImportError;

using Dims = std::vector<int64_t>;

std::string dims_str(const Dims &d);
// Product of the dims (each >= 0, checked by the reader to fit).
uint64_t element_count(const Dims &d);

// TFLite TensorType values the importer reads.
enum TensorType : int {
  kFloat32 = 0,
  kFloat16 = 1,
  kInt32 = 2,
  kInt64 = 4,
  kInt8 = 9,
};
// "FLOAT32", "INT8", ... or "type N".
std::string type_name(int type);
// Bytes per element, 0 for types without a fixed size (STRING, ...).
size_t element_bytes(int type);

// Affine quantization: real = scale * (q - zero_point), one pair for the
// tensor or one per index along `dimension`.
struct Quantization {
  std::vector<float> scales;
  std::vector<int64_t> zero_points;
  int32_t dimension = 0;
  bool present() const { return !scales.empty(); }
};

struct TensorInfo {
  int index = 0;
  std::string name; // "tensor #i" when the file has none
  int type = kFloat32;
  Dims dims;      // shape, a dynamic (-1) batch taken as 1
  Dims signature; // shape_signature: dims, -1 for a dynamic batch
  const uint8_t *data = nullptr; // constant data; nullptr: a runtime tensor
  size_t bytes = 0;
  Quantization quant;
  // "tensor 'name'", for messages.
  std::string label() const { return "tensor '" + name + "'"; }
};

// The values of a constant tensor as floats: FLOAT32 as is, FLOAT16
// widened, INT8 dequantized (per tensor or per channel). Throws for other
// types, naming `what`.
std::vector<float> constant_floats(const TensorInfo &t,
                                   const std::string &what);
// The values of a constant INT32 or INT64 tensor.
std::vector<int64_t> constant_ints(const TensorInfo &t,
                                   const std::string &what);

} // namespace small_tflite

#endif
