// aarch64 NEON kernels (Cb = 16, four float32x4_t per pixel).
//
// Why 5x16 for the convolution tile: 5 pixels x 4 vectors = 20 accumulators,
// plus 4 weight vectors and the 5 input scalars GCC hoists to the top of the
// channel loop = 29 of the 32 q registers, used as lane-indexed FMAs
// (fmla v.4s, w.4s, x.s[0]). 6x16 (24 accumulators) looks better on paper
// but GCC 12 then spills two accumulators in the inner loop (checked with
// objdump). 20 independent chains hide the 4-cycle FMA latency of Cortex-A7x.
#include "kernels.h"

#include "neon_tiles.h"

namespace small::neon {

namespace {
constexpr int kQ = 4;
constexpr size_t kCb = 16;

template <size_t STEP> void conv_any_width(const small_window_tile *t) {
  switch (t->width) {
  case 1:
    return conv_tile<1, kQ, STEP>(t);
  case 2:
    return conv_tile<2, kQ, STEP>(t);
  case 3:
    return conv_tile<3, kQ, STEP>(t);
  case 4:
    return conv_tile<4, kQ, STEP>(t);
  default:
    return conv_tile<5, kQ, STEP>(t);
  }
}
} // namespace

void conv_f32_5x16__neon(const small_window_tile *t) {
  if (t->in_pixel_step == kCb) {
    conv_any_width<kCb>(t);
  } else if (t->in_pixel_step == 2 * kCb) {
    conv_any_width<2 * kCb>(t);
  } else {
    conv_any_width<0>(t);
  }
}

void depthwise_f32_2x16__neon(const small_window_tile *t) {
  depthwise_any_width<kQ>(t);
}
void max_pool_f32_16__neon(const small_window_tile *t) { pool<true, kQ>(t); }
void avg_pool_f32_16__neon(const small_window_tile *t) { pool<false, kQ>(t); }
void activation_f32__neon(const float *in, float *out, size_t count,
                          const small_act_params *act) {
  activation(in, out, count, act);
}
void add_f32__neon(const float *a, const float *b, float *out, size_t count,
                   const small_act_params *act) {
  add(a, b, out, count, act);
}

} // namespace small::neon
