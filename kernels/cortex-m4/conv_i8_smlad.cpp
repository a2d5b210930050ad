// Cortex-M4 int8 convolution of a blocked input (in_lanes == Cb) with SMLAD,
// bit for bit the scalar kernel's result.
//
// The tile runs 4 pixels at a time. It widens their window to int16 with
// the input zero point already subtracted (SXTAB16: x - zp fits 16 bits)
// into a stack scratch, in the order SXTB16 splits a weight word: (lane 0,
// lane 2), (lane 1, lane 3) per group of 4 lanes, the pixels' words side by
// side group by group. Every output of the tile then reads that scratch: per
// 4 lanes of 4 pixels, 1 weight word, 2 SXTB16, 4 LDRD and 8 SMLAD make 16
// multiply-accumulates in 15 instructions (quad_group), and the output's 4
// sums are requantized and stored right away (store_quad). The weights
// (conv_i8_k_group = 4) give an output's 4 lanes as one word. When 3
// pixels are left, the tile's last 4 run (overlapping the 4 before by one
// pixel); 1 or 2 pixels left, and tiles narrower than 4, run pixel pair by
// pixel pair, 2 outputs at a time, as CMSIS-NN's im2col kernels do (19
// instructions per 16 multiply-accumulates).
//
// The window is a list of (input block, tap) segments of Cb lanes (fewer in
// the last block). A plan, made once per tile, merges segments whose inputs
// follow each other in memory into spans (a window row of one block is one
// span) and segments whose weights follow each other into runs (a full
// window is one run), up to what the scratch holds. A window larger than
// that runs as several plans, remade per 4 pixels or pixel pair, with the
// sums in the scratch's last words between them. The assembly blocks of the
// 4-pixel loop are in smlad_quad.h.
#include <cstddef>
#include <cstdint>

#include "cortex-m/requant_i8.h"
#include "cortex-m/window_walk.h"
#include "cortex-m4/prepared_requant.h"
#include "cortex-m4/smlad_quad.h"
#include "dsp.h"
#include "kernel_contract.h"
#include "kernels.h"

namespace small::cortex_m4 {

namespace {

// 2.25 KB, the largest windows of ResNet-8 in one pass: 4 pixels of up to
// 288 lanes (3x3 of 32 channels). It is most of the stack's depth (the
// firmware's RAM beyond the arena): at 448 words ResNet-8 takes 1.8% more
// instructions for 0.5 KB less. The sums that wait between plans or for
// store_pixel ([pixel][output], at most 4 x kMaxOutputs words) take its
// last words when a tile needs them (plan_words), rather than an array of
// their own: the windows that need them hold less of their window per plan
// (ResNet-8's 3x3 of 64 channels takes 3 plans per 4 pixels instead of 2:
// 0.4% more of its instructions) for 0.5 KB less stack, which brings
// ResNet-8's and MobileNet's RAM within 10% of their arenas.
constexpr size_t kScratchWords = 576;
constexpr size_t kMaxRuns = 16;
constexpr size_t kMaxSpans = 32;
constexpr size_t kMaxOutputs = kConvMaxOutBlocks * kChannelBlock;
// A plan must take at least one segment (a block's groups) of 4 pixels.
static_assert(kScratchWords - 4 * kMaxOutputs >=
                  8 * (kChannelBlock / kConvGroup),
              "the scratch keeps room for a segment beside the sums");

struct Run {
  const int8_t *weights; // group 0 of output lane 0 of output block 0
  size_t groups;
};

struct Span {
  size_t in; // bytes from the tile's input pointer
  size_t groups;
};

struct Plan {
  Run runs[kMaxRuns];
  Span spans[kMaxSpans];
  size_t run_count = 0, span_count = 0;
  size_t groups = 0; // scratch groups per pixel
  size_t end = 0;    // the segment after the plan's last
};

// Plans segments [first, ...) of the tile's `segments` while their groups
// of `pixels` pixels fit the scratch (the segments from a WindowWalk): it
// runs once per tile, or once per 4 pixels for large windows.
void make_plan(const small_window_tile_i8 *t, size_t first, size_t segments,
               size_t pixels, size_t words, Plan &p) {
  const size_t capacity = words / (2 * pixels);
  const size_t in_blocks = t->in_blocks;
  const size_t full_groups = t->cb / kConvGroup;
  const size_t last_groups =
      (t->in_last_channels + kConvGroup - 1) / kConvGroup;
  cortex_m::WindowWalk seg(t, first);
  size_t span_count = 0, run_count = 0, planned = 0;
  // Where the last span's inputs and the last run's weights end.
  size_t span_end = 0, run_end = 0;
  size_t i = first;
  for (; i < segments; ++i, seg.next()) {
    const size_t groups =
        seg.block + 1 == in_blocks ? last_groups : full_groups;
    const bool span_extends = span_count > 0 && span_end == seg.in;
    const bool run_extends = run_count > 0 && run_end == seg.w;
    if (planned + groups > capacity ||
        (!span_extends && span_count == kMaxSpans) ||
        (!run_extends && run_count == kMaxRuns)) {
      break;
    }
    if (span_extends) {
      p.spans[span_count - 1].groups += groups;
    } else {
      p.spans[span_count++] = {seg.in, groups};
    }
    if (run_extends) {
      p.runs[run_count - 1].groups += groups;
    } else {
      p.runs[run_count++] = {t->weights + seg.w, groups};
    }
    planned += groups;
    span_end = seg.in + groups * kConvGroup;
    run_end = seg.w + groups * kGroupStep;
  }
  p.span_count = span_count;
  p.run_count = run_count;
  p.groups = planned;
  p.end = i;
}

// The plan's inputs of the pixels at in0 and in1, widened: 4 words per
// group (pixel 0's even and odd lanes, then pixel 1's).
void widen_pair(const Plan &p, const int8_t *in0, const int8_t *in1,
                int32_t offset, int32_t *dst) {
  for (size_t k = 0; k < p.span_count; ++k) {
    const int8_t *a = in0 + p.spans[k].in, *b = in1 + p.spans[k].in;
    for (size_t q = 0; q < p.spans[k].groups; ++q, dst += 4) {
      const int32_t va = load_word(a + q * kConvGroup);
      const int32_t vb = load_word(b + q * kConvGroup);
      dst[0] = offset_even_bytes(offset, va);
      dst[1] = offset_odd_bytes(offset, va);
      dst[2] = offset_even_bytes(offset, vb);
      dst[3] = offset_odd_bytes(offset, vb);
    }
  }
}

// The plan's inputs of one pixel, widened: 2 words per group.
void widen_one(const Plan &p, const int8_t *in, int32_t offset, int32_t *dst) {
  for (size_t k = 0; k < p.span_count; ++k) {
    const int8_t *a = in + p.spans[k].in;
    for (size_t q = 0; q < p.spans[k].groups; ++q, dst += 2) {
      const int32_t v = load_word(a + q * kConvGroup);
      dst[0] = offset_even_bytes(offset, v);
      dst[1] = offset_odd_bytes(offset, v);
    }
  }
}

// The plan's inputs of the 4 pixels from in, in_step apart, widened: 8
// words per group (each pixel's even and odd lanes, pixel by pixel).
void widen_quad(const Plan &p, const int8_t *in, size_t in_step, int32_t offset,
                int32_t *dst) {
  for (size_t k = 0; k < p.span_count; ++k) {
    const int8_t *a = in + p.spans[k].in;
    for (size_t q = 0; q < p.spans[k].groups; ++q, dst += 8) {
      const int8_t *g = a + q * kConvGroup;
#pragma GCC unroll 4
      for (size_t i = 0; i < 4; ++i) {
        const int32_t v = load_word(g + i * in_step);
        dst[2 * i] = offset_even_bytes(offset, v);
        dst[2 * i + 1] = offset_odd_bytes(offset, v);
      }
    }
  }
}

// One output of the 4 pixels over `groups` groups: weights from w (one
// word per group, kGroupStep apart), scratch from x; sums added to c0..c3.
inline void dot_4x1_run(const int32_t *x, const int8_t *w, size_t groups,
                        int32_t &c0, int32_t &c1, int32_t &c2, int32_t &c3) {
  const int32_t *end = x + 8 * groups;
  if (groups % 2 != 0) {
    quad_group(x, w, c0, c1, c2, c3);
  }
  while (x != end) {
    quad_group(x, w, c0, c1, c2, c3);
    quad_group(x, w, c0, c1, c2, c3);
  }
}

// One output (weights at w_offset in every group) of the 4 pixels whose
// scratch groups are at x, added to c[0..3]: the weights widened once for 4
// pixels instead of 2.
inline void dot_4x1(const Plan &p, size_t w_offset, const int32_t *x,
                    int32_t (&c)[4]) {
  int32_t c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3];
  for (size_t r = 0; r < p.run_count; ++r) {
    dot_4x1_run(x, p.runs[r].weights + w_offset, p.runs[r].groups, c0, c1, c2,
                c3);
    x += 8 * p.runs[r].groups;
  }
  c[0] = c0;
  c[1] = c1;
  c[2] = c2;
  c[3] = c3;
}

// Two outputs (weights at w_offset and w_offset + 4 in every group) of two
// pixels whose scratch groups interleave from x on; acc0[0..1] pixel 0,
// acc1[0..1] pixel 1.
void dot_2x2(const Plan &p, size_t w_offset, const int32_t *x, int32_t *acc0,
             int32_t *acc1) {
  int32_t c00 = acc0[0], c01 = acc0[1], c10 = acc1[0], c11 = acc1[1];
  for (size_t r = 0; r < p.run_count; ++r) {
    const int8_t *w = p.runs[r].weights + w_offset;
    const int32_t *end = x + 4 * p.runs[r].groups;
#pragma GCC unroll 2
    for (; x != end; x += 4, w += kGroupStep) {
      const int32_t w0 = load_word(w), w1 = load_word(w + kConvGroup);
      int32_t e = even_bytes(w0), o = odd_bytes(w0);
      c00 = dual_mac(x[1], o, dual_mac(x[0], e, c00));
      c10 = dual_mac(x[3], o, dual_mac(x[2], e, c10));
      e = even_bytes(w1);
      o = odd_bytes(w1);
      c01 = dual_mac(x[1], o, dual_mac(x[0], e, c01));
      c11 = dual_mac(x[3], o, dual_mac(x[2], e, c11));
    }
  }
  acc0[0] = c00;
  acc0[1] = c01;
  acc1[0] = c10;
  acc1[1] = c11;
}

// Two outputs of one pixel (the last pixel of an odd tile width).
void dot_2x1(const Plan &p, size_t w_offset, const int32_t *x, int32_t *acc0) {
  int32_t c00 = acc0[0], c01 = acc0[1];
  for (size_t r = 0; r < p.run_count; ++r) {
    const int8_t *w = p.runs[r].weights + w_offset;
    const int32_t *end = x + 2 * p.runs[r].groups;
    for (; x != end; x += 2, w += kGroupStep) {
      const int32_t w0 = load_word(w), w1 = load_word(w + kConvGroup);
      c00 = dual_mac(x[1], odd_bytes(w0), dual_mac(x[0], even_bytes(w0), c00));
      c01 = dual_mac(x[1], odd_bytes(w1), dual_mac(x[0], even_bytes(w1), c01));
    }
  }
  acc0[0] = c00;
  acc0[1] = c01;
}

// Every output pair of the tile for the pixel pair (Pixels 2) or the lone
// pixel (1) whose widened window is at x; acc as in conv_i8_blocked. In a
// function of its own: the dot loops then get the registers they need
// (inlined into the tile, GCC 12 spilled in them), and the call's setup is
// paid once per pixel pair instead of once per output pair.
template <int Pixels>
__attribute__((noinline)) void dot_outputs(const small_window_tile_i8 *t,
                                           const Plan &p, const int32_t *x,
                                           int32_t *acc) {
  const size_t outputs = t->out_blocks * kChannelBlock;
  for (size_t k = 0; k < t->out_blocks; ++k) {
    for (size_t l = 0; l < kChannelBlock; l += 2) {
      const size_t o = k * kChannelBlock + l;
      const size_t w_offset = k * t->w_out_block_step + l * kConvGroup;
      if (Pixels == 2) {
        dot_2x2(p, w_offset, x, acc + o, acc + outputs + o);
      } else {
        dot_2x1(p, w_offset, x, acc + o);
      }
    }
  }
}

// The 4 pixels' sums c0..c3 of output `channel` requantized by its general
// path (a channel whose shift the fused rounding does not cover) and
// stored at out, out + step, out + 2 step and out + 3 step. The sums come
// by value: taking the address of the caller's sums kept them in memory.
__attribute__((noinline)) void store_general(int32_t c0, int32_t c1, int32_t c2,
                                             int32_t c3,
                                             const cortex_m::TileRequant &r,
                                             size_t channel, int8_t *out,
                                             size_t step) {
  const int32_t c[4] = {c0, c1, c2, c3};
  r.channel(channel).store(c, 1, out, step, 4);
}

// Where quad_block_one_run sends the sums of an output whose channel takes
// its general path (a shift the fused rounding does not cover).
struct GeneralOutputs {
  const cortex_m::TileRequant *requant;
  size_t first_channel; // the block's first output channel
};

// The common case of dot_quad_outputs: a window of one run (a full window,
// a 1x1 layer) and an output block whose channels take their fused rounding
// with the full range (with `general` non-NULL, all but some, marked
// general(), whose sums go to store_general). Its Cb outputs (weights from
// w, kConvGroup apart; bias and constants f one per output, output bytes
// one per lane) walk with pointers only, so that the per-output
// bookkeeping is a few instructions around the dot and the store: the
// first group starts the sums from the bias (quad_group_from_bias), then
// one group when the rest is odd (EvenGroups: `groups` is even), then pairs
// of groups.
template <bool EvenGroups, bool Checked>
__attribute__((always_inline)) inline void
quad_block_body(const int32_t *x, size_t groups, const int8_t *w,
                const int32_t *bias, const cortex_m::FusedRounding *f,
                int8_t *out, size_t out_step, const GeneralOutputs *general) {
  const int32_t *x_end = x + 8 * groups;
  int8_t *const out_begin = out;
  for (int8_t *out_end = out + kChannelBlock; out != out_end;
       ++out, w += kConvGroup) {
    int32_t c0, c1, c2, c3;
    const int32_t *xp = x;
    const int8_t *wp = w;
    quad_group_from_bias(xp, wp, bias, c0, c1, c2, c3);
    if (EvenGroups) {
      quad_group(xp, wp, c0, c1, c2, c3);
    }
    while (xp != x_end) {
      quad_group(xp, wp, c0, c1, c2, c3);
      quad_group(xp, wp, c0, c1, c2, c3);
    }
    if (Checked && f->general()) {
      store_general(c0, c1, c2, c3, *general->requant,
                    general->first_channel +
                        static_cast<size_t>(out - out_begin),
                    out, out_step);
      ++f;
    } else {
      store_quad(c0, c1, c2, c3, f, out, out_step);
    }
  }
}

// quad_block_body as functions of their own: the plain one keeps 7
// arguments (an 8th goes on the stack at every call).
template <bool EvenGroups>
__attribute__((noinline)) void
quad_block_one_run(const int32_t *x, size_t groups, const int8_t *w,
                   const int32_t *bias, const cortex_m::FusedRounding *f,
                   int8_t *out, size_t out_step) {
  quad_block_body<EvenGroups, false>(x, groups, w, bias, f, out, out_step,
                                     nullptr);
}
template <bool EvenGroups>
__attribute__((noinline)) void
quad_block_checked(const int32_t *x, size_t groups, const int8_t *w,
                   const int32_t *bias, const cortex_m::FusedRounding *f,
                   int8_t *out, size_t out_step,
                   const GeneralOutputs &general) {
  quad_block_body<EvenGroups, true>(x, groups, w, bias, f, out, out_step,
                                    &general);
}

// quad_block_one_run for one output block.
inline void quad_block(const int32_t *x, size_t groups, const int8_t *w,
                       const int32_t *bias, const cortex_m::FusedRounding *f,
                       int8_t *out, size_t out_step) {
  if (groups % 2 == 0) {
    quad_block_one_run<true>(x, groups, w, bias, f, out, out_step);
  } else {
    quad_block_one_run<false>(x, groups, w, bias, f, out, out_step);
  }
}

// Every output of the tile for the 4 pixels from pixel j, whose widened
// window is at x: each output's 4 sums start from its bias and, when the
// tile takes fused roundings with the full int8 range (`prepared`, the
// layer's prepared blocks, non-NULL), are requantized and stored right away,
// the output's constants loaded once for the 4 pixels (a channel marked
// general() by its general path; bit k of general_blocks is set when output
// block k has one); with prepared NULL they go to acc ([pixel][output]) for
// a later plan or store_pixel, or with acc NULL too, are stored right away
// by their general path (a clamp narrower than int8). Resume: a later plan
// of a window that takes several (prepared NULL); the sums start from acc
// instead of the bias.
template <bool Resume>
__attribute__((noinline)) void
dot_quad_outputs(const small_window_tile_i8 *t, const Plan &p, const int32_t *x,
                 size_t j, const cortex_m::TileRequant &requant,
                 const PreparedBlock *prepared, uint32_t general_blocks,
                 int32_t *acc) {
  // The tile's fields in locals: store_quad's stores may alias memory.
  const size_t outputs = t->out_blocks * kChannelBlock;
  const size_t out_step = t->out_pixel_step;
  const size_t w_block_step = t->w_out_block_step;
  const size_t out_block_step = t->out_block_step;
  const int32_t *bias = t->bias;
  int8_t *out = t->out + j * out_step;
  // A window of one run (a full window, a 1x1 layer) loops over its groups
  // with no run bookkeeping per output.
  const bool one_run = p.run_count == 1;
  const int8_t *run_weights = p.runs[0].weights;
  const size_t run_groups = p.runs[0].groups;
  // The common case keeps a loop of its own: folded into the one below, its
  // per-block branch cost ResNet-8 7.5 k instructions.
  if (one_run && prepared != nullptr && general_blocks == 0) {
    for (size_t k = 0; k < t->out_blocks; ++k) {
      quad_block(x, run_groups, run_weights + k * w_block_step,
                 bias + k * kChannelBlock, prepared[k].lanes,
                 out + k * out_block_step, out_step);
    }
    return;
  }
  if (one_run && prepared != nullptr) {
    for (size_t k = 0; k < t->out_blocks; ++k) {
      const int8_t *w = run_weights + k * w_block_step;
      const int32_t *b = bias + k * kChannelBlock;
      const cortex_m::FusedRounding *f = prepared[k].lanes;
      int8_t *o = out + k * out_block_step;
      if ((general_blocks >> k & 1) != 0) {
        const GeneralOutputs general{&requant, k * kChannelBlock};
        (run_groups % 2 == 0 ? quad_block_checked<true>
                             : quad_block_checked<false>)(x, run_groups, w, b,
                                                          f, o, out_step,
                                                          general);
      } else {
        quad_block(x, run_groups, w, b, f, o, out_step);
      }
    }
    return;
  }
  for (size_t k = 0; k < t->out_blocks; ++k) {
    for (size_t l = 0; l < kChannelBlock; ++l) {
      const size_t o = k * kChannelBlock + l;
      const size_t w_offset = k * w_block_step + l * kConvGroup;
      int32_t c[4] = {bias[o], bias[o], bias[o], bias[o]};
      if (Resume) {
#pragma GCC unroll 4
        for (size_t i = 0; i < 4; ++i) {
          c[i] = acc[i * outputs + o];
        }
      }
      if (one_run) {
        dot_4x1_run(x, run_weights + w_offset, run_groups, c[0], c[1], c[2],
                    c[3]);
      } else {
        dot_4x1(p, w_offset, x, c);
      }
      const cortex_m::FusedRounding *f =
          prepared != nullptr ? &prepared[k].lanes[l] : nullptr;
      if (f != nullptr && !f->general()) {
        store_quad(c[0], c[1], c[2], c[3], f, out + k * out_block_step + l,
                   out_step);
      } else if (f != nullptr || acc == nullptr) {
        store_general(c[0], c[1], c[2], c[3], requant, o,
                      out + k * out_block_step + l, out_step);
      } else {
#pragma GCC unroll 4
        for (size_t i = 0; i < 4; ++i) {
          acc[i * outputs + o] = c[i];
        }
      }
    }
  }
}

// Requantizes one pixel's sums acc[0, outputs) into its output bytes.
void store_pixel(const small_window_tile_i8 *t, const int32_t *acc, int8_t *out,
                 const cortex_m::TileRequant &requant,
                 const PreparedBlock *prepared, bool tile_fused,
                 uint32_t general_blocks) {
  for (size_t k = 0; k < t->out_blocks; ++k, out += t->out_block_step) {
    const size_t o0 = k * kChannelBlock;
    const cortex_m::FusedRounding *fused = prepared[k].lanes;
    if (tile_fused && (general_blocks >> k & 1) == 0) {
      for (size_t l = 0; l < kChannelBlock; ++l) {
        out[l] = static_cast<int8_t>(__ssat(fused[l](acc[o0 + l]), 8));
      }
    } else if (tile_fused) {
      for (size_t l = 0; l < kChannelBlock; ++l) {
        const cortex_m::FusedRounding &f = fused[l];
        out[l] = f.general() ? requant.channel(o0 + l)(acc[o0 + l])
                             : static_cast<int8_t>(__ssat(f(acc[o0 + l]), 8));
      }
    } else {
      for (size_t l = 0; l < kChannelBlock; ++l) {
        out[l] = requant.channel(o0 + l)(acc[o0 + l]);
      }
    }
  }
}

void conv_i8_blocked__cortex_m4(const small_window_tile_i8 *t) {
  const size_t width = t->width;
  const size_t outputs = t->out_blocks * kChannelBlock;
  const size_t segments = t->in_blocks * t->taps_h * t->taps_w;
  const int32_t offset = negated_pair(t->in_zero_point);
  const cortex_m::TileRequant requant(t);
  // The layer's fused roundings (prepared_requant.h) serve a clamp to the
  // whole int8 range (SSAT's) with double rounding; single rounding marks
  // every lane general().
  const auto *prepared = static_cast<const PreparedBlock *>(t->requant);
  const bool tile_fused = cortex_m::full_int8_range(t->act_min, t->act_max);
  uint32_t general_blocks = 0; // bit k: output block k has a general channel
  for (size_t k = 0; k < t->out_blocks; ++k) {
    general_blocks |= prepared[k].general_lanes != 0 ? 1u << k : 0u;
  }
  int32_t scratch[kScratchWords];
  Plan plan;
  // Pixels 4 by 4 while the window's groups of 4 pixels fit the scratch:
  // quads from pixel 0, 4, 8, ... and, when 3 pixels are left, from width
  // - 4, recomputing a pixel the quad before stored (the same bytes again):
  // 4 pixels' work for 3 new ones costs fewer instructions than a pair and a
  // lone pixel. 1 or 2 pixels left take the pair path.
  const size_t full_quads = width / 4;
  const size_t quads = full_quads + (width > 4 && width % 4 == 3 ? 1 : 0);
  const auto quad_start = [&](size_t q) {
    return q < full_quads ? 4 * q : width - 4;
  };
  size_t j = 0;
  if (quads > 0) {
    // The 4 pixels' sums, when they wait, in the scratch's last words.
    int32_t *const acc = scratch + kScratchWords - 4 * outputs;
    const size_t plan_words = kScratchWords - 4 * outputs;
    make_plan(t, 0, segments, 4, kScratchWords, plan);
    if (plan.end == segments) {
      for (size_t q = 0; q < quads; ++q) {
        j = quad_start(q);
        widen_quad(plan, t->in + j * t->in_pixel_step, t->in_pixel_step, offset,
                   scratch);
        dot_quad_outputs<false>(t, plan, scratch, j, requant,
                                tile_fused ? prepared : nullptr, general_blocks,
                                nullptr);
      }
    } else {
      // A window larger than the scratch (ResNet-8's 3x3 of 64 channels)
      // runs as several plans per 4 pixels, the sums in acc between them:
      // still 15 instructions per 16 multiply-accumulates, where pixel
      // pairs take 19.
      for (size_t q = 0; q < quads; ++q) {
        j = quad_start(q);
        const int8_t *in = t->in + j * t->in_pixel_step;
        make_plan(t, 0, segments, 4, plan_words, plan);
        widen_quad(plan, in, t->in_pixel_step, offset, scratch);
        dot_quad_outputs<false>(t, plan, scratch, j, requant, nullptr, 0, acc);
        while (plan.end != segments) {
          make_plan(t, plan.end, segments, 4, plan_words, plan);
          widen_quad(plan, in, t->in_pixel_step, offset, scratch);
          dot_quad_outputs<true>(t, plan, scratch, j, requant, nullptr, 0, acc);
        }
        int8_t *out = t->out + j * t->out_pixel_step;
        for (size_t i = 0; i < 4; ++i, out += t->out_pixel_step) {
          store_pixel(t, acc + i * outputs, out, requant, prepared, tile_fused,
                      general_blocks);
        }
      }
    }
    j += 4;
  }
  if (j == width) {
    return;
  }
  // The rest pixel pair by pixel pair (their sums in the scratch's last
  // words). A window larger than the rest of the scratch runs as several
  // plans, remade for every pixel pair; otherwise the one plan serves the
  // whole tile.
  int32_t *const acc = scratch + kScratchWords - 2 * outputs;
  const size_t plan_words = kScratchWords - 2 * outputs;
  make_plan(t, 0, segments, 2, plan_words, plan);
  const bool one_plan = plan.end == segments;
  for (bool first = true; j < width; j += 2, first = false) {
    const bool pair = j + 1 < width;
    const int8_t *in0 = t->in + j * t->in_pixel_step;
    for (size_t o = 0; o < outputs; ++o) {
      acc[o] = t->bias[o];
      acc[outputs + o] = t->bias[o];
    }
    if (!one_plan && !first) {
      make_plan(t, 0, segments, 2, plan_words, plan);
    }
    for (;;) {
      if (pair) {
        widen_pair(plan, in0, in0 + t->in_pixel_step, offset, scratch);
      } else {
        widen_one(plan, in0, offset, scratch);
      }
      if (pair) {
        dot_outputs<2>(t, plan, scratch, acc);
      } else {
        dot_outputs<1>(t, plan, scratch, acc);
      }
      if (plan.end == segments) {
        break;
      }
      make_plan(t, plan.end, segments, 2, plan_words, plan);
    }
    int8_t *out = t->out + j * t->out_pixel_step;
    store_pixel(t, acc, out, requant, prepared, tile_fused, general_blocks);
    if (pair) {
      store_pixel(t, acc + outputs, out + t->out_pixel_step, requant, prepared,
                  tile_fused, general_blocks);
    }
  }
}

} // namespace

small_window_i8_fn select_conv_i8__cortex_m4(const small_window_shape *s) {
  return s->in_lanes == 1 ? select_conv_i8_planar__cortex_m4(s)
                          : conv_i8_blocked__cortex_m4;
}

} // namespace small::cortex_m4
