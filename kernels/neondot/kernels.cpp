// The float kernels of the dot-product build: the neon folder's 5x16
// convolution and depthwise tiles (kernels/neon/kernels.cpp explains the
// width), instantiated here because a build compiles one ISA folder.
#include "kernels.h"

#include "arm/neon_depthwise_tiles.h"
#include "arm/neon_tiles.h"

namespace small::neondot {

namespace {
constexpr int kQ = 4;
} // namespace

small_window_fn select_conv_f32_5x16__neondot(const small_window_shape *s) {
  return arm::conv_select<kQ, 5, true>(*s);
}
small_window_fn
select_depthwise_f32_2x16__neondot(const small_window_shape *s) {
  return arm::depthwise_select<kQ>(*s);
}
small_window_fn
select_depthwise_rows_f32__neondot(const small_window_shape *s) {
  return arm::select_depthwise_rows_a64(*s);
}

} // namespace small::neondot
