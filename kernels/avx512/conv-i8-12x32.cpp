// AVX-512 int8 convolution tile for CPUs without VNNI (Skylake-SP): the
// 16-bit pair-product template of the AVX2 build (x86/conv_i8_madd_tile.h,
// conv_i8_k_group 2) with one zmm per block of Cb = 16 channels, in the
// float tile's shape: 24 accumulators + 2 weight vectors + the broadcast
// input pair.
#include "kernels.h"
#include "vec_i8.h"
#include "x86/conv_i8_madd_tile.h"
#include "x86/conv_i8_select.h"

namespace small::avx512 {

namespace {
struct MaddTiles {
  template <int W, int OB, size_t STEP>
  static void blocked(const small_window_tile_i8 *t) {
    x86::conv_i8_madd_tile<VecI8, W, OB, STEP>(t);
  }
  template <int W, int OB, size_t STEP>
  static void planar(const small_window_tile_i8 *t) {
    x86::conv_i8_planar_tile<VecI8, W, OB, STEP>(t);
  }
};
} // namespace

small_window_i8_fn select_conv_i8_12x32__avx512(const small_window_shape *s) {
  return x86::conv_i8_select<MaddTiles, 16, 12, 2>(s);
}

} // namespace small::avx512
