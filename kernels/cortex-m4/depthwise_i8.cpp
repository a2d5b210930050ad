// Cortex-M4 int8 depthwise tile, bit for bit the scalar kernel's result.
//
// Depthwise sums run along the taps of one lane, and the lanes of a word
// belong to different channels, so there is no pair of products to add
// (SMLAD); instead SMLABB / SMLATT accumulate one product per lane from
// int16 halves: one word load brings 4 lanes of input, SXTAB16 widens its
// even and odd lanes (subtracting the input zero point on the way), and the
// weights, widened the same way once per tile, come as two words per tap
// (LDRD): per tap and 4 lanes, 8 instructions for 4 multiply-accumulates.
//
// The tile runs one pixel and 4 lanes at a time, so that the 4 sums, the
// operands and the pointers fit the core registers (2 pixels sharing the
// weights needed 8 sums and spilled at every tap), and requantizes the 4
// sums right away, with the fused rounding of cortex-m/requant_i8.h and the
// whole int8 range as clamp, the 4 lanes' constants derived once per tile.
// 3x3 windows and their 2-tap borders run as an assembly loop (the window
// loops below: 8 instructions per output); other windows as C (about 10).
#include <cstddef>
#include <cstdint>

#include "cortex-m/requant_i8.h"
#include "cortex-m4/fused_store_asm.h"
#include "cortex-m4/prepared_requant.h"
#include "dsp.h"
#include "kernel_contract.h"
#include "kernels.h"

namespace small::cortex_m4 {

namespace {

constexpr size_t kLanes = 4; // lanes per word

// Where one tile's pixels read and write, in locals: the output byte stores
// may alias anything the tile pointer reaches.
struct Walk {
  size_t taps_h, taps_w;
  size_t in_tap_w, in_tap_h, w_tap_w, w_tap_h;
};

// One tap of 4 lanes: x and w each one word of 4 lanes.
inline void tap(const int8_t *x, const int8_t *w, int32_t offset, int32_t &a0,
                int32_t &a1, int32_t &a2, int32_t &a3) {
  const int32_t xv = load_word(x), wv = load_word(w);
  const int32_t x02 = offset_even_bytes(offset, xv), w02 = even_bytes(wv);
  a0 = mac_low(x02, w02, a0);
  a2 = mac_high(x02, w02, a2);
  const int32_t x13 = offset_odd_bytes(offset, xv), w13 = odd_bytes(wv);
  a1 = mac_low(x13, w13, a1);
  a3 = mac_high(x13, w13, a3);
}

// The window sums of 4 lanes of one pixel (in and w at its tap 0) added to
// a[0..3]. TapsW: the window's width when fixed at compile time (3, or 2
// at the border of 3-wide windows: a row's taps unrolled), else 0
// (walk.taps_w).
template <size_t TapsW>
inline void dot_lanes(const Walk &walk, const int8_t *in, const int8_t *w,
                      int32_t offset, int32_t (&a)[kLanes]) {
  const size_t taps_w = TapsW != 0 ? TapsW : walk.taps_w;
  int32_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
  for (size_t r = walk.taps_h; r > 0;
       --r, in += walk.in_tap_h, w += walk.w_tap_h) {
    const int8_t *x = in, *ws = w;
#pragma GCC unroll 3
    for (size_t s = taps_w; s > 0;
         --s, x += walk.in_tap_w, ws += walk.w_tap_w) {
      tap(x, ws, offset, a0, a1, a2, a3);
    }
  }
  a[0] = a0;
  a[1] = a1;
  a[2] = a2;
  a[3] = a3;
}

// Taps of a window whose weights lanes_fused widens once per tile (3x3 is 9,
// 5x5 25); larger windows take lanes_general.
constexpr size_t kMaxWideTaps = 32;

// One tap of 4 lanes from widened weights: the input word (its even and odd
// lanes widened with the zero point subtracted), the weights' two words at
// wide (even lanes, odd lanes; then wide moves to the next tap): 8
// instructions for 4 multiply-accumulates. `load` brings the input word
// into xv. In assembly because GCC 12 spilled sums in the unrolled rows.
#define SMALL_M4_WIDE_TAP(load)                                                \
  load "\n\t"                                                                  \
       "ldrd %[we], %[wo], [%[wide]], #8\n\t"                                  \
       "sxtab16 %[h], %[off], %[xv]\n\t"                                       \
       "smlabb %[a0], %[h], %[we], %[a0]\n\t"                                  \
       "smlatt %[a2], %[h], %[we], %[a2]\n\t"                                  \
       "sxtab16 %[h], %[off], %[xv], ror #8\n\t"                               \
       "smlabb %[a1], %[h], %[wo], %[a1]\n\t"                                  \
       "smlatt %[a3], %[h], %[wo], %[a3]\n\t"

// One tap, the input at x.
inline void wide_tap(const int8_t *x, const int32_t *&wide, int32_t offset,
                     int32_t &a0, int32_t &a1, int32_t &a2, int32_t &a3) {
  int32_t xv, we, wo, h;
  __asm__(SMALL_M4_WIDE_TAP("ldr %[xv], [%[x]]")
          : [xv] "=&r"(xv), [we] "=&r"(we), [wo] "=&r"(wo), [h] "=&r"(h),
            [wide] "+r"(wide), [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2),
            [a3] "+r"(a3)
          : [x] "r"(x), [off] "r"(offset),
            "m"(*reinterpret_cast<const int32_t(*)[2]>(wide)),
            "m"(*reinterpret_cast<const int8_t(*)[kLanes]>(x)));
}

// The three taps of a window row, inputs at x, x + step and x + 2 step: 24
// instructions for 12 multiply-accumulates.
inline void wide_row3(const int8_t *x, size_t step, const int32_t *&wide,
                      int32_t offset, int32_t &a0, int32_t &a1, int32_t &a2,
                      int32_t &a3) {
  int32_t xv, we, wo, h;
  __asm__(SMALL_M4_WIDE_TAP("ldr %[xv], [%[x]]")
              SMALL_M4_WIDE_TAP("ldr %[xv], [%[x], %[step]]")
                  SMALL_M4_WIDE_TAP("ldr %[xv], [%[x], %[step], lsl #1]")
          : [xv] "=&r"(xv), [we] "=&r"(we), [wo] "=&r"(wo), [h] "=&r"(h),
            [wide] "+r"(wide), [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2),
            [a3] "+r"(a3)
          : [x] "r"(x), [step] "r"(step), [off] "r"(offset),
            "m"(*reinterpret_cast<const int32_t(*)[6]>(wide)),
            "m"(*reinterpret_cast<const int8_t(*)[kLanes]>(x)));
}
#undef SMALL_M4_WIDE_TAP

// What the window loops read (offsets fixed: the loops are assembly).
struct WindowLoop {
  const int8_t *in;    // 0: the first pixel's tap (0, 0), at the lanes
  int8_t *out;         // 4: its output (the loop advances it)
  size_t tap_w;        // 8: input bytes from a tap to the next in a row
  size_t tap_h;        // 12: from a row of taps to the next
  size_t next_pixel;   // 16: from the last row's tap (0) to the next pixel's
  size_t out_step;     // 20
  const int32_t *wide; // 24: the taps' widened weights (even, odd words)
  const int32_t *bias; // 28: the 4 lanes' bias
  const cortex_m::FusedRounding *f; // 32: the 4 lanes' roundings
  int32_t offset;                   // 36: -input zero point, both halves
  size_t count; // 40: pixels, at least 1 (the loop counts it down)
};
static_assert(sizeof(void *) == 4 && sizeof(size_t) == 4 &&
                  offsetof(WindowLoop, count) == 40,
              "the window loops read these offsets");
static_assert(sizeof(cortex_m::FusedRounding) == 12 &&
                  offsetof(cortex_m::FusedRounding, high) == 4 &&
                  offsetof(cortex_m::FusedRounding, high_shift) == 8,
              "the window loops load a rounding with one LDM");

// The pixels of a tile of 3x3 windows (or of their 2-tap borders), 4 lanes
// each: 8 instructions per tap (SMALL_M4_WIDE_TAP, the sums in r5-r8) and 8
// per output for the fused rounding (one LDM brings a lane's multiplier,
// high word and shift): 122 per pixel of a 3x3 window in all. GCC 12
// spilled the pointers and reloaded the 12 rounding constants at every
// pixel of the C loop (about 142); here every core register has one role:
//   r0 the WindowLoop   r1 the input row   r2 tap_w (the output pointer
//   while requantizing)   r3 the widened weights (then the roundings)
//   r4 the offset   r5-r8 the sums   r9-r12 operands   lr tap_h
// clang-format off
#define SMALL_M4_LOOP_TAP(load)                                                \
  load "\n\t"                                                                  \
  "ldrd r10, r11, [r3], #8\n\t"                                                \
  "sxtab16 r12, r4, r9\n\t"                                                    \
  "smlabb r5, r12, r10, r5\n\t"                                                \
  "smlatt r7, r12, r10, r7\n\t"                                                \
  "sxtab16 r12, r4, r9, ror #8\n\t"                                            \
  "smlabb r6, r12, r11, r6\n\t"                                                \
  "smlatt r8, r12, r11, r8\n\t"
#define SMALL_M4_LOOP_ROW2                                                     \
  SMALL_M4_LOOP_TAP("ldr r9, [r1]")                                            \
  SMALL_M4_LOOP_TAP("ldr r9, [r1, r2]")
#define SMALL_M4_LOOP_ROW3                                                     \
  SMALL_M4_LOOP_ROW2                                                           \
  SMALL_M4_LOOP_TAP("ldr r9, [r1, r2, lsl #1]")
#define SMALL_M4_LOOP_NEXT_ROW "add r1, r1, lr\n\t"
#define SMALL_M4_LOOP_STORE(sum, index)                                        \
  "ldmia r3!, {r9, r10, r11}\n\t"                                              \
  SMALL_M4_FUSED_STORE(sum, "r12", "r10", "r9", "r10", "r11",                  \
                       "[r2, #" index "]")
#define SMALL_M4_WINDOW_LOOP(window)                                           \
  __asm__ volatile(                                                            \
      "push {r4-r11, lr}\n\t"                                                  \
      "ldr r1, [r0, #0]\n\t"                                                   \
      "ldr r2, [r0, #8]\n\t"                                                   \
      "ldr lr, [r0, #12]\n\t"                                                  \
      "ldr r4, [r0, #36]\n"                                                    \
      "1:\n\t"                                                                 \
      "ldr r3, [r0, #28]\n\t"                                                  \
      "ldrd r5, r6, [r3]\n\t"                                                  \
      "ldrd r7, r8, [r3, #8]\n\t"                                              \
      "ldr r3, [r0, #24]\n\t"                                                  \
      window                                                                   \
      "ldr r3, [r0, #32]\n\t"                                                  \
      "ldr r2, [r0, #4]\n\t"                                                   \
      SMALL_M4_LOOP_STORE("r5", "0")                                           \
      SMALL_M4_LOOP_STORE("r6", "1")                                           \
      SMALL_M4_LOOP_STORE("r7", "2")                                           \
      SMALL_M4_LOOP_STORE("r8", "3")                                           \
      "ldr r9, [r0, #20]\n\t"                                                  \
      "add r2, r2, r9\n\t"                                                     \
      "str r2, [r0, #4]\n\t"                                                   \
      "ldr r2, [r0, #8]\n\t"                                                   \
      "ldr r9, [r0, #16]\n\t"                                                  \
      "add r1, r1, r9\n\t"                                                     \
      "ldr r9, [r0, #40]\n\t"                                                  \
      "subs r9, r9, #1\n\t"                                                    \
      "str r9, [r0, #40]\n\t"                                                  \
      "bne 1b\n\t"                                                             \
      "pop {r4-r11, pc}\n\t")
// A window of taps_h rows of taps_w taps: 3x3, and the border windows 3x2
// (3 rows of 2), 2x3 and 2x2.
__attribute__((naked, noinline)) void window_loop_3x3(WindowLoop *) {
  SMALL_M4_WINDOW_LOOP(SMALL_M4_LOOP_ROW3 SMALL_M4_LOOP_NEXT_ROW
                       SMALL_M4_LOOP_ROW3 SMALL_M4_LOOP_NEXT_ROW
                       SMALL_M4_LOOP_ROW3);
}
__attribute__((naked, noinline)) void window_loop_3x2(WindowLoop *) {
  SMALL_M4_WINDOW_LOOP(SMALL_M4_LOOP_ROW2 SMALL_M4_LOOP_NEXT_ROW
                       SMALL_M4_LOOP_ROW2 SMALL_M4_LOOP_NEXT_ROW
                       SMALL_M4_LOOP_ROW2);
}
__attribute__((naked, noinline)) void window_loop_2x3(WindowLoop *) {
  SMALL_M4_WINDOW_LOOP(SMALL_M4_LOOP_ROW3 SMALL_M4_LOOP_NEXT_ROW
                       SMALL_M4_LOOP_ROW3);
}
__attribute__((naked, noinline)) void window_loop_2x2(WindowLoop *) {
  SMALL_M4_WINDOW_LOOP(SMALL_M4_LOOP_ROW2 SMALL_M4_LOOP_NEXT_ROW
                       SMALL_M4_LOOP_ROW2);
}
// clang-format on
#undef SMALL_M4_WINDOW_LOOP
#undef SMALL_M4_LOOP_STORE
#undef SMALL_M4_LOOP_NEXT_ROW
#undef SMALL_M4_LOOP_ROW3
#undef SMALL_M4_LOOP_ROW2
#undef SMALL_M4_LOOP_TAP

using WindowLoopFn = void (*)(WindowLoop *);

// The loop for windows of taps_h rows of taps_w taps, or nullptr.
WindowLoopFn window_loop(size_t taps_h, size_t taps_w) {
  if (taps_h == 3) {
    return taps_w == 3 ? window_loop_3x3
                       : (taps_w == 2 ? window_loop_3x2 : nullptr);
  }
  if (taps_h == 2) {
    return taps_w == 3 ? window_loop_2x3
                       : (taps_w == 2 ? window_loop_2x2 : nullptr);
  }
  return nullptr;
}

// The 4 lanes [lane, lane + 4) of every pixel of a tile whose pixels share
// weights and channels (one channel block, at most kMaxWideTaps taps),
// each requantized with f[0, 4) (the layer's prepared fused roundings of
// those lanes, whose result SSAT saturates to int8) and stored as soon as
// it is summed. The weights are widened
// once for the tile (per tap, the even lanes' word and the odd lanes'), so
// a tap costs one input word, its two extensions and 4 multiply-accumulates.
template <size_t TapsW>
__attribute__((noinline)) void
lanes_fused(const small_window_tile_i8 *t, const Walk &walk, size_t lane,
            int32_t offset, const cortex_m::FusedRounding *f) {
  const size_t taps_h = walk.taps_h;
  const size_t taps_w = TapsW != 0 ? TapsW : walk.taps_w;
  int32_t wide[2 * kMaxWideTaps];
  int32_t *wp = wide;
  for (size_t r = 0; r < taps_h; ++r) {
    for (size_t s = 0; s < taps_w; ++s, wp += 2) {
      const int32_t wv =
          load_word(t->weights + lane + r * walk.w_tap_h + s * walk.w_tap_w);
      wp[0] = even_bytes(wv);
      wp[1] = odd_bytes(wv);
    }
  }
  const int8_t *in = t->in + lane;
  int8_t *out = t->out + lane;
  const size_t in_step = t->in_pixel_step, out_step = t->out_pixel_step;
  const size_t in_tap_w = walk.in_tap_w, in_tap_h = walk.in_tap_h;
  const WindowLoopFn loop_fn = window_loop(taps_h, taps_w);
  if (loop_fn != nullptr && t->width != 0) {
    WindowLoop loop{in,
                    out,
                    in_tap_w,
                    in_tap_h,
                    in_step - (taps_h - 1) * in_tap_h,
                    out_step,
                    wide,
                    t->bias + lane,
                    f,
                    offset,
                    t->width};
    loop_fn(&loop);
    return;
  }
  const int32_t *bias = t->bias + lane;
  for (size_t j = t->width; j > 0; --j, in += in_step, out += out_step) {
    int32_t a0 = bias[0], a1 = bias[1], a2 = bias[2], a3 = bias[3];
    const int32_t *w = wide;
    const int8_t *x = in;
    for (size_t r = taps_h; r > 0; --r, x += in_tap_h) {
      if (TapsW == 3) {
        wide_row3(x, in_tap_w, w, offset, a0, a1, a2, a3);
      } else {
#pragma GCC unroll 2
        for (size_t s = 0; s < taps_w; ++s) {
          wide_tap(x + s * in_tap_w, w, offset, a0, a1, a2, a3);
        }
      }
    }
    out[0] = static_cast<int8_t>(__ssat(f[0](a0), 8));
    out[1] = static_cast<int8_t>(__ssat(f[1](a1), 8));
    out[2] = static_cast<int8_t>(__ssat(f[2](a2), 8));
    out[3] = static_cast<int8_t>(__ssat(f[3](a3), 8));
  }
}

// Every other case: pixels across channel blocks (weights, bias and
// channels per pixel), or channels off the fused path (the rare path: one
// instance for every window width).
__attribute__((noinline)) void
lanes_general(const small_window_tile_i8 *t, const Walk &walk, size_t lane,
              int32_t offset, const cortex_m::TileRequant &requant) {
  for (size_t j = 0; j < t->width; ++j) {
    const size_t channel = j * t->bias_pixel_step + lane;
    int32_t a[kLanes] = {t->bias[channel], t->bias[channel + 1],
                         t->bias[channel + 2], t->bias[channel + 3]};
    dot_lanes<0>(walk, t->in + j * t->in_pixel_step + lane,
                 t->weights + j * t->w_pixel_step + lane, offset, a);
    int8_t *out = t->out + j * t->out_pixel_step + lane;
    for (size_t l = 0; l < kLanes; ++l) {
      out[l] = requant.requantize(channel + l, a[l]);
    }
  }
}

template <size_t TapsW> void depthwise_i8(const small_window_tile_i8 *t) {
  const int32_t offset = negated_pair(t->in_zero_point);
  const cortex_m::TileRequant requant(t);
  const Walk walk{t->taps_h,        t->taps_w,       t->in_tap_w_step,
                  t->in_tap_h_step, t->w_tap_w_step, t->w_tap_h_step};
  const bool one_block = t->w_pixel_step == 0 && t->bias_pixel_step == 0;
  // The block's prepared roundings (prepared_requant.h): they serve a clamp
  // to the whole int8 range (SSAT's); single rounding marks every lane
  // general().
  const auto *prepared = static_cast<const PreparedBlock *>(t->requant);
  const bool full_range = cortex_m::full_int8_range(t->act_min, t->act_max);
  for (size_t lane = 0; lane < t->cb; lane += kLanes) {
    const bool lanes_fusable =
        full_range && (prepared->general_lanes >> lane & 0xFu) == 0;
    if (one_block && t->taps_h * t->taps_w <= kMaxWideTaps && lanes_fusable) {
      lanes_fused<TapsW>(t, walk, lane, offset, prepared->lanes + lane);
    } else {
      lanes_general(t, walk, lane, offset, requant);
    }
  }
}

} // namespace

small_window_i8_fn select_depthwise_i8__cortex_m4(const small_window_shape *s) {
  switch (s->taps_w) {
  case 3:
    return depthwise_i8<3>;
  case 2: // the border columns of 3-wide windows
    return depthwise_i8<2>;
  default:
    return depthwise_i8<0>;
  }
}

} // namespace small::cortex_m4
