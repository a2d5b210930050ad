// Helium int8 convolution of a blocked input (in_lanes == Cb == 16), bit for
// bit the scalar kernel's result.
//
// sum((x - zp) * w) = sum(x * w) - zp * sum(w) in wrapping int32 arithmetic,
// so the inner loop multiplies the raw int8 lanes: per (input block, tap)
// segment, one VMLADAVA per pixel reduces 16 lanes of x * w into a scalar
// accumulator, and one VADDVA per output adds the 16 weights to sum(w).
// Each output runs over up to 4 pixels at once (4 vector registers of
// inputs, 1 of weights, 5 accumulators in core registers). Input lanes past
// the last block's channels meet zero weights (the packing's promise), so
// every load is a whole 16-lane block and no tail predicate is needed.
// The int32 sums are then requantized 4 lanes at a time (requant_mve.h).
#include <arm_mve.h>
#include <cstddef>
#include <cstdint>

#include "fixed_point.h"
#include "kernel_contract.h"
#include "kernels.h"
#include "requant_mve.h"

namespace small::helium {

namespace {

// sum(x * w) over the tile's segments for output lane o of P pixels from
// `pixel` on (acc[p]), and sum(w) (returned).
template <int P>
int32_t dot(const small_window_tile_i8 *t, size_t o, size_t pixel,
            int32_t *acc) {
  int32_t sums[P] = {};
  int32_t weight_sum = 0;
  const int8_t *in_pixel = t->in + pixel * t->in_pixel_step;
  for (size_t b = 0; b < t->in_blocks; ++b) {
    for (size_t r = 0; r < t->taps_h; ++r) {
      const int8_t *in = in_pixel + b * t->in_block_step + r * t->in_tap_h_step;
      const int8_t *w = t->weights + b * t->w_block_step + r * t->w_tap_h_step +
                        o * kConvGroup;
      for (size_t s = t->taps_w; s > 0; --s) {
        const int8x16_t wv = vldrbq_s8(w);
        weight_sum = vaddvaq_s8(weight_sum, wv);
        for (int p = 0; p < P; ++p) {
          sums[p] =
              vmladavaq_s8(sums[p], vldrbq_s8(in + p * t->in_pixel_step), wv);
        }
        in += t->in_tap_w_step;
        w += t->w_tap_w_step;
      }
    }
  }
  for (int p = 0; p < P; ++p) {
    acc[p] = sums[p];
  }
  return weight_sum;
}

// Writes acc[pixel][o] for P pixels from `pixel` on and every output lane.
template <int P>
void dot_pixels(const small_window_tile_i8 *t, size_t pixel, int32_t *acc) {
  const size_t cb = t->cb;
  for (size_t o = 0; o < cb; ++o) {
    int32_t sums[P];
    const int32_t weight_sum = dot<P>(t, o, pixel, sums);
    // bias - zp * sum(w), wrapping as the scalar sum does.
    const int32_t base = fixed::wrapping_sub(
        t->bias[o],
        static_cast<int32_t>(static_cast<uint32_t>(weight_sum) *
                             static_cast<uint32_t>(t->in_zero_point)));
    for (int p = 0; p < P; ++p) {
      acc[(pixel + p) * cb + o] = fixed::wrapping_add(base, sums[p]);
    }
  }
}

void conv_i8_blocked__helium(const small_window_tile_i8 *t) {
  const size_t cb = t->cb, width = t->width;
  int32_t acc[kConvMaxWidth * kChannelBlock];
  size_t j = 0;
  for (; j + 4 <= width; j += 4) {
    dot_pixels<4>(t, j, acc);
  }
  switch (width - j) {
  case 3:
    dot_pixels<3>(t, j, acc);
    break;
  case 2:
    dot_pixels<2>(t, j, acc);
    break;
  case 1:
    dot_pixels<1>(t, j, acc);
    break;
  default:
    break;
  }
  for (j = 0; j < width; ++j) {
    requantize_pixel(t, t->out + j * t->out_pixel_step, acc + j * cb, 0);
  }
}

} // namespace

small_window_i8_fn select_conv_i8__helium(const small_window_shape *s) {
  return s->in_lanes == 1 ? select_conv_i8_planar__helium(s)
                          : conv_i8_blocked__helium;
}

} // namespace small::helium
