// A whole-row depthwise tile (kernel_contract.h, depthwise_rows) computed
// the way the engine computes those pixels without one: each output pixel a
// one-pixel tile of the scalar depthwise kernel over its window, clipped to
// the row's columns. The oracle of the whole-row kernels and of the
// engine's whole-row plans.
#ifndef SMALL_TESTS_KERNELS_WHOLE_ROWS_BY_PIXELS_H
#define SMALL_TESTS_KERNELS_WHOLE_ROWS_BY_PIXELS_H

#include <cstddef>

#include "kernel_contract.h"
#include "kernels/tile_shape.h"

inline void whole_rows_by_pixels(const small_window_tile &t) {
  const small_kernel_table scalar = small_kernels_scalar(t.cb);
  for (size_t i = 0; i < t.rows; ++i) {
    for (size_t j = 0; j < t.width; ++j) {
      // Tap column s reads input column j + s - 1: column 0 of the first
      // pixel and column 2 of the last fall in the padding.
      const size_t first = j == 0 ? 1 : 0;
      const size_t end = j + 1 == t.width ? 2 : 3;
      small_window_tile p = t;
      p.width = 1;
      p.rows = 1;
      p.taps_w = end - first;
      p.in = t.in + i * t.in_tap_h_step + (j + first - 1) * t.in_tap_w_step;
      p.weights = t.weights + first * t.w_tap_w_step;
      p.out = t.out + (i * t.width + j) * t.out_pixel_step;
      const small_window_shape shape = shape_of(p);
      scalar.depthwise (&shape)(&p);
    }
  }
}

#endif
