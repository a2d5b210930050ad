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
// instructions (dot_4x2), whose 8 sums are requantized and stored right
// away. An odd tap count leaves a last pair with a zero half, an odd width
// a last pixel pair with a zero pixel.
//
// A window of up to kMaxPairs tap pairs (64 taps: DS-CNN's 10x4) is widened
// whole, for as many pixels as the scratch holds, so no sum waits for a
// later part of the window; a larger one runs pixel pair by pixel pair in
// chunks of taps, its sums in a small array between chunks.
#include <cstddef>
#include <cstdint>

#include "cortex-m/requant_i8.h"
#include "cortex-m4/prepared_requant.h"
#include "dsp.h"
#include "kernel_contract.h"
#include "kernels.h"

namespace small::cortex_m4 {

namespace {

constexpr size_t kMaxPairs = 32; // tap pairs of one widening (64 taps)
// 1.25 KB: DS-CNN's 10x4 window (20 tap pairs) for a whole tile of 16
// pixels. Widening a window whole keeps the sums in registers from the bias
// to the store; the kernel's frame is 2.2 KB, where a 1 KB scratch and the
// tile's sums in an array between two chunks of taps took 4 KB (the deepest
// frame of DS-CNN's firmware) and 12% more of the layer's instructions (the
// sums went through the array, and a call per output channel requantized
// them).
constexpr size_t kScratchWords = 320;
constexpr size_t kMaxOutputs = kConvMaxOutBlocks * kChannelBlock;
static_assert(kScratchWords >= 2 * 2 * kMaxPairs,
              "the scratch holds a pixel pair of the largest chunk");

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

// Widens taps [first, first + 2 * pairs) (clipped to `taps`) of pixels
// [j0, end) into scratch and fills their weight offsets. Layout [pixel
// pair][pair][2 pixels] (an odd count's last pair completed by a zero
// pixel): what dot_4x2 reads of a pixel pair is one stream.
//
// Window rows of whole groups of 4 taps (DS-CNN's 10x4 window away from the
// left and right borders) pair taps 0 and 2, 1 and 3 of each group: one
// word load brings a pixel's 4 taps and two SXTAB16 widen them with the
// zero point subtracted (5 instructions per pixel's 4 values, against 12 a pair
// at a time).
void fill_quads(const small_window_tile_i8 *t, size_t first, size_t pairs,
                size_t j0, size_t end, int32_t *scratch, PairOffsets *offsets) {
  const int32_t offset = negated_pair(t->in_zero_point);
  const size_t in_step = t->in_pixel_step, w_step = t->w_tap_w_step;
  for (size_t i = 0; i < pairs; i += 2) {
    const Tap a = tap(t, first + 2 * i);
    offsets[i] = {a.weights, a.weights + 2 * w_step};
    offsets[i + 1] = {a.weights + w_step, a.weights + 3 * w_step};
    int32_t *dst = scratch + 2 * i;
    const int8_t *in = t->in + j0 * in_step + a.in;
    for (size_t j = j0; j < end; j += 2, dst += 2 * pairs, in += 2 * in_step) {
      // A lone last pixel's partner is not read; its sums are never stored.
      const int32_t x = load_word(in);
      const int32_t y = j + 1 < end ? load_word(in + in_step) : 0;
      dst[0] = offset_even_bytes(offset, x);
      dst[1] = offset_even_bytes(offset, y);
      dst[2] = offset_odd_bytes(offset, x);
      dst[3] = offset_odd_bytes(offset, y);
    }
  }
}

void fill_chunk(const small_window_tile_i8 *t, size_t first, size_t pairs,
                size_t taps, size_t j0, size_t end, int32_t *scratch,
                PairOffsets *offsets) {
  // Chunks start at multiples of 2 * kMaxPairs taps, so with rows of whole
  // groups every chunk is whole groups.
  if (t->taps_w % 4 == 0 && t->in_tap_w_step == 1) {
    fill_quads(t, first, pairs, j0, end, scratch, offsets);
    return;
  }
  const int32_t zp = t->in_zero_point;
  const size_t in_step = t->in_pixel_step;
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
    const int8_t *in = t->in + j0 * in_step;
    for (size_t j = j0; j < end; j += 2, dst += 2 * pairs, in += 2 * in_step) {
      dst[0] = pair(in);
      dst[1] = j + 1 < end ? pair(in + in_step) : 0;
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

// Output o's weights (its lane of the first tap) in the tile's packed
// weights.
const int8_t *output_weights(const small_window_tile_i8 *t, size_t o) {
  return t->weights + o / t->cb * t->w_out_block_step + o % t->cb;
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

// Requantizes and stores sums of the tile's outputs.
class Store {
public:
  explicit Store(const small_window_tile_i8 *t)
      : t_(t), requant_(t),
        prepared_(static_cast<const PreparedBlock *>(t->requant)),
        lo_(t->act_min), hi_(t->act_max),
        full_range_(cortex_m::full_int8_range(t->act_min, t->act_max)) {}

  // Outputs o .. o + 3 of pixel j (and j + 1 when `pair`) from dot_4x2's 8
  // sums ([output][pixel]). One copy for both window paths (inlined in
  // each, the kernel took 0.9 KB more flash and no fewer instructions).
  __attribute__((noinline)) void quad(const int32_t *sums, size_t o, size_t j,
                                      bool pair) const {
    const size_t cb = t_->cb;
    const PreparedBlock &block = prepared_[o / cb];
    int8_t *out =
        t_->out + o / cb * t_->out_block_step + o % cb + j * t_->out_pixel_step;
    if ((block.general_lanes >> (o % cb) & 0xFu) != 0) {
      general(sums, o, out, pair);
    } else if (full_range_) {
      fused<true>(sums, block.lanes + o % cb, out, pair);
    } else {
      fused<false>(sums, block.lanes + o % cb, out, pair);
    }
  }

private:
  // The fused rounding (prepared_requant.h), clamped by SSAT and, for a
  // narrower clamp (a ReLU's), by the two bounds. The constants are read
  // into locals first: a byte store may alias anything the compiler cannot
  // see is private, this object included.
  template <bool FullRange>
  void fused(const int32_t *sums, const cortex_m::FusedRounding *f, int8_t *out,
             bool pair) const {
    const size_t step = t_->out_pixel_step;
    const int32_t lo = lo_, hi = hi_;
    const auto byte = [&](const cortex_m::FusedRounding &fk, int32_t x) {
      int32_t v = __ssat(fk(x), 8);
      if (!FullRange) {
        v = v < lo ? lo : (v > hi ? hi : v);
      }
      return static_cast<int8_t>(v);
    };
#pragma GCC unroll 4
    for (size_t k = 0; k < 4; ++k) {
      const cortex_m::FusedRounding fk = f[k];
      const int8_t a = byte(fk, sums[2 * k]);
      const int8_t b = byte(fk, sums[2 * k + 1]);
      out[k] = a;
      if (pair) {
        out[k + step] = b;
      }
    }
  }

  // Outputs with a general() lane among them: each byte by its channel's
  // general path.
  __attribute__((noinline)) void general(const int32_t *sums, size_t o,
                                         int8_t *out, bool pair) const {
    const size_t step = t_->out_pixel_step;
    for (size_t k = 0; k < 4; ++k) {
      out[k] = requant_.requantize(o + k, sums[2 * k]);
      if (pair) {
        out[k + step] = requant_.requantize(o + k, sums[2 * k + 1]);
      }
    }
  }

  const small_window_tile_i8 *t_;
  cortex_m::TileRequant requant_;
  const PreparedBlock *prepared_;
  int32_t lo_, hi_;
  bool full_range_;
};

// The 8 sums of outputs o .. o + 3 for two pixels, started from the bias.
void bias_sums(const small_window_tile_i8 *t, size_t o, int32_t *sums) {
  for (size_t k = 0; k < 4; ++k) {
    sums[2 * k] = sums[2 * k + 1] = t->bias[o + k];
  }
}

static_assert(kChannelBlock % 4 == 0, "outputs go 4 at a time");

// A window of at most kMaxPairs tap pairs: pixels in groups that fit the
// scratch, each group's window widened whole; per 4 outputs the weight pairs
// are packed once per group and every pixel pair's 8 sums go from the bias
// through dot_4x2 to the store.
void conv_whole_window(const small_window_tile_i8 *t, size_t taps,
                       size_t pairs) {
  const size_t width = t->width;
  const size_t outputs = t->out_blocks * t->cb;
  // (A window that misses the input, taps == 0, stores act(bias).)
  const size_t fit = pairs == 0 ? width : kScratchWords / (2 * pairs) * 2;
  const size_t group = fit < width ? fit : width;
  const Store store(t);
  int32_t scratch[kScratchWords];
  PairOffsets offsets[kMaxPairs];
  int32_t weight_pairs[4 * kMaxPairs];
  for (size_t j0 = 0; j0 < width; j0 += group) {
    const size_t end = j0 + group < width ? j0 + group : width;
    fill_chunk(t, 0, pairs, taps, j0, end, scratch, offsets);
    for (size_t o = 0; o < outputs; o += 4) {
      pack_pairs4(output_weights(t, o), offsets, pairs, weight_pairs);
      const int32_t *x = scratch;
      for (size_t j = j0; j < end; j += 2, x += 2 * pairs) {
        int32_t sums[8];
        bias_sums(t, o, sums);
        if (pairs != 0) {
          const Dot4x2 args{weight_pairs, x, x + 2 * pairs, sums};
          dot_4x2(&args);
        }
        store.quad(sums, o, j, j + 1 < end);
      }
    }
  }
}

// A larger window: pixel pair by pixel pair, the window in chunks of
// kMaxPairs tap pairs, the pair's sums in an array between chunks
// ([output][pixel], dot_4x2's order).
__attribute__((noinline)) void conv_window_chunks(const small_window_tile_i8 *t,
                                                  size_t taps) {
  const size_t width = t->width;
  const size_t outputs = t->out_blocks * t->cb;
  const Store store(t);
  int32_t scratch[2 * 2 * kMaxPairs];
  PairOffsets offsets[kMaxPairs];
  int32_t weight_pairs[4 * kMaxPairs];
  int32_t sums[2 * kMaxOutputs];
  for (size_t j = 0; j < width; j += 2) {
    const size_t end = j + 2 < width ? j + 2 : width;
    for (size_t o = 0; o < outputs; o += 4) {
      bias_sums(t, o, sums + 2 * o);
    }
    for (size_t first = 0; first < taps; first += 2 * kMaxPairs) {
      const size_t left = (taps - first + 1) / 2;
      const size_t pairs = left < kMaxPairs ? left : kMaxPairs;
      fill_chunk(t, first, pairs, taps, j, end, scratch, offsets);
      for (size_t o = 0; o < outputs; o += 4) {
        pack_pairs4(output_weights(t, o), offsets, pairs, weight_pairs);
        const Dot4x2 args{weight_pairs, scratch, scratch + 2 * pairs,
                          sums + 2 * o};
        dot_4x2(&args);
      }
    }
    for (size_t o = 0; o < outputs; o += 4) {
      store.quad(sums + 2 * o, o, j, end == j + 2);
    }
  }
}

void conv_i8_planar__cortex_m4(const small_window_tile_i8 *t) {
  const size_t taps = t->in_blocks * t->taps_h * t->taps_w;
  const size_t pairs = (taps + 1) / 2;
  if (pairs <= kMaxPairs) {
    conv_whole_window(t, taps, pairs);
  } else {
    conv_window_chunks(t, taps);
  }
}

} // namespace

small_window_i8_fn
select_conv_i8_planar__cortex_m4(const small_window_shape *) {
  return conv_i8_planar__cortex_m4;
}

} // namespace small::cortex_m4
