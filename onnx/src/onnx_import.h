// Internal view of an imported model: the recorded core API calls (replayed
// by the C code generator), the layer table and the I/O names. Built by
// import_model() in onnx_import.cpp; wrapped by the C API in onnx_api.cpp.
#ifndef SMALL_ONNX_IMPORT_H
#define SMALL_ONNX_IMPORT_H

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "small/small.h"
#include "small/small_onnx.h"

namespace small_onnx {

// Thrown inside the importer; the C API turns it into a status + message.
class ImportError : public std::runtime_error {
public:
  ImportError(small_status status, const std::string &message)
      : std::runtime_error(message), status_(status) {}
  small_status status() const { return status_; }

private:
  small_status status_;
};

[[noreturn]] inline void fail(small_status status, const std::string &msg) {
  throw ImportError(status, msg);
}

// One call into the core C API, with everything needed to replay it.
struct Call {
  enum Kind {
    kInput,
    kConv,
    kDense,
    kPool,
    kGlobalAvgPool,
    kAdd,
    kConcat,
    kActivation,
    kSoftmax,
    kBatchNorm,
    kReshape,
    kFlatten,
    kMarkOutput
  } kind;
  std::vector<small_tensor> inputs;
  small_tensor output = -1;
  uint32_t dims[4] = {0, 0, 0, 0}; // kInput (n,c,h,w); kReshape (c,h,w)
  uint32_t out_features = 0;       // kDense
  small_conv2d_params conv{};
  small_pool2d_params pool{};
  small_activation act{};
  std::vector<float> weights, bias; // conv/dense; batchnorm gamma/beta
  std::vector<float> mean, var;     // batchnorm
  float epsilon = 0.0f;             // batchnorm
};

struct LayerRow {
  std::string name;     // ONNX node name
  std::string onnx_ops; // "Conv", "Add", "Flatten"...
  std::string op;       // SMaLL layer kind
  std::string fused_into;
  std::string fused_ops;
  uint32_t in_dims[4] = {0, 0, 0, 0};
  uint32_t out_dims[4] = {0, 0, 0, 0};
  uint64_t macs = 0;
  size_t call = 0; // index into ModelData::calls
};

struct ModelData {
  small_network *network = nullptr; // owned unless taken
  std::string graph_name;
  std::vector<std::string> input_names, output_names;
  std::vector<std::vector<int64_t>> output_dims;
  std::vector<Call> calls;
  std::vector<LayerRow> layers;
  uint64_t macs = 0;
  bool finalized = false;
};

// Parses and imports; throws ImportError. `data` is a serialized ModelProto.
void import_model(const void *data, size_t size,
                  const small_onnx_options &options, ModelData &out);

// Replays `calls` on a new network (used by tests to cross-check codegen).
// Writes C99 source; throws ImportError on I/O failure.
void write_c_source(const ModelData &model, const std::string &prefix,
                    const std::string &c_path, const std::string &h_path);

} // namespace small_onnx

#endif
