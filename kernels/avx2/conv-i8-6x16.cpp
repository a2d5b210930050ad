// AVX2 int8 convolution tile: up to 6 output pixels x one block of Cb = 16
// channels (the float tile's shape, conv-f32-6x16.cpp), on 16-bit pair
// products (x86/conv_i8_madd_tile.h; conv_i8_k_group 2). AVX2 has no exact
// 8-bit dot product (vpmaddubsw saturates its int16 sums), so inputs minus
// the zero point and weights go to int16 and vpmaddwd sums pairs into int32.
// A block is two ymm (x86/vec_i8_pair.h): 12 accumulators + 2 weight vectors
// + the broadcast input pair = 15 of the 16 ymm registers.
#include "kernels.h"
#include "vec_i8.h"
#include "x86/conv_i8_madd_tile.h"
#include "x86/conv_i8_select.h"
#include "x86/vec_i8_pair.h"

namespace small::avx2 {

namespace {
// B: VecI8Pair, or VecI8LowPair for a block with at most 8 channels (its
// high ymm is padding, skipped).
template <class B> struct MaddTiles {
  template <int W, int OB, size_t STEP>
  static void blocked(const small_window_tile_i8 *t) {
    x86::conv_i8_madd_tile<B, W, OB, STEP>(t);
  }
  template <int W, int OB, size_t STEP>
  static void planar(const small_window_tile_i8 *t) {
    x86::conv_i8_planar_tile<B, W, OB, STEP>(t);
  }
};
} // namespace

small_window_i8_fn select_conv_i8_6x16__avx2(const small_window_shape *s) {
  if (s->out_lanes <= VecI8::kLanes) {
    return x86::conv_i8_select<MaddTiles<x86::VecI8LowPair<VecI8>>, 16, 6, 1>(
        s);
  }
  return x86::conv_i8_select<MaddTiles<x86::VecI8Pair<VecI8>>, 16, 6, 1>(s);
}

} // namespace small::avx2
