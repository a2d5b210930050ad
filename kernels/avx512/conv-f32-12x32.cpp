// AVX-512 convolution tile: up to 12 output pixels x 32 output channels (two
// blocks of Cb = 16; one block for an odd last block), the x86 template
// (x86/conv_tile.h) with one zmm per block.
//
// Why 12x32: Cb = 16 is one zmm, so a pixel's block is one accumulator.
// 12 pixels x 2 blocks = 24 accumulators + 2 weight vectors + 1 broadcast
// input = 27 of 32 zmm. Per input channel that is 2 weight loads and 12
// broadcasts for 24 FMAs: 0.58 loads per FMA, well inside 2 loads per cycle
// at 2 FMAs per cycle, where a 12x16 tile (13 loads per 12 FMAs) is
// load-bound. 24 chains hide the 4-cycle FMA latency; 12 divides the
// MobileNet widths (48, 24, 12).
//
// A layer of one output block (16 channels: ResNet-8's first stage,
// MobileNet's first pointwise layer) takes tiles of up to 16 pixels
// (kOneBlockMaxWidth): 16 accumulators, one weight load and 16 broadcast
// FMAs per input channel, so the tile's loop and epilogue costs spread over
// a third more FMAs than at 12 (ResNet-8's 16-channel 3x3 layer ~3.5%
// faster, MobileNet's first pointwise ~6%, in alternated runs; 24 pixels
// were slower). MobileNet's first pointwise layer (8 input channels) takes
// runs of up to 384 pixels instead (conv-f32-narrow-pointwise.cpp).
//
// Dense layers (one output pixel) take one-pixel tiles of up to 4 blocks
// (kDenseOutBlocks): 4 weight streams in flight for a product bound by
// streaming its weights.
#include "kernels.h"
#include "vec.h"
#include "x86/conv_tile.h"

namespace small::avx512 {

small_window_fn select_conv_f32_12x32__avx512(const small_window_shape *s) {
  if (conv_f32_planar_lanes_fit__avx512(s)) {
    return select_conv_f32_planar_lanes__avx512(s);
  }
  if (s->width > kOneBlockMaxWidth && s->in_lanes == 16) {
    return select_conv_f32_narrow_pointwise__avx512(s);
  }
  if (s->width > 12 && s->in_lanes == 16) {
    return x86::conv_select_one_block_wide<Vec, 16, 13, kOneBlockMaxWidth>(*s);
  }
  if (s->width > 12) {
    return select_conv_f32_planar_wide__avx512(s);
  }
  if (s->out_blocks > 2) {
    return x86::conv_select_dense<Vec, 16, kDenseOutBlocks>(*s);
  }
  return s->out_blocks == 2 ? x86::conv_select<Vec, 16, 12, 2>(*s)
                            : x86::conv_select<Vec, 16, 12, 1>(*s);
}

} // namespace small::avx512
