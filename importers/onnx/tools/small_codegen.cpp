// small-codegen: turns an ONNX model into C99 source that builds the same
// network through the SMaLL C API, without protobuf at run time.
//
//   small-codegen model.onnx -o model.c [--header model.h] [--name prefix]
//                [--rounding double|single] [--target cortex-m4|cortex-m55]
//                [--plan]
//
// The header defaults to the .c path with .h; the prefix (the build
// function is <prefix>_build) defaults to the model's file name. A .tflite
// model goes to the TFLite importer when the build has it; --rounding picks
// the requantization rounding its int8 layers are generated with, as
// small-run's does (ONNX models import as float and take no rounding);
// --target emits a .tflite model's int8 weights packed for that firmware
// build's kernels, which its network then uses in place (no copy, no
// packing on the device; only that build accepts them). --plan writes an
// int8 .tflite model as a compiled plan instead (small_plan.h: the tiles
// planned on the host too, <prefix>_init and <prefix>_run, no heap), for
// --target or, without it, for this build's kernels.
#include <cctype>
#include <cstdio>
#include <string>

#include "small/small.h"
#include "small/small_onnx.h"
#ifdef SMALL_WITH_TFLITE
#include "tflite_run.h"
#endif

namespace {

void usage() {
  std::fprintf(stderr, "usage: small-codegen model.onnx -o model.c "
                       "[--header model.h] [--name prefix]\n"
                       "                     [--rounding double|single]"
                       " [--target cortex-m4|cortex-m55] [--plan]\n");
}

std::string default_prefix(const std::string &path) {
  std::string base = path.substr(path.find_last_of('/') + 1);
  const size_t dot = base.find('.');
  if (dot != std::string::npos) {
    base = base.substr(0, dot);
  }
  std::string out;
  for (char c : base) {
    out += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  }
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) {
    out = "model_" + out;
  }
  return out;
}

} // namespace

int main(int argc, char **argv) {
  std::string model_path, c_path, h_path, prefix, rounding, target;
  bool plan = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "-o" || a == "--header" || a == "--name") && i + 1 < argc) {
      (a == "-o" ? c_path : a == "--header" ? h_path : prefix) = argv[++i];
    } else if (a == "--plan") {
      plan = true;
    } else if (a == "--target" && i + 1 < argc) {
      target = argv[++i];
    } else if (a == "--rounding" && i + 1 < argc) {
      rounding = argv[++i];
      if (rounding != "double" && rounding != "single") {
        std::fprintf(stderr,
                     "small-codegen: --rounding must be double or single\n");
        return 2;
      }
    } else if (a == "-h" || a == "--help") {
      usage();
      return 0;
    } else if (!a.empty() && a[0] != '-' && model_path.empty()) {
      model_path = a;
    } else {
      usage();
      return 2;
    }
  }
  if (model_path.empty() || c_path.empty()) {
    usage();
    return 2;
  }
  if (h_path.empty()) {
    const size_t dot = c_path.rfind(".c");
    h_path = (dot != std::string::npos && dot + 2 == c_path.size()
                  ? c_path.substr(0, dot)
                  : c_path) +
             ".h";
  }
  if (prefix.empty()) {
    prefix = default_prefix(model_path);
  }
#ifdef SMALL_WITH_TFLITE
  if (is_tflite_path(model_path)) {
    return tflite_codegen(model_path, c_path, h_path, prefix,
                          rounding == "single" ? SMALL_ROUNDING_SINGLE
                                               : SMALL_ROUNDING_DOUBLE,
                          target, plan);
  }
#endif
  if (!target.empty() || plan) {
    std::fprintf(stderr, "small-codegen: --target and --plan apply to int8 "
                         ".tflite models only\n");
    return 2;
  }
  if (!rounding.empty()) {
    std::fprintf(stderr, "small-codegen: --rounding applies to int8 .tflite "
                         "models only\n");
    return 2;
  }
  small_onnx_options opt;
  small_onnx_options_init(&opt);
  opt.finalize = 0; // the tables are all we need
  small_onnx_model *model = nullptr;
  small_status s = small_onnx_import_file(model_path.c_str(), &opt, &model);
  if (s == SMALL_OK) {
    s = small_onnx_model_write_c(model, prefix.c_str(), c_path.c_str(),
                                 h_path.c_str());
  }
  if (s != SMALL_OK) {
    std::fprintf(stderr, "small-codegen: %s: %s\n", small_status_string(s),
                 small_onnx_last_error());
    small_onnx_model_destroy(model);
    return 1;
  }
  std::printf("small-codegen: wrote %s and %s (%s_build)\n", c_path.c_str(),
              h_path.c_str(), prefix.c_str());
  small_onnx_model_destroy(model);
  return 0;
}
