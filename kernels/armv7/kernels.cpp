// armv7 NEON kernels (Cb = 8, two float32x4_t per pixel), built from the
// templates in kernels/arm/neon_tiles.h and neon_depthwise_tiles.h.
//
// Why 3x8 for the convolution tile: armv7 has 16 q registers, but d8-d15 are
// callee-saved and GCC 12's allocator spilled one accumulator of the 4x8 tile
// (8 accumulators) in the inner loop of the C tiles (checked with objdump).
// 3 pixels x 2 vectors = 6 accumulators; the assembly steps of the block and
// planar tiles (arm/neon_tiles.h) add 3 input and 4 weight registers, and 6
// chains cover the multiply-add latency of in-order Cortex-A7/A9-class
// cores. A 4x8 step would take all 16 (8 + 4 + 4): the next thing to try.
#include "kernels.h"

#include "arm/neon_depthwise_tiles.h"
#include "arm/neon_tiles.h"
#include "arm/vec_f32.h"
#include "depthwise_rows.h"

namespace small::armv7 {

namespace {
constexpr int kQ = 2;
} // namespace

small_window_fn select_conv_f32_3x8__armv7(const small_window_shape *s) {
  return arm::conv_select<kQ, 3, false>(*s);
}
small_window_fn select_depthwise_f32_4x8__armv7(const small_window_shape *s) {
  return arm::depthwise_select<kQ>(*s);
}

// Whole-row depthwise tiles (depthwise_rows.h): rows of up to 6 pixels in
// one chunk, wider ones in chunks of 3 (which divide MobileNet's 48, 24 and
// 12), about 4 sums at a time. The 16 q registers cannot hold a band's 9
// weight vectors beside the sums, so some weights come from memory; still
// fewer instructions than the 4-pixel tiles on the A72 model: DS-CNN
// 2,136,372 -> 1,904,596, MobileNet 5,931,051 -> 5,134,107 (chunks of 2, 4,
// 6 and 8 and 6 or 9 sums each counted more).
small_window_fn select_depthwise_rows_f32__armv7(const small_window_shape *s) {
  return whole_rows::select_depthwise_rows<arm::VecF32, 8, 6, 4, 3, 6, 6>(*s);
}

} // namespace small::armv7
