// What the ONNX importer knows about a value, and its error type.
//
// Every ONNX value is either a constant (initializer, Constant node, or a
// graph input bound by the caller) or a runtime value. A runtime value is a
// description tensor plus its ONNX dims; the tensor may have another
// (n, c, h, w) split of the same elements (a "view": Flatten, Reshape and
// MatMul results), and is reshaped only when a consumer needs the canonical
// split (rank 2 [N,C] -> (N,C,1,1), rank 3 [N,C,L] -> (N,C,1,L), rank 4 as
// is). Dense reads any split in NCHW flatten order, so Flatten -> Gemm costs
// no layer.
#ifndef SMALL_ONNX_VALUES_H
#define SMALL_ONNX_VALUES_H

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "small/small.h"
#include "small_import/import_error.h"
#include "small_import/network_description.h"

namespace small_onnx {

// Thrown inside the importer; the C API in onnx_api.cpp turns it into a
// status + message.
using small_import::fail;
using small_import::ImportError;

using Dims = std::vector<int64_t>;

std::string dims_str(const Dims &d);
// Product of d[first, last) with overflow checking (fails on d < 0).
uint64_t product(const Dims &d, size_t first, size_t last);
inline uint64_t product(const Dims &d) { return product(d, 0, d.size()); }
// The batch size of ONNX dims (rank 1 has no batch axis: one item) and the
// axis that maps to SMaLL channels.
inline int64_t batch_of(const Dims &d) { return d.size() >= 2 ? d[0] : 1; }
inline size_t channel_axis(const Dims &d) { return d.size() >= 2 ? 1 : 0; }
// The canonical (n, c, h, w) of runtime dims (see above).
void canonical(const Dims &d, uint32_t out[4]);

struct Const {
  Dims dims;
  bool is_int = false;
  std::vector<float> f;   // FLOAT
  std::vector<int64_t> i; // INT64 / INT32
  size_t count() const { return is_int ? i.size() : f.size(); }
};

struct Value {
  enum Kind { kRuntime, kConstant, kUnusable } kind = kRuntime;
  small_import::TensorId tensor = 0; // runtime: current description tensor
  Dims dims;                         // ONNX dims
  std::shared_ptr<const Const> constant;
  std::string why; // kUnusable: why a consumer cannot use it
};

} // namespace small_onnx

#endif
