// Cortex-M4 int8 convolution of a blocked input (in_lanes == Cb) with SMLAD,
// bit for bit the scalar kernel's result.
//
// The tile widens its pixels' window to int16 with the input zero point
// already subtracted (SXTAB16: x - zp fits 16 bits) into a stack scratch, in
// the order SXTB16 splits a weight word: (lane 0, lane 2), (lane 1, lane 3)
// per group of 4 lanes, the pixels' words side by side group by group. Every
// output of the tile then reads that scratch, and its sums are requantized
// and stored right away. The weights (conv_i8_k_group = 4) give an output's
// 4 lanes as one word.
//
// Pixels go 8 at a time where the 8 pixels' window is one run of weights
// that fits the scratch and every output of the tile takes the fused
// rounding, plain or wide() (a right shift past 22), with the full int8
// range (smlad_oct.h: 32 multiply-accumulates in
// 27 instructions; 3x3 windows of up to 16 channels, 1x1 of up to 144), else
// 4 at a time (smlad_quad.h: 16 in 15). When 5 to 7 pixels are left after
// the octs, the last 8 overlap the ones before; 3 left after quads, the last
// 4 do. 1 or 2 pixels left, and tiles narrower than 4, run pixel pair by
// pixel pair, 2 outputs at a time, as CMSIS-NN's im2col kernels do (19
// instructions per 16 multiply-accumulates); a lone pixel (a dense layer's)
// 4 outputs at a time (23 per 16).
//
// A plan (conv_i8_window_plan.h), made once per tile, lists the input spans
// and weight runs of the window. A window larger than the scratch runs as
// several plans, remade per 4 pixels or pixel pair, with the sums in the
// scratch's last words between them.
#include <cstddef>
#include <cstdint>

#include "cortex-m/requant_i8.h"
#include "cortex-m4/conv_i8_window_plan.h"
#include "cortex-m4/prepared_requant.h"
#include "cortex-m4/smlad_oct.h"
#include "cortex-m4/smlad_quad.h"
#include "dsp.h"
#include "kernel_contract.h"
#include "kernels.h"

namespace small::cortex_m4 {

namespace {

// 2.25 KB, the largest windows of ResNet-8 in one pass: 4 pixels of up to
// 288 lanes (3x3 of 32 channels), 8 pixels of up to 144 (3x3 of 16). It is most
// of the stack's depth (the firmware's RAM beyond the arena): at 448 words
// ResNet-8 takes 1.8% more instructions for 0.5 KB less. The sums that wait
// between plans or for store_pixel ([pixel][output], at most 4 x kMaxOutputs
// words) take its last words when a tile needs them (plan_words), rather than
// an array of their own: the windows that need them hold less of their window
// per plan (ResNet-8's 3x3 of 64 channels takes 3 plans per 4 pixels instead of
// 2: 0.4% more of its instructions) for 0.5 KB less stack, which brings
// ResNet-8's and MobileNet's RAM within 10% of their arenas.
constexpr size_t kScratchWords = 576;
constexpr size_t kMaxOutputs = kConvMaxOutBlocks * kChannelBlock;
// A plan must take at least one segment (a block's groups) of 4 pixels.
static_assert(kScratchWords - 4 * kMaxOutputs >=
                  8 * (kChannelBlock / kConvGroup),
              "the scratch keeps room for a segment beside the sums");

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

// Four outputs (weights at w_offset, + 4, + 8 and + 12 in every group) of
// one pixel (a tile's odd last pixel; a dense layer's tiles are one pixel
// wide): its two scratch words of a group are loaded once for the 4, about
// 23 instructions per 16 multiply-accumulates, where two outputs at a time
// took about 14 per 8.
void dot_4x1_outputs(const Plan &p, size_t w_offset, const int32_t *x,
                     int32_t *acc) {
  int32_t c0 = acc[0], c1 = acc[1], c2 = acc[2], c3 = acc[3];
  for (size_t r = 0; r < p.run_count; ++r) {
    const int8_t *w = p.runs[r].weights + w_offset;
    const int32_t *end = x + 2 * p.runs[r].groups;
#pragma GCC unroll 2
    for (; x != end; x += 2, w += kGroupStep) {
      const int32_t x0 = x[0], x1 = x[1];
      const int32_t w0 = load_word(w), w1 = load_word(w + kConvGroup);
      c0 = dual_mac(x1, odd_bytes(w0), dual_mac(x0, even_bytes(w0), c0));
      c1 = dual_mac(x1, odd_bytes(w1), dual_mac(x0, even_bytes(w1), c1));
      const int32_t w2 = load_word(w + 2 * kConvGroup);
      const int32_t w3 = load_word(w + 3 * kConvGroup);
      c2 = dual_mac(x1, odd_bytes(w2), dual_mac(x0, even_bytes(w2), c2));
      c3 = dual_mac(x1, odd_bytes(w3), dual_mac(x0, even_bytes(w3), c3));
    }
  }
  acc[0] = c0;
  acc[1] = c1;
  acc[2] = c2;
  acc[3] = c3;
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
    for (size_t l = 0; l < kChannelBlock; l += Pixels == 2 ? 2 : 4) {
      const size_t o = k * kChannelBlock + l;
      const size_t w_offset = k * t->w_out_block_step + l * kConvGroup;
      if (Pixels == 2) {
        dot_2x2(p, w_offset, x, acc + o, acc + outputs + o);
      } else {
        dot_4x1_outputs(p, w_offset, x, acc + o);
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
// general(), whose sums go to store_quad_wide when wide(), else to
// store_general). Its Cb outputs (weights from
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
    if (Checked && f->wide()) {
      store_quad_wide(c0, c1, c2, c3, f, out, out_step);
    } else if (Checked && f->general()) {
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

// Every output of the tile for the 8 pixels from pixel j, whose widened
// window (one run: plan.run_count == 1) is at x, requantized by the
// layer's fused roundings (`prepared`, every general() lane wide()) and
// stored.
void dot_oct_outputs(const small_window_tile_i8 *t, const Plan &p,
                     const int32_t *x, size_t j,
                     const PreparedBlock *prepared) {
  const size_t groups = p.runs[0].groups;
  const auto run =
      groups % 2 != 0 ? oct_block_odd_groups : oct_block_even_groups;
  int8_t *out = t->out + j * t->out_pixel_step;
  for (size_t k = 0; k < t->out_blocks; ++k, out += t->out_block_step) {
    const OctBlock block{p.runs[0].weights + k * t->w_out_block_step,
                         t->bias + k * kChannelBlock,
                         prepared[k].lanes,
                         out,
                         x,
                         x + 16 * groups,
                         t->out_pixel_step,
                         out + kChannelBlock};
    run(&block);
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
  // The 8-pixel loop also takes wide() channels: it refuses the others.
  bool oct_roundings = true;
  for (size_t k = 0; k < t->out_blocks; ++k) {
    general_blocks |= prepared[k].general_lanes != 0 ? 1u << k : 0u;
    oct_roundings = oct_roundings &&
                    (prepared[k].general_lanes & ~prepared[k].wide_lanes) == 0;
  }
  int32_t scratch[kScratchWords];
  Plan plan;
  size_t j = 0;
  // Pixels 8 by 8 where the window of 8 pixels is one run that fits the
  // scratch and every output takes its fused rounding, plain or wide()
  // (dot_oct_outputs):
  // octs from pixel 0, 8, ... and, when 5 to 7 pixels are left, one from
  // width - 8 (recomputing pixels the oct before stored: the same bytes
  // again), which costs less than the 4-pixel quads they would take.
  if (width >= 8 && tile_fused && oct_roundings) {
    make_plan(t, 0, segments, 8, kScratchWords, plan);
    if (plan.end == segments && plan.run_count == 1) {
      const size_t full_octs = width / 8;
      const size_t octs = full_octs + (width % 8 >= 5 ? 1 : 0);
      for (size_t q = 0; q < octs; ++q) {
        const size_t start = q < full_octs ? 8 * q : width - 8;
        widen_pixels<8>(plan, t->in + start * t->in_pixel_step,
                        t->in_pixel_step, offset, scratch);
        dot_oct_outputs(t, plan, scratch, start, prepared);
      }
      j = octs > full_octs ? width : 8 * full_octs;
    }
  }
  // Then pixels 4 by 4 while the window's groups of 4 pixels fit the
  // scratch: quads from pixel j, j + 4, ... and, when 3 pixels are left,
  // from width - 4, recomputing a pixel the quad before stored (the same
  // bytes again): 4 pixels' work for 3 new ones costs fewer instructions
  // than a pair and a lone pixel. 1 or 2 pixels left take the pair path.
  const size_t rest = width - j;
  const size_t full_quads = rest / 4;
  const size_t quads = full_quads + (width >= 4 && rest % 4 == 3 ? 1 : 0);
  const size_t first_quad = j;
  const auto quad_start = [&](size_t q) {
    return q < full_quads ? first_quad + 4 * q : width - 4;
  };
  if (quads > 0) {
    // The 4 pixels' sums, when they wait, in the scratch's last words.
    int32_t *const acc = scratch + kScratchWords - 4 * outputs;
    const size_t plan_words = kScratchWords - 4 * outputs;
    make_plan(t, 0, segments, 4, kScratchWords, plan);
    if (plan.end == segments) {
      for (size_t q = 0; q < quads; ++q) {
        j = quad_start(q);
        widen_pixels<4>(plan, t->in + j * t->in_pixel_step, t->in_pixel_step,
                        offset, scratch);
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
        widen_pixels<4>(plan, in, t->in_pixel_step, offset, scratch);
        dot_quad_outputs<false>(t, plan, scratch, j, requant, nullptr, 0, acc);
        while (plan.end != segments) {
          make_plan(t, plan.end, segments, 4, plan_words, plan);
          widen_pixels<4>(plan, in, t->in_pixel_step, offset, scratch);
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
  if (!make_contiguous_plan(t, segments, 2, plan_words, plan)) {
    make_plan(t, 0, segments, 2, plan_words, plan);
  }
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
