// Random layer geometry both generators share: Conv2D and pooling
// parameters (with the explicit padding the references compute, SAME
// worked out here from its definition rather than asked of the library),
// Reshape targets, and HWIO weight order.
#ifndef SMALL_TESTS_RANDOM_SHAPES_H
#define SMALL_TESTS_RANDOM_SHAPES_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "random/generator.h"
#include "small/small.h"

namespace rand_net {

// A layer's parameters as handed to the library (`api`) and as the
// references compute them (`ref`: the same with explicit padding).
struct ConvDraw {
  small_conv2d_params api, ref;
};
struct PoolDraw {
  small_pool2d_params api, ref;
};

// A Conv2D over an input of (c, h, w): regular, two groups, or depthwise
// with a depth multiplier of 1 to 3; kernels up to 5, strides and dilations
// up to 3, explicit (asymmetric, now and then as wide as the kernel), SAME
// or VALID padding, OIHW or HWIO. The activation is left NONE. False when
// the drawn filter does not fit the input (the caller draws another layer).
bool draw_conv(Rng &rng, const Limits &limits, uint32_t c, uint32_t h,
               uint32_t w, ConvDraw &d);
// Max or average pooling (either count_include_pad) over (h, w), windows up
// to 5x5; every window holds an input pixel.
void draw_pool(Rng &rng, const Limits &limits, uint32_t h, uint32_t w,
               PoolDraw &d);
// A Reshape of `size` elements: c a random divisor, h one of the rest.
void draw_reshape(Rng &rng, uint32_t size, uint32_t &c, uint32_t &h,
                  uint32_t &w);

std::string describe(const ConvDraw &d);
std::string describe(const PoolDraw &d);

// OIHW weights [out][in/groups][kh][kw] in HWIO order [kh][kw][in/groups][out].
template <typename T>
std::vector<T> to_hwio(const std::vector<T> &oihw, const small_conv2d_params &p,
                       size_t in_per_group) {
  const size_t out = p.out_channels, kh = p.kernel_h, kw = p.kernel_w;
  std::vector<T> hwio(oihw.size());
  for (size_t o = 0; o < out; ++o) {
    for (size_t i = 0; i < in_per_group; ++i) {
      for (size_t r = 0; r < kh; ++r) {
        for (size_t s = 0; s < kw; ++s) {
          hwio[((r * kw + s) * in_per_group + i) * out + o] =
              oihw[((o * in_per_group + i) * kh + r) * kw + s];
        }
      }
    }
  }
  return hwio;
}

} // namespace rand_net

#endif
