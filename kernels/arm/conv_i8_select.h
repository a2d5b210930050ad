// The selector of an ARM int8 convolution family: the variant for a shape's
// width, input kind (blocked or planar) and pixel step, compile-time for
// stride 1 and 2 (Cb or 2 Cb for a blocked input, 1 or 2 for a planar one)
// so that the input loads use immediate offsets. K provides
// `template <int W, size_t STEP> static void blocked(...)` and `planar(...)`,
// both small_window_i8_fn.
#ifndef SMALL_KERNELS_ARM_CONV_I8_SELECT_H
#define SMALL_KERNELS_ARM_CONV_I8_SELECT_H

#include <algorithm>
#include <cstddef>
#include <utility>

#include "kernel_contract.h"

namespace small::arm {

template <class K, bool PLANAR, size_t STEP, int... Ws>
small_window_i8_fn conv_i8_by_width(size_t width,
                                    std::integer_sequence<int, Ws...>) {
  static constexpr small_window_i8_fn by_width[] = {
      PLANAR ? K::template planar<Ws + 1, STEP>
             : K::template blocked<Ws + 1, STEP>...};
  // The engine never passes more than the table's conv_max_width.
  return by_width[std::min(width, sizeof...(Ws)) - 1];
}

template <class K, bool PLANAR, size_t UNIT, int MAX_W>
small_window_i8_fn conv_i8_by_step(const small_window_shape &s) {
  using Widths = std::make_integer_sequence<int, MAX_W>;
  if (s.in_pixel_step == UNIT) {
    return conv_i8_by_width<K, PLANAR, UNIT>(s.width, Widths{});
  }
  if (s.in_pixel_step == 2 * UNIT) {
    return conv_i8_by_width<K, PLANAR, 2 * UNIT>(s.width, Widths{});
  }
  return conv_i8_by_width<K, PLANAR, 0>(s.width, Widths{});
}

template <class K, size_t CB, int MAX_W>
small_window_i8_fn conv_i8_select(const small_window_shape *s) {
  return s->in_lanes == 1 ? conv_i8_by_step<K, true, 1, MAX_W>(*s)
                          : conv_i8_by_step<K, false, CB, MAX_W>(*s);
}

} // namespace small::arm

#endif
