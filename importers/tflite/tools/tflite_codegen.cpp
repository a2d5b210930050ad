// small-codegen for .tflite models (tflite_run.h): the C that builds the
// network through the C API, with --target its int8 weights packed for a
// firmware build's kernels, or with --plan its compiled plan.
#include "tflite_run.h"

#include <cstdio>
#include <string>
#include <vector>

#include "small/small.h"
#include "small/small_plan.h"
#include "small/small_tflite.h"
#include "small_import/c_codegen.h"
#include "small_import/c_plan.h"
#include "small_import/tflite_description.h"

namespace {

// The kernel configuration (channel block, int8 k-group) of a firmware
// target: kernels/cortex-m4 and kernels/helium (their kernels.h).
bool target_packing(const std::string &target, uint32_t &cb,
                    uint32_t &k_group) {
  if (target == "cortex-m4") {
    cb = 8;
    k_group = 4;
  } else if (target == "cortex-m55") {
    cb = 16;
    k_group = 16;
  } else {
    return false;
  }
  return true;
}

// Finalizes the model's network for the target `packed.name` (its whole
// table geometry, small_network_set_target) and collects its packed int8
// weights in layer order and its arena size.
small_status pack_for_target(small_tflite_model *model,
                             small_import::PackedTarget &packed) {
  small_network *net = small_tflite_model_network(model);
  small_status s = net == nullptr ? SMALL_ERR_INVALID_STATE : SMALL_OK;
  if (s == SMALL_OK) {
    s = small_network_set_target(net, packed.name.c_str());
  }
  if (s == SMALL_OK) {
    s = small_network_finalize(net);
  }
  size_t layers = 0;
  if (s == SMALL_OK) {
    s = small_network_layer_count(net, &layers);
  }
  if (s == SMALL_OK) {
    s = small_network_arena_size(net, &packed.arena_bytes);
  }
  for (size_t i = 0; s == SMALL_OK && i < layers; ++i) {
    small_int8_packed_weights w;
    const small_status found = small_network_packed_weights(net, i, &w);
    if (found == SMALL_ERR_NOT_FOUND) {
      continue; // a layer without int8 weights
    }
    s = found;
    if (s == SMALL_OK) {
      packed.layers.push_back(
          {std::vector<int8_t>(w.packed, w.packed + w.bytes), w.layout,
           std::vector<int32_t>(w.requant, w.requant + w.requant_count)});
    }
  }
  return s;
}

// Finalizes the model's network for `target` (this build's kernels when
// empty) and writes its compiled plan; returns the exit code.
int plan_codegen(small_tflite_model *model, const std::string &c_path,
                 const std::string &h_path, const std::string &prefix,
                 const std::string &target) {
  small_network *net = small_tflite_model_network(model);
  small_status s = SMALL_OK;
  if (!target.empty()) {
    s = small_network_set_target(net, target.c_str());
  }
  if (s == SMALL_OK) {
    s = small_network_finalize(net);
  }
  small_plan_export *exported = nullptr;
  if (s == SMALL_OK) {
    s = small_network_export_plan(net, &exported);
  }
  if (s != SMALL_OK) {
    std::fprintf(stderr, "small-codegen: %s: %s\n", small_status_string(s),
                 small_last_error());
    return 1;
  }
  std::string message;
  s = small_import::write_exported_plan_c_source(
      exported, target, "TFLite", prefix, c_path, h_path, &message);
  small_plan_export_destroy(exported);
  if (s != SMALL_OK) {
    std::fprintf(stderr, "small-codegen: %s: %s\n", small_status_string(s),
                 message.c_str());
    return 1;
  }
  std::printf("small-codegen: wrote %s and %s (%s_plan, %s_init, %s_run)\n",
              c_path.c_str(), h_path.c_str(), prefix.c_str(), prefix.c_str(),
              prefix.c_str());
  return 0;
}

} // namespace

int tflite_codegen(const std::string &model_path, const std::string &c_path,
                   const std::string &h_path, const std::string &prefix,
                   small_rounding rounding, const std::string &target,
                   bool plan) {
  small_import::PackedTarget packed;
  packed.name = target;
  if (!target.empty() &&
      !target_packing(target, packed.channel_block, packed.k_group)) {
    std::fprintf(stderr, "small-codegen: --target must be cortex-m4 or "
                         "cortex-m55\n");
    return 2;
  }
  small_tflite_options opt;
  small_tflite_options_init(&opt);
  opt.finalize = 0; // the description is all the generator needs
  opt.rounding = rounding;
  small_tflite_model *model = nullptr;
  small_status s = small_tflite_import_file(model_path.c_str(), &opt, &model);
  if (s == SMALL_OK && plan) {
    const int rc = plan_codegen(model, c_path, h_path, prefix, target);
    small_tflite_model_destroy(model);
    return rc;
  }
  const char *error = nullptr;
  if (s == SMALL_OK && !target.empty()) {
    s = pack_for_target(model, packed);
    error = small_last_error();
  }
  if (s == SMALL_OK && target.empty()) {
    s = small_tflite_model_write_c(model, prefix.c_str(), c_path.c_str(),
                                   h_path.c_str());
  } else if (s == SMALL_OK) {
    std::string message;
    s = small_import::write_c_source(
        *small_import::tflite_model_description(model), "TFLite", prefix,
        c_path, h_path, &message, &packed);
    if (s != SMALL_OK) {
      std::fprintf(stderr, "small-codegen: %s: %s\n", small_status_string(s),
                   message.c_str());
      small_tflite_model_destroy(model);
      return 1;
    }
  }
  if (s != SMALL_OK) {
    std::fprintf(stderr, "small-codegen: %s: %s\n", small_status_string(s),
                 error != nullptr ? error : small_tflite_last_error());
    small_tflite_model_destroy(model);
    return 1;
  }
  small_tflite_model_destroy(model);
  std::printf("small-codegen: wrote %s and %s (%s_build)\n", c_path.c_str(),
              h_path.c_str(), prefix.c_str());
  return 0;
}
