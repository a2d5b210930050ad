// A whole-row depthwise tile (kernel_contract.h, depthwise_rows; stride 1
// or 2) computed the way the engine computes those pixels without one: each
// output pixel a one-pixel tile of the scalar depthwise kernel over its
// window, clipped to the row's columns (and, for a whole image, to the
// image's rows). The oracle of the whole-row kernels and of the engine's
// whole-row plans.
#ifndef SMALL_TESTS_KERNELS_WHOLE_ROWS_BY_PIXELS_H
#define SMALL_TESTS_KERNELS_WHOLE_ROWS_BY_PIXELS_H

#include <algorithm>
#include <cstddef>

#include "kernel_contract.h"
#include "kernels/tile_shape.h"

// The taps [first, end) of a 3-tap window at output position `out` along
// an axis of `in_size` inputs, stride S, padded `pad` before the first.
struct InsideTaps {
  size_t first, end;
};
inline InsideTaps inside_taps(size_t out, size_t stride, size_t pad,
                              size_t in_size) {
  const size_t at = stride * out; // + the tap - pad
  return {at < pad ? pad - at : 0, std::min<size_t>(3, in_size + pad - at)};
}

// whole_image: the tile's rows are the whole image, padded above and below
// as along its rows, in each of its out_blocks channel blocks
// (small_window_shape::whole_image); else a band of one block, whose taps_h
// filter rows are all inside.
inline void whole_rows_by_pixels(const small_window_tile &t,
                                 bool whole_image = false) {
  if (whole_image && t.out_blocks > 1) {
    for (size_t k = 0; k < t.out_blocks; ++k) {
      small_window_tile b = t;
      b.out_blocks = 1;
      b.in += k * t.in_block_step;
      b.weights += k * t.w_block_step;
      b.bias += k * t.cb;
      b.out += k * t.out_block_step;
      whole_rows_by_pixels(b, true);
    }
    return;
  }
  const small_kernel_table scalar = small_kernels_scalar(t.cb);
  // Stride 1 pads one column on each side, stride 2 one on the right.
  const size_t stride = t.in_pixel_step / t.cb, pad = stride == 1 ? 1 : 0;
  const size_t pad_top = whole_image ? pad : 0;
  for (size_t i = 0; i < t.rows; ++i) {
    const InsideTaps rows = whole_image
                                ? inside_taps(i, stride, pad, stride * t.rows)
                                : InsideTaps{0, t.taps_h};
    for (size_t j = 0; j < t.width; ++j) {
      const InsideTaps columns = inside_taps(j, stride, pad, stride * t.width);
      small_window_tile p = t;
      p.width = 1;
      p.rows = 1;
      p.taps_h = rows.end - rows.first;
      p.taps_w = columns.end - columns.first;
      p.in_pixel_step = t.cb;
      p.in = t.in + (stride * i + rows.first - pad_top) * t.in_tap_h_step +
             (stride * j + columns.first - pad) * t.in_tap_w_step;
      p.weights = t.weights + rows.first * t.w_tap_h_step +
                  columns.first * t.w_tap_w_step;
      p.out = t.out + (i * t.width + j) * t.out_pixel_step;
      const small_window_shape shape = shape_of(p);
      scalar.depthwise (&shape)(&p);
    }
  }
}

#endif
