// AVX-512 Winograd F(2,3) tiles (x86/conv_winograd_tile.h) for the interior
// of 3x3 stride-1 convolutions of at most kWinogradBlocks input x output
// blocks: up to 12 pixels of two blocks or 16 of one (the direct tiles'
// widths), each output block in passes of up to 6 pairs (24 sums).
//
// One block per pass: with both blocks of a 12x32 tile in a pass (3 pairs x
// 2 blocks), GCC folds the 8 weight vectors into every FMA (3 loads each)
// or, kept in registers, leaves one short; 6 pairs of one block read 4
// weight vectors and 24 embedded-broadcast inputs per 24 FMAs, which stand
// for 36 direct ones.
#include "kernels.h"
#include "vec.h"
#include "x86/conv_winograd_tile.h"

namespace small::avx512 {

small_window_fn select_conv_f32_winograd__avx512(const small_window_shape *s) {
  if (!x86::winograd_fits(*s, 16)) {
    return nullptr;
  }
  return s->out_blocks == 2
             ? x86::winograd_select_width<Vec, 16, 12, 2, 6, 1,
                                          kWinogradBlocks>(*s)
             : x86::winograd_select_width<Vec, 16, kOneBlockMaxWidth, 1, 6, 1,
                                          kWinogradBlocks>(*s);
}

} // namespace small::avx512
