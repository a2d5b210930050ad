// x86 int8 average pooling (and mean over H x W) over an ISA's int32 vector
// traits, one lane per channel (Cb = V::kLanes), bit for bit the scalar
// tile (kernels/scalar/pool_i8.cpp): the sum of the taps minus taps * zp
// (the same int32 value as the sum of x - zp), the requantization of
// x86/requant_i8.h with the tile's one multiplier, the rounding division by
// the divisor, the output zero point and the clamp. Max pooling stays scalar
// (no MLPerf Tiny int8 model has one).
#ifndef SMALL_KERNELS_X86_POOL_I8_H
#define SMALL_KERNELS_X86_POOL_I8_H

#include <cstddef>
#include <cstdint>

#include "kernel_contract.h"
#include "x86/requant_i8.h"

namespace small::x86 {

template <class V> void avg_pool_i8(const small_window_tile_i8 *t) {
  using T = typename V::type;
  const RequantConsts<V> c(t);
  const ChannelRequant<V> q(V::set1(t->multiplier[0]), V::set1(t->shift[0]),
                            c.single);
  const int32_t taps = static_cast<int32_t>(t->taps_h * t->taps_w);
  const T zero_points = V::set1(static_cast<int32_t>(
      static_cast<uint32_t>(taps) * static_cast<uint32_t>(t->in_zero_point)));
  for (size_t j = 0; j < t->width; ++j) {
    const int8_t *in = t->in + j * t->in_pixel_step;
    T sum = V::set1(0);
    for (size_t r = 0; r < t->taps_h; ++r) {
      for (size_t s = 0; s < t->taps_w; ++s) {
        sum = V::add(
            sum, V::widen(in + r * t->in_tap_h_step + s * t->in_tap_w_step));
      }
    }
    const T scaled =
        multiply_by_quantized_multiplier<V>(V::sub(sum, zero_points), q);
    const T mean = V::rounding_divide(scaled, t->divisor);
    V::store_i8(t->out + j * t->out_pixel_step,
                V::min(V::max(V::add(mean, c.out_zp), c.lo), c.hi));
  }
}

template <class V>
small_window_i8_fn select_avg_pool_i8(const small_window_shape *) {
  return avg_pool_i8<V>;
}

} // namespace small::x86

#endif
