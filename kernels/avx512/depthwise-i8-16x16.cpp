// AVX-512 int8 depthwise tile (x86/depthwise_i8_tile.h): Cb = 16 channels in
// one zmm, chunks of 8 pixels (8 accumulators, the tap's weights and their
// running sum in registers).
#include "kernels.h"
#include "vec_i8.h"
#include "x86/depthwise_i8_tile.h"

namespace small::avx512 {

small_window_i8_fn
select_depthwise_i8_16x16__avx512(const small_window_shape *s) {
  return x86::depthwise_i8_select<VecI8, 8>(s);
}

} // namespace small::avx512
