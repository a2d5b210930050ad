// What the importers' real-model tests share: read a float32 file, run an
// imported network on one sample and compare its output with a peer's
// (ONNX Runtime, LiteRT) within atol + rtol * |want|, element by element,
// and the predicted class. Catch2 assertions.
#ifndef SMALL_TESTS_COMMON_GOLDEN_RUN_H
#define SMALL_TESTS_COMMON_GOLDEN_RUN_H

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "small/small.h"

namespace small_test {

inline std::vector<float> read_floats(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  INFO(path);
  REQUIRE(f);
  std::vector<char> b((std::istreambuf_iterator<char>(f)),
                      std::istreambuf_iterator<char>());
  REQUIRE(b.size() % sizeof(float) == 0);
  std::vector<float> v(b.size() / sizeof(float));
  std::copy(b.begin(), b.end(), reinterpret_cast<char *>(v.data()));
  return v;
}

inline size_t argmax(const std::vector<float> &v) {
  return static_cast<size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

struct GoldenSample {
  const char *name;  // for the report
  const char *peer;  // who computed `want`
  double atol, rtol; // per element: |got - want| <= atol + rtol |want|
  int label;         // expected argmax, -1: none
};

// Runs the single-input, single-output `net` on `in` (in `layout`) and
// checks its output against `want`; prints the largest difference.
inline void check_golden_run(small_network *net, const std::vector<float> &in,
                             const std::vector<float> &want,
                             small_layout layout, const GoldenSample &g) {
  uint32_t din[4], dout[4];
  REQUIRE(small_network_input_shape(net, 0, din) == SMALL_OK);
  REQUIRE(small_network_output_shape(net, 0, dout) == SMALL_OK);
  REQUIRE(size_t{din[0]} * din[1] * din[2] * din[3] == in.size());
  REQUIRE(size_t{dout[0]} * dout[1] * dout[2] * dout[3] == want.size());
  std::vector<float> got(want.size(), NAN);
  const float *ins[1] = {in.data()};
  float *outs[1] = {got.data()};
  REQUIRE(small_network_run(net, ins, 1, outs, 1, layout) == SMALL_OK);
  double worst = 0.0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double d = std::fabs(double{got[i]} - double{want[i]});
    worst = std::max(worst, d);
    INFO(g.name << " output " << i << ": " << got[i] << ", " << g.peer << " "
                << want[i]);
    CHECK(d <= g.atol + g.rtol * std::fabs(double{want[i]}));
  }
  std::printf("%-16s max |SMaLL - %s| = %.3g (atol %g, rtol %g)\n", g.name,
              g.peer, worst, g.atol, g.rtol);
  if (g.label >= 0) {
    CHECK(argmax(got) == static_cast<size_t>(g.label));
    CHECK(argmax(got) == argmax(want));
  }
}

} // namespace small_test

#endif
