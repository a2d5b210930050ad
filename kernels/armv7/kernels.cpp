// armv7 NEON kernels (Cb = 8, two float32x4_t per pixel), built from the
// templates in kernels/neon/neon_tiles.h.
//
// Why 3x8 for the convolution tile: armv7 has 16 q registers, but d8-d15 are
// callee-saved and GCC 12's allocator spilled one accumulator of the 4x8 tile
// (8 accumulators) in the inner loop (checked with objdump). 3 pixels x 2
// vectors = 6 accumulators + 2 weights + 1 broadcast keeps the loop spill-free,
// and 6 chains cover the VFMA latency of in-order Cortex-A7/A9-class cores.
#include "kernels.h"

#include "neon/neon_tiles.h"

namespace small::armv7 {

namespace {
constexpr int kQ = 2;
constexpr size_t kCb = 8;

template <size_t STEP> void conv_any_width(const small_window_tile *t) {
  switch (t->width) {
  case 1:
    return neon::conv_tile<1, kQ, STEP>(t);
  case 2:
    return neon::conv_tile<2, kQ, STEP>(t);
  default:
    return neon::conv_tile<3, kQ, STEP>(t);
  }
}
} // namespace

void conv_f32_3x8__armv7(const small_window_tile *t) {
  if (t->in_pixel_step == kCb) {
    conv_any_width<kCb>(t);
  } else {
    conv_any_width<0>(t);
  }
}

void depthwise_f32_4x8__armv7(const small_window_tile *t) {
  neon::depthwise_any_width<kQ>(t);
}
void max_pool_f32_8__armv7(const small_window_tile *t) {
  neon::pool<true, kQ>(t);
}
void avg_pool_f32_8__armv7(const small_window_tile *t) {
  neon::pool<false, kQ>(t);
}
void activation_f32__armv7(const float *in, float *out, size_t count,
                           const small_act_params *act) {
  neon::activation(in, out, count, act);
}
void add_f32__armv7(const float *a, const float *b, float *out, size_t count,
                    const small_act_params *act) {
  neon::add(a, b, out, count, act);
}

} // namespace small::armv7
