// AVX2 convolution tile: up to 6 output pixels x 16 output channels, the
// x86 template (x86/conv_tile.h) with two ymm per pixel.
//
// Why 6x16: Cb = 16 is two ymm per pixel. 6 pixels x 2 = 12 accumulators,
// plus 2 weight vectors and 1 broadcast input = 15 of the 16 ymm registers.
// Per input channel that is 2 weight loads + 6 broadcasts for 12 FMAs, which
// keeps both FMA ports busy within the 2-3 loads per cycle of current cores,
// and 12 independent chains cover the 4-5 cycle FMA latency.
//
// A planar input into at most 8 channels takes tiles of up to 12 pixels of
// one ymm (kPlanarMaxWidth).
//
// Dense layers (one output pixel) take one-pixel tiles of up to 4 blocks
// instead (kDenseOutBlocks): such a tile is a matrix-vector product bound by
// streaming its weights, and 4 blocks make 4 weight streams in flight where
// one block made 1 (AVX2's dense layers 1.4x faster, docs/benchmarks.md).
#include "kernels.h"
#include "vec.h"
#include "x86/conv_tile.h"

namespace small::avx2 {

small_window_fn select_conv_f32_6x16__avx2(const small_window_shape *s) {
  if (s->width > 6) {
    // Only a planar layer into at most 8 channels gets these
    // (kPlanarMaxWidth): its one-ymm tiles.
    return x86::conv_select_planar_wide<Vec, 16, 7, kPlanarMaxWidth, 1>(*s);
  }
  if (s->out_blocks > 1) {
    return x86::conv_select_dense<Vec, 16, kDenseOutBlocks>(*s);
  }
  return x86::conv_select<Vec, 16, 6, 1>(*s);
}

} // namespace small::avx2
