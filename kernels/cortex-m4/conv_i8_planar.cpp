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
// with a zero half. Tiles of 1 to 3 pixels (DS-CNN's first layer: rows of
// 5 columns cut as a border pixel, 3 inner pixels, a border pixel), where
// that packing per output weighs on too few pixels, make the weight pairs
// of 2 or 4 outputs from word loads instead (dot4, dot2_width3).
// Taps run in chunks that fit the scratch, with the sums in an array
// across chunks.
#include <cstddef>
#include <cstdint>

#include "cortex-m/requant_i8.h"
#include "cortex-m4/prepared_requant.h"
#include "dsp.h"
#include "kernel_contract.h"
#include "kernels.h"

namespace small::cortex_m4 {

namespace {

constexpr size_t kMaxPairs = 32; // tap pairs per chunk (64 taps)
// 1 KB: 16 tap pairs of 16 pixels (DS-CNN's 10x4 window in 2 chunks; 32
// pairs took 1 KB more stack for the same instructions).
constexpr size_t kScratchWords = 256;
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

// Sums of P pixels for 4 outputs of one block at once (weights from w,
// the first output's lane): one word load per tap brings the 4 outputs'
// weights, so a tap pair's 4 weight pairs take 2 loads, 2 PKH and 4 SXTB16
// (2.5 per output, where dot packs each output's pair with 2 byte loads and
// a PKHBT). For tiles of 1 or 2 pixels (with 2, GCC 12 keeps some of the
// 8 sums in memory: about 2.2 instructions per multiply-accumulate).
template <int P>
void dot4(const int8_t *w, const PairOffsets *offsets, size_t pairs,
          const int32_t *x, size_t width, int32_t *acc, size_t acc_step) {
  int32_t sums[P][4];
  for (int p = 0; p < P; ++p) {
    for (int k = 0; k < 4; ++k) {
      sums[p][k] = acc[p * acc_step + k];
    }
  }
  for (size_t i = 0; i < pairs; ++i, x += width) {
    const int32_t wa = load_word(w + offsets[i].first);
    const int32_t wb = load_word(w + offsets[i].second);
    const int32_t low = pack_halves(wa, wb), high = pack_high_halves(wa, wb);
    const int32_t pair[4] = {even_bytes(low), odd_bytes(low), even_bytes(high),
                             odd_bytes(high)};
    for (int p = 0; p < P; ++p) {
      for (int k = 0; k < 4; ++k) {
        sums[p][k] = dual_mac(x[p], pair[k], sums[p][k]);
      }
    }
  }
  for (int p = 0; p < P; ++p) {
    for (int k = 0; k < 4; ++k) {
      acc[p * acc_step + k] = sums[p][k];
    }
  }
}

// Sums of 3 pixels (a tile of width 3: the scratch holds 3 words per pair)
// for 2 neighbouring outputs (weights from w, the first output's lane),
// added to s[pixel][output]: per tap pair one PKHBT of two word loads and
// two SXTB16 make both outputs' weight pairs, then 6 SMLAD; 17 instructions
// for 12 multiply-accumulates. In assembly because GCC 12 kept the 6 sums
// in memory (33 instructions).
void dot2_width3(const int8_t *w, const PairOffsets *offsets, size_t pairs,
                 const int32_t *x, int32_t (&s)[3][2]) {
  if (pairs == 0) {
    return;
  }
  const PairOffsets *end = offsets + pairs;
  int32_t s00 = s[0][0], s01 = s[0][1], s10 = s[1][0], s11 = s[1][1],
          s20 = s[2][0], s21 = s[2][1];
  int32_t a, b, c;
  static_assert(sizeof(PairOffsets) == 8, "one LDRD per pair");
  __asm__ volatile(
      "1:\n\t"
      "ldrd %[a], %[b], [%[off]], #8\n\t"
      "ldr %[a], [%[w], %[a]]\n\t"
      "ldr %[b], [%[w], %[b]]\n\t"
      "pkhbt %[a], %[a], %[b], lsl #16\n\t"
      "sxtb16 %[b], %[a]\n\t"
      "sxtb16 %[c], %[a], ror #8\n\t"
      "ldr %[a], [%[x], #4]\n\t"
      "smlad %[s10], %[a], %[b], %[s10]\n\t"
      "smlad %[s11], %[a], %[c], %[s11]\n\t"
      "ldr %[a], [%[x], #8]\n\t"
      "smlad %[s20], %[a], %[b], %[s20]\n\t"
      "smlad %[s21], %[a], %[c], %[s21]\n\t"
      "ldr %[a], [%[x]], #12\n\t"
      "smlad %[s00], %[a], %[b], %[s00]\n\t"
      "smlad %[s01], %[a], %[c], %[s01]\n\t"
      "cmp %[off], %[end]\n\t"
      "bne 1b\n\t"
      : [a] "=&r"(a), [b] "=&r"(b), [c] "=&r"(c), [off] "+r"(offsets),
        [x] "+r"(x), [s00] "+r"(s00), [s01] "+r"(s01), [s10] "+r"(s10),
        [s11] "+r"(s11), [s20] "+r"(s20), [s21] "+r"(s21)
      : [w] "r"(w), [end] "r"(end)
      : "cc", "memory");
  s[0][0] = s00;
  s[0][1] = s01;
  s[1][0] = s10;
  s[1][1] = s11;
  s[2][0] = s20;
  s[2][1] = s21;
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
    if (width <= 3 && cb % 4 == 0) {
      for (size_t o = 0; o < outputs; o += 4) {
        const int8_t *w = t->weights + o / cb * t->w_out_block_step + o % cb;
        if (width == 3) {
          for (size_t half = 0; half < 4; half += 2) {
            int32_t s[3][2];
            for (size_t p = 0; p < 3; ++p) {
              s[p][0] = acc[p * outputs + o + half];
              s[p][1] = acc[p * outputs + o + half + 1];
            }
            dot2_width3(w + half, offsets, pairs, scratch, s);
            for (size_t p = 0; p < 3; ++p) {
              acc[p * outputs + o + half] = s[p][0];
              acc[p * outputs + o + half + 1] = s[p][1];
            }
          }
          continue;
        }
        if (width == 2) {
          dot4<2>(w, offsets, pairs, scratch, width, acc + o, outputs);
        } else {
          dot4<1>(w, offsets, pairs, scratch, width, acc + o, outputs);
        }
      }
      continue;
    }
    for (size_t o = 0; o < outputs; ++o) {
      const int8_t *w = t->weights + o / cb * t->w_out_block_step + o % cb;
      dot_tile(width, w, offsets, pairs, scratch, acc + o, outputs);
    }
  }
  // A channel on the fused rounding (the layer's prepared one,
  // prepared_requant.h) with the whole int8 range is stored here, about 8
  // instructions per output; ChannelRequant::store's call costs more than
  // the stores of a narrow tile.
  const cortex_m::TileRequant requant(t);
  const auto *prepared = static_cast<const PreparedBlock *>(t->requant);
  const bool full_range = cortex_m::full_int8_range(t->act_min, t->act_max);
  const size_t out_step = t->out_pixel_step;
  for (size_t o = 0; o < outputs; ++o) {
    int8_t *out = t->out + o / cb * t->out_block_step + o % cb;
    const cortex_m::FusedRounding f = prepared[o / cb].lanes[o % cb];
    if (full_range && !f.general()) {
      for (size_t j = 0; j < width; ++j) {
        out[j * out_step] =
            static_cast<int8_t>(__ssat(f(acc[j * outputs + o]), 8));
      }
    } else {
      requant.channel(o).store(acc + o, outputs, out, out_step, width);
    }
  }
}

} // namespace

small_window_i8_fn
select_conv_i8_planar__cortex_m4(const small_window_shape *) {
  return conv_i8_planar__cortex_m4;
}

} // namespace small::cortex_m4
