// The .tflite models in the network benchmark: SMaLL int8 (TFLite's
// reference double rounding, and LiteRT's single rounding), SMaLL fp32, and
// the int8 peers built from the same int8 model.
#ifndef SMALL_BENCH_TFLITE_BENCH_H
#define SMALL_BENCH_TFLITE_BENCH_H

#include <string>
#include <vector>

#include "bench_rounds.h"

namespace small_bench {

struct TfliteModel {
  const char *name;   // models/mlperf_tiny_tflite/<name>.{int8,fp32}.tflite
  const char *sample; // <sample>.int8.{input,expected,litert}.bin
  // The fp32 model's tolerance against LiteRT (its README); no fp32 model
  // when atol < 0.
  float fp32_atol, fp32_rtol;
};

// Adds to *runners every engine that reproduces the reference output of
// `m` (in `dir`) at each thread count; prints the arena of each SMaLL
// network, and a line for each engine that cannot run the model or does not
// match. Returns how many SMaLL networks failed (import or output).
int add_tflite_runners(const TfliteModel &m, const std::string &dir,
                       const std::vector<int> &threads,
                       std::vector<Runner> *runners);

} // namespace small_bench

#endif
