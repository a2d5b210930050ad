// aarch64 NEON kernels (Cb = 16, four float32x4_t per pixel), built from the
// templates in kernels/arm/neon_tiles.h and neon_depthwise_tiles.h.
//
// Why 5x16 for the convolution tile: 5 pixels x 4 vectors = 20 accumulators,
// plus 4 weight vectors and the 5 input scalars GCC hoists to the top of the
// channel loop = 29 of the 32 q registers, used as lane-indexed FMAs
// (fmla v.4s, w.4s, x.s[0]). 6x16 (24 accumulators) looks better on paper
// but GCC 12 then spills two accumulators in the inner loop (checked with
// objdump). 20 independent chains hide the 4-cycle FMA latency of Cortex-A7x.
#include "kernels.h"

#include "arm/neon_depthwise_tiles.h"
#include "arm/neon_tiles.h"

namespace small::neon {

namespace {
constexpr int kQ = 4;
} // namespace

small_window_fn select_conv_f32_5x16__neon(const small_window_shape *s) {
  return arm::conv_select<kQ, 5, true>(*s);
}
small_window_fn select_depthwise_f32_2x16__neon(const small_window_shape *s) {
  return arm::depthwise_select<kQ>(*s);
}
small_window_fn select_depthwise_rows_f32__neon(const small_window_shape *s) {
  return arm::select_depthwise_rows_a64(*s);
}

} // namespace small::neon
