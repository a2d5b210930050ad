// extern "C" entry points of small_onnx: run the importer, map exceptions to
// statuses, keep the thread's last error.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "onnx_importer.h"
#include "small/small_onnx.h"
#include "small_import/c_codegen.h"
#include "small_import/import_error.h"
#include "small_import/onnx_description.h"

struct small_onnx_model {
  small_onnx::ImportResult data;
};

namespace {

thread_local std::string g_last_error;

template <typename F> small_status guarded(const char *fn, F &&body) {
  return small_import::guarded(g_last_error, fn, std::forward<F>(body));
}

using small_import::read_file;

small_onnx_options defaults() {
  small_onnx_options o;
  small_onnx_options_init(&o);
  return o;
}

void do_import(const void *data, size_t size, const small_onnx_options *opt,
               small_onnx_model **out) {
  if (out == nullptr) {
    small_onnx::fail(SMALL_ERR_NULL_POINTER, "out is NULL");
  }
  *out = nullptr;
  const small_onnx_options o = opt != nullptr ? *opt : defaults();
  auto model = std::make_unique<small_onnx_model>();
  try {
    small_onnx::import_model(data, size, o, model->data);
  } catch (...) {
    small_network_destroy(model->data.network);
    model->data.network = nullptr;
    throw;
  }
  *out = model.release();
}

} // namespace

extern "C" {

void small_onnx_options_init(small_onnx_options *options) {
  if (options == nullptr) {
    return;
  }
  *options = small_onnx_options{};
  options->finalize = 1;
  options->batch = 1;
  options->max_tensor_bytes = uint64_t{1} << 30;
}

const char *small_onnx_last_error(void) { return g_last_error.c_str(); }

small_status small_onnx_import_buffer(const void *data, size_t size,
                                      const small_onnx_options *options,
                                      small_onnx_model **out) {
  return guarded("small_onnx_import_buffer",
                 [&] { do_import(data, size, options, out); });
}

small_status small_onnx_import_file(const char *path,
                                    const small_onnx_options *options,
                                    small_onnx_model **out) {
  return guarded("small_onnx_import_file", [&] {
    if (out != nullptr) {
      *out = nullptr;
    }
    const std::vector<char> bytes = read_file(path);
    try {
      do_import(bytes.data(), bytes.size(), options, out);
    } catch (const small_onnx::ImportError &e) {
      throw small_onnx::ImportError(e.status(),
                                    std::string(path) + ": " + e.what());
    }
  });
}

small_status small_onnx_load_buffer(const void *data, size_t size,
                                    small_network **out) {
  return guarded("small_onnx_load_buffer", [&] {
    if (out == nullptr) {
      small_onnx::fail(SMALL_ERR_NULL_POINTER, "out is NULL");
    }
    *out = nullptr;
    small_onnx_model *m = nullptr;
    do_import(data, size, nullptr, &m);
    *out = small_onnx_model_take_network(m);
    small_onnx_model_destroy(m);
  });
}

small_status small_onnx_load_file(const char *path, small_network **out) {
  return guarded("small_onnx_load_file", [&] {
    if (out == nullptr) {
      small_onnx::fail(SMALL_ERR_NULL_POINTER, "out is NULL");
    }
    *out = nullptr;
    const std::vector<char> bytes = read_file(path);
    small_onnx_model *m = nullptr;
    try {
      do_import(bytes.data(), bytes.size(), nullptr, &m);
    } catch (const small_onnx::ImportError &e) {
      throw small_onnx::ImportError(e.status(),
                                    std::string(path) + ": " + e.what());
    }
    *out = small_onnx_model_take_network(m);
    small_onnx_model_destroy(m);
  });
}

void small_onnx_model_destroy(small_onnx_model *model) {
  if (model != nullptr) {
    small_network_destroy(model->data.network);
    delete model;
  }
}

small_network *small_onnx_model_network(small_onnx_model *model) {
  return model != nullptr ? model->data.network : nullptr;
}

small_network *small_onnx_model_take_network(small_onnx_model *model) {
  if (model == nullptr) {
    return nullptr;
  }
  small_network *n = model->data.network;
  model->data.network = nullptr;
  return n;
}

const char *small_onnx_model_graph_name(const small_onnx_model *model) {
  return model != nullptr ? model->data.description.graph_name.c_str() : "";
}

const char *small_onnx_model_input_name(const small_onnx_model *model,
                                        size_t index) {
  if (model == nullptr || index >= model->data.description.input_names.size()) {
    return nullptr;
  }
  return model->data.description.input_names[index].c_str();
}

const char *small_onnx_model_output_name(const small_onnx_model *model,
                                         size_t index) {
  if (model == nullptr ||
      index >= model->data.description.output_names.size()) {
    return nullptr;
  }
  return model->data.description.output_names[index].c_str();
}

size_t small_onnx_model_input_dims(const small_onnx_model *model, size_t index,
                                   int64_t dims[4]) {
  if (model == nullptr || dims == nullptr ||
      index >= model->data.input_dims.size()) {
    return 0;
  }
  const auto &d = model->data.input_dims[index];
  for (size_t k = 0; k < d.size() && k < 4; ++k) {
    dims[k] = d[k];
  }
  return d.size();
}

size_t small_onnx_model_output_dims(const small_onnx_model *model, size_t index,
                                    int64_t dims[4]) {
  if (model == nullptr || dims == nullptr ||
      index >= model->data.description.output_dims.size()) {
    return 0;
  }
  const auto &d = model->data.description.output_dims[index];
  for (size_t k = 0; k < d.size() && k < 4; ++k) {
    dims[k] = d[k];
  }
  return d.size();
}

size_t small_onnx_model_layer_count(const small_onnx_model *model) {
  return model != nullptr ? model->data.layers.size() : 0;
}

small_status small_onnx_model_layer(const small_onnx_model *model, size_t index,
                                    small_onnx_layer_info *info) {
  return guarded("small_onnx_model_layer", [&] {
    if (model == nullptr || info == nullptr) {
      small_onnx::fail(SMALL_ERR_NULL_POINTER, "model or info is NULL");
    }
    if (index >= model->data.layers.size()) {
      small_onnx::fail(SMALL_ERR_NOT_FOUND,
                       "layer index " + std::to_string(index) +
                           " >= " + std::to_string(model->data.layers.size()));
    }
    const small_onnx::LayerRow &r = model->data.layers[index];
    info->name = r.name.c_str();
    info->onnx_ops = r.onnx_ops.c_str();
    info->op = r.op.c_str();
    info->fused_into = r.fused_into.c_str();
    info->fused_ops = r.fused_ops.c_str();
    for (int k = 0; k < 4; ++k) {
      info->in_dims[k] = r.in_dims[k];
      info->out_dims[k] = r.out_dims[k];
    }
    info->macs = r.macs;
  });
}

uint64_t small_onnx_model_macs(const small_onnx_model *model) {
  return model != nullptr ? model->data.macs : 0;
}

const char *small_onnx_model_executed_layer_name(const small_onnx_model *model,
                                                 size_t index) {
  if (model == nullptr || index >= model->data.executed_names.size()) {
    return nullptr;
  }
  return model->data.executed_names[index].c_str();
}

small_status small_onnx_model_write_c(const small_onnx_model *model,
                                      const char *prefix, const char *c_path,
                                      const char *h_path) {
  return guarded("small_onnx_model_write_c", [&] {
    if (model == nullptr || prefix == nullptr || c_path == nullptr ||
        h_path == nullptr) {
      small_onnx::fail(SMALL_ERR_NULL_POINTER,
                       "model, prefix, c_path and h_path must not be NULL");
    }
    std::string error;
    const small_status s = small_import::write_c_source(
        model->data.description, "ONNX", prefix, c_path, h_path, &error);
    if (s != SMALL_OK) {
      small_onnx::fail(s, error);
    }
  });
}

} // extern "C"

const small_import::NetworkDescription *
small_import::onnx_model_description(const small_onnx_model *model) {
  return model != nullptr ? &model->data.description : nullptr;
}
