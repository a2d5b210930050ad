#include "model_reader.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "tflite_subset_generated.h"

namespace small_tflite {
namespace {

constexpr uint32_t kSchemaVersion = 3;
// TFLite's CUSTOM operator code.
constexpr int32_t kCustomCode = 32;

// The shape, with a dynamic batch (-1 in shape_signature) taken as 1.
Dims read_dims(const fb::Tensor &t, const std::string &what,
               uint64_t max_tensor_bytes, size_t elem_bytes) {
  Dims d;
  if (t.shape() != nullptr) {
    for (int32_t x : *t.shape()) {
      d.push_back(x);
    }
  }
  const auto *sig = t.shape_signature();
  if (sig != nullptr && sig->size() > 0) {
    if (sig->size() != d.size()) {
      fail(SMALL_ERR_PARSE, what + ": shape_signature has rank " +
                                std::to_string(sig->size()) + " but shape " +
                                dims_str(d) + " has rank " +
                                std::to_string(d.size()));
    }
    for (size_t k = 0; k < d.size(); ++k) {
      if (sig->Get(static_cast<flatbuffers::uoffset_t>(k)) >= 0) {
        continue;
      }
      if (k != 0) {
        fail(SMALL_ERR_UNSUPPORTED,
             what + ": dimension " + std::to_string(k) + " of " + dims_str(d) +
                 " is dynamic (-1 in shape_signature); only a dynamic "
                 "batch (dimension 0) is supported");
      }
      d[0] = 1; // the batch SMaLL runs
    }
  }
  uint64_t n = 1;
  for (int64_t x : d) {
    if (x < 0) {
      fail(SMALL_ERR_PARSE, what + ": negative dimension in " + dims_str(d));
    }
    if (x != 0 &&
        n > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(x)) {
      fail(SMALL_ERR_UNSUPPORTED,
           what + ": shape " + dims_str(d) + " overflows 64 bits");
    }
    n *= static_cast<uint64_t>(x);
  }
  const size_t per = elem_bytes == 0 ? 1 : elem_bytes;
  if (n > max_tensor_bytes / per) {
    fail(SMALL_ERR_UNSUPPORTED,
         what + ": shape " + dims_str(d) + " exceeds the tensor size limit (" +
             std::to_string(max_tensor_bytes) + " bytes)");
  }
  return d;
}

Quantization read_quantization(const fb::Tensor &t, const Dims &dims,
                               const std::string &what) {
  Quantization q;
  const fb::QuantizationParameters *p = t.quantization();
  if (p == nullptr) {
    return q;
  }
  if (p->details_type() != fb::QuantizationDetails::NONE) {
    fail(SMALL_ERR_UNSUPPORTED,
         what + ": custom quantization details are not supported");
  }
  const size_t scales = p->scale() != nullptr ? p->scale()->size() : 0;
  const size_t zeros = p->zero_point() != nullptr ? p->zero_point()->size() : 0;
  if (scales == 0 && zeros == 0) {
    return q; // only min/max (or nothing): not quantized
  }
  if (scales != zeros) {
    fail(SMALL_ERR_PARSE, what + ": " + std::to_string(scales) +
                              " quantization scales but " +
                              std::to_string(zeros) + " zero points");
  }
  q.dimension = p->quantized_dimension();
  if (scales > 1) {
    if (q.dimension < 0 || static_cast<size_t>(q.dimension) >= dims.size()) {
      fail(SMALL_ERR_PARSE, what + ": quantized_dimension " +
                                std::to_string(q.dimension) +
                                " is outside its shape " + dims_str(dims));
    }
    if (static_cast<int64_t>(scales) != dims[q.dimension]) {
      fail(SMALL_ERR_PARSE,
           what + ": " + std::to_string(scales) + " scales for dimension " +
               std::to_string(q.dimension) + " of " + dims_str(dims));
    }
  }
  for (size_t k = 0; k < scales; ++k) {
    const float s = p->scale()->Get(static_cast<flatbuffers::uoffset_t>(k));
    // Zero is valid: converters give a channel whose weights are all zero
    // the scale 0 (mobilenet_vww.int8.tflite has such channels).
    if (!std::isfinite(s) || s < 0.0f) {
      fail(SMALL_ERR_PARSE, what + ": quantization scale " + std::to_string(k) +
                                " is " + std::to_string(s) +
                                " (must be finite and >= 0)");
    }
    q.scales.push_back(s);
    q.zero_points.push_back(
        p->zero_point()->Get(static_cast<flatbuffers::uoffset_t>(k)));
  }
  if (t.type() == fb::TensorType::INT8) {
    for (int64_t z : q.zero_points) {
      if (z < -128 || z > 127) {
        fail(SMALL_ERR_PARSE, what + ": zero point " + std::to_string(z) +
                                  " is outside the INT8 range");
      }
    }
  }
  return q;
}

void read_tensors(const fb::Model &model, const fb::SubGraph &g,
                  uint64_t max_tensor_bytes, ModelInfo &out) {
  const auto *buffers = model.buffers();
  const size_t buffer_count = buffers != nullptr ? buffers->size() : 0;
  const auto *tensors = g.tensors();
  const size_t count = tensors != nullptr ? tensors->size() : 0;
  for (size_t i = 0; i < count; ++i) {
    const fb::Tensor &t = *tensors->Get(static_cast<flatbuffers::uoffset_t>(i));
    TensorInfo info;
    info.index = static_cast<int>(i);
    info.name =
        t.name() != nullptr ? t.name()->str() : "tensor #" + std::to_string(i);
    const std::string what =
        "tensor " + std::to_string(i) + " '" + info.name + "'";
    info.type = static_cast<int>(t.type());
    if (t.is_variable()) {
      fail(SMALL_ERR_UNSUPPORTED,
           what + " is a variable (stateful) tensor; not supported");
    }
    if (t.sparsity() != nullptr) {
      fail(SMALL_ERR_UNSUPPORTED, what + " is sparse; not supported");
    }
    const size_t elem = element_bytes(info.type);
    info.dims = read_dims(t, what, max_tensor_bytes, elem);
    info.signature = info.dims;
    // read_dims refused any dynamic dimension but the batch.
    const auto *sig = t.shape_signature();
    if (sig != nullptr && sig->size() > 0 && sig->Get(0) < 0) {
      info.signature[0] = -1;
    }
    info.quant = read_quantization(t, info.dims, what);
    if (t.buffer() >= buffer_count && t.buffer() != 0) {
      fail(SMALL_ERR_PARSE,
           what + ": buffer index " + std::to_string(t.buffer()) +
               " >= " + std::to_string(buffer_count) + " buffers");
    }
    if (t.buffer() != 0) {
      const fb::Buffer &b = *buffers->Get(t.buffer());
      if (b.offset() > 1 || b.size() > 0) {
        fail(SMALL_ERR_UNSUPPORTED,
             what + ": data stored outside the flatbuffer (offset/size "
                    "buffers of models over 2 GB) is not supported");
      }
      if (b.data() != nullptr && b.data()->size() > 0) {
        const uint64_t want = element_count(info.dims) * elem;
        if (elem == 0 || b.data()->size() != want) {
          fail(SMALL_ERR_PARSE,
               what + ": its buffer holds " + std::to_string(b.data()->size()) +
                   " bytes but shape " + dims_str(info.dims) + " of " +
                   type_name(info.type) + " needs " +
                   (elem == 0 ? "a fixed element size" : std::to_string(want)));
        }
        info.data = b.data()->data();
        info.bytes = b.data()->size();
      }
    }
    out.tensors.push_back(std::move(info));
  }
}

// Tensor indices of a list, each in range (-1 allowed where optional).
std::vector<int32_t> tensor_indices(const flatbuffers::Vector<int32_t> *v,
                                    const ModelInfo &m, bool allow_omitted,
                                    const std::string &what) {
  std::vector<int32_t> out;
  if (v == nullptr) {
    return out;
  }
  for (int32_t i : *v) {
    if ((i == -1 && allow_omitted) ||
        (i >= 0 && static_cast<size_t>(i) < m.tensors.size())) {
      out.push_back(i);
      continue;
    }
    fail(SMALL_ERR_PARSE, what + ": tensor index " + std::to_string(i) +
                              " is out of range (" +
                              std::to_string(m.tensors.size()) + " tensors)");
  }
  return out;
}

std::string operator_name(const fb::OperatorCode &c, int32_t code) {
  if (code == kCustomCode) {
    return "CUSTOM '" +
           (c.custom_code() != nullptr ? c.custom_code()->str() : "") + "'";
  }
  const char *name =
      fb::EnumNameBuiltinOperator(static_cast<fb::BuiltinOperator>(code));
  if (name != nullptr && name[0] != '\0') {
    return name;
  }
  return "builtin operator " + std::to_string(code);
}

void read_operators(const fb::Model &model, const fb::SubGraph &g,
                    ModelInfo &out) {
  const auto *codes = model.operator_codes();
  const size_t code_count = codes != nullptr ? codes->size() : 0;
  const auto *ops = g.operators();
  const size_t count = ops != nullptr ? ops->size() : 0;
  for (size_t i = 0; i < count; ++i) {
    const fb::Operator &op = *ops->Get(static_cast<flatbuffers::uoffset_t>(i));
    const std::string what = "operator " + std::to_string(i);
    if (op.opcode_index() >= code_count) {
      fail(SMALL_ERR_PARSE,
           what + ": opcode_index " + std::to_string(op.opcode_index()) +
               " >= " + std::to_string(code_count) + " operator codes");
    }
    const fb::OperatorCode &c = *codes->Get(op.opcode_index());
    OperatorInfo info;
    // Files older than the 32-bit builtin_code field hold the code in the
    // deprecated byte; TFLite takes the larger of the two.
    info.code = std::max(static_cast<int32_t>(c.builtin_code()),
                         static_cast<int32_t>(c.deprecated_builtin_code()));
    info.op_name = operator_name(c, info.code);
    info.inputs = tensor_indices(op.inputs(), out, true,
                                 what + " (" + info.op_name + ") inputs");
    info.outputs = tensor_indices(op.outputs(), out, false,
                                  what + " (" + info.op_name + ") outputs");
    info.table = &op;
    out.operators.push_back(std::move(info));
  }
}

// The tensors a signature maps, as positions among the subgraph's inputs
// (or outputs) `io`; a tensor that is not one of them is refused.
std::vector<std::pair<std::string, size_t>> signature_tensors(
    const flatbuffers::Vector<flatbuffers::Offset<fb::TensorMap>> *maps,
    const std::vector<int32_t> &io, const std::string &what) {
  std::vector<std::pair<std::string, size_t>> result;
  if (maps == nullptr) {
    return result;
  }
  for (const fb::TensorMap *m : *maps) {
    const std::string name = m->name() != nullptr ? m->name()->str() : "";
    const int64_t tensor = m->tensor_index();
    const auto at = std::find_if(io.begin(), io.end(),
                                 [&](int32_t t) { return t == tensor; });
    if (at == io.end()) {
      fail(SMALL_ERR_PARSE, what + " '" + name + "': tensor " +
                                std::to_string(tensor) + " is not one of them");
    }
    result.emplace_back(name, static_cast<size_t>(at - io.begin()));
  }
  return result;
}

void read_signatures(const fb::Model &model, ModelInfo &out) {
  const auto *defs = model.signature_defs();
  const size_t count = defs != nullptr ? defs->size() : 0;
  for (size_t i = 0; i < count; ++i) {
    const fb::SignatureDef &def =
        *defs->Get(static_cast<flatbuffers::uoffset_t>(i));
    SignatureInfo s;
    s.key = def.signature_key() != nullptr ? def.signature_key()->str() : "";
    const std::string what = "signature '" + s.key + "'";
    if (def.subgraph_index() != 0) {
      fail(SMALL_ERR_PARSE, what + ": subgraph_index " +
                                std::to_string(def.subgraph_index()) +
                                " but the model has one subgraph");
    }
    s.inputs = signature_tensors(def.inputs(), out.inputs,
                                 what + " maps subgraph inputs; input");
    s.outputs = signature_tensors(def.outputs(), out.outputs,
                                  what + " maps subgraph outputs; output");
    out.signatures.push_back(std::move(s));
  }
}

} // namespace

bool has_tflite_identifier(const void *data, size_t size) {
  return data != nullptr && size >= 8 &&
         flatbuffers::BufferHasIdentifier(data, fb::ModelIdentifier());
}

void read_model(const void *data, size_t size, uint64_t max_tensor_bytes,
                ModelInfo &out) {
  if (data == nullptr) {
    fail(SMALL_ERR_NULL_POINTER, "data is NULL");
  }
  if (size < 8) {
    fail(SMALL_ERR_PARSE, "the model is " + std::to_string(size) +
                              " bytes: too small for a TFLite flatbuffer");
  }
  if (size >= FLATBUFFERS_MAX_BUFFER_SIZE) {
    fail(SMALL_ERR_UNSUPPORTED,
         "the model is larger than a flatbuffer can be (2 GB)");
  }
  if (!has_tflite_identifier(data, size)) {
    fail(SMALL_ERR_PARSE,
         "not a TFLite model (no \"TFL3\" file identifier at byte 4)");
  }
  // An 8-byte aligned copy: flatbuffers reads scalars in place.
  out.storage.assign((size + 7) / 8, 0);
  std::memcpy(out.storage.data(), data, size);
  const auto *bytes = reinterpret_cast<const uint8_t *>(out.storage.data());
  flatbuffers::Verifier verifier(bytes, size);
  if (!fb::VerifyModelBuffer(verifier)) {
    fail(SMALL_ERR_PARSE, "the TFLite flatbuffer failed verification (a "
                          "corrupt or truncated file)");
  }
  const fb::Model &model = *fb::GetModel(bytes);
  if (model.version() != kSchemaVersion) {
    fail(SMALL_ERR_UNSUPPORTED, "TFLite schema version " +
                                    std::to_string(model.version()) +
                                    " is not supported (expected 3)");
  }
  const auto *subgraphs = model.subgraphs();
  if (subgraphs == nullptr || subgraphs->size() != 1) {
    fail(SMALL_ERR_UNSUPPORTED,
         "the model has " +
             std::to_string(subgraphs != nullptr ? subgraphs->size() : 0) +
             " subgraphs; SMaLL imports models with exactly one");
  }
  const fb::SubGraph &g = *subgraphs->Get(0);
  out.subgraph_name = g.name() != nullptr ? g.name()->str() : "";
  read_tensors(model, g, max_tensor_bytes, out);
  read_operators(model, g, out);
  out.inputs = tensor_indices(g.inputs(), out, false, "subgraph inputs");
  out.outputs = tensor_indices(g.outputs(), out, false, "subgraph outputs");
  read_signatures(model, out);
}

} // namespace small_tflite
