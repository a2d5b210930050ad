// Cortex-M4 int8 convolution of a planar input (in_lanes == 1: the network's
// first layer on an RGB or one-channel image), bit for bit the scalar
// kernel's result.
//
// A planar pixel has one lane, so SMLAD pairs two taps instead of two lanes:
// the tile first widens its inputs tap pair by tap pair ((x - zp) of taps
// 2i and 2i + 1 in the two halves of a word), pixel pair after pixel pair,
// then for every 4 outputs packs their weight pairs once (two word loads,
// PKHBT / PKHTB and four SXTB16 per tap pair) and runs each pixel pair
// through them: 4 outputs x 2 pixels, 16 multiply-accumulates in 11
// instructions (dot_4x2). An odd tap count leaves a last pair with a zero
// half, an odd width a last pixel pair with a zero pixel. Taps run in
// chunks that fit the scratch, with the sums in an array across chunks.
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
// into scratch and fills their weight offsets. Layout [pixel pair][pair][2
// pixels] (an odd width's last pair completed by a zero pixel): what
// dot_4x2 reads of a pixel pair is one stream.
void fill_chunk(const small_window_tile_i8 *t, size_t first, size_t pairs,
                size_t taps, int32_t *scratch, PairOffsets *offsets) {
  const int32_t zp = t->in_zero_point;
  const size_t width = t->width, in_step = t->in_pixel_step;
  for (size_t i = 0; i < pairs; ++i) {
    const Tap a = tap(t, first + 2 * i);
    const bool has_b = first + 2 * i + 1 < taps;
    const Tap b = has_b ? tap(t, first + 2 * i + 1) : a;
    offsets[i] = {a.weights, b.weights};
    // x - zp of tap a in the low half, of tap b (0 past the last tap) in
    // the high half.
    const auto pair = [&](const int8_t *in) {
      return pack_halves(in[a.in] - zp, has_b ? in[b.in] - zp : 0);
    };
    int32_t *dst = scratch + 2 * i;
    const int8_t *in = t->in;
    for (size_t j = 0; j < width; j += 2, dst += 2 * pairs, in += 2 * in_step) {
      dst[0] = pair(in);
      dst[1] = j + 1 < width ? pair(in + in_step) : 0;
    }
  }
}

// The weight pairs of 4 neighbouring outputs (weights from w, the first
// output's lane) for every tap pair: dst[4 i + k] = output k's pair i. One
// word load per tap brings the 4 outputs' weights; PKHBT / PKHTB put the
// two taps' low and high halves side by side and SXTB16 splits each into
// two outputs' pairs.
void pack_pairs4(const int8_t *w, const PairOffsets *offsets, size_t pairs,
                 int32_t *dst) {
  for (size_t i = 0; i < pairs; ++i, dst += 4) {
    const int32_t wa = load_word(w + offsets[i].first);
    const int32_t wb = load_word(w + offsets[i].second);
    const int32_t low = pack_halves(wa, wb), high = pack_high_halves(wa, wb);
    dst[0] = even_bytes(low);
    dst[1] = odd_bytes(low);
    dst[2] = even_bytes(high);
    dst[3] = odd_bytes(high);
  }
}

// What dot_4x2 reads (offsets fixed: it is assembly).
struct Dot4x2 {
  const int32_t *pairs; // 0: pack_pairs4's words
  const int32_t *x;     // 4: the pixel pair's scratch words, pair by pair
  const int32_t *x_end; // 8
  int32_t *sums;        // 12: [output][pixel] of 4 outputs x 2 pixels
};
static_assert(sizeof(void *) == 4 && offsetof(Dot4x2, sums) == 12,
              "dot_4x2 reads these offsets");

// 4 outputs x 2 pixels over the chunk's tap pairs: per pair one LDRD of
// the two pixels' words, two of the 4 outputs' weight pairs and 8 SMLAD,
// 16 multiply-accumulates in 11 instructions, and the loop's 3 per 2 pairs
// (a loop of 8 pixels x 1 output took 25 per 16: it packed an output's
// weight pair per 8 pixels). The 8 sums, 4 operands and 2 pointers take the
// 14 core registers, so the loop end is read from the stack.
// clang-format off
#define SMALL_M4_PAIR_4X2                                                      \
  "ldrd r12, lr, [r1], #8\n\t"                                                 \
  "ldrd r2, r3, [r0], #8\n\t"                                                  \
  "smlad r4, r12, r2, r4\n\t"                                                  \
  "smlad r5, lr, r2, r5\n\t"                                                   \
  "smlad r6, r12, r3, r6\n\t"                                                  \
  "smlad r7, lr, r3, r7\n\t"                                                   \
  "ldrd r2, r3, [r0], #8\n\t"                                                  \
  "smlad r8, r12, r2, r8\n\t"                                                  \
  "smlad r9, lr, r2, r9\n\t"                                                   \
  "smlad r10, r12, r3, r10\n\t"                                                \
  "smlad r11, lr, r3, r11\n\t"
__attribute__((naked, noinline)) void dot_4x2(const Dot4x2 *) {
  __asm__ volatile(
      "push {r0, r4-r11, lr}\n\t"
      "ldr r2, [r0, #8]\n\t"
      "push {r2, r3}\n\t"
      "ldr r1, [r0, #12]\n\t"
      "ldm r1, {r4-r11}\n\t"
      "ldr r1, [r0, #4]\n\t"
      "ldr r0, [r0, #0]\n\t"
      // An odd pair count runs one pair first, the rest two at a time.
      "sub r3, r2, r1\n\t"
      "tst r3, #8\n\t"
      "beq 1f\n\t"
      SMALL_M4_PAIR_4X2
      "ldr r2, [sp]\n\t"
      "cmp r1, r2\n\t"
      "beq 2f\n"
      "1:\n\t"
      SMALL_M4_PAIR_4X2
      SMALL_M4_PAIR_4X2
      "ldr r2, [sp]\n\t"
      "cmp r1, r2\n\t"
      "bne 1b\n"
      "2:\n\t"
      "add sp, sp, #8\n\t"
      "ldr r0, [sp]\n\t"
      "ldr r0, [r0, #12]\n\t"
      "stm r0, {r4-r11}\n\t"
      "pop {r0, r4-r11, pc}\n\t");
}
#undef SMALL_M4_PAIR_4X2
// clang-format on

// Every output of the tile, 4 outputs x 2 pixels at a time over the
// chunk's pairs (an odd width's last pixel with a zero partner whose sums
// are dropped); acc as in conv_i8_planar.
static_assert(kChannelBlock % 4 == 0, "outputs go 4 at a time");
void dot_tile_4x2(const small_window_tile_i8 *t, const PairOffsets *offsets,
                  size_t pairs, const int32_t *scratch, int32_t *acc) {
  const size_t cb = t->cb, width = t->width;
  const size_t outputs = t->out_blocks * cb;
  int32_t weight_pairs[4 * kMaxPairs];
  for (size_t o = 0; o < outputs; o += 4) {
    pack_pairs4(t->weights + o / cb * t->w_out_block_step + o % cb, offsets,
                pairs, weight_pairs);
    for (size_t j = 0; j < width; j += 2) {
      const bool pair = j + 1 < width;
      int32_t sums[8];
      for (size_t k = 0; k < 4; ++k) {
        sums[2 * k] = acc[j * outputs + o + k];
        sums[2 * k + 1] = pair ? acc[(j + 1) * outputs + o + k] : 0;
      }
      const int32_t *x = scratch + j * pairs;
      const Dot4x2 args{weight_pairs, x, x + 2 * pairs, sums};
      dot_4x2(&args);
      for (size_t k = 0; k < 4; ++k) {
        acc[j * outputs + o + k] = sums[2 * k];
        if (pair) {
          acc[(j + 1) * outputs + o + k] = sums[2 * k + 1];
        }
      }
    }
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
  // The scratch by pixel pairs (an odd width rounded up), for dot_4x2.
  const size_t columns = (width + 1) / 2 * 2;
  const size_t max_pairs =
      kScratchWords / columns < kMaxPairs ? kScratchWords / columns : kMaxPairs;
  for (size_t first = 0; first < taps; first += 2 * max_pairs) {
    const size_t left = (taps - first + 1) / 2;
    const size_t pairs = left < max_pairs ? left : max_pairs;
    fill_chunk(t, first, pairs, taps, scratch, offsets);
    dot_tile_4x2(t, offsets, pairs, scratch, acc);
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
