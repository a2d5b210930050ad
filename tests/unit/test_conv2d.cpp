// Conv2D against the naive double-precision reference (tests/reference):
// shape sweeps over channels, spatial sizes, kernels, strides, dilations,
// padding (explicit/asymmetric, SAME, VALID), groups (incl. depthwise and
// depthwise with multiplier 2), fused activations, weight layouts (OIHW and
// HWIO), run layouts (NCHW and NHWC) and batch sizes.
//
// Tolerance: testutil::accumulation_tolerance (see tests/reference/
// test_util.h): |got - want| <= 1e-5 * sqrt(terms) * max|x| * max|w| +
// 1e-5 * |want|, with terms = (in / groups) * kh * kw (+1 for the bias),
// times the activation's Lipschitz constant when it exceeds 1.
#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "kernel_contract.h"
#include "reference/naive_ops.h"
#include "reference/test_util.h"
#include "small/small.h"

using testutil::Rng;

namespace {

const std::vector<int> kChannels = {1, 2, 3, 5, 7, 8, 13, 16, 17, 33, 64};

struct ConvCase {
  int n = 1, c = 3, h = 8, w = 8;
  small_conv2d_params p{};
  bool bias = true;
  small_layout layout = SMALL_LAYOUT_NCHW;
  float in_lo = -1.0f, in_hi = 1.0f;

  ConvCase() { small_conv2d_params_init(&p); }

  std::string describe() const {
    std::ostringstream s;
    s << "input (" << n << ", " << c << ", " << h << ", " << w << ") -> "
      << p.out_channels << " ch, kernel " << p.kernel_h << "x" << p.kernel_w
      << ", stride " << p.stride_h << "x" << p.stride_w << ", dilation "
      << p.dilation_h << "x" << p.dilation_w << ", padding ";
    if (p.padding_mode == SMALL_PADDING_SAME) {
      s << "SAME";
    } else if (p.padding_mode == SMALL_PADDING_VALID) {
      s << "VALID";
    } else {
      s << "t" << p.pad_top << " b" << p.pad_bottom << " l" << p.pad_left
        << " r" << p.pad_right;
    }
    s << ", groups " << p.groups << ", weights "
      << (p.weight_layout == SMALL_WEIGHTS_HWIO ? "HWIO" : "OIHW") << ", act "
      << testutil::activation_name(p.activation.kind) << ", bias "
      << (bias ? "yes" : "no") << ", layout "
      << (layout == SMALL_LAYOUT_NHWC ? "NHWC" : "NCHW");
    return s.str();
  }
};

ConvCase make_case(int c, int h, int w, int out, int kh, int kw) {
  ConvCase cc;
  cc.c = c;
  cc.h = h;
  cc.w = w;
  cc.p.out_channels = static_cast<uint32_t>(out);
  cc.p.kernel_h = static_cast<uint32_t>(kh);
  cc.p.kernel_w = static_cast<uint32_t>(kw);
  return cc;
}

void set_pads(ConvCase &cc, int top, int bottom, int left, int right) {
  cc.p.padding_mode = SMALL_PADDING_EXPLICIT;
  cc.p.pad_top = static_cast<uint32_t>(top);
  cc.p.pad_bottom = static_cast<uint32_t>(bottom);
  cc.p.pad_left = static_cast<uint32_t>(left);
  cc.p.pad_right = static_cast<uint32_t>(right);
}

struct ConvData {
  ref::Tensor input;
  std::vector<float> weights_oihw;
  std::vector<float> bias;
  ref::Tensor want;
  testutil::Tolerance tol;
};

ConvData make_data(const ConvCase &cc, Rng &rng) {
  ConvData d;
  const int groups = static_cast<int>(cc.p.groups);
  const int out = static_cast<int>(cc.p.out_channels);
  const size_t cin_g = static_cast<size_t>(cc.c / groups);
  const size_t taps = size_t{cc.p.kernel_h} * cc.p.kernel_w;
  d.input =
      testutil::random_tensor(rng, cc.n, cc.c, cc.h, cc.w, cc.in_lo, cc.in_hi);
  d.weights_oihw = testutil::random_vector(rng, out * cin_g * taps);
  if (cc.bias) {
    d.bias = testutil::random_vector(rng, static_cast<size_t>(out));
  }
  const ref::Window win = testutil::window_of(cc.p, cc.h, cc.w);
  d.want = ref::conv2d(d.input, d.weights_oihw, d.bias, out, win, groups,
                       cc.p.activation);
  d.tol = testutil::accumulation_tolerance(
      cin_g * taps + (cc.bias ? 1 : 0),
      std::max(1.0, testutil::max_abs(d.input)),
      std::max(testutil::max_abs(d.weights_oihw), testutil::max_abs(d.bias)));
  d.tol.atol *= std::max(1.0, testutil::activation_lipschitz(cc.p.activation));
  return d;
}

// Builds the one-layer network, checks the output shape it reports, runs it.
ref::Tensor run_conv(const ConvCase &cc, const ConvData &d) {
  std::vector<float> weights = d.weights_oihw;
  if (cc.p.weight_layout == SMALL_WEIGHTS_HWIO) {
    weights = ref::oihw_to_hwio(
        d.weights_oihw, static_cast<int>(cc.p.out_channels),
        cc.c / static_cast<int>(cc.p.groups), static_cast<int>(cc.p.kernel_h),
        static_cast<int>(cc.p.kernel_w));
  }
  testutil::Net net;
  const small_tensor in = net.input(cc.n, cc.c, cc.h, cc.w);
  const small_tensor out = net.conv2d(in, cc.p, weights, d.bias);
  const std::vector<uint32_t> dims = net.shape(out);
  CHECK(dims == std::vector<uint32_t>{static_cast<uint32_t>(d.want.n),
                                      static_cast<uint32_t>(d.want.c),
                                      static_cast<uint32_t>(d.want.h),
                                      static_cast<uint32_t>(d.want.w)});
  net.output(out);
  net.finalize();
  return net.run1(d.input, cc.layout);
}

// The whole check for one case; returns the library's output.
ref::Tensor check_conv(const ConvCase &cc, Rng &rng) {
  INFO("case: " << cc.describe());
  const ConvData d = make_data(cc, rng);
  ref::Tensor got = run_conv(cc, d);
  testutil::check_close(got, d.want, d.tol);
  return got;
}

ref::Tensor batch_item(const ref::Tensor &t, int item) {
  ref::Tensor one(1, t.c, t.h, t.w);
  const auto first = t.data.begin() + static_cast<long>(item * one.size());
  std::copy(first, first + static_cast<long>(one.size()), one.data.begin());
  return one;
}

// Multiply-accumulates of a case, to keep sweeps cheap.
double case_macs(const ConvCase &cc) {
  const ref::Window win = testutil::window_of(cc.p, cc.h, cc.w);
  const int oh =
      ref::window_out_size(cc.h, win.kernel_h, win.stride_h, win.dilation_h,
                           win.pad_top, win.pad_bottom);
  const int ow =
      ref::window_out_size(cc.w, win.kernel_w, win.stride_w, win.dilation_w,
                           win.pad_left, win.pad_right);
  return static_cast<double>(cc.n) * cc.p.out_channels * oh * ow *
         (cc.c / static_cast<int>(cc.p.groups)) * cc.p.kernel_h * cc.p.kernel_w;
}

} // namespace

TEST_CASE("Conv2D 3x3 matches reference for every in x out channel count",
          "[conv2d][channels]") {
  Rng rng(1001);
  size_t i = 0;
  for (int c : kChannels) {
    for (int k : kChannels) {
      ConvCase cc = make_case(c, 5 + static_cast<int>(i % 3),
                              6 + static_cast<int>(i % 4), k, 3, 3);
      set_pads(cc, 1, 1, 1, 1);
      // Vary the cheap axes along the way so every channel pair does not
      // only see the defaults.
      cc.n = i % 5 == 0 ? 2 : 1;
      cc.layout = i % 3 == 0 ? SMALL_LAYOUT_NHWC : SMALL_LAYOUT_NCHW;
      cc.bias = i % 4 != 3;
      check_conv(cc, rng);
      ++i;
    }
  }
}

TEST_CASE("Conv2D 1x1 matches reference for every in x out channel count",
          "[conv2d][channels]") {
  Rng rng(1002);
  for (int c : kChannels) {
    for (int k : {1, 3, 16, 17, 64}) {
      ConvCase cc = make_case(c, 7, 9, k, 1, 1);
      check_conv(cc, rng);
    }
  }
}

TEST_CASE("Conv2D matches reference for spatial sizes 1..40",
          "[conv2d][spatial]") {
  Rng rng(1003);
  for (int h = 1; h <= 40; ++h) {
    // Each height meets a different width, and every width 1..40 appears.
    const int w = 41 - h;
    const bool big = h % 2 == 0;
    ConvCase cc =
        big ? make_case(3, h, w, 5, 5, 5) : make_case(17, h, w, 16, 3, 3);
    if (big) {
      set_pads(cc, 2, 2, 2, 2);
    } else {
      set_pads(cc, 1, 1, 1, 1);
    }
    cc.p.stride_h = cc.p.stride_w = static_cast<uint32_t>(1 + h % 3);
    check_conv(cc, rng);
  }
  // Square odd and even sizes without padding (window must fit).
  for (int s : {3, 4, 7, 11, 16, 23, 31, 40}) {
    ConvCase cc = make_case(8, s, s, 13, 3, 3);
    check_conv(cc, rng);
  }
}

TEST_CASE("Conv2D matches reference on wide rows split into several tiles",
          "[conv2d][spatial][wide]") {
  // Rows wider than any kernel's tile width (convolution tiles are a few
  // pixels, depthwise/pooling tiles up to 64): interior tiles, a partial
  // last tile and the clipped edge columns all occur in one row.
  Rng rng(1018);
  for (int w : {12, 13, 24, 25, 63, 64, 65, 100, 129, 200}) {
    ConvCase dense = make_case(5, 3, w, 17, 3, 3);
    set_pads(dense, 1, 1, 1, 1);
    dense.p.stride_w = w % 2 == 0 ? 1 : 2;
    check_conv(dense, rng);
    ConvCase dw = make_case(17, 3, w, 17, 3, 3);
    dw.p.groups = 17;
    set_pads(dw, 1, 1, 2, 0);
    dw.p.dilation_w = w % 3 == 0 ? 2 : 1;
    check_conv(dw, rng);
    ConvCase dm = make_case(3, 2, w, 6, 1, 5);
    dm.p.groups = 3;
    set_pads(dm, 0, 0, 2, 2);
    dm.layout = SMALL_LAYOUT_NHWC;
    check_conv(dm, rng);
  }
}

TEST_CASE("Conv2D matches reference for kernel sizes 1x1..5x5, 10x4 and 4x10",
          "[conv2d][kernel]") {
  Rng rng(1004);
  std::vector<std::pair<int, int>> kernels;
  for (int kh = 1; kh <= 5; ++kh) {
    for (int kw = 1; kw <= 5; ++kw) {
      kernels.emplace_back(kh, kw);
    }
  }
  kernels.emplace_back(10, 4);
  kernels.emplace_back(4, 10);
  for (const auto &k : kernels) {
    const int kh = k.first, kw = k.second;
    ConvCase cc = make_case(rng.pick(kChannels), rng.range(kh, 16),
                            rng.range(kw, 16), rng.pick(kChannels), kh, kw);
    if (cc.c * cc.p.out_channels > 17 * 64) {
      cc.p.out_channels = 13;
    }
    set_pads(cc, rng.range(0, kh - 1), rng.range(0, kh - 1),
             rng.range(0, kw - 1), rng.range(0, kw - 1));
    cc.p.stride_h = static_cast<uint32_t>(rng.range(1, 2));
    cc.p.stride_w = static_cast<uint32_t>(rng.range(1, 2));
    check_conv(cc, rng);
  }
  // 10x4 with the bigger channel counts and both layouts.
  for (small_layout layout : {SMALL_LAYOUT_NCHW, SMALL_LAYOUT_NHWC}) {
    ConvCase cc = make_case(33, 14, 9, 17, 10, 4);
    set_pads(cc, 4, 5, 1, 2);
    cc.layout = layout;
    check_conv(cc, rng);
  }
}

TEST_CASE("Conv2D matches reference for strides 1-3 and dilations 1-2",
          "[conv2d][stride][dilation]") {
  Rng rng(1005);
  for (int sh = 1; sh <= 3; ++sh) {
    for (int sw = 1; sw <= 3; ++sw) {
      for (int dh = 1; dh <= 2; ++dh) {
        for (int dw = 1; dw <= 2; ++dw) {
          const int kh = rng.range(2, 3), kw = rng.range(1, 3);
          ConvCase cc =
              make_case(rng.pick(std::vector<int>{3, 5, 16, 17}),
                        rng.range(9, 20), rng.range(9, 20),
                        rng.pick(std::vector<int>{2, 7, 16, 33}), kh, kw);
          cc.p.stride_h = static_cast<uint32_t>(sh);
          cc.p.stride_w = static_cast<uint32_t>(sw);
          cc.p.dilation_h = static_cast<uint32_t>(dh);
          cc.p.dilation_w = static_cast<uint32_t>(dw);
          // Asymmetric padding up to the dilated extent - 1.
          set_pads(cc, rng.range(0, (kh - 1) * dh), rng.range(0, (kh - 1) * dh),
                   rng.range(0, (kw - 1) * dw), rng.range(0, (kw - 1) * dw));
          check_conv(cc, rng);
        }
      }
    }
  }
}

TEST_CASE("Conv2D matches reference with asymmetric explicit padding",
          "[conv2d][padding]") {
  Rng rng(1006);
  // Every single side padded alone, then random combinations.
  for (int side = 0; side < 4; ++side) {
    for (int amount : {1, 2, 4}) {
      ConvCase cc = make_case(5, 7, 8, 7, 3, 5);
      set_pads(cc, side == 0 ? amount : 0, side == 1 ? amount : 0,
               side == 2 ? amount : 0, side == 3 ? amount : 0);
      check_conv(cc, rng);
    }
  }
  for (int i = 0; i < 24; ++i) {
    const int kh = rng.range(1, 5), kw = rng.range(1, 5);
    ConvCase cc =
        make_case(rng.pick(kChannels), rng.range(3, 15), rng.range(3, 15),
                  rng.pick(std::vector<int>{1, 8, 17}), kh, kw);
    set_pads(cc, rng.range(0, kh), rng.range(0, kh), rng.range(0, kw),
             rng.range(0, kw));
    cc.p.stride_h = static_cast<uint32_t>(rng.range(1, 3));
    cc.p.stride_w = static_cast<uint32_t>(rng.range(1, 3));
    if (cc.h + static_cast<int>(cc.p.pad_top + cc.p.pad_bottom) < kh) {
      cc.h = kh;
    }
    if (cc.w + static_cast<int>(cc.p.pad_left + cc.p.pad_right) < kw) {
      cc.w = kw;
    }
    check_conv(cc, rng);
  }
}

TEST_CASE("Conv2D matches reference when the window overhangs a tiny input",
          "[conv2d][padding][edge]") {
  Rng rng(1007);
  // Kernels larger than the input; with pad >= kernel some output pixels see
  // only padding and must equal act(bias).
  struct Edge {
    int h, w, kh, kw, pt, pb, pl, pr, stride;
  };
  const std::vector<Edge> edges = {
      {1, 1, 3, 3, 1, 1, 1, 1, 1},  {1, 1, 3, 3, 2, 2, 2, 2, 1},
      {1, 1, 1, 1, 1, 2, 2, 1, 1},  {2, 3, 5, 5, 2, 2, 2, 2, 1},
      {3, 2, 10, 4, 4, 5, 1, 2, 1}, {2, 2, 5, 5, 3, 4, 4, 3, 2},
      {1, 7, 3, 3, 1, 1, 0, 0, 2},  {7, 1, 1, 3, 0, 0, 3, 3, 3},
  };
  for (const Edge &e : edges) {
    for (int c : {3, 17}) {
      ConvCase cc = make_case(c, e.h, e.w, 5, e.kh, e.kw);
      set_pads(cc, e.pt, e.pb, e.pl, e.pr);
      cc.p.stride_h = cc.p.stride_w = static_cast<uint32_t>(e.stride);
      cc.p.activation = testutil::activation_with_params(SMALL_ACT_HARD_SWISH);
      check_conv(cc, rng);
      // The same geometry depthwise.
      ConvCase dw = cc;
      dw.p.out_channels = static_cast<uint32_t>(c);
      dw.p.groups = static_cast<uint32_t>(c);
      check_conv(dw, rng);
    }
  }
}

TEST_CASE("Conv2D matches reference for grouped convolutions",
          "[conv2d][groups]") {
  Rng rng(1008);
  struct Grouped {
    int c, k, groups;
  };
  const std::vector<Grouped> cases = {
      {2, 2, 2},    {2, 4, 2},    {4, 6, 2},   {8, 16, 2},  {16, 8, 2},
      {34, 18, 2},  {64, 64, 2},  {12, 8, 4},  {33, 33, 3}, {18, 6, 6},
      {17, 34, 17}, {32, 32, 16}, {48, 24, 3}, {6, 12, 3},
  };
  for (const Grouped &g : cases) {
    for (int kernel : {1, 3}) {
      ConvCase cc = make_case(g.c, 9, 10, g.k, kernel, kernel);
      cc.p.groups = static_cast<uint32_t>(g.groups);
      set_pads(cc, kernel / 2, kernel / 2, kernel / 2, kernel / 2);
      cc.p.stride_h = static_cast<uint32_t>(rng.range(1, 2));
      cc.p.stride_w = cc.p.stride_h;
      check_conv(cc, rng);
    }
  }
}

TEST_CASE("Conv2D matches reference for depthwise convolutions",
          "[conv2d][depthwise]") {
  Rng rng(1009);
  for (int c : kChannels) {
    for (int kernel : {3, 5}) {
      ConvCase cc =
          make_case(c, rng.range(5, 20), rng.range(5, 20), c, kernel, kernel);
      cc.p.groups = static_cast<uint32_t>(c);
      const int pad = kernel / 2;
      set_pads(cc, pad, pad + rng.range(0, 1), pad, pad + rng.range(0, 1));
      cc.p.stride_h = static_cast<uint32_t>(rng.range(1, 2));
      cc.p.stride_w = static_cast<uint32_t>(rng.range(1, 2));
      cc.p.dilation_h = cc.p.dilation_w = kernel == 3 ? 2 : 1;
      cc.n = c % 2 == 0 ? 2 : 1;
      check_conv(cc, rng);
    }
  }
}

TEST_CASE("Conv2D matches reference for depthwise with multiplier 2 and 3",
          "[conv2d][depthwise]") {
  Rng rng(1010);
  for (int c : kChannels) {
    for (int mult : {2, 3}) {
      if (mult == 3 && c > 17) {
        continue;
      }
      ConvCase cc =
          make_case(c, rng.range(4, 14), rng.range(4, 14), c * mult, 3, 3);
      cc.p.groups = static_cast<uint32_t>(c);
      set_pads(cc, 1, 1, 1, 1);
      cc.p.stride_h = cc.p.stride_w = static_cast<uint32_t>(rng.range(1, 2));
      check_conv(cc, rng);
    }
  }
}

TEST_CASE("Conv2D matches reference for every fused activation",
          "[conv2d][activation]") {
  Rng rng(1011);
  for (small_activation_kind kind : testutil::all_activation_kinds()) {
    // Custom constants (alpha, beta, clip bounds) and the defaults.
    for (bool custom : {true, false}) {
      const small_activation act = custom
                                       ? testutil::activation_with_params(kind)
                                       : small_activation_make(kind);
      if (kind == SMALL_ACT_CLIP && !custom) {
        continue; // default clip is (-inf, inf): identical to NONE
      }
      for (int variant = 0; variant < 3; ++variant) {
        ConvCase cc;
        if (variant == 0) {
          cc = make_case(13, 9, 11, 17, 3, 3); // dense convolution
        } else if (variant == 1) {
          cc = make_case(17, 9, 11, 17, 3, 3); // depthwise
          cc.p.groups = 17;
        } else {
          cc = make_case(8, 9, 11, 16, 3, 3); // depthwise multiplier 2
          cc.p.groups = 8;
        }
        set_pads(cc, 1, 1, 1, 1);
        cc.p.activation = act;
        // Wide inputs so that the results cover every piece of each
        // activation (negative, 0..6, above 6, around +-3).
        cc.in_lo = -3.0f;
        cc.in_hi = 3.0f;
        INFO("activation " << testutil::activation_name(kind)
                           << (custom ? " (custom constants)" : " (defaults)"));
        check_conv(cc, rng);
      }
    }
  }
}

TEST_CASE("small_padding_same agrees with the reference SAME formula",
          "[conv2d][padding][same]") {
  size_t checked = 0, mismatches = 0;
  std::string first;
  for (int in = 1; in <= 24; ++in) {
    for (int k = 1; k <= 6; ++k) {
      for (int s = 1; s <= 3; ++s) {
        for (int d = 1; d <= 2; ++d) {
          uint32_t before = 0, after = 0;
          REQUIRE(small_padding_same(
                      static_cast<uint32_t>(in), static_cast<uint32_t>(k),
                      static_cast<uint32_t>(s), static_cast<uint32_t>(d),
                      &before, &after) == SMALL_OK);
          const ref::SamePad want = ref::same_padding(in, k, s, d);
          // The defining property: out = ceil(in / s).
          const int out =
              ref::window_out_size(in, k, s, d, want.before, want.after);
          ++checked;
          if (static_cast<int>(before) != want.before ||
              static_cast<int>(after) != want.after ||
              out != (in + s - 1) / s) {
            if (mismatches++ == 0) {
              std::ostringstream m;
              m << "in " << in << " k " << k << " s " << s << " d " << d
                << ": library " << before << "/" << after << ", reference "
                << want.before << "/" << want.after << ", out " << out;
              first = m.str();
            }
          }
        }
      }
    }
  }
  INFO(checked << " combinations checked; first mismatch: " << first);
  CHECK(mismatches == 0);
}

TEST_CASE("Conv2D matches reference with SAME and VALID padding modes",
          "[conv2d][padding][same]") {
  Rng rng(1012);
  for (small_padding_mode mode : {SMALL_PADDING_SAME, SMALL_PADDING_VALID}) {
    for (int i = 0; i < 24; ++i) {
      const int kh = rng.range(1, 5), kw = rng.range(1, 5);
      ConvCase cc = make_case(rng.pick(std::vector<int>{1, 3, 8, 17}),
                              rng.range(6, 21), rng.range(6, 21),
                              rng.pick(std::vector<int>{2, 5, 16}), kh, kw);
      cc.p.padding_mode = mode;
      // Junk in the explicit fields: the mode must override them.
      cc.p.pad_top = 7;
      cc.p.pad_left = 3;
      cc.p.stride_h = static_cast<uint32_t>(rng.range(1, 3));
      cc.p.stride_w = static_cast<uint32_t>(rng.range(1, 3));
      cc.p.dilation_h = static_cast<uint32_t>(rng.range(1, 2));
      cc.p.dilation_w = static_cast<uint32_t>(rng.range(1, 2));
      if (i % 4 == 0) { // depthwise too
        cc.p.out_channels = static_cast<uint32_t>(cc.c);
        cc.p.groups = static_cast<uint32_t>(cc.c);
      }
      const ref::Tensor got = check_conv(cc, rng);
      if (mode == SMALL_PADDING_SAME) {
        INFO("case: " << cc.describe());
        CHECK(got.h == (cc.h + static_cast<int>(cc.p.stride_h) - 1) /
                           static_cast<int>(cc.p.stride_h));
        CHECK(got.w == (cc.w + static_cast<int>(cc.p.stride_w) - 1) /
                           static_cast<int>(cc.p.stride_w));
      }
    }
  }
}

TEST_CASE("Conv2D with HWIO weights equals OIHW with transposed weights",
          "[conv2d][hwio]") {
  Rng rng(1013);
  struct Hw {
    int c, k, groups, kh, kw;
  };
  const std::vector<Hw> cases = {
      {3, 5, 1, 3, 3},    {17, 33, 1, 2, 5},  {16, 16, 1, 1, 1},
      {8, 12, 2, 3, 1},   {13, 13, 13, 3, 3}, {7, 14, 7, 5, 3},
      {33, 17, 1, 10, 4}, {64, 64, 64, 3, 3},
  };
  for (const Hw &hw : cases) {
    ConvCase cc = make_case(hw.c, 12, 11, hw.k, hw.kh, hw.kw);
    cc.p.groups = static_cast<uint32_t>(hw.groups);
    set_pads(cc, hw.kh / 2, (hw.kh - 1) / 2, hw.kw / 2, (hw.kw - 1) / 2);
    INFO("case: " << cc.describe());
    const ConvData d = make_data(cc, rng);
    const ref::Tensor oihw = run_conv(cc, d);
    ConvCase hwio_case = cc;
    hwio_case.p.weight_layout = SMALL_WEIGHTS_HWIO;
    const ref::Tensor hwio = run_conv(hwio_case, d);
    testutil::check_close(oihw, d.want, d.tol);
    testutil::check_close(hwio, d.want, d.tol);
    // Same weights, only handed over in another order: same bits.
    testutil::check_identical(hwio, oihw);
  }
}

TEST_CASE("Conv2D in NHWC run layout equals NCHW run layout",
          "[conv2d][layout]") {
  Rng rng(1014);
  struct Lc {
    int n, c, h, w, k, kernel, groups;
  };
  const std::vector<Lc> cases = {
      {1, 3, 9, 7, 5, 3, 1},    {2, 17, 6, 8, 33, 3, 1},
      {1, 16, 5, 5, 16, 1, 1},  {2, 13, 7, 9, 13, 3, 13},
      {1, 64, 4, 6, 64, 5, 64}, {1, 1, 10, 1, 2, 3, 1},
  };
  for (const Lc &l : cases) {
    ConvCase cc = make_case(l.c, l.h, l.w, l.k, l.kernel, l.kernel);
    cc.n = l.n;
    cc.p.groups = static_cast<uint32_t>(l.groups);
    set_pads(cc, l.kernel / 2, l.kernel / 2, l.kernel / 2, l.kernel / 2);
    INFO("case: " << cc.describe());
    const ConvData d = make_data(cc, rng);
    const ref::Tensor nchw = run_conv(cc, d);
    ConvCase nhwc_case = cc;
    nhwc_case.layout = SMALL_LAYOUT_NHWC;
    const ref::Tensor nhwc = run_conv(nhwc_case, d);
    testutil::check_close(nchw, d.want, d.tol);
    testutil::check_close(nhwc, d.want, d.tol);
    testutil::check_identical(nhwc, nchw);
  }
}

TEST_CASE("Conv2D with batch 2 equals two runs with batch 1",
          "[conv2d][batch]") {
  Rng rng(1015);
  for (int groups : {1, 2, 6}) {
    ConvCase cc = make_case(6, 8, 7, 6, 3, 3);
    cc.n = 2;
    cc.p.groups = static_cast<uint32_t>(groups);
    set_pads(cc, 1, 0, 2, 1);
    INFO("case: " << cc.describe());
    const ConvData d = make_data(cc, rng);
    const ref::Tensor both = run_conv(cc, d);
    testutil::check_close(both, d.want, d.tol);
    for (int item = 0; item < 2; ++item) {
      ConvCase one = cc;
      one.n = 1;
      ConvData di = d;
      di.input = batch_item(d.input, item);
      di.want = batch_item(d.want, item);
      INFO("batch item " << item);
      testutil::check_identical(run_conv(one, di), batch_item(both, item));
    }
  }
}

TEST_CASE("Conv2D 1x1 with identity weights reproduces its input exactly",
          "[conv2d][identity]") {
  // Independent of the reference: x * 1 + 0 * (others) is exact in float.
  Rng rng(1016);
  for (int c : {1, 5, 16, 33}) {
    ConvCase cc = make_case(c, 6, 7, c, 1, 1);
    cc.bias = false;
    const ref::Tensor x = testutil::random_tensor(rng, 1, c, 6, 7);
    ConvData d;
    d.input = x;
    d.want = x; // only its shape is used by run_conv
    d.weights_oihw.assign(static_cast<size_t>(c) * c, 0.0f);
    for (int k = 0; k < c; ++k) {
      d.weights_oihw[static_cast<size_t>(k) * c + k] = 1.0f;
    }
    INFO("channels " << c);
    testutil::check_identical(run_conv(cc, d), x);
  }
}

TEST_CASE("Conv2D matches reference on a randomized sweep",
          "[conv2d][random]") {
  Rng rng(1017);
  const std::vector<small_padding_mode> modes = {
      SMALL_PADDING_EXPLICIT, SMALL_PADDING_EXPLICIT, SMALL_PADDING_EXPLICIT,
      SMALL_PADDING_SAME, SMALL_PADDING_VALID};
  int done = 0;
  while (done < 200) {
    ConvCase cc;
    cc.c = rng.pick(kChannels);
    const int kind = rng.range(0, 9); // 0-5 dense, 6 grouped, 7-8 dw, 9 dw x2
    int groups = 1, out = rng.pick(kChannels);
    if (kind == 6) {
      groups = cc.c % 2 == 0 ? 2 : cc.c;
      out = groups * rng.range(1, 3);
    } else if (kind == 7 || kind == 8) {
      groups = cc.c;
      out = cc.c;
    } else if (kind == 9) {
      groups = cc.c;
      out = 2 * cc.c;
    }
    cc.p.groups = static_cast<uint32_t>(groups);
    cc.p.out_channels = static_cast<uint32_t>(out);
    if (rng.range(0, 19) == 0) {
      cc.p.kernel_h = 10;
      cc.p.kernel_w = 4;
    } else {
      cc.p.kernel_h = static_cast<uint32_t>(rng.range(1, 5));
      cc.p.kernel_w = static_cast<uint32_t>(rng.range(1, 5));
    }
    cc.p.stride_h = static_cast<uint32_t>(rng.range(1, 3));
    cc.p.stride_w = static_cast<uint32_t>(rng.range(1, 3));
    cc.p.dilation_h = static_cast<uint32_t>(rng.range(1, 2));
    cc.p.dilation_w = static_cast<uint32_t>(rng.range(1, 2));
    const int ext_h = (static_cast<int>(cc.p.kernel_h) - 1) *
                          static_cast<int>(cc.p.dilation_h) +
                      1;
    const int ext_w = (static_cast<int>(cc.p.kernel_w) - 1) *
                          static_cast<int>(cc.p.dilation_w) +
                      1;
    cc.p.padding_mode = rng.pick(modes);
    if (cc.p.padding_mode == SMALL_PADDING_EXPLICIT) {
      set_pads(cc, rng.range(0, ext_h - 1), rng.range(0, ext_h - 1),
               rng.range(0, ext_w - 1), rng.range(0, ext_w - 1));
    }
    cc.h = rng.range(1, 40);
    cc.w = rng.range(1, 40);
    if (cc.p.padding_mode != SMALL_PADDING_SAME) {
      // The dilated window must fit into the padded input.
      const int ph = static_cast<int>(cc.p.pad_top + cc.p.pad_bottom);
      const int pw = static_cast<int>(cc.p.pad_left + cc.p.pad_right);
      cc.h = std::max(cc.h, ext_h - ph);
      cc.w = std::max(cc.w, ext_w - pw);
    }
    cc.n = rng.range(0, 3) == 0 ? 2 : 1;
    cc.p.activation = testutil::activation_with_params(
        rng.pick(testutil::all_activation_kinds()));
    cc.p.weight_layout = rng.coin() ? SMALL_WEIGHTS_HWIO : SMALL_WEIGHTS_OIHW;
    cc.layout = rng.coin() ? SMALL_LAYOUT_NHWC : SMALL_LAYOUT_NCHW;
    cc.bias = rng.range(0, 3) != 0;
    if (case_macs(cc) > 2e6) {
      continue; // keep the sweep fast; draw again
    }
    INFO("random case " << done);
    check_conv(cc, rng);
    ++done;
  }
}

TEST_CASE("Conv2D 3x3 stride 1 matches reference on the Winograd tiles' "
          "shapes",
          "[conv2d][winograd]") {
  // The x86 tables' Winograd tiles (kernel_contract.h: conv_f32_winograd)
  // take the interior columns of ungrouped 3x3 stride-1 layers of at most 2
  // (AVX-512) or 4 (AVX2) input x output blocks of 16 channels: ResNet-8's
  // 32x32 maps, odd and even widths (a last pair of one pixel), images of 1
  // to 3 rows (bands of 1 and 2 filter rows), partial channel blocks, two
  // output blocks in one tile, every fused activation, with and without
  // padding. Other tables run the direct tiles on the same cases.
  Rng rng(1030);
  const std::vector<small_activation_kind> acts =
      testutil::all_activation_kinds();
  size_t i = 0;
  for (const auto &[c, k] : std::vector<std::pair<int, int>>{{16, 16},
                                                             {20, 16},
                                                             {33, 16},
                                                             {64, 16},
                                                             {16, 32},
                                                             {5, 7},
                                                             {48, 10}}) {
    for (const auto &[h, w] : std::vector<std::pair<int, int>>{
             {32, 32}, {9, 13}, {3, 17}, {2, 6}, {1, 5}, {7, 2}}) {
      ConvCase cc = make_case(c, h, w, k, 3, 3);
      if (i % 4 == 3 && h >= 3 && w >= 3) {
        cc.p.padding_mode = SMALL_PADDING_VALID;
      } else {
        set_pads(cc, 1, 1, 1, 1);
      }
      cc.p.activation = testutil::activation_with_params(acts[i % acts.size()]);
      cc.layout = i % 2 == 0 ? SMALL_LAYOUT_NCHW : SMALL_LAYOUT_NHWC;
      cc.bias = i % 5 != 4;
      cc.in_lo = -3.0f;
      cc.in_hi = 3.0f;
      check_conv(cc, rng);
      ++i;
    }
  }
}

TEST_CASE("Conv2D keeps a Winograd weight copy exactly where its tiles run",
          "[conv2d][winograd]") {
  // The copy (12 Cb x Cb floats per pair of blocks where the packed weights
  // have 9) is counted in the network's weight bytes: present for a 3x3
  // stride-1 layer on a table with Winograd tiles, absent at stride 2, and
  // dropped again when no tile took it (a 2-pixel-wide image padded by one
  // has border columns only).
  const small_kernel_table &k = *small_kernels_active();
  const size_t cb = k.channel_block;
  const size_t blocks = (16 + cb - 1) / cb;
  const size_t direct = blocks * blocks * 9 * cb * cb * sizeof(float);
  const size_t bias = blocks * cb * sizeof(float);
  const bool takes = k.conv_f32_winograd != nullptr &&
                     blocks * std::min(blocks, k.conv_max_out_blocks) <=
                         k.conv_f32_winograd_blocks;
  struct Case {
    uint32_t width, stride;
    bool winograd;
  };
  for (const Case &c :
       {Case{12, 1, takes}, Case{12, 2, false}, Case{2, 1, false}}) {
    INFO("width " << c.width << ", stride " << c.stride);
    Rng rng(1031);
    ConvCase cc = make_case(16, 6, static_cast<int>(c.width), 16, 3, 3);
    set_pads(cc, 1, 1, 1, 1);
    cc.p.stride_h = cc.p.stride_w = c.stride;
    const ConvData d = make_data(cc, rng);
    testutil::Net net;
    const small_tensor in = net.input(1, 16, 6, c.width);
    net.output(net.conv2d(in, cc.p, d.weights_oihw, d.bias));
    net.finalize();
    size_t bytes = 0;
    REQUIRE(small_network_weight_bytes(net.get(), &bytes) == SMALL_OK);
    CHECK(bytes == direct + bias + (c.winograd ? direct / 3 * 4 : 0));
  }
}
