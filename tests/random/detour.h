// A quantized detour inside a float network: Quantize, an int8 layer or
// none, Dequantize. Only for a float tensor the test knows exactly (bound
// 0: an input, or copies of inputs), since quantizing a float32 result one
// rounding away from its float64 reference could land on the neighbouring
// int8 value; through the detour the values stay exact (reference_int8.cpp
// bit for bit, then a dequantization the test computes the same way).
#ifndef SMALL_TESTS_RANDOM_DETOUR_H
#define SMALL_TESTS_RANDOM_DETOUR_H

#include <sstream>
#include <vector>

#include "random/generator.h"
#include "random/reference64.h"
#include "small/small.h"

namespace rand_net {

// Adds the detour after float tensor `x` (whose batch items are `items`,
// every bound 0): `out` is its float result, `out_items` their references
// (bound 0). False, with the reason in `log`, if a call is refused.
bool quantized_detour(Rng &rng, const Limits &limits, small_network *net,
                      std::ostringstream &log, small_tensor x,
                      const std::vector<const ref64::Tensor *> &items,
                      small_tensor &out, std::vector<ref64::Tensor> &out_items);

} // namespace rand_net

#endif
