// Every layer other than Conv2D against the naive double-precision
// reference (tests/reference/naive_ops.h), plus fusion (BatchNorm and
// activations folded into their producer) and small multi-layer chains.
//
// Tolerances (|got - want| <= atol + rtol * |want|, rtol = 1e-5):
//  * layers that accumulate (Dense, average pooling, folded BatchNorm):
//    testutil::accumulation_tolerance over the number of summed terms;
//  * element-wise layers (max pooling, add, concat, activations, softmax,
//    standalone BatchNorm): testutil::elementwise_tolerance, 1e-6 of the
//    largest magnitude involved (a few float roundings per element);
//  * data movement (concat, reshape, flatten) must be bit-exact;
//  * chains: the sum of each layer's own tolerance, earlier errors being
//    amplified by each linear layer's largest row L1 norm (the exact bound
//    of how far a linear map can move an input error).
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "kernel_contract.h"
#include "reference/naive_ops.h"
#include "reference/test_util.h"
#include "small/small.h"

using testutil::Net;
using testutil::Rng;
using testutil::Tolerance;

namespace {

const small_activation kNone = small_activation_make(SMALL_ACT_NONE);
const small_activation kRelu = small_activation_make(SMALL_ACT_RELU);

small_conv2d_params conv_params(int out, int kernel, int pad, int groups = 1) {
  small_conv2d_params p;
  small_conv2d_params_init(&p);
  p.out_channels = static_cast<uint32_t>(out);
  p.kernel_h = p.kernel_w = static_cast<uint32_t>(kernel);
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right =
      static_cast<uint32_t>(pad);
  p.groups = static_cast<uint32_t>(groups);
  return p;
}

ref::Window conv_window(int kernel, int pad) {
  ref::Window w;
  w.kernel_h = w.kernel_w = kernel;
  w.pad_top = w.pad_bottom = w.pad_left = w.pad_right = pad;
  return w;
}

// Per-channel BatchNorm constants with var > 0.
struct BnParams {
  std::vector<float> gamma, beta, mean, var;
  float eps = 1e-3f;
  // scale = gamma / sqrt(var + eps), shift = beta - mean * scale (in double).
  double max_scale() const {
    double m = 0.0;
    for (size_t k = 0; k < gamma.size(); ++k) {
      m = std::max(m, std::fabs(gamma[k] / std::sqrt(double(var[k]) + eps)));
    }
    return m;
  }
  double max_shift() const {
    double m = 0.0;
    for (size_t k = 0; k < gamma.size(); ++k) {
      const double s = gamma[k] / std::sqrt(double(var[k]) + eps);
      m = std::max(m, std::fabs(beta[k] - mean[k] * s));
    }
    return m;
  }
};

BnParams random_bn(Rng &rng, int c) {
  BnParams bn;
  const size_t n = static_cast<size_t>(c);
  bn.gamma = testutil::random_vector(rng, n, 0.5f, 2.0f);
  bn.beta = testutil::random_vector(rng, n, -1.0f, 1.0f);
  bn.mean = testutil::random_vector(rng, n, -0.5f, 0.5f);
  bn.var = testutil::random_vector(rng, n, 0.1f, 3.0f); // > 0
  return bn;
}

const char *layout_name(small_layout l) {
  return l == SMALL_LAYOUT_NHWC ? "NHWC" : "NCHW";
}

} // namespace

// ===========================================================================
// The reference itself, on cases small enough to compute by hand from the
// definitions (so the reference is not only checked against SMaLL).

TEST_CASE("Reference self-check: hand-computed conv, pools, SAME, softmax",
          "[reference]") {
  // Input 1x1x3x3 = 1..9, kernel 2x2 of ones, no padding, stride 1:
  // each output is the sum of a 2x2 block: 1+2+4+5 = 12, 2+3+5+6 = 16,
  // 4+5+7+8 = 24, 5+6+8+9 = 28; bias 0.5 added.
  ref::Tensor x(1, 1, 3, 3);
  for (int i = 0; i < 9; ++i) {
    x.data[static_cast<size_t>(i)] = static_cast<float>(i + 1);
  }
  ref::Window w2;
  w2.kernel_h = w2.kernel_w = 2;
  const ref::Tensor y =
      ref::conv2d(x, std::vector<float>(4, 1.0f), {0.5f}, 1, w2, 1, kNone);
  CHECK(y.data == std::vector<float>{12.5f, 16.5f, 24.5f, 28.5f});

  // Padding 1 all around, 3x3 kernel of ones, stride 2: outputs at the four
  // corners sum the 2x2 corner blocks: 1+2+4+5 = 12, 2+3+5+6 = 16, ...
  ref::Window w3;
  w3.kernel_h = w3.kernel_w = 3;
  w3.stride_h = w3.stride_w = 2;
  w3.pad_top = w3.pad_bottom = w3.pad_left = w3.pad_right = 1;
  const ref::Tensor z =
      ref::conv2d(x, std::vector<float>(9, 1.0f), {}, 1, w3, 1, kNone);
  CHECK(z.data == std::vector<float>{12.0f, 16.0f, 24.0f, 28.0f});
  // Average pooling with the same window: 12 / 4 taps or 12 / 9 with pad.
  const ref::Tensor a0 = ref::avg_pool(x, w3, false);
  const ref::Tensor a1 = ref::avg_pool(x, w3, true);
  CHECK(a0.data == std::vector<float>{3.0f, 4.0f, 6.0f, 7.0f});
  CHECK(a1.data[0] == Approx(12.0 / 9.0));
  CHECK(ref::max_pool(x, w3).data ==
        std::vector<float>{5.0f, 6.0f, 8.0f, 9.0f});

  // Depthwise multiplier 2 on 2 channels: output k reads channel k / 2.
  ref::Tensor two(1, 2, 1, 1);
  two.data = {3.0f, 5.0f};
  ref::Window w1;
  const ref::Tensor dm =
      ref::conv2d(two, {1.0f, 2.0f, 3.0f, 4.0f}, {}, 4, w1, 2, kNone);
  CHECK(dm.data == std::vector<float>{3.0f, 6.0f, 15.0f, 20.0f});

  // SAME: in 5, k 3, s 2 -> out 3, total (3-1)*2+3-5 = 2 -> 1/1;
  // in 6 -> out 3, total 1 -> 0 before, 1 after; in 1, k 5 -> total 4.
  CHECK(ref::same_padding(5, 3, 2, 1).before == 1);
  CHECK(ref::same_padding(5, 3, 2, 1).after == 1);
  CHECK(ref::same_padding(6, 3, 2, 1).before == 0);
  CHECK(ref::same_padding(6, 3, 2, 1).after == 1);
  CHECK(ref::same_padding(1, 5, 1, 1).before == 2);
  CHECK(ref::same_padding(1, 5, 1, 1).after == 2);
  // Dilation 2 makes k 3 span 5: in 7, s 1 -> total 4 -> 2/2.
  CHECK(ref::same_padding(7, 3, 1, 2).before == 2);

  // Softmax of (0, ln 3) is (1/4, 3/4).
  ref::Tensor s(1, 2, 1, 1);
  s.data = {0.0f, static_cast<float>(std::log(3.0))};
  const ref::Tensor sm = ref::softmax(s);
  CHECK(sm.data[0] == Approx(0.25).epsilon(1e-6));
  CHECK(sm.data[1] == Approx(0.75).epsilon(1e-6));

  // Dense over a (2, 1, 2) input: NCHW flatten is (c0w0, c0w1, c1w0, c1w1).
  ref::Tensor d(1, 2, 1, 2);
  d.data = {1.0f, 2.0f, 3.0f, 4.0f};
  const ref::Tensor dd = ref::dense(d, {0.0f, 0.0f, 1.0f, 0.0f}, {}, 1, kNone);
  CHECK(dd.data == std::vector<float>{3.0f});
}

// ===========================================================================
// Dense

TEST_CASE("Dense matches reference on 1x1 inputs for every activation",
          "[layers][dense]") {
  Rng rng(3001);
  for (int in : {1, 3, 16, 17, 64, 100, 512}) {
    for (int out : {1, 5, 16, 33, 1000}) {
      const small_activation act = testutil::activation_with_params(
          testutil::all_activation_kinds()[static_cast<size_t>(in + out) %
                                           testutil::all_activation_kinds()
                                               .size()]);
      const bool use_bias = (in + out) % 3 != 0;
      INFO("dense " << in << " -> " << out << ", act "
                    << testutil::activation_name(act.kind) << ", bias "
                    << use_bias);
      const ref::Tensor x = testutil::random_tensor(rng, 1, in, 1, 1, -2, 2);
      const auto w =
          testutil::random_vector(rng, static_cast<size_t>(in * out));
      const auto b =
          use_bias ? testutil::random_vector(rng, out) : std::vector<float>();
      Net net;
      net.output(net.dense(net.input(1, in, 1, 1), out, w, b, act));
      net.finalize();
      Tolerance tol = testutil::accumulation_tolerance(in + 1, 2.0, 1.0);
      tol.atol *= std::max(1.0, testutil::activation_lipschitz(act));
      testutil::check_close(net.run1(x), ref::dense(x, w, b, out, act), tol);
    }
  }
}

TEST_CASE("Dense reads a (c, h, w) input in NCHW flatten order",
          "[layers][dense][flatten]") {
  Rng rng(3002);
  struct Shape {
    int n, c, h, w;
  };
  const std::vector<Shape> shapes = {{1, 3, 4, 5},  {2, 17, 3, 3},
                                     {1, 7, 1, 6},  {1, 5, 9, 1},
                                     {2, 33, 2, 3}, {1, 16, 5, 5}};
  for (const Shape &s : shapes) {
    for (small_layout layout : {SMALL_LAYOUT_NCHW, SMALL_LAYOUT_NHWC}) {
      INFO("input (" << s.n << ", " << s.c << ", " << s.h << ", " << s.w
                     << "), layout " << layout_name(layout));
      const int features = s.c * s.h * s.w;
      const ref::Tensor x = testutil::random_tensor(rng, s.n, s.c, s.h, s.w);

      // 1) Random weights against the reference.
      const int out = 10;
      const auto w = testutil::random_vector(rng, size_t(out) * features);
      const auto b = testutil::random_vector(rng, out);
      {
        Net net;
        net.output(net.dense(net.input(s.n, s.c, s.h, s.w), out, w, b, kNone));
        net.finalize();
        testutil::check_close(
            net.run1(x, layout), ref::dense(x, w, b, out, kNone),
            testutil::accumulation_tolerance(features + 1, 1.0, 1.0));
      }

      // 2) Reference-free: weight row o is one-hot at flat index
      // p_o = ((c * H) + h) * W + w, so output o must be exactly x[c][h][w].
      std::vector<int> picks = {0,         features - 1, features / 2,
                                s.h * s.w, s.w,          1 % features};
      std::vector<float> onehot(picks.size() * features, 0.0f);
      for (size_t o = 0; o < picks.size(); ++o) {
        onehot[o * features + static_cast<size_t>(picks[o])] = 1.0f;
      }
      Net net;
      net.output(net.dense(net.input(s.n, s.c, s.h, s.w),
                           static_cast<int>(picks.size()), onehot, {}, kNone));
      net.finalize();
      const ref::Tensor got = net.run1(x, layout);
      ref::Tensor want(s.n, static_cast<int>(picks.size()), 1, 1);
      for (int item = 0; item < s.n; ++item) {
        for (size_t o = 0; o < picks.size(); ++o) {
          const int p = picks[o];
          want.at(item, static_cast<int>(o), 0, 0) =
              x.at(item, p / (s.h * s.w), p / s.w % s.h, p % s.w);
        }
      }
      testutil::check_identical(got, want);
    }
  }
}

TEST_CASE("Dense on (c, h, w) equals Flatten followed by Dense",
          "[layers][dense][flatten]") {
  Rng rng(3003);
  const ref::Tensor x = testutil::random_tensor(rng, 2, 5, 3, 7);
  const int features = 5 * 3 * 7, out = 17;
  const auto w = testutil::random_vector(rng, size_t(out) * features);
  const auto b = testutil::random_vector(rng, out);
  Net direct;
  direct.output(direct.dense(direct.input(2, 5, 3, 7), out, w, b, kRelu));
  direct.finalize();
  Net flat;
  flat.output(
      flat.dense(flat.flatten(flat.input(2, 5, 3, 7)), out, w, b, kRelu));
  flat.finalize();
  const ref::Tensor want = ref::dense(x, w, b, out, kRelu);
  const Tolerance tol = testutil::accumulation_tolerance(features + 1, 1, 1);
  testutil::check_close(direct.run1(x), want, tol);
  testutil::check_close(flat.run1(x), want, tol);
}

// ===========================================================================
// Pooling

namespace {

struct PoolCase {
  int n = 1, c = 3, h = 8, w = 8;
  small_pool2d_params p{};
  small_layout layout = SMALL_LAYOUT_NCHW;

  PoolCase() { small_pool2d_params_init(&p); }

  std::string describe() const {
    std::ostringstream s;
    s << (p.kind == SMALL_POOL_MAX ? "max" : "avg") << " pool, input (" << n
      << ", " << c << ", " << h << ", " << w << "), kernel " << p.kernel_h
      << "x" << p.kernel_w << ", stride " << p.stride_h << "x" << p.stride_w
      << ", padding ";
    if (p.padding_mode == SMALL_PADDING_SAME) {
      s << "SAME";
    } else if (p.padding_mode == SMALL_PADDING_VALID) {
      s << "VALID";
    } else {
      s << "t" << p.pad_top << " b" << p.pad_bottom << " l" << p.pad_left
        << " r" << p.pad_right;
    }
    s << ", count_include_pad " << p.count_include_pad << ", layout "
      << layout_name(layout);
    return s.str();
  }
};

void check_pool(const PoolCase &pc, Rng &rng) {
  INFO("case: " << pc.describe());
  const ref::Tensor x = testutil::random_tensor(rng, pc.n, pc.c, pc.h, pc.w);
  const ref::Window win = testutil::window_of(pc.p, pc.h, pc.w);
  ref::Tensor want;
  Tolerance tol;
  if (pc.p.kind == SMALL_POOL_MAX) {
    want = ref::max_pool(x, win);
    tol = Tolerance{0.0, 0.0}; // a maximum of inputs is one of the inputs
  } else {
    want = ref::avg_pool(x, win, pc.p.count_include_pad != 0);
    tol = testutil::accumulation_tolerance(
        static_cast<size_t>(pc.p.kernel_h) * pc.p.kernel_w, 1.0, 1.0);
  }
  Net net;
  net.output(net.pool2d(net.input(pc.n, pc.c, pc.h, pc.w), pc.p));
  net.finalize();
  testutil::check_close(net.run1(x, pc.layout), want, tol);
}

PoolCase pool_case(small_pool_kind kind, int c, int h, int w, int kh, int kw,
                   int sh, int sw) {
  PoolCase pc;
  pc.c = c;
  pc.h = h;
  pc.w = w;
  pc.p.kind = kind;
  pc.p.kernel_h = static_cast<uint32_t>(kh);
  pc.p.kernel_w = static_cast<uint32_t>(kw);
  pc.p.stride_h = static_cast<uint32_t>(sh);
  pc.p.stride_w = static_cast<uint32_t>(sw);
  return pc;
}

void set_pool_pads(PoolCase &pc, int t, int b, int l, int r) {
  pc.p.pad_top = static_cast<uint32_t>(t);
  pc.p.pad_bottom = static_cast<uint32_t>(b);
  pc.p.pad_left = static_cast<uint32_t>(l);
  pc.p.pad_right = static_cast<uint32_t>(r);
}

// A random pooling case whose every window has at least one input tap
// (explicit pads <= kernel - 1), so both averages are well defined.
PoolCase random_pool_case(Rng &rng, small_pool_kind kind) {
  const int kh = rng.range(1, 4), kw = rng.range(1, 4);
  PoolCase pc = pool_case(kind, rng.pick(std::vector<int>{1, 3, 8, 16, 17, 33}),
                          rng.range(1, 20), rng.range(1, 20), kh, kw,
                          rng.range(1, 3), rng.range(1, 3));
  const int mode = rng.range(0, 5);
  if (mode == 4) {
    pc.p.padding_mode = SMALL_PADDING_SAME;
  } else if (mode == 5) {
    pc.p.padding_mode = SMALL_PADDING_VALID;
  } else {
    set_pool_pads(pc, rng.range(0, kh - 1), rng.range(0, kh - 1),
                  rng.range(0, kw - 1), rng.range(0, kw - 1));
  }
  if (pc.p.padding_mode != SMALL_PADDING_SAME) {
    pc.h =
        std::max(pc.h, kh - static_cast<int>(pc.p.pad_top + pc.p.pad_bottom));
    pc.w =
        std::max(pc.w, kw - static_cast<int>(pc.p.pad_left + pc.p.pad_right));
  }
  pc.p.count_include_pad = rng.coin() ? 1 : 0;
  pc.n = rng.range(0, 3) == 0 ? 2 : 1;
  pc.layout = rng.coin() ? SMALL_LAYOUT_NHWC : SMALL_LAYOUT_NCHW;
  return pc;
}

} // namespace

TEST_CASE("MaxPool2D matches reference: common, asymmetric, strided, SAME",
          "[layers][pool][maxpool]") {
  Rng rng(3101);
  for (int c : {1, 3, 16, 17, 33}) {
    PoolCase a = pool_case(SMALL_POOL_MAX, c, 8, 9, 2, 2, 2, 2);
    check_pool(a, rng);
    PoolCase b = pool_case(SMALL_POOL_MAX, c, 11, 7, 3, 3, 2, 2);
    set_pool_pads(b, 1, 1, 1, 1);
    check_pool(b, rng);
    PoolCase d = pool_case(SMALL_POOL_MAX, c, 9, 10, 3, 2, 1, 2);
    set_pool_pads(d, 2, 0, 0, 1); // asymmetric
    check_pool(d, rng);
    PoolCase s = pool_case(SMALL_POOL_MAX, c, 10, 13, 3, 3, 2, 3);
    s.p.padding_mode = SMALL_PADDING_SAME;
    s.layout = SMALL_LAYOUT_NHWC;
    check_pool(s, rng);
  }
  // Negative inputs only: padded taps must not act as zeros.
  PoolCase neg = pool_case(SMALL_POOL_MAX, 17, 5, 5, 3, 3, 1, 1);
  set_pool_pads(neg, 1, 1, 1, 1);
  const ref::Tensor x = testutil::random_tensor(rng, 1, 17, 5, 5, -2, -1);
  Net net;
  net.output(net.pool2d(net.input(1, 17, 5, 5), neg.p));
  net.finalize();
  testutil::check_close(net.run1(x),
                        ref::max_pool(x, testutil::window_of(neg.p, 5, 5)),
                        Tolerance{0.0, 0.0});
  for (int i = 0; i < 30; ++i) {
    INFO("random case " << i);
    check_pool(random_pool_case(rng, SMALL_POOL_MAX), rng);
  }
}

TEST_CASE("AvgPool2D matches reference with and without count_include_pad",
          "[layers][pool][avgpool]") {
  Rng rng(3102);
  for (int include : {0, 1}) {
    for (int c : {1, 3, 16, 17, 33}) {
      PoolCase a = pool_case(SMALL_POOL_AVG, c, 8, 9, 2, 2, 2, 2);
      a.p.count_include_pad = include;
      check_pool(a, rng);
      PoolCase b = pool_case(SMALL_POOL_AVG, c, 11, 7, 3, 3, 2, 2);
      set_pool_pads(b, 1, 1, 1, 1);
      b.p.count_include_pad = include;
      check_pool(b, rng);
      PoolCase d = pool_case(SMALL_POOL_AVG, c, 9, 10, 3, 4, 1, 2);
      set_pool_pads(d, 2, 0, 0, 3); // asymmetric
      d.p.count_include_pad = include;
      d.n = 2;
      check_pool(d, rng);
      PoolCase s = pool_case(SMALL_POOL_AVG, c, 10, 13, 3, 3, 2, 3);
      s.p.padding_mode = SMALL_PADDING_SAME;
      s.p.count_include_pad = include;
      s.layout = SMALL_LAYOUT_NHWC;
      check_pool(s, rng);
    }
  }
  for (int i = 0; i < 40; ++i) {
    INFO("random case " << i);
    check_pool(random_pool_case(rng, SMALL_POOL_AVG), rng);
  }
}

TEST_CASE("Pooling matches reference on wide rows split into several tiles",
          "[layers][pool][wide]") {
  Rng rng(3104);
  for (int w : {63, 64, 65, 127, 130, 200}) {
    for (small_pool_kind kind : {SMALL_POOL_MAX, SMALL_POOL_AVG}) {
      PoolCase pc = pool_case(kind, 17, 4, w, 3, 3, 1, w % 2 == 0 ? 1 : 2);
      set_pool_pads(pc, 1, 1, 1, 2);
      pc.p.count_include_pad = w % 3 == 0 ? 1 : 0;
      check_pool(pc, rng);
    }
  }
  // Global average pooling over a wide row.
  const ref::Tensor x = testutil::random_tensor(rng, 1, 5, 2, 150);
  Net net;
  net.output(net.global_avgpool(net.input(1, 5, 2, 150)));
  net.finalize();
  testutil::check_close(net.run1(x), ref::global_avg_pool(x),
                        testutil::accumulation_tolerance(300, 1.0, 1.0));
}

TEST_CASE("GlobalAvgPool matches reference", "[layers][pool][global]") {
  Rng rng(3103);
  struct Shape {
    int n, c, h, w;
  };
  for (const Shape &s : std::vector<Shape>{{1, 1, 1, 1},
                                           {1, 3, 7, 7},
                                           {2, 17, 5, 9},
                                           {1, 33, 13, 1},
                                           {1, 64, 1, 10},
                                           {2, 16, 12, 12}}) {
    for (small_layout layout : {SMALL_LAYOUT_NCHW, SMALL_LAYOUT_NHWC}) {
      INFO("input (" << s.n << ", " << s.c << ", " << s.h << ", " << s.w
                     << "), layout " << layout_name(layout));
      const ref::Tensor x = testutil::random_tensor(rng, s.n, s.c, s.h, s.w);
      Net net;
      const small_tensor out =
          net.global_avgpool(net.input(s.n, s.c, s.h, s.w));
      CHECK(net.shape(out) ==
            std::vector<uint32_t>{uint32_t(s.n), uint32_t(s.c), 1, 1});
      net.output(out);
      net.finalize();
      testutil::check_close(
          net.run1(x, layout), ref::global_avg_pool(x),
          testutil::accumulation_tolerance(size_t(s.h) * s.w, 1.0, 1.0));
    }
  }
}

// ===========================================================================
// Add, Concat, Activation, Softmax

TEST_CASE("Add matches reference with every fused activation",
          "[layers][add]") {
  Rng rng(3201);
  size_t i = 0;
  for (int c : {1, 3, 16, 17, 33}) {
    for (small_activation_kind kind : testutil::all_activation_kinds()) {
      const small_activation act = testutil::activation_with_params(kind);
      const int n = i % 3 == 0 ? 2 : 1, h = 3 + int(i % 4), w = 5 - int(i % 3);
      const small_layout layout =
          i % 2 == 0 ? SMALL_LAYOUT_NCHW : SMALL_LAYOUT_NHWC;
      ++i;
      INFO("add of (" << n << ", " << c << ", " << h << ", " << w << "), act "
                      << testutil::activation_name(kind) << ", layout "
                      << layout_name(layout));
      const ref::Tensor a = testutil::random_tensor(rng, n, c, h, w, -4, 4);
      const ref::Tensor b = testutil::random_tensor(rng, n, c, h, w, -4, 4);
      Net net;
      const small_tensor ta = net.input(n, c, h, w);
      const small_tensor tb = net.input(n, c, h, w);
      net.output(net.add(ta, tb, act));
      net.finalize();
      const std::vector<ref::Tensor> got = net.run({&a, &b}, layout);
      testutil::check_close(got[0], ref::add(a, b, act),
                            testutil::elementwise_tolerance(8.0));
    }
  }
  // x + x, the same tensor on both inputs.
  const ref::Tensor x = testutil::random_tensor(rng, 1, 17, 4, 4);
  Net net;
  const small_tensor t = net.input(1, 17, 4, 4);
  net.output(net.add(t, t, kNone));
  net.finalize();
  testutil::check_close(net.run1(x), ref::add(x, x, kNone),
                        testutil::elementwise_tolerance(2.0));
}

TEST_CASE("Concat of 2 and 3 inputs with odd channel counts is exact",
          "[layers][concat]") {
  Rng rng(3202);
  const std::vector<std::vector<int>> splits = {
      {3, 5},     {3, 5, 17}, {16, 16},   {1, 1, 1},    {17, 33},
      {7, 13, 2}, {64, 1},    {1, 64, 3}, {33, 33, 33}, {5}};
  size_t i = 0;
  for (const auto &channels : splits) {
    const int n = i % 2 == 0 ? 1 : 2, h = 3 + int(i % 3), w = 4;
    const small_layout layout =
        i % 3 == 1 ? SMALL_LAYOUT_NHWC : SMALL_LAYOUT_NCHW;
    ++i;
    std::ostringstream desc;
    for (int c : channels) {
      desc << c << " ";
    }
    INFO("concat of channels " << desc.str() << "at (" << n << ", *, " << h
                               << ", " << w << "), layout "
                               << layout_name(layout));
    std::vector<ref::Tensor> xs;
    for (int c : channels) {
      xs.push_back(testutil::random_tensor(rng, n, c, h, w));
    }
    Net net;
    std::vector<small_tensor> ids;
    std::vector<const ref::Tensor *> ptrs;
    for (size_t k = 0; k < xs.size(); ++k) {
      ids.push_back(net.input(n, channels[k], h, w));
      ptrs.push_back(&xs[k]);
    }
    net.output(net.concat(ids));
    net.finalize();
    testutil::check_identical(net.run(ptrs, layout)[0], ref::concat(xs));
  }
}

TEST_CASE("Concat of intermediate conv outputs matches reference",
          "[layers][concat]") {
  // The inputs of the concat are produced inside the network, in blocked
  // layout with pad lanes, not converted from user buffers.
  Rng rng(3203);
  const ref::Tensor x = testutil::random_tensor(rng, 1, 5, 6, 7);
  const std::vector<int> outs = {3, 5, 17};
  Net net;
  const small_tensor in = net.input(1, 5, 6, 7);
  std::vector<small_tensor> ids;
  std::vector<ref::Tensor> want;
  for (int k : outs) {
    const auto w = testutil::random_vector(rng, size_t(k) * 5 * 9);
    const auto b = testutil::random_vector(rng, k);
    ids.push_back(net.conv2d(in, conv_params(k, 3, 1), w, b));
    want.push_back(ref::conv2d(x, w, b, k, conv_window(3, 1), 1, kNone));
  }
  // The same input twice is allowed too.
  ids.push_back(ids[0]);
  want.push_back(want[0]);
  // A 1x1 conv after the concat reads every lane of its blocks.
  const int cc = 3 + 5 + 17 + 3;
  const auto w2 = testutil::random_vector(rng, size_t(4) * cc);
  const small_tensor cat = net.concat(ids);
  net.output(cat);
  net.output(net.conv2d(cat, conv_params(4, 1, 0), w2, {}));
  net.finalize();
  net.use_nan_arena();
  const std::vector<ref::Tensor> got = net.run({&x});
  const ref::Tensor cat_want = ref::concat(want);
  const Tolerance t1 = testutil::accumulation_tolerance(5 * 9 + 1, 1, 1);
  testutil::check_close(got[0], cat_want, t1);
  Tolerance t2 =
      testutil::accumulation_tolerance(cc, testutil::max_abs(cat_want), 1.0);
  t2.atol += t1.atol * testutil::max_row_l1(w2, 4);
  testutil::check_close(
      got[1], ref::conv2d(cat_want, w2, {}, 4, conv_window(1, 0), 1, kNone),
      t2);
}

TEST_CASE("Standalone Activation layers match reference for every kind",
          "[layers][activation]") {
  Rng rng(3204);
  // Random values over [-8, 8] plus every breakpoint of every kind.
  ref::Tensor x = testutil::random_tensor(rng, 2, 17, 5, 6, -8.0f, 8.0f);
  const std::vector<float> special = {-8.0f,      -6.0f, -3.0f,  -2.5f, -1.0f,
                                      -0.35f,     -0.0f, 0.0f,   0.6f,  1.0f,
                                      1.6666666f, 3.0f,  6.0f,   7.5f,  1e-7f,
                                      -1e-7f,     20.0f, -20.0f, 90.0f, -90.0f};
  for (size_t k = 0; k < special.size(); ++k) {
    x.data[k * 7] = special[k];
  }
  for (small_activation_kind kind : testutil::all_activation_kinds()) {
    for (bool custom : {true, false}) {
      const small_activation act = custom
                                       ? testutil::activation_with_params(kind)
                                       : small_activation_make(kind);
      for (small_layout layout : {SMALL_LAYOUT_NCHW, SMALL_LAYOUT_NHWC}) {
        INFO("activation " << testutil::activation_name(kind)
                           << (custom ? " (custom constants)" : " (defaults)")
                           << ", layout " << layout_name(layout));
        Net net;
        net.output(net.activation(net.input(2, 17, 5, 6), act));
        net.finalize();
        CHECK(net.layer_count() == 1);
        testutil::check_close(net.run1(x, layout), ref::activation(x, act),
                              testutil::elementwise_tolerance(8.0));
      }
    }
  }
}

TEST_CASE("Softmax over channels matches reference for 1..33 channels",
          "[layers][softmax]") {
  Rng rng(3205);
  for (int c : {1, 2, 3, 10, 17, 33, 1000}) {
    for (int spatial : {1, 3}) {
      for (small_layout layout : {SMALL_LAYOUT_NCHW, SMALL_LAYOUT_NHWC}) {
        const int n = spatial == 3 ? 2 : 1, h = spatial, w = spatial + 1;
        INFO("softmax over " << c << " channels, input (" << n << ", " << c
                             << ", " << h << ", " << w << "), layout "
                             << layout_name(layout));
        const ref::Tensor x = testutil::random_tensor(rng, n, c, h, w, -5, 5);
        Net net;
        net.output(net.softmax(net.input(n, c, h, w)));
        net.finalize();
        const ref::Tensor got = net.run1(x, layout);
        testutil::check_close(got, ref::softmax(x),
                              testutil::elementwise_tolerance(1.0));
        // Reference-free: every pixel's probabilities sum to 1.
        double worst = 0.0;
        for (int b = 0; b < n; ++b) {
          for (int y = 0; y < h; ++y) {
            for (int xx = 0; xx < w; ++xx) {
              double sum = 0.0;
              for (int k = 0; k < c; ++k) {
                sum += got.at(b, k, y, xx);
              }
              worst = std::max(worst, std::fabs(sum - 1.0));
            }
          }
        }
        CHECK(worst <= 1e-5);
      }
    }
  }
}

TEST_CASE("Softmax is numerically stable for logits around +-1000",
          "[layers][softmax]") {
  Rng rng(3206);
  for (int c : {2, 3, 10, 17, 33, 1000}) {
    for (float offset : {1000.0f, -1000.0f, 0.0f}) {
      INFO(c << " channels, logits offset " << offset);
      // Logits spread over [offset - 20, offset + 20]: exp(x) alone would
      // overflow (or underflow to 0/0) in float.
      ref::Tensor x = testutil::random_tensor(rng, 1, c, 2, 3, -20, 20);
      for (float &v : x.data) {
        v += offset;
      }
      if (offset == 0.0f) {
        // Extreme spread: one logit at +1000, the others at -1000.
        for (float &v : x.data) {
          v = -1000.0f;
        }
        x.at(0, c - 1, 0, 0) = 1000.0f;
        x.at(0, 0, 1, 2) = 1000.0f;
      }
      Net net;
      net.output(net.softmax(net.input(1, c, 2, 3)));
      net.finalize();
      const ref::Tensor got = net.run1(x);
      const size_t finite = static_cast<size_t>(
          std::count_if(got.data.begin(), got.data.end(),
                        [](float v) { return std::isfinite(v); }));
      CHECK(finite == got.size());
      testutil::check_close(got, ref::softmax(x),
                            testutil::elementwise_tolerance(1.0));
    }
  }
}

// ===========================================================================
// BatchNorm

TEST_CASE("Standalone BatchNorm (after a pool, not foldable) matches reference",
          "[layers][batchnorm]") {
  Rng rng(3301);
  for (int c : {1, 3, 16, 17, 33}) {
    for (small_layout layout : {SMALL_LAYOUT_NCHW, SMALL_LAYOUT_NHWC}) {
      INFO(c << " channels, layout " << layout_name(layout));
      const ref::Tensor x = testutil::random_tensor(rng, 2, c, 8, 6, -2, 2);
      const BnParams bn = random_bn(rng, c);
      small_pool2d_params pp;
      small_pool2d_params_init(&pp);
      pp.kind = SMALL_POOL_MAX;
      pp.kernel_h = pp.kernel_w = 2;
      pp.stride_h = pp.stride_w = 2;
      Net net;
      const small_tensor pooled = net.pool2d(net.input(2, c, 8, 6), pp);
      net.output(
          net.batchnorm(pooled, bn.gamma, bn.beta, bn.mean, bn.var, bn.eps));
      net.finalize();
      CHECK(net.layer_count() == 2); // nothing to fold into
      const ref::Tensor want =
          ref::batchnorm(ref::max_pool(x, testutil::window_of(pp, 8, 6)),
                         bn.gamma, bn.beta, bn.mean, bn.var, bn.eps);
      testutil::check_close(net.run1(x, layout), want,
                            testutil::elementwise_tolerance(
                                bn.max_scale() * 2.0 + bn.max_shift()));
    }
  }
  // BatchNorm straight on a network input (no producer at all).
  const ref::Tensor x = testutil::random_tensor(rng, 1, 17, 3, 3, -2, 2);
  const BnParams bn = random_bn(rng, 17);
  Net net;
  net.output(net.batchnorm(net.input(1, 17, 3, 3), bn.gamma, bn.beta, bn.mean,
                           bn.var, bn.eps));
  net.finalize();
  CHECK(net.layer_count() == 1);
  testutil::check_close(
      net.run1(x),
      ref::batchnorm(x, bn.gamma, bn.beta, bn.mean, bn.var, bn.eps),
      testutil::elementwise_tolerance(bn.max_scale() * 2.0 + bn.max_shift()));
}

TEST_CASE("BatchNorm folds into Conv2D (regular, grouped, depthwise)",
          "[layers][batchnorm][fusion]") {
  Rng rng(3302);
  struct Fc {
    int c, k, groups;
  };
  for (const Fc &f : std::vector<Fc>{
           {3, 5, 1}, {17, 16, 1}, {8, 8, 8}, {13, 26, 13}, {12, 6, 2}}) {
    for (bool with_bias : {true, false}) {
      for (bool then_relu : {false, true}) {
        INFO("conv " << f.c << " -> " << f.k << " groups " << f.groups
                     << ", bias " << with_bias << ", then relu " << then_relu);
        const ref::Tensor x = testutil::random_tensor(rng, 1, f.c, 7, 6);
        const size_t cin_g = size_t(f.c / f.groups);
        const auto w = testutil::random_vector(rng, size_t(f.k) * cin_g * 9);
        const auto b = with_bias ? testutil::random_vector(rng, f.k)
                                 : std::vector<float>();
        const BnParams bn = random_bn(rng, f.k);
        Net net;
        small_tensor t = net.conv2d(net.input(1, f.c, 7, 6),
                                    conv_params(f.k, 3, 1, f.groups), w, b);
        t = net.batchnorm(t, bn.gamma, bn.beta, bn.mean, bn.var, bn.eps);
        if (then_relu) {
          t = net.activation(t, kRelu);
        }
        net.output(t);
        net.finalize();
        CHECK(net.layer_count() == 1); // conv absorbed BN (and the relu)
        ref::Tensor want = ref::batchnorm(
            ref::conv2d(x, w, b, f.k, conv_window(3, 1), f.groups, kNone),
            bn.gamma, bn.beta, bn.mean, bn.var, bn.eps);
        if (then_relu) {
          want = ref::activation(want, kRelu);
        }
        // Folding scales the weights by scale_k and the bias into
        // bias * scale + shift: the effective magnitudes set atol.
        testutil::check_close(
            net.run1(x), want,
            testutil::accumulation_tolerance(cin_g * 9 + 1, 1.0,
                                             bn.max_scale() + bn.max_shift()));
      }
    }
  }
}

TEST_CASE("BatchNorm folds into Dense", "[layers][batchnorm][fusion]") {
  Rng rng(3303);
  for (int out : {1, 10, 17}) {
    INFO("dense (3, 4, 5) -> " << out);
    const ref::Tensor x = testutil::random_tensor(rng, 2, 3, 4, 5);
    const auto w = testutil::random_vector(rng, size_t(out) * 60);
    const auto b = testutil::random_vector(rng, out);
    const BnParams bn = random_bn(rng, out);
    Net net;
    const small_tensor d = net.dense(net.input(2, 3, 4, 5), out, w, b, kNone);
    net.output(net.batchnorm(d, bn.gamma, bn.beta, bn.mean, bn.var, bn.eps));
    net.finalize();
    CHECK(net.layer_count() == 1);
    testutil::check_close(
        net.run1(x),
        ref::batchnorm(ref::dense(x, w, b, out, kNone), bn.gamma, bn.beta,
                       bn.mean, bn.var, bn.eps),
        testutil::accumulation_tolerance(61, 1.0,
                                         bn.max_scale() + bn.max_shift()));
  }
}

TEST_CASE("BatchNorm is not folded when it would change results",
          "[layers][batchnorm][fusion]") {
  Rng rng(3304);
  const ref::Tensor x = testutil::random_tensor(rng, 1, 5, 6, 6);
  const auto w = testutil::random_vector(rng, 7 * 5 * 9);
  const auto b = testutil::random_vector(rng, 7);
  const BnParams bn = random_bn(rng, 7);
  const ref::Tensor conv = ref::conv2d(x, w, b, 7, conv_window(3, 1), 1, kNone);
  const Tolerance tol = testutil::accumulation_tolerance(
      46, 1.0, bn.max_scale() + bn.max_shift());

  SECTION("the conv output is also a network output") {
    Net net;
    const small_tensor c =
        net.conv2d(net.input(1, 5, 6, 6), conv_params(7, 3, 1), w, b);
    const small_tensor y =
        net.batchnorm(c, bn.gamma, bn.beta, bn.mean, bn.var, bn.eps);
    net.output(c);
    net.output(y);
    net.finalize();
    CHECK(net.layer_count() == 2);
    const std::vector<ref::Tensor> got = net.run({&x});
    testutil::check_close(got[0], conv, tol);
    testutil::check_close(
        got[1],
        ref::batchnorm(conv, bn.gamma, bn.beta, bn.mean, bn.var, bn.eps), tol);
  }
  SECTION("the conv already has a fused activation") {
    small_conv2d_params p = conv_params(7, 3, 1);
    p.activation = kRelu;
    Net net;
    const small_tensor c = net.conv2d(net.input(1, 5, 6, 6), p, w, b);
    net.output(net.batchnorm(c, bn.gamma, bn.beta, bn.mean, bn.var, bn.eps));
    net.finalize();
    CHECK(net.layer_count() == 2);
    testutil::check_close(net.run1(x),
                          ref::batchnorm(ref::activation(conv, kRelu), bn.gamma,
                                         bn.beta, bn.mean, bn.var, bn.eps),
                          tol);
  }
}

// ===========================================================================
// Activation fusion

TEST_CASE("Activations fuse into Conv2D, Dense and Add with the same result",
          "[layers][activation][fusion]") {
  Rng rng(3401);
  for (small_activation_kind kind : testutil::all_activation_kinds()) {
    if (kind == SMALL_ACT_NONE) {
      continue;
    }
    const small_activation act = testutil::activation_with_params(kind);
    INFO("activation " << testutil::activation_name(kind));
    const double lip = std::max(1.0, testutil::activation_lipschitz(act));
    {
      INFO("conv2d -> activation");
      const ref::Tensor x = testutil::random_tensor(rng, 1, 6, 5, 7, -3, 3);
      const auto w = testutil::random_vector(rng, 9 * 6 * 9);
      const auto b = testutil::random_vector(rng, 9);
      Net net;
      const small_tensor c =
          net.conv2d(net.input(1, 6, 5, 7), conv_params(9, 3, 1), w, b);
      net.output(net.activation(c, act));
      net.finalize();
      CHECK(net.layer_count() == 1);
      Tolerance tol = testutil::accumulation_tolerance(55, 3.0, 1.0);
      tol.atol *= lip;
      testutil::check_close(
          net.run1(x),
          ref::activation(ref::conv2d(x, w, b, 9, conv_window(3, 1), 1, kNone),
                          act),
          tol);
    }
    {
      INFO("depthwise conv2d -> activation");
      const ref::Tensor x = testutil::random_tensor(rng, 1, 17, 5, 7, -3, 3);
      const auto w = testutil::random_vector(rng, 17 * 9);
      const auto b = testutil::random_vector(rng, 17);
      Net net;
      const small_tensor c =
          net.conv2d(net.input(1, 17, 5, 7), conv_params(17, 3, 1, 17), w, b);
      net.output(net.activation(c, act));
      net.finalize();
      CHECK(net.layer_count() == 1);
      Tolerance tol = testutil::accumulation_tolerance(10, 3.0, 1.0);
      tol.atol *= lip;
      testutil::check_close(
          net.run1(x),
          ref::activation(
              ref::conv2d(x, w, b, 17, conv_window(3, 1), 17, kNone), act),
          tol);
    }
    {
      INFO("dense -> activation");
      const ref::Tensor x = testutil::random_tensor(rng, 1, 4, 3, 3, -3, 3);
      const auto w = testutil::random_vector(rng, 11 * 36);
      const auto b = testutil::random_vector(rng, 11);
      Net net;
      const small_tensor d = net.dense(net.input(1, 4, 3, 3), 11, w, b, kNone);
      net.output(net.activation(d, act));
      net.finalize();
      CHECK(net.layer_count() == 1);
      Tolerance tol = testutil::accumulation_tolerance(37, 3.0, 1.0);
      tol.atol *= lip;
      testutil::check_close(
          net.run1(x), ref::activation(ref::dense(x, w, b, 11, kNone), act),
          tol);
    }
    {
      INFO("add -> activation");
      const ref::Tensor a = testutil::random_tensor(rng, 1, 17, 4, 5, -4, 4);
      const ref::Tensor b = testutil::random_tensor(rng, 1, 17, 4, 5, -4, 4);
      Net net;
      const small_tensor s =
          net.add(net.input(1, 17, 4, 5), net.input(1, 17, 4, 5), kNone);
      net.output(net.activation(s, act));
      net.finalize();
      CHECK(net.layer_count() == 1);
      testutil::check_close(net.run({&a, &b})[0],
                            ref::activation(ref::add(a, b, kNone), act),
                            testutil::elementwise_tolerance(8.0 * lip));
    }
  }
}

TEST_CASE("An activation is not fused when its input has another consumer",
          "[layers][activation][fusion]") {
  Rng rng(3402);
  const ref::Tensor x = testutil::random_tensor(rng, 1, 4, 5, 5);
  const auto w = testutil::random_vector(rng, 4 * 4 * 9);
  const auto b = testutil::random_vector(rng, 4);
  Net net;
  const small_tensor in = net.input(1, 4, 5, 5);
  const small_tensor c = net.conv2d(in, conv_params(4, 3, 1), w, b);
  const small_tensor r = net.activation(c, kRelu);
  // The pre-activation conv output also feeds the add.
  net.output(net.add(r, c, kNone));
  net.finalize();
  net.use_nan_arena();
  CHECK(net.layer_count() == 3);
  const ref::Tensor conv = ref::conv2d(x, w, b, 4, conv_window(3, 1), 1, kNone);
  // Both addends carry the conv's error; the add rounds once more.
  Tolerance tol = testutil::accumulation_tolerance(37, 1.0, 1.0);
  tol.atol =
      2.0 * tol.atol +
      testutil::elementwise_tolerance(2.0 * testutil::max_abs(conv)).atol;
  testutil::check_close(
      net.run1(x), ref::add(ref::activation(conv, kRelu), conv, kNone), tol);
}

// ===========================================================================
// Reshape and Flatten

TEST_CASE("Flatten keeps NCHW element order", "[layers][reshape][flatten]") {
  Rng rng(3501);
  for (small_layout layout : {SMALL_LAYOUT_NCHW, SMALL_LAYOUT_NHWC}) {
    for (int c : {1, 3, 17}) {
      INFO("flatten (2, " << c << ", 3, 4), layout " << layout_name(layout));
      const ref::Tensor x = testutil::random_tensor(rng, 2, c, 3, 4);
      Net net;
      const small_tensor f = net.flatten(net.input(2, c, 3, 4));
      CHECK(net.shape(f) == std::vector<uint32_t>{2, uint32_t(c * 12), 1, 1});
      net.output(f);
      net.finalize();
      testutil::check_identical(net.run1(x, layout), ref::flatten(x));
    }
  }
}

TEST_CASE("Reshape to another (c, h, w) then Conv2D matches reference",
          "[layers][reshape]") {
  Rng rng(3502);
  struct Rc {
    int c, h, w, c2, h2, w2;
  };
  for (const Rc &r : std::vector<Rc>{{6, 4, 5, 10, 3, 4},
                                     {17, 3, 2, 6, 17, 1},
                                     {3, 8, 8, 12, 4, 4},
                                     {16, 2, 2, 1, 8, 8},
                                     {5, 7, 3, 35, 3, 1},
                                     {33, 1, 1, 3, 1, 11}}) {
    for (small_layout layout : {SMALL_LAYOUT_NCHW, SMALL_LAYOUT_NHWC}) {
      INFO("reshape (" << r.c << ", " << r.h << ", " << r.w << ") -> (" << r.c2
                       << ", " << r.h2 << ", " << r.w2 << "), layout "
                       << layout_name(layout));
      const int n = 2;
      const ref::Tensor x = testutil::random_tensor(rng, n, r.c, r.h, r.w);
      const int k = 5;
      const auto w = testutil::random_vector(rng, size_t(k) * r.c2 * 9);
      const auto b = testutil::random_vector(rng, k);
      Net net;
      const small_tensor in = net.input(n, r.c, r.h, r.w);
      const small_tensor rs = net.reshape(in, r.c2, r.h2, r.w2);
      CHECK(net.shape(rs) == std::vector<uint32_t>{uint32_t(n), uint32_t(r.c2),
                                                   uint32_t(r.h2),
                                                   uint32_t(r.w2)});
      net.output(rs);
      net.output(net.conv2d(rs, conv_params(k, 3, 1), w, b));
      net.finalize();
      net.use_nan_arena();
      const std::vector<ref::Tensor> got = net.run({&x}, layout);
      const ref::Tensor reshaped = ref::reshape(x, r.c2, r.h2, r.w2);
      testutil::check_identical(got[0], reshaped);
      testutil::check_close(
          got[1], ref::conv2d(reshaped, w, b, k, conv_window(3, 1), 1, kNone),
          testutil::accumulation_tolerance(size_t(r.c2) * 9 + 1, 1.0, 1.0));
    }
  }
}

TEST_CASE("Reshape of an intermediate conv output matches reference",
          "[layers][reshape]") {
  Rng rng(3503);
  const ref::Tensor x = testutil::random_tensor(rng, 1, 3, 6, 6);
  const auto w1 = testutil::random_vector(rng, 17 * 3 * 9);
  const auto b1 = testutil::random_vector(rng, 17);
  const auto w2 = testutil::random_vector(rng, 4 * 34 * 1);
  Net net;
  const small_tensor c1 =
      net.conv2d(net.input(1, 3, 6, 6), conv_params(17, 3, 1), w1, b1);
  // (17, 6, 6) -> (34, 18, 1) -> 1x1 conv to 4 channels.
  const small_tensor rs = net.reshape(c1, 34, 18, 1);
  net.output(net.conv2d(rs, conv_params(4, 1, 0), w2, {}));
  net.finalize();
  net.use_nan_arena();
  const ref::Tensor h1 =
      ref::conv2d(x, w1, b1, 17, conv_window(3, 1), 1, kNone);
  const ref::Tensor want = ref::conv2d(ref::reshape(h1, 34, 18, 1), w2, {}, 4,
                                       conv_window(1, 0), 1, kNone);
  // Error of h1 (atol1), amplified by the 1x1 conv's row L1 norm, plus the
  // second conv's own accumulation error.
  const Tolerance t1 = testutil::accumulation_tolerance(28, 1.0, 1.0);
  Tolerance t2 =
      testutil::accumulation_tolerance(34, testutil::max_abs(h1), 1.0);
  t2.atol += t1.atol * testutil::max_row_l1(w2, 4);
  testutil::check_close(net.run1(x), want, t2);
}

// ===========================================================================
// Multi-layer chains

TEST_CASE("Residual block conv-relu-conv-add-relu matches composed reference",
          "[layers][chain][residual]") {
  Rng rng(3601);
  for (int c : {3, 16, 17}) {
    for (small_layout layout : {SMALL_LAYOUT_NCHW, SMALL_LAYOUT_NHWC}) {
      INFO("residual block with " << c << " channels, layout "
                                  << layout_name(layout));
      const int n = 2, h = 9, w = 7;
      const ref::Tensor x = testutil::random_tensor(rng, n, c, h, w);
      // Weights scaled by 1/sqrt(fan-in) keep activations of order 1.
      const float s = 1.0f / std::sqrt(float(c * 9));
      const auto w1 = testutil::random_vector(rng, size_t(c) * c * 9, -s, s);
      const auto b1 = testutil::random_vector(rng, c, -0.1f, 0.1f);
      const auto w2 = testutil::random_vector(rng, size_t(c) * c * 9, -s, s);
      const auto b2 = testutil::random_vector(rng, c, -0.1f, 0.1f);

      Net net;
      const small_tensor in = net.input(n, c, h, w);
      small_tensor t = net.conv2d(in, conv_params(c, 3, 1), w1, b1);
      t = net.activation(t, kRelu);
      t = net.conv2d(t, conv_params(c, 3, 1), w2, b2);
      t = net.add(t, in, kNone);
      net.output(net.activation(t, kRelu));
      net.finalize();
      // conv+relu, conv, add+relu after fusion; the add+relu folds into the
      // second conv where the kernels add a residual (conv_residual).
      CHECK(net.layer_count() ==
            (small_kernels_active()->conv_residual != 0 ? 2u : 3u));
      net.use_nan_arena();

      const ref::Window win = conv_window(3, 1);
      const ref::Tensor h1 = ref::conv2d(x, w1, b1, c, win, 1, kRelu);
      const ref::Tensor h2 = ref::conv2d(h1, w2, b2, c, win, 1, kNone);
      const ref::Tensor want = ref::add(h2, x, kRelu);

      const size_t terms = size_t(c) * 9 + 1;
      const Tolerance t1 = testutil::accumulation_tolerance(terms, 1.0, s);
      Tolerance tol = testutil::accumulation_tolerance(
          terms, std::max(1.0, testutil::max_abs(h1)), s);
      tol.atol += t1.atol * testutil::max_row_l1(w2, size_t(c)) +
                  testutil::elementwise_tolerance(testutil::max_abs(want)).atol;
      testutil::check_close(net.run1(x, layout), want, tol);
    }
  }
}

TEST_CASE("Depthwise-separable block matches composed reference",
          "[layers][chain][depthwise]") {
  Rng rng(3602);
  for (int c : {8, 13, 32}) {
    for (int stride : {1, 2}) {
      INFO("depthwise-separable block, " << c << " channels, stride "
                                         << stride);
      const int n = 1, h = 12, w = 10, k = 2 * c + 1;
      const ref::Tensor x = testutil::random_tensor(rng, n, c, h, w);
      const auto wd = testutil::random_vector(rng, size_t(c) * 9);
      const auto bd = testutil::random_vector(rng, c, -0.1f, 0.1f);
      const BnParams bn = random_bn(rng, c);
      const float s = 1.0f / std::sqrt(float(c));
      const auto wp = testutil::random_vector(rng, size_t(k) * c, -s, s);
      const auto bp = testutil::random_vector(rng, k, -0.1f, 0.1f);
      const small_activation relu6 = small_activation_make(SMALL_ACT_RELU6);

      small_conv2d_params dp = conv_params(c, 3, 1, c);
      dp.stride_h = dp.stride_w = static_cast<uint32_t>(stride);
      Net net;
      small_tensor t = net.conv2d(net.input(n, c, h, w), dp, wd, bd);
      t = net.batchnorm(t, bn.gamma, bn.beta, bn.mean, bn.var, bn.eps);
      t = net.activation(t, relu6);
      t = net.conv2d(t, conv_params(k, 1, 0), wp, bp);
      net.output(net.activation(t, relu6));
      net.finalize();
      CHECK(net.layer_count() == 2); // dw+bn+relu6, pw+relu6
      net.use_nan_arena();

      ref::Window dwin = conv_window(3, 1);
      dwin.stride_h = dwin.stride_w = stride;
      const ref::Tensor h1 = ref::activation(
          ref::batchnorm(ref::conv2d(x, wd, bd, c, dwin, c, kNone), bn.gamma,
                         bn.beta, bn.mean, bn.var, bn.eps),
          relu6);
      const ref::Tensor want =
          ref::conv2d(h1, wp, bp, k, conv_window(1, 0), 1, relu6);

      const Tolerance t1 = testutil::accumulation_tolerance(
          10, 1.0, bn.max_scale() + bn.max_shift());
      Tolerance tol = testutil::accumulation_tolerance(size_t(c) + 1, 6.0, s);
      tol.atol += t1.atol * testutil::max_row_l1(wp, size_t(k));
      testutil::check_close(net.run1(x), want, tol);
    }
  }
}

namespace {

// A tensor of a randomly grown network: its id, its reference value and a
// bound on how far SMaLL's value may be from it.
struct Grown {
  small_tensor id;
  ref::Tensor value;
  double err;
};

} // namespace

TEST_CASE("Randomized networks with skip connections match the composed "
          "reference",
          "[layers][chain][random]") {
  // Random DAGs over one spatial size (no strides, so any two tensors with
  // equal channel counts can be added and any two can be concatenated),
  // with several outputs marked at random: exercises fusion decisions and
  // the arena planner's reuse of buffers together with every layer kind.
  // Each tensor's error bound is derived from its inputs' bounds as stated
  // at the top of this file.
  Rng rng(3701);
  const std::vector<int> widths = {3, 5, 8, 16, 17};
  for (int trial = 0; trial < 30; ++trial) {
    const int n = rng.range(1, 2), h = rng.range(3, 9), w = rng.range(3, 9);
    const int c0 = rng.pick(widths);
    const small_layout layout =
        rng.coin() ? SMALL_LAYOUT_NHWC : SMALL_LAYOUT_NCHW;
    std::ostringstream log;
    log << "trial " << trial << ": input (" << n << ", " << c0 << ", " << h
        << ", " << w << "), layout " << layout_name(layout) << "; layers:";
    Net net;
    std::vector<Grown> g;
    g.push_back({net.input(n, c0, h, w),
                 testutil::random_tensor(rng, n, c0, h, w), 0.0});
    const int layers = rng.range(4, 10);
    for (int l = 0; l < layers; ++l) {
      const size_t src = rng.range(0, 2) == 0
                             ? size_t(rng.range(0, int(g.size()) - 1))
                             : g.size() - 1;
      const Grown a = g[src];
      const int c = a.value.c;
      const double mag = std::max(1.0, testutil::max_abs(a.value));
      Grown out{-1, {}, 0.0};
      int op = rng.range(0, 7);
      if (op == 5 && c > 32) {
        op = 0; // keep concatenations below 64 channels
      }
      switch (op) {
      case 0: { // conv 3x3 pad 1 with a random fused activation
        const int k = rng.pick(widths);
        const float s = 1.0f / std::sqrt(float(c * 9));
        const auto wt = testutil::random_vector(rng, size_t(k) * c * 9, -s, s);
        const auto b = testutil::random_vector(rng, k, -0.1f, 0.1f);
        small_conv2d_params p = conv_params(k, 3, 1);
        p.activation = testutil::activation_with_params(
            rng.pick(testutil::all_activation_kinds()));
        const double lip =
            std::max(1.0, testutil::activation_lipschitz(p.activation));
        out.id = net.conv2d(a.id, p, wt, b);
        out.value =
            ref::conv2d(a.value, wt, b, k, conv_window(3, 1), 1, p.activation);
        out.err =
            lip *
            (testutil::accumulation_tolerance(size_t(c) * 9 + 1, mag, s).atol +
             a.err * testutil::max_row_l1(wt, size_t(k)));
        log << " conv(" << src << ", " << k << ", "
            << testutil::activation_name(p.activation.kind) << ")";
        break;
      }
      case 1: { // depthwise 3x3 pad 1, multiplier 1 or 2
        const int mult = rng.range(1, 2);
        const auto wt =
            testutil::random_vector(rng, size_t(c) * mult * 9, -0.3f, 0.3f);
        out.id = net.conv2d(a.id, conv_params(c * mult, 3, 1, c), wt, {});
        out.value =
            ref::conv2d(a.value, wt, {}, c * mult, conv_window(3, 1), c, kNone);
        out.err = testutil::accumulation_tolerance(9, mag, 0.3).atol +
                  a.err * testutil::max_row_l1(wt, size_t(c * mult));
        log << " depthwise(" << src << ", x" << mult << ")";
        break;
      }
      case 2:
      case 3: { // 3x3 stride 1 pad 1 max or average pool
        small_pool2d_params p;
        small_pool2d_params_init(&p);
        p.kind = op == 2 ? SMALL_POOL_MAX : SMALL_POOL_AVG;
        p.kernel_h = p.kernel_w = 3;
        p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
        p.count_include_pad = rng.coin() ? 1 : 0;
        out.id = net.pool2d(a.id, p);
        const ref::Window win = testutil::window_of(p, h, w);
        out.value = op == 2
                        ? ref::max_pool(a.value, win)
                        : ref::avg_pool(a.value, win, p.count_include_pad != 0);
        out.err =
            a.err +
            (op == 2 ? 0.0 : testutil::accumulation_tolerance(9, mag, 1).atol);
        log << (op == 2 ? " maxpool(" : " avgpool(") << src << ")";
        break;
      }
      case 4: { // add with another tensor of the same channel count
        std::vector<size_t> same;
        for (size_t i = 0; i < g.size(); ++i) {
          if (g[i].value.c == c) {
            same.push_back(i);
          }
        }
        const Grown &b = g[rng.pick(same)]; // may be `a` itself
        const small_activation act = rng.coin() ? kRelu : kNone;
        out.id = net.add(a.id, b.id, act);
        out.value = ref::add(a.value, b.value, act);
        out.err =
            a.err + b.err +
            testutil::elementwise_tolerance(testutil::max_abs(out.value)).atol;
        log << " add(" << src << ", " << (&b - g.data()) << ")";
        break;
      }
      case 5: { // concat with another tensor
        const size_t other = size_t(rng.range(0, int(g.size()) - 1));
        const Grown &b = g[other];
        out.id = net.concat({a.id, b.id});
        out.value = ref::concat({a.value, b.value});
        out.err = std::max(a.err, b.err);
        log << " concat(" << src << ", " << other << ")";
        break;
      }
      case 6: { // standalone activation (fused into its producer if it can)
        const small_activation act = testutil::activation_with_params(
            rng.pick(testutil::all_activation_kinds()));
        out.id = net.activation(a.id, act);
        out.value = ref::activation(a.value, act);
        out.err = std::max(1.0, testutil::activation_lipschitz(act)) * a.err +
                  testutil::elementwise_tolerance(mag).atol;
        log << " act(" << src << ", " << testutil::activation_name(act.kind)
            << ")";
        break;
      }
      default: { // batchnorm (folded into its producer if it can)
        BnParams bn;
        bn.gamma = testutil::random_vector(rng, size_t(c), 0.5f, 1.5f);
        bn.beta = testutil::random_vector(rng, size_t(c), -0.5f, 0.5f);
        bn.mean = testutil::random_vector(rng, size_t(c), -0.5f, 0.5f);
        bn.var = testutil::random_vector(rng, size_t(c), 0.5f, 2.0f);
        out.id =
            net.batchnorm(a.id, bn.gamma, bn.beta, bn.mean, bn.var, bn.eps);
        out.value =
            ref::batchnorm(a.value, bn.gamma, bn.beta, bn.mean, bn.var, bn.eps);
        // Folded or not, the result is scale * (a +- a.err) + shift with a
        // few more roundings of the largest magnitude involved.
        out.err =
            bn.max_scale() * a.err + testutil::elementwise_tolerance(
                                         bn.max_scale() * mag + bn.max_shift())
                                         .atol;
        log << " batchnorm(" << src << ")";
        break;
      }
      }
      g.push_back(out);
    }
    // The last tensor plus up to two random earlier ones are outputs.
    std::vector<size_t> outs = {g.size() - 1};
    for (int extra = rng.range(0, 2); extra > 0; --extra) {
      const size_t i = size_t(rng.range(1, int(g.size()) - 1));
      if (std::find(outs.begin(), outs.end(), i) == outs.end()) {
        outs.push_back(i);
      }
    }
    log << "; outputs:";
    for (size_t i : outs) {
      log << " " << i;
      net.output(g[i].id);
    }
    INFO(log.str());
    net.finalize();
    net.use_nan_arena();
    const std::vector<ref::Tensor> got = net.run({&g[0].value}, layout);
    REQUIRE(got.size() == outs.size());
    for (size_t k = 0; k < outs.size(); ++k) {
      INFO("output " << k << " = tensor " << outs[k]);
      testutil::check_close(got[k], g[outs[k]].value,
                            Tolerance{std::max(1e-6, g[outs[k]].err), 1e-5});
    }
  }
}
