// AVX2 Winograd F(2,3) tiles (x86/conv_winograd_tile.h) for the interior of
// 3x3 stride-1 convolutions of at most kWinogradBlocks input x output
// blocks: up to 6 pixels (the direct tile's width) of one block, in passes
// of 3 pairs x one ymm of 8 channels (12 sums + a weight + an input of the
// 16 registers). Per input channel 4 weight loads and 12 broadcasts feed 12
// FMAs that stand for 18 direct ones (the 6x16 tile: 8 loads per 12).
#include "kernels.h"
#include "vec.h"
#include "x86/conv_winograd_tile.h"

namespace small::avx2 {

small_window_fn select_conv_f32_winograd__avx2(const small_window_shape *s) {
  if (!x86::winograd_fits(*s, 16) || s->out_blocks != 1) {
    return nullptr;
  }
  return x86::winograd_select_width<Vec, 16, 6, 1, 3, 1, kWinogradBlocks>(*s);
}

} // namespace small::avx2
