// Small queries of a finalized network that the fusion and memory-plan
// tests share: its executed layer count, its arena size, and output 0 of a
// run (every output buffer NaN-filled first, so an element a layer left
// unwritten shows).
#ifndef SMALL_TESTS_COMMON_NETWORK_QUERIES_H
#define SMALL_TESTS_COMMON_NETWORK_QUERIES_H

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "common/require_ok.h"
#include "small/small.h"

inline size_t layer_count(small_network *net) {
  size_t n = 0;
  REQUIRE_OK(small_network_layer_count(net, &n));
  return n;
}

inline size_t arena_of(small_network *net) {
  size_t bytes = 0;
  REQUIRE_OK(small_network_arena_size(net, &bytes));
  return bytes;
}

// Output 0 of a run of the network's one input on `input` (NCHW).
inline std::vector<float> run_output0(small_network *net,
                                      const std::vector<float> &input) {
  size_t outputs = 0;
  REQUIRE_OK(small_network_output_count(net, &outputs));
  std::vector<std::vector<float>> out(outputs);
  std::vector<float *> ptrs;
  for (size_t i = 0; i < outputs; ++i) {
    uint32_t d[4];
    REQUIRE_OK(small_network_output_shape(net, i, d));
    out[i].assign(size_t{d[0]} * d[1] * d[2] * d[3],
                  std::numeric_limits<float>::quiet_NaN());
    ptrs.push_back(out[i].data());
  }
  const float *in = input.data();
  REQUIRE_OK(
      small_network_run(net, &in, 1, ptrs.data(), outputs, SMALL_LAYOUT_NCHW));
  return out[0];
}

#endif
