// The engines under test behind one interface, and the interleaved timing
// they all go through.
#ifndef SMALL_BENCH_BENCH_ROUNDS_H
#define SMALL_BENCH_BENCH_ROUNDS_H

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "small/small.h"

namespace small_bench {

// One engine running one model at one thread count; its output has been
// checked before it is made a Runner.
struct Runner {
  std::string engine;
  const char *dtype = "fp32";  // "fp32" or "int8"
  const char *format = "onnx"; // the model file it runs: "onnx" or "tflite"
  int threads = 1;
  std::string detail; // for the report: how it runs, what it was checked by
  uint64_t macs = 0;
  // Largest difference from the reference output: absolute for fp32, in
  // quantization steps of the output for int8.
  double max_abs_diff = 0;
  std::function<void()> run;   // one inference on the engine's own buffers
  std::shared_ptr<void> state; // owns what run() uses
  std::vector<double> seconds; // one entry per timed run
};

// Gives `network` a pool of `threads` threads (none for 1) and says so in
// *detail ("pool of 2 threads, fork/join 1234 ns"); the caller destroys
// *pool after the network. false with *why on failure.
bool attach_threadpool(small_network *network, int threads,
                       small_threadpool **pool, std::string *detail,
                       std::string *why);

// Runs every runner in turn, round after round; each round times a batch of
// single runs of about round_seconds per runner.
void time_interleaved(std::vector<Runner> &runners, int rounds,
                      double round_seconds);

} // namespace small_bench

#endif
