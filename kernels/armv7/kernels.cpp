// armv7 NEON kernels (Cb = 8, two float32x4_t per pixel), built from the
// templates in kernels/arm/neon_tiles.h and neon_depthwise_tiles.h.
//
// Why 3x8 for the convolution tile: armv7 has 16 q registers, but d8-d15 are
// callee-saved and GCC 12's allocator spilled one accumulator of the 4x8 tile
// (8 accumulators) in the inner loop (checked with objdump). 3 pixels x 2
// vectors = 6 accumulators + 2 weights + 1 broadcast keeps the loop spill-free,
// and 6 chains cover the VFMA latency of in-order Cortex-A7/A9-class cores.
#include "kernels.h"

#include "arm/neon_depthwise_tiles.h"
#include "arm/neon_tiles.h"

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

} // namespace small::armv7
