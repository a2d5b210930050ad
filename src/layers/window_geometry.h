// Fills the engine's WindowGeometry from a layer's spec (ConvSpec or
// PoolSpec: both name their window fields alike) and output shape: the one
// place conv and pool describe their window to the engine.
#ifndef SMALL_LAYERS_WINDOW_GEOMETRY_H
#define SMALL_LAYERS_WINDOW_GEOMETRY_H

#include "engine/window_loop.h"
#include "graph/shape.h"

namespace small {

template <typename Spec>
WindowGeometry window_geometry(const Spec &s, const Shape &output) {
  WindowGeometry g;
  g.batch = s.input.n;
  g.in_c = s.input.c;
  g.in_h = s.input.h;
  g.in_w = s.input.w;
  g.out_c = output.c;
  g.out_h = output.h;
  g.out_w = output.w;
  g.kernel_h = s.kernel_h;
  g.kernel_w = s.kernel_w;
  g.stride_h = s.stride_h;
  g.stride_w = s.stride_w;
  g.dilation_h = s.dilation_h;
  g.dilation_w = s.dilation_w;
  g.pad_top = s.pad_top;
  g.pad_left = s.pad_left;
  return g;
}

} // namespace small

#endif
