// In-network per-layer times for the layer benchmark: each MLPerf Tiny
// .tflite model run whole with profiling on (and depthwise-pointwise fusion
// off, so that every layer runs as one), the median time of every
// executed layer over many runs, so that a layer measured alone (warm, its
// input and weights in cache from its own previous run) can be set beside
// the same layer inside its network (its input just written by the layer
// before, its weights evicted by the others').
#ifndef SMALL_BENCH_IN_NETWORK_H
#define SMALL_BENCH_IN_NETWORK_H

#include <cstdint>
#include <string>
#include <vector>

#include "small/small.h"

namespace small_bench {

struct NetworkLayerTime {
  small_layer_kind kind;
  uint32_t in_c, in_h, in_w, out_c, out_h, out_w;
  uint64_t macs;
  double median_us;
};

// Runs `model` ("<dir>/<net>.<dtype>.tflite") on `input` (its sample, raw
// NHWC) `runs` times after 20 warm-up runs with profiling on; empty (and a
// message on stderr) if the model cannot be imported or run.
std::vector<NetworkLayerTime> profile_network(const std::string &model,
                                              const std::string &input,
                                              bool int8, int runs);

// The median of the in-network times of the layers with this kind, input,
// output and MAC count (identical layers of one network, e.g. MobileNet's
// five 128-channel blocks); count receives how many matched (0: none).
double in_network_median_us(const std::vector<NetworkLayerTime> &layers,
                            small_layer_kind kind, uint32_t in_c, uint32_t in_h,
                            uint32_t in_w, uint32_t out_c, uint32_t out_h,
                            uint32_t out_w, uint64_t macs, size_t &count);

} // namespace small_bench

#endif
