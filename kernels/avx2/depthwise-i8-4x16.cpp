// AVX2 int8 depthwise tile (x86/depthwise_i8_tile.h): Cb = 16 channels in
// two ymm (x86/vec_i8_pair.h), chunks of 4 pixels: 8 accumulators + the
// tap's weights and their running sum (2 + 2) + constants fit the 16 ymm.
#include "kernels.h"
#include "vec_i8.h"
#include "x86/depthwise_i8_tile.h"
#include "x86/vec_i8_pair.h"

namespace small::avx2 {

small_window_i8_fn select_depthwise_i8_4x16__avx2(const small_window_shape *s) {
  // At most 8 channels in the block: the high ymm is padding, skipped, and
  // a register tile takes twice the pixels.
  if (s->out_lanes <= VecI8::kLanes && s->w_pixel_step == 0) {
    return x86::depthwise_i8_select<x86::VecI8LowPair<VecI8>, 8>(s);
  }
  return x86::depthwise_i8_select<x86::VecI8Pair<VecI8>, 4>(s);
}

} // namespace small::avx2
