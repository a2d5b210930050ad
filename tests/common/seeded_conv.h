// A Conv2D of seeded weights and bias (seeded_values(seed), seed + 1000),
// SAME padding, added through the C API: the memory-plan and fusion tests'
// networks.
#ifndef SMALL_TESTS_COMMON_SEEDED_CONV_H
#define SMALL_TESTS_COMMON_SEEDED_CONV_H

#include <cstdint>
#include <vector>

#include "common/require_ok.h"
#include "common/seeded_values.h"
#include "small/small.h"

inline small_tensor seeded_conv(small_network *net, small_tensor in,
                                uint32_t cin, uint32_t cout, uint32_t k,
                                uint32_t stride, small_activation_kind act,
                                uint32_t seed) {
  small_conv2d_params p;
  small_conv2d_params_init(&p);
  p.out_channels = cout;
  p.kernel_h = p.kernel_w = k;
  p.stride_h = p.stride_w = stride;
  p.padding_mode = SMALL_PADDING_SAME;
  p.activation = small_activation_make(act);
  const std::vector<float> w = seeded_values(size_t{cout} * cin * k * k, seed);
  const std::vector<float> b = seeded_values(cout, seed + 1000);
  small_tensor out = -1;
  REQUIRE_OK(small_network_add_conv2d(net, in, &p, w.data(), b.data(), &out));
  return out;
}

#endif
