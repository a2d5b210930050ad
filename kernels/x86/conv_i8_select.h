// The selector of an x86 int8 convolution family: the variant for a shape's
// width, output blocks, pixel step (compile-time for stride 1 and 2, so the
// input loads use immediate offsets) and input kind (blocked or planar).
// K provides `template <int W, int OB, size_t STEP> static void blocked(...)`
// and `planar(...)`, both small_window_i8_fn.
#ifndef SMALL_KERNELS_X86_CONV_I8_SELECT_H
#define SMALL_KERNELS_X86_CONV_I8_SELECT_H

#include <algorithm>
#include <cstddef>
#include <utility>

#include "kernel_contract.h"

namespace small::x86 {

template <class K, int OB, size_t STEP, int... Ws>
small_window_i8_fn conv_i8_by_width(const small_window_shape &s,
                                    std::integer_sequence<int, Ws...>) {
  static constexpr small_window_i8_fn blocked[] = {
      K::template blocked<Ws + 1, OB, STEP>...};
  static constexpr small_window_i8_fn planar[] = {
      K::template planar<Ws + 1, OB, STEP>...};
  // The engine never passes more than the table's conv_max_width.
  const size_t w = std::min(s.width, sizeof...(Ws)) - 1;
  return s.in_lanes == 1 ? planar[w] : blocked[w];
}

template <class K, size_t CB, int MAX_W, int OB>
small_window_i8_fn conv_i8_select_steps(const small_window_shape &s) {
  using Widths = std::make_integer_sequence<int, MAX_W>;
  switch (s.in_pixel_step) {
  case 1:
    return conv_i8_by_width<K, OB, 1>(s, Widths{});
  case 2:
    return conv_i8_by_width<K, OB, 2>(s, Widths{});
  case CB:
    return conv_i8_by_width<K, OB, CB>(s, Widths{});
  case 2 * CB:
    return conv_i8_by_width<K, OB, 2 * CB>(s, Widths{});
  default:
    return conv_i8_by_width<K, OB, 0>(s, Widths{});
  }
}

// Tiles of one or (when the table pairs output blocks) two output blocks.
template <class K, size_t CB, int MAX_W, int MAX_OB>
small_window_i8_fn conv_i8_select(const small_window_shape *s) {
  if constexpr (MAX_OB >= 2) {
    if (s->out_blocks == 2) {
      return conv_i8_select_steps<K, CB, MAX_W, 2>(*s);
    }
  }
  return conv_i8_select_steps<K, CB, MAX_W, 1>(*s);
}

} // namespace small::x86

#endif
