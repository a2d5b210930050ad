// armv7 NEON int8 kernels (Cb = 8): the convolution tile on VMLAL.S16 by
// scalar (arm/conv_i8_mlal_tile.h), 3 pixels x 8 channels as the float tile
// (kernels.cpp): 6 int32x4_t accumulators, the 3 pixels' 8 lanes as int16x8_t
// (the scalar operands, which VMLAL.S16 takes from d0-d7 only) and one
// widened weight vector. The depthwise tile runs 4 pixels: 8 accumulators,
// a tap's weights loaded once per tap for the 4 pixels.
#include "kernels.h"

#include "arm/conv_i8_mlal_tile.h"
#include "arm/conv_i8_select.h"
#include "arm/depthwise_i8_tile.h"

namespace small::armv7 {

namespace {
constexpr int kQ = 2;

struct MlalTiles {
  template <int W, size_t STEP>
  static void blocked(const small_window_tile_i8 *t) {
    arm::conv_i8_mlal_tile<W, kQ, STEP>(t);
  }
  template <int W, size_t STEP>
  static void planar(const small_window_tile_i8 *t) {
    arm::conv_i8_planar_mlal_tile<W, kQ, STEP>(t);
  }
};
} // namespace

small_window_i8_fn select_conv_i8_3x8__armv7(const small_window_shape *s) {
  return arm::conv_i8_select<MlalTiles, 4 * kQ, 3>(s);
}
small_window_i8_fn select_depthwise_i8_4x8__armv7(const small_window_shape *s) {
  return arm::depthwise_i8_select<4, kQ, false>(s);
}

} // namespace small::armv7
