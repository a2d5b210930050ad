// The .tflite side of small-run and small-codegen (importers/onnx/tools):
// each tool hands a model whose bytes or name say TFLite to these.
#ifndef SMALL_TFLITE_TOOLS_TFLITE_RUN_H
#define SMALL_TFLITE_TOOLS_TFLITE_RUN_H

#include <string>

#include "small/small.h"

// Whether `path` names a .tflite model (its extension, or the "TFL3" file
// identifier in its first 8 bytes).
bool is_tflite_path(const std::string &path);

// small-run on a .tflite model; returns the process exit code.
int tflite_run_main(int argc, char **argv);

// small-codegen on a .tflite model: imports `model_path` with `rounding`
// and writes the C files; returns the process exit code. A non-empty
// `target` ("cortex-m4", "cortex-m55") emits the int8 weights packed for
// that firmware build's kernels. With `plan`, the files hold the
// compiled plan (small_plan.h) for `target`, or for this build's kernels
// when it is empty, instead of a build function.
int tflite_codegen(const std::string &model_path, const std::string &c_path,
                   const std::string &h_path, const std::string &prefix,
                   small_rounding rounding, const std::string &target,
                   bool plan);

#endif
