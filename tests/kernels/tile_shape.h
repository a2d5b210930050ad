// What a selector sees of a tile (kernel_contract.h): the fields the engine
// fixes when it plans a layer, copied from a tile.
#ifndef SMALL_TESTS_KERNELS_TILE_SHAPE_H
#define SMALL_TESTS_KERNELS_TILE_SHAPE_H

#include "kernel_contract.h"

inline small_window_shape shape_of(const small_window_tile &t) {
  small_window_shape s{};
  s.cb = t.cb;
  s.width = t.width;
  s.taps_h = t.taps_h;
  s.taps_w = t.taps_w;
  s.in_pixel_step = t.in_pixel_step;
  s.out_pixel_step = t.out_pixel_step;
  s.in_tap_w_step = t.in_tap_w_step;
  s.in_tap_h_step = t.in_tap_h_step;
  s.in_lanes = t.in_lanes;
  s.out_blocks = t.out_blocks;
  s.w_pixel_step = t.w_pixel_step;
  s.bias_pixel_step = t.bias_pixel_step;
  s.act = t.act.op;
  s.out_lanes = t.cb; // a narrow-output case sets its own
  return s;
}

inline bool same_shape(const small_window_shape &a,
                       const small_window_shape &b) {
  return a.cb == b.cb && a.width == b.width && a.taps_h == b.taps_h &&
         a.taps_w == b.taps_w && a.in_pixel_step == b.in_pixel_step &&
         a.out_pixel_step == b.out_pixel_step &&
         a.in_tap_w_step == b.in_tap_w_step &&
         a.in_tap_h_step == b.in_tap_h_step && a.in_lanes == b.in_lanes &&
         a.out_blocks == b.out_blocks && a.w_pixel_step == b.w_pixel_step &&
         a.bias_pixel_step == b.bias_pixel_step && a.act == b.act &&
         a.out_lanes == b.out_lanes && a.whole_image == b.whole_image;
}

#endif
