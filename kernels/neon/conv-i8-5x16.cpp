// aarch64 NEON int8 kernels for every ARMv8.0 CPU (Cb = 16): the convolution
// tile on SMLAL/SMLAL2 by element (arm/conv_i8_mlal_tile.h), 5 pixels x 16
// channels as the float tile (kernels.cpp): 20 int32x4_t accumulators, the 5
// pixels' 8-lane chunks as int16x8_t (the scalar operands, which SMLAL by
// element takes from v0-v15 only) and the two widened weight vectors of one
// input lane: 27 of the 32 q registers. The depthwise tile runs 4 pixels:
// 16 accumulators and, for a 3x3 window, the 9 weight vectors held for the
// whole tile.
#include "kernels.h"

#include "arm/conv_i8_mlal_tile.h"
#include "arm/conv_i8_select.h"
#include "arm/depthwise_i8_tile.h"

namespace small::neon {

namespace {
constexpr int kQ = 4;

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

small_window_i8_fn select_conv_i8_5x16__neon(const small_window_shape *s) {
  return arm::conv_i8_select<MlalTiles, 4 * kQ, 5>(s);
}
small_window_i8_fn select_depthwise_i8_4x16__neon(const small_window_shape *s) {
  return arm::depthwise_i8_select<4, kQ, true>(s);
}

} // namespace small::neon
