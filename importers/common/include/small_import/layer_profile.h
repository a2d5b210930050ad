// small-run --profile, shared by the ONNX and TFLite runners: per-layer
// medians from the core's profiling counters, printed as key=value lines.
#ifndef SMALL_IMPORT_LAYER_PROFILE_H
#define SMALL_IMPORT_LAYER_PROFILE_H

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "small/small.h"

namespace small_import {

double median(std::vector<double> v);

// A name as one key=value token: blanks, '=' and control bytes -> '_'.
std::string token(const char *name);

// Runs `run` (one inference) once to warm up, then `runs` times with the
// network's per-layer timing on, and prints one line per executed layer,
//   profile index=I op=OP name=NAME median_us=T macs=M gflops=G threads=N
// then `profile total runs= layers= median_us= layer_sum_median_us= macs=
// gflops=` (the median whole run and the median of the layers' sums).
// `layer_name(i)` names executed layer i (nullptr: the core's layer name).
// Returns false, with the core's message in small_last_error(), if a run or
// a query fails. Profiling is off again afterwards.
bool print_layer_profile(small_network *net, long runs,
                         const std::function<small_status()> &run,
                         const std::function<const char *(size_t)> &layer_name);

} // namespace small_import

#endif
