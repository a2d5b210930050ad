// The segments of a convolution tile's window, (input block, tap row, tap)
// in that order, shared by the Cortex-M kernel folders that list them per
// tile: each segment's input and weight offsets (from the tile's in and
// weights) and its block, stepped from one segment to the next. The tile's
// fields are read once into the walk: the lists the kernels fill could alias
// the tile for the compiler, which then reloaded every field per segment,
// and the offsets advance by their steps instead of three multiply-adds.
// The unsigned wrap of the steps back to a row's or a block's start is
// exact.
#ifndef SMALL_KERNELS_CORTEX_M_WINDOW_WALK_H
#define SMALL_KERNELS_CORTEX_M_WINDOW_WALK_H

#include <cstddef>

#include "kernel_contract.h"

namespace small::cortex_m {

class WindowWalk {
public:
  // At segment `first` of the window.
  WindowWalk(const small_window_tile_i8 *t, size_t first)
      : taps_w_(t->taps_w), taps_h_(t->taps_h), in_col_(t->in_tap_w_step),
        in_row_(t->in_tap_h_step), in_block_(t->in_block_step),
        w_col_(t->w_tap_w_step), w_row_(t->w_tap_h_step),
        w_block_(t->w_block_step), s_(first % taps_w_),
        r_(first / taps_w_ % taps_h_) {
    block = first / taps_w_ / taps_h_;
    in = block * in_block_ + r_ * in_row_ + s_ * in_col_;
    w = block * w_block_ + r_ * w_row_ + s_ * w_col_;
  }

  // To the next segment.
  void next() {
    in += in_col_;
    w += w_col_;
    if (++s_ == taps_w_) {
      s_ = 0;
      in += in_row_ - taps_w_ * in_col_;
      w += w_row_ - taps_w_ * w_col_;
      if (++r_ == taps_h_) {
        r_ = 0;
        ++block;
        in += in_block_ - taps_h_ * in_row_;
        w += w_block_ - taps_h_ * w_row_;
      }
    }
  }

  // The segments from this one to the end of its tap row.
  size_t row_left() const { return taps_w_ - s_; }

  // To the first segment of the next tap row: row_left() segments on.
  void next_row() {
    in += in_row_ - s_ * in_col_;
    w += w_row_ - s_ * w_col_;
    s_ = 0;
    if (++r_ == taps_h_) {
      r_ = 0;
      ++block;
      in += in_block_ - taps_h_ * in_row_;
      w += w_block_ - taps_h_ * w_row_;
    }
  }

  size_t in = 0, w = 0; // the segment's offsets
  size_t block = 0;     // its input block

private:
  size_t taps_w_, taps_h_;
  size_t in_col_, in_row_, in_block_;
  size_t w_col_, w_row_, w_block_;
  size_t s_, r_;
};

} // namespace small::cortex_m

#endif
