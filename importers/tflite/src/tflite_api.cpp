// extern "C" entry points of small_tflite: run the importer, map exceptions
// to statuses, keep the thread's last error.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "small/small_tflite.h"
#include "small_import/c_codegen.h"
#include "small_import/import_error.h"
#include "small_import/tflite_description.h"
#include "tflite_importer.h"

struct small_tflite_model {
  small_tflite::ImportResult data;
};

namespace {

thread_local std::string g_last_error;

template <typename F> small_status guarded(const char *fn, F &&body) {
  return small_import::guarded(g_last_error, fn, std::forward<F>(body));
}

using small_import::read_file;

void do_import(const void *data, size_t size, const small_tflite_options *opt,
               small_tflite_model **out) {
  if (out == nullptr) {
    small_tflite::fail(SMALL_ERR_NULL_POINTER, "out is NULL");
  }
  *out = nullptr;
  small_tflite_options o;
  small_tflite_options_init(&o);
  if (opt != nullptr) {
    o = *opt;
  }
  auto model = std::make_unique<small_tflite_model>();
  try {
    small_tflite::import_model(data, size, o, model->data);
  } catch (...) {
    small_network_destroy(model->data.network);
    model->data.network = nullptr;
    throw;
  }
  *out = model.release();
}

// Imports a file; failures name the path.
void import_file(const char *path, const small_tflite_options *options,
                 small_tflite_model **out) {
  if (out != nullptr) {
    *out = nullptr;
  }
  const std::vector<char> bytes = read_file(path);
  try {
    do_import(bytes.data(), bytes.size(), options, out);
  } catch (const small_tflite::ImportError &e) {
    throw small_tflite::ImportError(e.status(),
                                    std::string(path) + ": " + e.what());
  }
}

// Moves the network out of a fresh model into *out.
void take(small_tflite_model *m, small_network **out) {
  *out = small_tflite_model_take_network(m);
  small_tflite_model_destroy(m);
}

} // namespace

extern "C" {

void small_tflite_options_init(small_tflite_options *options) {
  if (options == nullptr) {
    return;
  }
  *options = small_tflite_options{};
  options->finalize = 1;
  options->max_tensor_bytes = uint64_t{1} << 30;
  options->rounding = SMALL_ROUNDING_DOUBLE;
}

const char *small_tflite_last_error(void) { return g_last_error.c_str(); }

int small_tflite_is_model(const void *data, size_t size) {
  return small_tflite::has_tflite_identifier(data, size) ? 1 : 0;
}

small_status small_tflite_import_buffer(const void *data, size_t size,
                                        const small_tflite_options *options,
                                        small_tflite_model **out) {
  return guarded("small_tflite_import_buffer",
                 [&] { do_import(data, size, options, out); });
}

small_status small_tflite_import_file(const char *path,
                                      const small_tflite_options *options,
                                      small_tflite_model **out) {
  return guarded("small_tflite_import_file",
                 [&] { import_file(path, options, out); });
}

small_status small_tflite_load_buffer(const void *data, size_t size,
                                      small_network **out) {
  return guarded("small_tflite_load_buffer", [&] {
    if (out == nullptr) {
      small_tflite::fail(SMALL_ERR_NULL_POINTER, "out is NULL");
    }
    *out = nullptr;
    small_tflite_model *m = nullptr;
    do_import(data, size, nullptr, &m);
    take(m, out);
  });
}

small_status small_tflite_load_file(const char *path, small_network **out) {
  return guarded("small_tflite_load_file", [&] {
    if (out == nullptr) {
      small_tflite::fail(SMALL_ERR_NULL_POINTER, "out is NULL");
    }
    *out = nullptr;
    small_tflite_model *m = nullptr;
    import_file(path, nullptr, &m);
    take(m, out);
  });
}

void small_tflite_model_destroy(small_tflite_model *model) {
  if (model != nullptr) {
    small_network_destroy(model->data.network);
    delete model;
  }
}

small_network *small_tflite_model_network(small_tflite_model *model) {
  return model != nullptr ? model->data.network : nullptr;
}

small_network *small_tflite_model_take_network(small_tflite_model *model) {
  if (model == nullptr) {
    return nullptr;
  }
  small_network *n = model->data.network;
  model->data.network = nullptr;
  return n;
}

const char *small_tflite_model_input_name(const small_tflite_model *model,
                                          size_t index) {
  if (model == nullptr || index >= model->data.description.input_names.size()) {
    return nullptr;
  }
  return model->data.description.input_names[index].c_str();
}

const char *small_tflite_model_output_name(const small_tflite_model *model,
                                           size_t index) {
  if (model == nullptr ||
      index >= model->data.description.output_names.size()) {
    return nullptr;
  }
  return model->data.description.output_names[index].c_str();
}

namespace {
// Copies dims `index` of `table` (up to 4) and returns its rank; 0 when
// dims is NULL or the index out of range.
size_t copy_dims(const std::vector<small_tflite::Dims> &table, size_t index,
                 int64_t dims[4]) {
  if (dims == nullptr || index >= table.size()) {
    return 0;
  }
  const auto &d = table[index];
  for (size_t k = 0; k < d.size() && k < 4; ++k) {
    dims[k] = d[k];
  }
  return d.size();
}
} // namespace

size_t small_tflite_model_output_dims(const small_tflite_model *model,
                                      size_t index, int64_t dims[4]) {
  return model == nullptr
             ? 0
             : copy_dims(model->data.description.output_dims, index, dims);
}

size_t small_tflite_model_input_dims(const small_tflite_model *model,
                                     size_t index, int64_t dims[4]) {
  return model == nullptr ? 0 : copy_dims(model->data.input_dims, index, dims);
}

size_t small_tflite_model_input_signature(const small_tflite_model *model,
                                          size_t index, int64_t dims[4]) {
  return model == nullptr
             ? 0
             : copy_dims(model->data.input_signatures, index, dims);
}

size_t small_tflite_model_output_signature(const small_tflite_model *model,
                                           size_t index, int64_t dims[4]) {
  return model == nullptr
             ? 0
             : copy_dims(model->data.output_signatures, index, dims);
}

size_t small_tflite_model_signature_count(const small_tflite_model *model) {
  return model != nullptr ? model->data.signatures.size() : 0;
}

const char *small_tflite_model_signature_key(const small_tflite_model *model,
                                             size_t signature) {
  if (model == nullptr || signature >= model->data.signatures.size()) {
    return nullptr;
  }
  return model->data.signatures[signature].key.c_str();
}

size_t small_tflite_model_signature_tensors(
    const small_tflite_model *model, size_t signature, int outputs,
    small_tflite_signature_tensor *tensors, size_t capacity) {
  if (model == nullptr || signature >= model->data.signatures.size()) {
    return 0;
  }
  const small_tflite::SignatureInfo &s = model->data.signatures[signature];
  const auto &list = outputs != 0 ? s.outputs : s.inputs;
  for (size_t k = 0; k < list.size() && k < capacity && tensors != nullptr;
       ++k) {
    tensors[k].name = list[k].first.c_str();
    tensors[k].index = list[k].second;
  }
  return list.size();
}

size_t small_tflite_model_layer_count(const small_tflite_model *model) {
  return model != nullptr ? model->data.layers.size() : 0;
}

small_status small_tflite_model_layer(const small_tflite_model *model,
                                      size_t index,
                                      small_tflite_layer_info *info) {
  return guarded("small_tflite_model_layer", [&] {
    if (model == nullptr || info == nullptr) {
      small_tflite::fail(SMALL_ERR_NULL_POINTER, "model or info is NULL");
    }
    if (index >= model->data.layers.size()) {
      small_tflite::fail(SMALL_ERR_NOT_FOUND,
                         "layer index " + std::to_string(index) + " >= " +
                             std::to_string(model->data.layers.size()));
    }
    const small_tflite::LayerRow &r = model->data.layers[index];
    info->name = r.name.c_str();
    info->tflite_ops = r.tflite_ops.c_str();
    info->op = r.op.c_str();
    for (int k = 0; k < 4; ++k) {
      info->in_dims[k] = r.in_dims[k];
      info->out_dims[k] = r.out_dims[k];
    }
    info->macs = r.macs;
  });
}

uint64_t small_tflite_model_macs(const small_tflite_model *model) {
  return model != nullptr ? model->data.macs : 0;
}

small_status small_tflite_model_write_c(const small_tflite_model *model,
                                        const char *prefix, const char *c_path,
                                        const char *h_path) {
  return guarded("small_tflite_model_write_c", [&] {
    if (model == nullptr || prefix == nullptr || c_path == nullptr ||
        h_path == nullptr) {
      small_tflite::fail(SMALL_ERR_NULL_POINTER,
                         "model, prefix, c_path and h_path must not be NULL");
    }
    std::string error;
    const small_status s = small_import::write_c_source(
        model->data.description, "TFLite", prefix, c_path, h_path, &error);
    if (s != SMALL_OK) {
      small_tflite::fail(s, error);
    }
  });
}

} // extern "C"

const small_import::NetworkDescription *
small_import::tflite_model_description(const small_tflite_model *model) {
  return model != nullptr ? &model->data.description : nullptr;
}
