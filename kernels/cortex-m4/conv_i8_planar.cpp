// Cortex-M4 int8 convolution of a planar input (in_lanes == 1: the network's
// first layer on an RGB or one-channel image), bit for bit the scalar
// kernel's result.
//
// A planar pixel has one lane, so SMLAD pairs two taps instead of two lanes:
// the tile first widens its inputs tap pair by tap pair ((x - zp) of taps
// 2i and 2i + 1 in the two halves of a word, pixel after pixel), then for
// each output the two taps' weights are packed into a word once and serve
// every pixel of the tile: per tap pair 2 weight loads, 1 PKHBT, then a
// scratch load and an SMLAD per pixel. An odd tap count leaves a last pair
// with a zero half.
// Taps run in chunks that fit the scratch, with the sums in an array
// across chunks.
#include <cstddef>
#include <cstdint>

#include "cortex-m/requant_i8.h"
#include "dsp.h"
#include "kernel_contract.h"
#include "kernels.h"

namespace small::cortex_m4 {

namespace {

constexpr size_t kMaxPairs = 32;      // tap pairs per chunk (64 taps)
constexpr size_t kScratchWords = 512; // 2 KB: 32 pairs of 16 pixels
constexpr size_t kMaxOutputs = kConvMaxOutBlocks * kChannelBlock;

// Offsets of the two taps of a pair in the weights of output lane 0 (the
// second is the first again, with a zero input, for an odd tap count).
struct PairOffsets {
  size_t first, second;
};

struct Tap {
  size_t in, weights;
};

Tap tap(const small_window_tile_i8 *t, size_t index) {
  const size_t s = index % t->taps_w;
  const size_t r = index / t->taps_w % t->taps_h;
  const size_t b = index / t->taps_w / t->taps_h;
  return {b * t->in_block_step + r * t->in_tap_h_step + s * t->in_tap_w_step,
          b * t->w_block_step + r * t->w_tap_h_step + s * t->w_tap_w_step};
}

// Widens taps [first, first + 2 * pairs) (clipped to `taps`) of every pixel
// into scratch ([pair][pixel] words) and fills their weight offsets.
void fill_chunk(const small_window_tile_i8 *t, size_t first, size_t pairs,
                size_t taps, int32_t *scratch, PairOffsets *offsets) {
  const int32_t zp = t->in_zero_point;
  for (size_t i = 0; i < pairs; ++i) {
    const Tap a = tap(t, first + 2 * i);
    const bool has_b = first + 2 * i + 1 < taps;
    const Tap b = has_b ? tap(t, first + 2 * i + 1) : a;
    offsets[i] = {a.weights, b.weights};
    for (size_t j = 0; j < t->width; ++j) {
      const int8_t *in = t->in + j * t->in_pixel_step;
      const int32_t lo = in[a.in] - zp;
      const int32_t hi = has_b ? in[b.in] - zp : 0;
      scratch[i * t->width + j] =
          static_cast<int32_t>((static_cast<uint32_t>(lo) & 0xffff) |
                               static_cast<uint32_t>(hi) << 16);
    }
  }
}

// Sums of P pixels from `pixel` on for the output whose weights start at w.
template <int P>
void dot(const int8_t *w, const PairOffsets *offsets, size_t pairs,
         const int32_t *x, size_t width, int32_t *acc, size_t acc_step) {
  int32_t sums[P];
  for (int p = 0; p < P; ++p) {
    sums[p] = acc[p * acc_step];
  }
  for (size_t i = 0; i < pairs; ++i, x += width) {
    const int32_t pair = pack_halves(w[offsets[i].first], w[offsets[i].second]);
    for (int p = 0; p < P; ++p) {
      sums[p] = dual_mac(x[p], pair, sums[p]);
    }
  }
  for (int p = 0; p < P; ++p) {
    acc[p * acc_step] = sums[p];
  }
}

// dot for up to 8 pixels in one call, so that each tap pair's weights are
// loaded and packed once per output and 8 pixels: 8 sums, the pointers and
// the pair take the 14 core registers but one (GCC 12 reloads the scratch
// stride per pair). 4 or 5 pixels per call took 12% more instructions on
// DS-CNN's first layer.
void dot_group(size_t pixels, const int8_t *w, const PairOffsets *offsets,
               size_t pairs, const int32_t *x, size_t width, int32_t *acc,
               size_t acc_step) {
  switch (pixels) {
  case 8:
    return dot<8>(w, offsets, pairs, x, width, acc, acc_step);
  case 7:
    return dot<7>(w, offsets, pairs, x, width, acc, acc_step);
  case 6:
    return dot<6>(w, offsets, pairs, x, width, acc, acc_step);
  case 5:
    return dot<5>(w, offsets, pairs, x, width, acc, acc_step);
  case 4:
    return dot<4>(w, offsets, pairs, x, width, acc, acc_step);
  case 3:
    return dot<3>(w, offsets, pairs, x, width, acc, acc_step);
  case 2:
    return dot<2>(w, offsets, pairs, x, width, acc, acc_step);
  default:
    return dot<1>(w, offsets, pairs, x, width, acc, acc_step);
  }
}

// dot for all of a tile's pixels: near-equal groups of up to 8.
void dot_tile(size_t width, const int8_t *w, const PairOffsets *offsets,
              size_t pairs, const int32_t *x, int32_t *acc, size_t acc_step) {
  const size_t groups = (width + 7) / 8;
  for (size_t g = 0, j = 0; g < groups; ++g) {
    const size_t pixels = (width - j) / (groups - g);
    dot_group(pixels, w, offsets, pairs, x + j, width, acc + j * acc_step,
              acc_step);
    j += pixels;
  }
}

void conv_i8_planar__cortex_m4(const small_window_tile_i8 *t) {
  const size_t cb = t->cb, width = t->width;
  const size_t outputs = t->out_blocks * cb;
  int32_t acc[kConvMaxWidth * kMaxOutputs];
  for (size_t j = 0; j < width; ++j) {
    for (size_t o = 0; o < outputs; ++o) {
      acc[j * outputs + o] = t->bias[o];
    }
  }
  int32_t scratch[kScratchWords];
  PairOffsets offsets[kMaxPairs];
  const size_t taps = t->in_blocks * t->taps_h * t->taps_w;
  const size_t max_pairs =
      kScratchWords / width < kMaxPairs ? kScratchWords / width : kMaxPairs;
  for (size_t first = 0; first < taps; first += 2 * max_pairs) {
    const size_t left = (taps - first + 1) / 2;
    const size_t pairs = left < max_pairs ? left : max_pairs;
    fill_chunk(t, first, pairs, taps, scratch, offsets);
    for (size_t o = 0; o < outputs; ++o) {
      const int8_t *w = t->weights + o / cb * t->w_out_block_step + o % cb;
      dot_tile(width, w, offsets, pairs, scratch, acc + o, outputs);
    }
  }
  const cortex_m::TileRequant requant(t);
  for (size_t o = 0; o < outputs; ++o) {
    requant.channel(o).store(acc + o, outputs,
                             t->out + o / cb * t->out_block_step + o % cb,
                             t->out_pixel_step, width);
  }
}

} // namespace

small_window_i8_fn
select_conv_i8_planar__cortex_m4(const small_window_shape *) {
  return conv_i8_planar__cortex_m4;
}

} // namespace small::cortex_m4
