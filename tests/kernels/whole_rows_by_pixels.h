// A whole-row depthwise tile (kernel_contract.h, depthwise_rows; stride 1
// or 2) computed the way the engine computes those pixels without one: each
// output pixel a one-pixel tile of the scalar depthwise kernel over its
// window, clipped to the row's columns. The oracle of the whole-row kernels and
// of the engine's whole-row plans.
#ifndef SMALL_TESTS_KERNELS_WHOLE_ROWS_BY_PIXELS_H
#define SMALL_TESTS_KERNELS_WHOLE_ROWS_BY_PIXELS_H

#include <algorithm>
#include <cstddef>

#include "kernel_contract.h"
#include "kernels/tile_shape.h"

inline void whole_rows_by_pixels(const small_window_tile &t) {
  const small_kernel_table scalar = small_kernels_scalar(t.cb);
  // Stride 1 pads one column on each side, stride 2 one on the right.
  const size_t stride = t.in_pixel_step / t.cb, pad = stride == 1 ? 1 : 0;
  const size_t in_w = stride * t.width;
  for (size_t i = 0; i < t.rows; ++i) {
    for (size_t j = 0; j < t.width; ++j) {
      // Tap column s reads input column stride * j + s - pad, where inside.
      const size_t first = stride * j < pad ? pad - stride * j : 0;
      const size_t end = std::min<size_t>(3, in_w + pad - stride * j);
      small_window_tile p = t;
      p.width = 1;
      p.rows = 1;
      p.taps_w = end - first;
      p.in_pixel_step = t.cb;
      p.in = t.in + i * stride * t.in_tap_h_step +
             (stride * j + first - pad) * t.in_tap_w_step;
      p.weights = t.weights + first * t.w_tap_w_step;
      p.out = t.out + (i * t.width + j) * t.out_pixel_step;
      const small_window_shape shape = shape_of(p);
      scalar.depthwise (&shape)(&p);
    }
  }
}

#endif
