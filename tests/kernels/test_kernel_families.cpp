// One generic tester per kernel family: the build's active kernel against
// the scalar kernel at the same channel block, sweeping tile edges (widths
// below/at/above the tile, partial input blocks, strides, dilations, clipped
// windows, every epilogue). Lanes a kernel must not read hold NaN; outputs
// are pre-filled with NaN and guarded on both sides so a write out of bounds
// or a missing write is caught.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "kernel_contract.h"
#include "kernels/tile_shape.h"
#include "kernels/whole_rows_by_pixels.h"

namespace {

constexpr size_t kGuard = 64;
const float kNaN = std::numeric_limits<float>::quiet_NaN();

const small_kernel_table &active() { return *small_kernels_active(); }
small_kernel_table scalar_at_active_cb() {
  return small_kernels_scalar(active().channel_block);
}

// True (with a warning in the test output) when the active table's kernel
// for `family` is the scalar one itself (the scalar build, or a table that
// keeps a scalar family, as the Cortex-M4's fp32 ones): comparing it with
// itself would assert nothing, so the family's cases are not run.
template <typename Fn>
bool is_scalar_kernel(Fn active_fn, Fn scalar_fn, const char *family) {
  if (active_fn != scalar_fn) {
    return false;
  }
  WARN(family << ": the " << active().isa
              << " table's kernel is the scalar one; not compared with itself");
  return true;
}

// An output region with NaN guards before and after.
struct Guarded {
  explicit Guarded(size_t n) : data(n + 2 * kGuard, kNaN), size(n) {}
  float *out() { return data.data() + kGuard; }
  bool guards_intact() const {
    for (size_t i = 0; i < kGuard; ++i) {
      if (!std::isnan(data[i]) || !std::isnan(data[kGuard + size + i])) {
        return false;
      }
    }
    return true;
  }
  std::vector<float> data;
  size_t size;
};

std::vector<small_act_params> epilogues() {
  const float inf = std::numeric_limits<float>::infinity();
  return {{SMALL_ACT_OP_NONE, 0, 0, 0, 0},
          {SMALL_ACT_OP_CLIP, 0, 0, 0.0f, inf},
          {SMALL_ACT_OP_CLIP, 0, 0, 0.0f, 6.0f},
          {SMALL_ACT_OP_CLIP, 0, 0, -0.5f, 0.25f},
          {SMALL_ACT_OP_CLIP, 0, 0, 0.25f, -0.5f}, // lo > hi: every value hi
          {SMALL_ACT_OP_LEAKY, 0.1f, 0, 0, 0},
          {SMALL_ACT_OP_SIGMOID, 0, 0, 0, 0},
          {SMALL_ACT_OP_HARD_SWISH, 0, 0, 0, 0},
          {SMALL_ACT_OP_HARD_SIGMOID, 0.2f, 0.5f, 0, 0}};
}

// The test tolerance: float sums in a different order differ by at most
// ~n * eps * sum|terms|; we allow 1e-5 relative to the magnitude of the sum
// of absolute terms (computed by the scalar kernel on |x| and |w|), which is
// far above the rounding noise of these short reductions and far below any
// real indexing error (an error changes a result by a whole term).
//
// Element i of got, described if it is not within the tolerance of want[i]
// (NaN never is), else "".
std::string mismatch(const float *got, const float *want,
                     const float *magnitude, size_t i) {
  const float tol = 1e-5f * std::max(1.0f, std::fabs(magnitude[i]));
  if (std::fabs(got[i] - want[i]) <= tol) {
    return "";
  }
  std::ostringstream s;
  s << "element " << i << " got " << got[i] << " want " << want[i]
    << " (tolerance " << tol << ")";
  return s.str();
}

// One assertion for n elements, naming the first wrong one: an assertion
// per element made the kernel sweeps most of the suite's time (and minutes
// under ASan and qemu).
void require_close(const float *got, const float *want, const float *magnitude,
                   size_t n, const char *what) {
  std::string wrong;
  for (size_t i = 0; i < n && wrong.empty(); ++i) {
    wrong = mismatch(got, want, magnitude, i);
  }
  INFO(what << ": " << wrong);
  REQUIRE(wrong.empty());
}

struct WindowCase {
  size_t width, taps_h, taps_w, stride, dilation, in_blocks, last_channels;
  size_t out_blocks = 1; // convolution: output blocks in one tile
  // Floats between consecutive output pixels beyond Cb: 0 along a row; the
  // engine's column tiles (down a border column) space pixels a row apart.
  size_t pixel_gap = 0;
  // Convolution: lanes per input block (0: Cb; 1: a planar network input).
  size_t in_lanes = 0;
  // Depthwise: every pixel has its own weights and bias (the engine's tiles
  // across channel blocks on small images).
  bool per_pixel_weights = false;
  // The tile's pixels run down a column of the input (stride rows apart),
  // as in the engine's border-column tiles, instead of along a row.
  bool down_column = false;
  // Convolution of one output block: 0 (Cb), or the layer's channels when
  // it has fewer (the other lanes' bias and weights are 0, and the shape's
  // out_lanes says so: kernel_contract.h).
  size_t out_lanes = 0;
  // Convolution over a blocked input, tables with conv_residual: the tile
  // adds a residual laid out as its output (a folded Add).
  bool residual = false;
  // Convolution of 3-tap rows: the active variant is a Winograd tile
  // (conv_f32_winograd) and reads winograd_copy() of the weights.
  bool winograd = false;
};

// The Winograd copy of direct convolution weights (kernel_contract.h,
// conv_f32_winograd), written here from the contract's formulas: every run
// of 3 taps of one filter row, [tap][lane][Cb], becomes [lane][k][Cb] with
// U = (g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2).
std::vector<float> winograd_copy(const std::vector<float> &w, size_t cb) {
  const size_t matrix = cb * cb, rows = w.size() / (3 * matrix);
  std::vector<float> u(rows * 4 * matrix);
  for (size_t row = 0; row < rows; ++row) {
    for (size_t i = 0; i < cb; ++i) {
      for (size_t o = 0; o < cb; ++o) {
        const float *g = &w[row * 3 * matrix + i * cb + o];
        const float g0 = g[0], g1 = g[matrix], g2 = g[2 * matrix];
        const float us[4] = {g0, (g0 + g1 + g2) / 2, (g0 - g1 + g2) / 2, g2};
        for (size_t k = 0; k < 4; ++k) {
          u[row * 4 * matrix + (i * 4 + k) * cb + o] = us[k];
        }
      }
    }
  }
  return u;
}

// Builds input and weights for one windowed tile, selects the active and the
// scalar variant for its shape and runs both on it; asserts equality.
void check_window(small_window_select_fn select_active,
                  small_window_select_fn select_scalar, bool is_conv,
                  bool has_weights, const WindowCase &c,
                  const small_act_params &act, std::mt19937 &rng,
                  const char *what) {
  const size_t cb = active().channel_block;
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  const size_t lanes = is_conv && c.in_lanes != 0 ? c.in_lanes : cb;
  const size_t along = c.down_column ? 1 : c.width;
  const size_t down = c.down_column ? c.width : 1;
  const size_t row = along * c.stride + c.taps_w * c.dilation + 3;
  const size_t rows = down * c.stride + c.taps_h * c.dilation + 2;
  const size_t block = rows * row * lanes;
  const size_t blocks = is_conv ? c.in_blocks : 1;
  std::vector<float> in(blocks * block), in_abs;
  for (size_t b = 0; b < blocks; ++b) {
    for (size_t p = 0; p < rows * row; ++p) {
      for (size_t l = 0; l < lanes; ++l) {
        const bool unread = is_conv && b + 1 == blocks && l >= c.last_channels;
        in[b * block + p * lanes + l] = unread ? kNaN : dist(rng);
      }
    }
  }
  const size_t taps = std::max<size_t>(c.taps_h * c.taps_w, 1);
  const size_t w_tap = is_conv ? lanes * cb : cb;
  const size_t out_blocks = is_conv ? c.out_blocks : 1;
  const bool per_pixel = !is_conv && c.per_pixel_weights;
  // Weight and bias sets: one per output block, or one per pixel.
  const size_t sets = per_pixel ? c.width : out_blocks;
  const size_t w_out_block = blocks * taps * w_tap;
  std::vector<float> w(sets * w_out_block);
  for (size_t k = 0; k < sets; ++k) {
    for (size_t b = 0; b < blocks; ++b) {
      for (size_t t = 0; t < taps; ++t) {
        for (size_t i = 0; i < w_tap; ++i) {
          const bool unread =
              is_conv && b + 1 == blocks && i / cb >= c.last_channels;
          const bool pad_lane = c.out_lanes != 0 && i % cb >= c.out_lanes;
          w[k * w_out_block + (b * taps + t) * w_tap + i] = unread ? kNaN
                                                            : pad_lane
                                                                ? 0.0f
                                                                : dist(rng);
        }
      }
    }
  }
  std::vector<float> bias(sets * cb);
  for (size_t i = 0; i < bias.size(); ++i) {
    const bool pad_lane = c.out_lanes != 0 && i % cb >= c.out_lanes;
    bias[i] = pad_lane ? 0.0f : dist(rng);
  }

  small_window_tile t{};
  t.cb = cb;
  t.in = in.data() + row * lanes; // one row of margin above
  t.width = c.width;
  t.taps_h = c.taps_h;
  t.taps_w = c.taps_w;
  t.in_pixel_step = c.stride * (c.down_column ? row : 1) * lanes;
  t.in_tap_w_step = c.dilation * lanes;
  t.in_tap_h_step = c.dilation * row * lanes;
  t.in_blocks = c.in_blocks;
  t.in_lanes = lanes;
  t.in_last_channels = c.last_channels;
  t.in_block_step = block;
  t.weights = has_weights ? w.data() : nullptr;
  t.w_tap_w_step = w_tap;
  t.w_tap_h_step = w_tap * c.taps_w;
  t.w_block_step = w_tap * taps;
  t.bias = has_weights ? bias.data() : nullptr;
  t.w_pixel_step = per_pixel ? w_out_block : 0;
  t.bias_pixel_step = per_pixel ? cb : 0;
  t.scale = 1.0f / static_cast<float>(taps);
  t.act = act;
  // Output blocks sit kGap NaN floats apart so a write past one is caught;
  // with a pixel gap, the floats between pixels must stay NaN too.
  constexpr size_t kGap = 32;
  const size_t pixel_step = cb + c.pixel_gap;
  const size_t out_step = (c.width - 1) * pixel_step + cb + kGap;
  t.out_pixel_step = pixel_step;
  t.out_blocks = out_blocks;
  t.out_block_step = out_step;
  t.w_out_block_step = w_out_block;

  small_window_shape shape = shape_of(t);
  if (c.out_lanes != 0) {
    shape.out_lanes = c.out_lanes;
  }
  shape.residual = c.residual ? 1 : 0;
  const small_window_fn fn_active = select_active(&shape);
  const small_window_fn fn_scalar = select_scalar(&shape);
  REQUIRE(fn_active != nullptr);
  REQUIRE(fn_scalar != nullptr);

  const size_t out_size = out_blocks * out_step;
  Guarded got(out_size), want(out_size), mag(out_size);
  // The residual: every lane of every pixel (padding lanes included), NaN
  // between the pixels, which a kernel must not read.
  std::vector<float> residual(out_size, kNaN), residual_a(out_size, kNaN);
  if (c.residual) {
    for (size_t i = 0; i < out_size; ++i) {
      if (i % out_step / pixel_step < c.width &&
          i % out_step % pixel_step < cb) {
        residual[i] = dist(rng);
        residual_a[i] = std::fabs(residual[i]);
      }
    }
    t.residual = residual.data();
  }
  // The active variant's tile: a Winograd one reads the transformed copy,
  // its weight steps 4/3 of the direct ones.
  small_window_tile t_active = t;
  std::vector<float> w_winograd;
  if (c.winograd) {
    w_winograd = winograd_copy(w, cb);
    t_active.weights = w_winograd.data();
    t_active.w_tap_h_step = t.w_tap_h_step / 3 * 4;
    t_active.w_block_step = t.w_block_step / 3 * 4;
    t_active.w_out_block_step = t.w_out_block_step / 3 * 4;
  }
  t_active.out = got.out();
  fn_active(&t_active);
  t.out = want.out();
  fn_scalar(&t);

  // Magnitude: the scalar kernel on |x|, |w|, |bias| without epilogue.
  std::vector<float> in_a(in), w_a(w), bias_a(bias);
  for (auto *v : {&in_a, &w_a, &bias_a}) {
    for (float &x : *v) {
      x = std::fabs(x);
    }
  }
  small_window_tile ta = t;
  ta.in = in_a.data() + row * lanes;
  ta.weights = has_weights ? w_a.data() : nullptr;
  ta.bias = has_weights ? bias_a.data() : nullptr;
  ta.act = {SMALL_ACT_OP_NONE, 0, 0, 0, 0};
  ta.residual = c.residual ? residual_a.data() : nullptr;
  ta.out = mag.out();
  fn_scalar(&ta);

  INFO(what << " width=" << c.width << " taps=" << c.taps_h << "x" << c.taps_w
            << " stride=" << c.stride << " dilation=" << c.dilation
            << " in_blocks=" << c.in_blocks << " last=" << c.last_channels
            << " act=" << act.op << " out_blocks=" << out_blocks
            << " pixel_gap=" << c.pixel_gap << " in_lanes=" << lanes
            << " per_pixel_weights=" << per_pixel
            << " down_column=" << c.down_column << " out_lanes=" << c.out_lanes
            << " residual=" << c.residual << " winograd=" << c.winograd);
  REQUIRE(got.guards_intact());
  // Every float of the output blocks, the first wrong one named.
  std::string wrong;
  for (size_t k = 0; k < out_blocks && wrong.empty(); ++k) {
    for (size_t i = 0; i < out_step && wrong.empty(); ++i) {
      const size_t at = k * out_step + i;
      const size_t pixel = i / pixel_step, lane = i % pixel_step;
      const float value = got.out()[at];
      if (pixel < c.width && lane < cb) {
        wrong = mismatch(got.out(), want.out(), mag.out(), at);
        if (wrong.empty() && act.op == SMALL_ACT_OP_CLIP && act.lo > act.hi &&
            value != act.hi) {
          wrong = "element " + std::to_string(at) + " is not hi (clip with " +
                  "lo > hi): got " + std::to_string(value);
        }
      } else if (!std::isnan(value)) {
        wrong = "output block " + std::to_string(k) + ", float " +
                std::to_string(i) +
                " lies between or after the pixels and was written: " +
                std::to_string(value);
      }
    }
  }
  INFO(wrong);
  REQUIRE(wrong.empty());
}

std::vector<WindowCase> window_cases(size_t max_width, bool is_conv) {
  const size_t cb = active().channel_block;
  // The engine never passes more than max_width pixels. Each width is its
  // own selected variant, so test every width up to 17 (which also passes
  // every remainder of the 6- and 16-pixel register tiles that wider
  // depthwise tiles loop over), then wider ones up to the limit.
  std::vector<size_t> widths;
  for (size_t w = 1; w <= std::min<size_t>(17, max_width); ++w) {
    widths.push_back(w);
  }
  for (size_t w : {size_t{23}, size_t{31}, size_t{32}, size_t{33}, size_t{47},
                   max_width - 1, max_width}) {
    if (w > 17 && w <= max_width &&
        std::find(widths.begin(), widths.end(), w) == widths.end()) {
      widths.push_back(w);
    }
  }
  std::vector<WindowCase> cases;
  for (size_t width : widths) {
    for (size_t taps : {1, 3}) {
      for (size_t stride : {1, 2, 3}) {
        for (size_t dilation : {1, 2}) {
          if (is_conv) {
            for (size_t blocks : {1, 2}) {
              for (size_t last : {size_t{1}, size_t{3}, cb - 1, cb}) {
                if (last >= 1 && last <= cb) {
                  cases.push_back(
                      {width, taps, taps, stride, dilation, blocks, last});
                }
              }
            }
          } else {
            cases.push_back({width, taps, taps, stride, dilation, 1, cb});
          }
        }
      }
    }
  }
  // Column tiles: the same cases with pixels spaced wider than Cb.
  const size_t along_rows = cases.size();
  for (size_t i = 0; i < along_rows; ++i) {
    if (cases[i].dilation == 1) {
      WindowCase column = cases[i];
      column.pixel_gap = 2 * cb + 5;
      cases.push_back(column);
      column.down_column = true;
      cases.push_back(column);
    }
  }
  // Tiles across channel blocks: per-pixel weights (depthwise; pooling
  // has none and ignores the flag).
  if (!is_conv) {
    for (size_t i = 0; i < along_rows; ++i) {
      WindowCase blocks = cases[i];
      blocks.per_pixel_weights = true;
      blocks.pixel_gap = 3 * cb;
      cases.push_back(blocks);
    }
    // ... and every window a border pixel of a small image leaves (1 to 3
    // taps each way), which the tiles may serve with a variant apiece.
    for (size_t taps_h = 1; taps_h <= 3; ++taps_h) {
      for (size_t taps_w = 1; taps_w <= 3; ++taps_w) {
        for (size_t width : {size_t{1}, size_t{4}, size_t{7}}) {
          WindowCase blocks{
              std::min(width, max_width), taps_h, taps_w, 1, 1, 1, cb};
          blocks.per_pixel_weights = true;
          blocks.pixel_gap = 3 * cb;
          cases.push_back(blocks);
        }
      }
    }
  }
  // Clipped windows at the borders: 2x1, 1x2, the top and bottom rows' 2x3
  // at stride 1 and 2 (odd and even widths: some tiles take pixels in
  // pairs), the side columns' 3x2 and (convolution) no taps.
  cases.push_back({std::min<size_t>(5, max_width), 2, 1, 1, 1, 1, cb});
  cases.push_back({std::min<size_t>(5, max_width), 1, 2, 2, 1, 1, cb});
  // A corner's 2x2 window, one pixel (x86 unrolls it) and two.
  cases.push_back({1, 2, 2, 1, 1, 1, cb});
  cases.push_back({std::min<size_t>(2, max_width), 2, 2, 1, 1, 1, cb});
  for (size_t width : {size_t{1}, size_t{2}, size_t{13}, max_width}) {
    cases.push_back({std::min(width, max_width), 2, 3, 1, 1, 1, cb});
    cases.push_back({std::min(width, max_width), 2, 3, 2, 1, 1, cb});
    // The left and right border columns' 3x2 windows, down a column.
    WindowCase column{std::min(width, max_width), 3, 2, 1, 1, 1, cb};
    column.pixel_gap = 2 * cb + 5;
    column.down_column = true;
    cases.push_back(column);
  }
  if (is_conv) {
    cases.push_back({std::min<size_t>(4, max_width), 0, 3, 1, 1, 2, cb});
    cases.push_back({std::min<size_t>(5, max_width), 10, 4, 2, 1, 1,
                     1}); // DS-CNN first layer: 10x4 taps, stride 2
    // Planar network inputs (one channel per block): RGB 3x3 stride 2 and
    // 2 channels, along rows and down columns; also the border rows of 2
    // taps and DS-CNN's rows of 4 (its 10x4 window), which the NEON planar
    // tiles load as one vector per pixel.
    for (size_t width : {size_t{1}, size_t{5}, max_width}) {
      if (width > max_width) {
        continue; // the engine never passes more than max_width pixels
      }
      for (size_t gap : {size_t{0}, 2 * cb + 5}) {
        for (size_t taps_w : {size_t{2}, size_t{4}}) {
          WindowCase rows{width, taps_w == 4 ? 10u : 3u, taps_w, 2, 1, 1, 1};
          rows.pixel_gap = gap;
          rows.in_lanes = 1;
          cases.push_back(rows);
          rows.stride = 3;
          cases.push_back(rows);
        }
        WindowCase planar{width, 3, 3, 2, 1, 3, 1};
        planar.pixel_gap = gap;
        planar.in_lanes = 1;
        cases.push_back(planar);
        planar.in_blocks = 2;
        planar.stride = 1;
        cases.push_back(planar);
        planar.stride = 3; // no compile-time step: the runtime one
        cases.push_back(planar);
      }
    }
    // Every width of an RGB row at stride 1 and 2, full windows and the
    // right border's 2 columns (tiles that put pixels in lanes handle each
    // width apart).
    for (size_t width = 1; width <= max_width && width <= 16; ++width) {
      for (size_t stride : {size_t{1}, size_t{2}}) {
        for (size_t taps_w : {size_t{2}, size_t{3}}) {
          WindowCase planar{width, 3, taps_w, stride, 1, 3, 1};
          planar.in_lanes = 1;
          cases.push_back(planar);
        }
      }
    }
    // Layers of fewer channels than a block (MobileNet's first: 8), planar
    // and blocked inputs, every stride.
    const size_t along = cases.size();
    for (size_t i = 0; i < along; ++i) {
      const bool planar_row = cases[i].in_lanes == 1 && cases[i].taps_w <= 3;
      if (cases[i].dilation == 1 &&
          ((cases[i].taps_h == 3 && cases[i].taps_w == 3) || planar_row)) {
        for (size_t lanes : {size_t{3}, cb / 2, cb / 2 + 1}) {
          if (lanes >= 1 && lanes < cb) {
            WindowCase narrow = cases[i];
            narrow.out_lanes = lanes;
            cases.push_back(narrow);
          }
        }
      }
    }
  }
  return cases;
}

} // namespace

TEST_CASE("kernel table is complete and consistent", "[kernels]") {
  const small_kernel_table &k = active();
  INFO("active ISA " << k.isa);
  REQUIRE(k.channel_block >= 1);
  REQUIRE(k.conv_max_width >= 1);
  REQUIRE(k.conv_max_out_blocks >= 1);
  REQUIRE(k.window_max_width >= 1);
  REQUIRE(k.conv != nullptr);
  REQUIRE(k.depthwise != nullptr);
  REQUIRE(k.max_pool != nullptr);
  REQUIRE(k.avg_pool != nullptr);
  REQUIRE(k.activation != nullptr);
  REQUIRE(k.add != nullptr);
  REQUIRE(k.softmax != nullptr);
  if (std::string(k.isa) == "scalar") {
    WARN("scalar build: the kernel-family tests compare the scalar kernels "
         "with themselves; the SIMD builds run them for real");
  }
}

TEST_CASE("conv tile matches scalar across edges", "[kernels][conv]") {
  std::mt19937 rng(1234);
  const auto scalar = scalar_at_active_cb();
  if (is_scalar_kernel(active().conv, scalar.conv, "conv")) {
    return;
  }
  const auto acts = epilogues();
  size_t i = 0;
  for (WindowCase c : window_cases(active().conv_max_width, true)) {
    // Every case with a plain epilogue, and each epilogue on some cases, for
    // a single output block and for the widest tile the kernel takes.
    for (size_t ob = 1; ob <= active().conv_max_out_blocks; ++ob) {
      c.out_blocks = ob;
      check_window(active().conv, scalar.conv, true, true, c, acts[0], rng,
                   "conv");
      check_window(active().conv, scalar.conv, true, true, c,
                   acts[1 + i++ % (acts.size() - 1)], rng, "conv");
      // A folded residual Add: every blocked case, each epilogue in turn.
      if (active().conv_residual != 0 && c.in_lanes == 0) {
        WindowCase r = c;
        r.residual = true;
        check_window(active().conv, scalar.conv, true, true, r,
                     acts[i++ % acts.size()], rng, "conv residual");
      }
    }
  }
  const small_kernel_table &k = active();
  const size_t cb = k.channel_block;
  // A layer of one output block over a blocked input may take wider tiles
  // (the table's conv_one_block_max_width): every width past
  // conv_max_width, 1x1 and 3x3 windows at strides 1 to 3, along rows and
  // down columns, with and without a residual, partial last input blocks.
  for (size_t width = k.conv_max_width + 1; width <= k.conv_one_block_max_width;
       ++width) {
    for (size_t stride : {size_t{1}, size_t{2}, size_t{3}}) {
      for (size_t taps : {size_t{1}, size_t{3}}) {
        for (bool column : {false, true}) {
          for (bool residual : {false, true}) {
            WindowCase c{width, taps, taps, stride, 1, 2, column ? 5u : cb};
            c.pixel_gap = column ? 2 * cb + 5 : 0;
            c.down_column = column;
            c.residual = residual;
            check_window(k.conv, scalar.conv, true, true, c,
                         acts[i++ % acts.size()], rng, "conv one block wide");
          }
        }
      }
    }
  }
  // One input block of 8 channels (MobileNet's 8 -> 16 pointwise layer,
  // which x86 tiles unroll at compile time): every width the table takes,
  // each output block count, 1x1 windows at strides 1 to 3 and, as a
  // control that must keep the general loops, 3x3 ones; along rows and down
  // columns.
  const size_t widest = std::max(k.conv_max_width, k.conv_one_block_max_width);
  for (size_t width = 1; width <= widest; ++width) {
    for (size_t ob = 1; ob <= k.conv_max_out_blocks; ++ob) {
      if (ob > 1 && width > k.conv_max_width) {
        break;
      }
      for (size_t stride : {size_t{1}, size_t{2}, size_t{3}}) {
        for (size_t taps : {size_t{1}, size_t{3}}) {
          for (bool column : {false, true}) {
            WindowCase c{width, taps, taps, stride, 1, 1, 8};
            c.out_blocks = ob;
            c.pixel_gap = column ? 2 * cb + 5 : 0;
            c.down_column = column;
            check_window(k.conv, scalar.conv, true, true, c,
                         acts[i++ % acts.size()], rng, "conv 8-channel input");
          }
        }
      }
    }
  }
  // A 1x1 stride-1 layer over at most half a block of input channels into
  // one block may take wider tiles along a row (the table's
  // conv_narrow_pointwise_max_width): every width past the other limits up
  // to 64, then every 7th (each remainder of the 16-pixel groups in turn)
  // and the widest, 8 input channels (the unrolled case) and fewer, whole
  // and narrow output blocks, each epilogue in turn.
  const size_t narrow_widest = k.conv_narrow_pointwise_max_width;
  for (size_t width = widest + 1; width <= narrow_widest;
       width = width < 64 || width == narrow_widest
                   ? width + 1
                   : std::min(width + 7, narrow_widest)) {
    for (size_t last : {size_t{8}, size_t{5}, size_t{1}}) {
      for (size_t out_lanes : {size_t{0}, size_t{8}}) {
        WindowCase c{width, 1, 1, 1, 1, 1, last};
        c.out_lanes = out_lanes;
        check_window(k.conv, scalar.conv, true, true, c,
                     acts[i++ % acts.size()], rng, "conv narrow pointwise");
      }
    }
  }
  // A planar layer of few channels may take wider tiles (the table's
  // conv_planar_lanes_*): every width past conv_max_width, along rows at
  // every stride (3x2, 3x3 and DS-CNN's 10x4 windows) and down columns.
  for (size_t width = k.conv_max_width + 1;
       width <= k.conv_planar_lanes_max_width; ++width) {
    for (size_t lanes : {size_t{3}, k.conv_planar_lanes_channels}) {
      for (size_t stride : {size_t{1}, size_t{2}, size_t{3}}) {
        for (size_t taps_w : {size_t{2}, size_t{3}, size_t{4}}) {
          for (bool column : {false, true}) {
            WindowCase c{width, taps_w == 4 ? 10u : 3u, taps_w, stride, 1, 3,
                         1};
            c.in_lanes = 1;
            c.out_lanes = lanes;
            c.pixel_gap = column ? 2 * cb + 5 : 0;
            c.down_column = column;
            check_window(k.conv, scalar.conv, true, true, c,
                         acts[i++ % acts.size()], rng, "conv planar wide");
          }
        }
      }
    }
  }
}

TEST_CASE("dense conv tiles of several output blocks match scalar",
          "[kernels][conv]") {
  std::mt19937 rng(4321);
  const small_kernel_table &k = active();
  const auto scalar = scalar_at_active_cb();
  if (k.conv_f32_dense_out_blocks == 0 ||
      is_scalar_kernel(k.conv, scalar.conv, "conv")) {
    return;
  }
  const auto acts = epilogues();
  const size_t cb = k.channel_block;
  size_t i = 0;
  // One output pixel over 1x1 taps: every block count up to the table's, a
  // short and a long reduction (the 1-pixel tile prefetches ahead), full and
  // partial last input blocks, with and without a folded residual.
  for (size_t ob = 1; ob <= k.conv_f32_dense_out_blocks; ++ob) {
    for (size_t in_blocks : {size_t{1}, size_t{3}, size_t{40}}) {
      for (size_t last : {cb, size_t{5}, size_t{1}}) {
        for (bool residual : {false, true}) {
          WindowCase c{1, 1, 1, 1, 1, in_blocks, std::min(last, cb)};
          c.out_blocks = ob;
          c.residual = residual;
          check_window(k.conv, scalar.conv, true, true, c,
                       acts[i++ % acts.size()], rng, "conv dense");
        }
      }
    }
  }
}

TEST_CASE("Winograd conv tiles match the scalar direct tiles",
          "[kernels][conv]") {
  std::mt19937 rng(2357);
  const small_kernel_table &k = active();
  const auto scalar = scalar_at_active_cb();
  if (k.conv_f32_winograd == nullptr) {
    WARN(k.isa << ": no Winograd tiles (conv_f32_winograd) to test");
    return;
  }
  const auto acts = epilogues();
  const size_t cb = k.channel_block;
  size_t i = 0, checked = 0;
  // 3-tap rows along a row at stride 1 (the interior tiles of a 3x3 layer):
  // every width from 2 to the widest tile of the block count, 1 to 3 filter
  // rows (the top and bottom bands have 2), every block split within the
  // table's limit, full and partial last input blocks, with and without a
  // folded residual, each epilogue in turn.
  for (size_t ob = 1; ob <= k.conv_max_out_blocks; ++ob) {
    const size_t max_width =
        ob == 1 ? std::max(k.conv_max_width, k.conv_one_block_max_width)
                : k.conv_max_width;
    for (size_t in_blocks = 1; in_blocks * ob <= k.conv_f32_winograd_blocks;
         ++in_blocks) {
      for (size_t width = 2; width <= max_width; ++width) {
        for (size_t rows = 1; rows <= 3; ++rows) {
          for (size_t last : {cb, size_t{5}, size_t{1}}) {
            for (bool residual : {false, true}) {
              WindowCase c{width, rows, 3, 1, 1, in_blocks, last};
              c.out_blocks = ob;
              c.residual = residual;
              c.winograd = true;
              check_window(k.conv_f32_winograd, scalar.conv, true, true, c,
                           acts[i++ % acts.size()], rng, "conv winograd");
              ++checked;
            }
          }
        }
      }
    }
  }
  REQUIRE(checked > 0);
}

TEST_CASE("depthwise tile matches scalar across edges",
          "[kernels][depthwise]") {
  std::mt19937 rng(99);
  const auto scalar = scalar_at_active_cb();
  if (is_scalar_kernel(active().depthwise, scalar.depthwise, "depthwise")) {
    return;
  }
  const auto acts = epilogues();
  size_t i = 0;
  const size_t cb = active().channel_block;
  for (const WindowCase &c : window_cases(active().window_max_width, false)) {
    check_window(active().depthwise, scalar.depthwise, false, true, c,
                 acts[i++ % acts.size()], rng, "depthwise");
    // A layer of fewer channels than a block (MobileNet's 8-channel one),
    // and one lane past half a block.
    const bool corner = c.taps_h == 2 && c.taps_w == 2;
    if ((c.taps_w == 3 || corner) && c.dilation == 1 && !c.per_pixel_weights) {
      for (size_t lanes : {size_t{3}, cb / 2, cb / 2 + 1}) {
        if (lanes >= 1 && lanes < cb) {
          WindowCase narrow = c;
          narrow.out_lanes = lanes;
          check_window(active().depthwise, scalar.depthwise, false, true,
                       narrow, acts[i++ % acts.size()], rng, "depthwise");
        }
      }
    }
  }
}

namespace {

// A whole-row depthwise tile's geometry (3 taps wide, rows of stride*width
// pixels plus one padding pixel each side; a whole image's rows without
// them, one after another as the engine lays them out), without its
// buffers.
small_window_tile whole_row_geometry(size_t stride, size_t width, size_t taps_h,
                                     const small_act_params &act,
                                     bool whole_image = false) {
  const size_t cb = active().channel_block;
  small_window_tile t{};
  t.cb = cb;
  t.width = width;
  t.taps_h = taps_h;
  t.taps_w = 3;
  t.in_pixel_step = stride * cb;
  t.out_pixel_step = t.in_tap_w_step = cb;
  t.in_tap_h_step = (stride * width + (whole_image ? 0 : 2)) * cb;
  t.in_lanes = cb;
  t.w_tap_w_step = cb;
  t.w_tap_h_step = 3 * cb;
  t.out_blocks = 1;
  t.act = act;
  return t;
}

// One whole-row depthwise tile of `rows` x `width` pixels, taps_h filter
// rows and stride 1 or 2 against whole_rows_by_pixels. The input rows sit
// between NaN pixels (one before and after each row) and NaN rows (above
// and below), so a read of the padding, which the kernel must leave out,
// poisons a sum; a whole image's rows have no NaN pixels between them (a
// read past a row's end takes the next row's pixel, a wrong sum).
// out_lanes: the layer's channels (a narrow layer's other lanes have zero
// weights and bias, as the engine packs them, and must come out act(0)).
// whole_image: the rows are a whole image (taps_h 3), padded above and
// below as along its rows, in each of `blocks` channel blocks; else a band
// of one block, whose taps_h filter rows are all inside.
void check_whole_rows(small_window_fn fn, size_t stride, size_t width,
                      size_t taps_h, size_t rows, size_t out_lanes,
                      bool whole_image, const small_act_params &act,
                      std::mt19937 &rng, size_t blocks = 1) {
  const size_t cb = active().channel_block;
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  const size_t side = whole_image ? 0 : cb; // the NaN pixel on each side
  const size_t in_w = stride * width, row = in_w * cb + 2 * side;
  const size_t in_rows =
      whole_image ? stride * rows : stride * (rows - 1) + taps_h;
  // Each block's input between its own NaN rows.
  const size_t in_block = (in_rows + 2) * row;
  std::vector<float> in(blocks * in_block, kNaN);
  for (size_t b = 0; b < blocks; ++b) {
    for (size_t r = 1; r <= in_rows; ++r) {
      for (size_t i = side; i < side + in_w * cb; ++i) {
        in[b * in_block + r * row + i] = dist(rng);
      }
    }
  }
  std::vector<float> w(blocks * taps_h * 3 * cb), bias(blocks * cb);
  for (auto *v : {&w, &bias}) {
    for (size_t i = 0; i < v->size(); ++i) {
      (*v)[i] = i % cb < out_lanes ? dist(rng) : 0.0f;
    }
  }
  small_window_tile t =
      whole_row_geometry(stride, width, taps_h, act, whole_image);
  t.in = in.data() + row + side; // input row 0, column 0
  t.rows = rows;
  t.weights = w.data();
  t.bias = bias.data();
  t.out_blocks = blocks;
  t.in_block_step = in_block;
  t.w_block_step = taps_h * 3 * cb;
  t.out_block_step = rows * width * cb;
  const size_t out_size = blocks * t.out_block_step;
  Guarded got(out_size), want(out_size), mag(out_size);
  t.out = got.out();
  fn(&t);
  t.out = want.out();
  whole_rows_by_pixels(t, whole_image);
  // Magnitude: the same on |x|, |w|, |bias| without epilogue.
  std::vector<float> in_a(in), w_a(w), bias_a(bias);
  for (auto *v : {&in_a, &w_a, &bias_a}) {
    for (float &x : *v) {
      x = std::fabs(x);
    }
  }
  small_window_tile ta = t;
  ta.in = in_a.data() + row + side;
  ta.weights = w_a.data();
  ta.bias = bias_a.data();
  ta.act = {SMALL_ACT_OP_NONE, 0, 0, 0, 0};
  ta.out = mag.out();
  whole_rows_by_pixels(ta, whole_image);
  INFO((whole_image ? "whole image" : "whole rows")
       << " stride=" << stride << " width=" << width << " taps_h=" << taps_h
       << " rows=" << rows << " out_lanes=" << out_lanes << " act=" << act.op
       << " blocks=" << blocks);
  REQUIRE(got.guards_intact());
  require_close(got.out(), want.out(), mag.out(), out_size, "whole rows");
}

} // namespace

TEST_CASE("whole-row depthwise tiles match the scalar kernel pixel by pixel",
          "[kernels][depthwise]") {
  std::mt19937 rng(4242);
  const small_kernel_table &k = active();
  if (k.depthwise_rows == nullptr) {
    WARN(k.isa << ": no whole-row depthwise tiles (depthwise_rows) to test");
    return;
  }
  const auto acts = epilogues();
  size_t i = 0, checked = 0;
  // Strides 1 and 2, every width the selector takes (it declines the
  // others), 1 to 3 filter rows (the top and bottom bands have 2, a one-row
  // image 1), numbers of rows around the ones a variant sums at once, each
  // epilogue in turn (the ones it takes); whole blocks and layers of fewer
  // channels (at most half a block: AVX-512's pixel pairs; one lane more).
  const size_t cb = k.channel_block;
  for (size_t stride : {1, 2}) {
    for (size_t width = 1; width <= 64; ++width) {
      for (size_t taps_h = 1; taps_h <= 3; ++taps_h) {
        for (size_t lanes : {cb, cb / 2, cb / 2 + 1, size_t{3}}) {
          small_window_shape shape =
              shape_of(whole_row_geometry(stride, width, taps_h, acts[0]));
          shape.out_lanes = std::min(lanes, cb);
          if (k.depthwise_rows(&shape) == nullptr) {
            continue;
          }
          for (size_t rows : {1, 2, 3, 4, 5, 7}) {
            // A selector may decline an activation (x86 takes clip, none).
            const small_act_params &act = acts[i++ % acts.size()];
            shape.act = act.op;
            const small_window_fn fn = k.depthwise_rows(&shape);
            if (fn != nullptr) {
              check_whole_rows(fn, stride, width, taps_h, rows, shape.out_lanes,
                               false, act, rng);
              ++checked;
            }
          }
        }
      }
    }
  }
  REQUIRE(checked > 0);
}

TEST_CASE("whole-image depthwise tiles match the scalar kernel pixel by "
          "pixel",
          "[kernels][depthwise]") {
  std::mt19937 rng(2424);
  const small_kernel_table &k = active();
  if (k.depthwise_rows == nullptr) {
    WARN(k.isa << ": no whole-row depthwise tiles (depthwise_rows) to test");
    return;
  }
  const auto acts = epilogues();
  size_t i = 0, images = 0;
  // Both strides, every width, heights from one row (its top and bottom
  // filter rows both in the padding) past three steps of the most rows a
  // variant sums at once, each epilogue in turn; one whole or narrow block
  // (a layer of fewer channels), and 2 and 3 blocks.
  const size_t cb = k.channel_block;
  for (size_t stride : {1, 2}) {
    for (size_t width = 1; width <= 64; ++width) {
      for (size_t lanes : {cb, cb / 2, size_t{3}, 2 * cb, 3 * cb}) {
        const size_t blocks = lanes > cb ? lanes / cb : 1;
        small_window_shape shape =
            shape_of(whole_row_geometry(stride, width, 3, acts[0], true));
        shape.out_lanes = std::min(lanes, cb);
        shape.out_blocks = blocks;
        shape.whole_image = 1;
        if (k.depthwise_rows(&shape) == nullptr) {
          continue;
        }
        for (size_t rows = 1; rows <= 11; ++rows) {
          const small_act_params &act = acts[i++ % acts.size()];
          shape.act = act.op;
          const small_window_fn fn = k.depthwise_rows(&shape);
          if (fn != nullptr) {
            check_whole_rows(fn, stride, width, 3, rows, shape.out_lanes, true,
                             act, rng, blocks);
            ++images;
          }
        }
      }
    }
  }
  if (images == 0) {
    WARN(k.isa << ": no whole-image variants (depthwise_rows declines every "
                  "whole_image shape)");
  }
}

TEST_CASE("pooling tiles match scalar across edges", "[kernels][pool]") {
  std::mt19937 rng(7);
  const auto scalar = scalar_at_active_cb();
  const small_act_params none{SMALL_ACT_OP_NONE, 0, 0, 0, 0};
  const bool max_pool =
      !is_scalar_kernel(active().max_pool, scalar.max_pool, "max_pool");
  const bool avg_pool =
      !is_scalar_kernel(active().avg_pool, scalar.avg_pool, "avg_pool");
  for (const WindowCase &c : window_cases(active().window_max_width, false)) {
    if (max_pool) {
      check_window(active().max_pool, scalar.max_pool, false, false, c, none,
                   rng, "max_pool");
    }
    if (avg_pool) {
      check_window(active().avg_pool, scalar.avg_pool, false, false, c, none,
                   rng, "avg_pool");
    }
  }
}

TEST_CASE("element-wise kernels match scalar", "[kernels][elementwise]") {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-8.0f, 8.0f);
  const auto scalar = scalar_at_active_cb();
  for (size_t count : {1, 7, 15, 16, 17, 33, 64, 100, 1024}) {
    std::vector<float> a(count), b(count), ones(count, 1.0f);
    for (size_t i = 0; i < count; ++i) {
      a[i] = dist(rng);
      b[i] = dist(rng);
    }
    for (const small_act_params &act : epilogues()) {
      INFO("count " << count << " act " << act.op);
      Guarded got(count), want(count);
      active().activation(a.data(), got.out(), count, &act);
      scalar.activation(a.data(), want.out(), count, &act);
      REQUIRE(got.guards_intact());
      require_close(got.out(), want.out(), ones.data(), count, "activation");
      if (act.op == SMALL_ACT_OP_CLIP && act.lo > act.hi) {
        REQUIRE(std::all_of(got.out(), got.out() + count,
                            [&](float v) { return v == act.hi; }));
      }

      Guarded got_add(count), want_add(count);
      active().add(a.data(), b.data(), got_add.out(), count, &act);
      scalar.add(a.data(), b.data(), want_add.out(), count, &act);
      REQUIRE(got_add.guards_intact());
      require_close(got_add.out(), want_add.out(), ones.data(), count, "add");
    }
  }
}

TEST_CASE("softmax kernel matches scalar", "[kernels][softmax]") {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> dist(-30.0f, 30.0f);
  const auto scalar = scalar_at_active_cb();
  const size_t cb = active().channel_block;
  for (size_t channels : {1, 2, 3, 10, 12, 16, 17, 33}) {
    for (size_t pixels : {1, 5}) {
      const size_t blocks = (channels + cb - 1) / cb;
      const size_t block_step = pixels * cb;
      std::vector<float> in(blocks * block_step, kNaN);
      for (size_t c = 0; c < channels; ++c) {
        for (size_t p = 0; p < pixels; ++p) {
          in[c / cb * block_step + p * cb + c % cb] = dist(rng);
        }
      }
      std::vector<float> ones(blocks * block_step, 1.0f);
      Guarded got(in.size()), want(in.size());
      active().softmax(in.data(), got.out(), pixels, channels, block_step, cb);
      scalar.softmax(in.data(), want.out(), pixels, channels, block_step, cb);
      INFO("channels " << channels << " pixels " << pixels);
      REQUIRE(got.guards_intact());
      require_close(got.out(), want.out(), ones.data(), in.size(), "softmax");
    }
  }
}
