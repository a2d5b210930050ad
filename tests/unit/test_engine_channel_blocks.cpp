// The engine must not depend on the channel block Cb of the NCHWc layout:
// the same mixed networks, built through the internal C++ API
// (small::Network) and run with the scalar kernel table at Cb = 1, 3, 4, 8
// and 16 (and with the build's active table), must all match the naive
// reference. Channel counts (5, 7, 21, 10, 13, 26) are chosen so that most
// of them are not multiples of any tested Cb: the last block is partial.
//
// The layers are constructed as src/api/network_api.cpp constructs them
// (same layer classes and constructor arguments); nothing in src/ is
// changed for the test.
//
// Tolerance: per layer, testutil::accumulation_tolerance (see
// tests/reference/test_util.h); a layer's input error is carried forward,
// multiplied by the layer's worst-case gain (largest row L1 norm of its
// weights for linear layers, 1 for pooling, concat and 1-Lipschitz
// activations, 1/2 for softmax; see make_mixed()).
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "graph/network.h"
#include "kernel_contract.h"
#include "layers/batchnorm.h"
#include "layers/conv2d.h"
#include "layers/dense.h"
#include "layers/elementwise.h"
#include "layers/pool2d.h"
#include "reference/naive_ops.h"
#include "reference/test_util.h"
#include "small/small.h"

using testutil::Rng;
using testutil::Tolerance;

namespace {

const small_activation kNone = small_activation_make(SMALL_ACT_NONE);

// Thin builder over small::Network through the layers' own add_* functions
// (the ones the C API calls), with a chosen kernel table.
#define REQUIRE_STATUS_OK(call)                                                \
  do {                                                                         \
    const small_status s_ = (call);                                            \
    INFO(#call << ": " << small_last_error());                                 \
    REQUIRE(s_ == SMALL_OK);                                                   \
  } while (0)

class Builder {
public:
  explicit Builder(const small_kernel_table *table) {
    if (table != nullptr) {
      REQUIRE_STATUS_OK(net_.use_kernels(*table));
    }
  }

  small::Network &net() { return net_; }
  small::Shape shape(int t) {
    small::Shape s;
    REQUIRE_STATUS_OK(net_.tensor_shape(t, "test", s));
    return s;
  }

  int input(uint32_t n, uint32_t c, uint32_t h, uint32_t w) {
    int id = -1;
    REQUIRE_STATUS_OK(net_.add_input(small::Shape{n, c, h, w}, id));
    return id;
  }

  int conv(int in, const small_conv2d_params &p,
           const std::vector<float> &weights_oihw,
           const std::vector<float> &bias) {
    int id = -1;
    REQUIRE_STATUS_OK(
        small::add_conv2d(net_, in, p, weights_oihw.data(), bias.data(), id));
    return id;
  }

  int dense(int in, uint32_t out, const std::vector<float> &weights,
            const std::vector<float> &bias, const small_activation &act) {
    int id = -1;
    REQUIRE_STATUS_OK(
        small::add_dense(net_, in, out, weights.data(), bias.data(), act, id));
    return id;
  }

  int pool(int in, const small_pool2d_params &p) {
    int id = -1;
    REQUIRE_STATUS_OK(small::add_pool2d(net_, in, p, id));
    return id;
  }

  int global_avgpool(int in) {
    int id = -1;
    REQUIRE_STATUS_OK(small::add_global_avgpool(net_, in, id));
    return id;
  }

  int concat(const std::vector<int> &ins) {
    int id = -1;
    const std::vector<small_tensor> tensors(ins.begin(), ins.end());
    REQUIRE_STATUS_OK(
        small::add_concat(net_, tensors.data(), tensors.size(), id));
    return id;
  }

  int softmax(int in) {
    int id = -1;
    REQUIRE_STATUS_OK(small::add_softmax(net_, in, id));
    return id;
  }

  int add(int a, int b, const small_activation &act) {
    int id = -1;
    REQUIRE_STATUS_OK(small::add_add(net_, a, b, act, id));
    return id;
  }

  int activation(int in, const small_activation &act) {
    int id = -1;
    REQUIRE_STATUS_OK(small::add_activation(net_, in, act, id));
    return id;
  }

  int batchnorm(int in, const std::vector<float> &gamma,
                const std::vector<float> &beta, const std::vector<float> &mean,
                const std::vector<float> &var, float eps) {
    int id = -1;
    REQUIRE_STATUS_OK(small::add_batchnorm(net_, in, gamma.data(), beta.data(),
                                           mean.data(), var.data(), eps, id));
    return id;
  }

  int reshape(int in, uint32_t c, uint32_t h, uint32_t w) {
    int id = -1;
    REQUIRE_STATUS_OK(small::add_reshape(net_, in, c, h, w, id));
    return id;
  }

  void mark_output(int t) { REQUIRE_STATUS_OK(net_.mark_output(t)); }
  void finalize() { REQUIRE_STATUS_OK(net_.finalize()); }

  // Like testutil::Net::use_nan_arena: a NaN-filled caller arena, so that
  // reading any lane no layer wrote (pad lanes included) poisons results.
  void use_nan_arena() {
    arena_.assign(net_.arena_bytes() / sizeof(float) + 16, std::nanf(""));
    REQUIRE_STATUS_OK(
        net_.set_arena(arena_.data(), arena_.size() * sizeof(float)));
  }

  // Runs with NCHW/NHWC conversion like testutil::Net::run.
  std::vector<ref::Tensor> run(const std::vector<const ref::Tensor *> &inputs,
                               small_layout layout) {
    std::vector<std::vector<float>> in_data;
    std::vector<const float *> in_ptrs;
    for (const ref::Tensor *t : inputs) {
      in_data.push_back(layout == SMALL_LAYOUT_NHWC ? ref::to_nhwc(*t)
                                                    : t->data);
    }
    for (const auto &d : in_data) {
      in_ptrs.push_back(d.data());
    }
    std::vector<std::vector<float>> out_data;
    std::vector<small::Shape> shapes;
    for (int t : net_.outputs()) {
      shapes.push_back(shape(t));
      out_data.emplace_back(shapes.back().elements(), std::nanf(""));
    }
    std::vector<float *> out_ptrs;
    for (auto &d : out_data) {
      out_ptrs.push_back(d.data());
    }
    REQUIRE_STATUS_OK(net_.run(in_ptrs.data(), in_ptrs.size(), out_ptrs.data(),
                               out_ptrs.size(), layout));
    std::vector<ref::Tensor> outs;
    for (size_t i = 0; i < shapes.size(); ++i) {
      const small::Shape &s = shapes[i];
      const int n = int(s.n), c = int(s.c), h = int(s.h), w = int(s.w);
      if (layout == SMALL_LAYOUT_NHWC) {
        outs.push_back(ref::from_nhwc(out_data[i], n, c, h, w));
      } else {
        ref::Tensor t(n, c, h, w);
        t.data = std::move(out_data[i]);
        outs.push_back(std::move(t));
      }
    }
    return outs;
  }

private:
  small::Network net_;
  std::vector<float> arena_;
};

small_conv2d_params conv_params(uint32_t out, uint32_t kernel, uint32_t pad,
                                uint32_t stride = 1, uint32_t groups = 1) {
  small_conv2d_params p;
  small_conv2d_params_init(&p);
  p.out_channels = out;
  p.kernel_h = p.kernel_w = kernel;
  p.stride_h = p.stride_w = stride;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = pad;
  p.groups = groups;
  return p;
}

small_pool2d_params pool_params(small_pool_kind kind, uint32_t kernel,
                                uint32_t stride, uint32_t pad_before,
                                uint32_t pad_after, int include_pad) {
  small_pool2d_params p;
  small_pool2d_params_init(&p);
  p.kind = kind;
  p.kernel_h = p.kernel_w = kernel;
  p.stride_h = p.stride_w = stride;
  p.pad_top = p.pad_left = pad_before;
  p.pad_bottom = p.pad_right = pad_after;
  p.count_include_pad = include_pad;
  return p;
}

// Which kernel table a run uses: the scalar table at `cb`, or (cb == 0)
// the build's active table, as small_network_create would pick it.
struct TableChoice {
  size_t cb;
  small_kernel_table table;
  std::string name() const {
    return cb == 0 ? std::string("active (") + table.isa + ", Cb " +
                         std::to_string(table.channel_block) + ")"
                   : "scalar Cb " + std::to_string(cb);
  }
};

std::vector<TableChoice> tables() {
  std::vector<TableChoice> t;
  for (size_t cb : {1, 3, 4, 8, 16}) {
    t.push_back({cb, small_kernels_scalar(cb)});
  }
  t.push_back({0, *small_kernels_active()});
  return t;
}

// The weights and the reference results of the mixed network.
struct MixedModel {
  static constexpr int n = 2, c = 5, h = 11, w = 9;
  static constexpr int k1 = 7, classes = 10;
  ref::Tensor x;
  std::vector<float> w1, b1, wd, bd, wf, bf;
  small_conv2d_params conv1, dw;
  small_pool2d_params maxp, avgp;
  // Reference tensors and their tolerances.
  ref::Tensor h1, h2, cat, logits, probs;
  Tolerance tol_h1, tol_cat, tol_probs;
};

MixedModel make_mixed(Rng &rng) {
  MixedModel m;
  m.x = testutil::random_tensor(rng, m.n, m.c, m.h, m.w);
  // conv 3x3 pad 1 (5 -> 7) with fused ReLU
  m.conv1 = conv_params(m.k1, 3, 1);
  m.conv1.activation = small_activation_make(SMALL_ACT_RELU);
  m.w1 = testutil::random_vector(rng, size_t(m.k1) * m.c * 9);
  m.b1 = testutil::random_vector(rng, m.k1);
  // depthwise 3x3 pad 1 stride 2 (7 channels): 11x9 -> 6x5
  m.dw = conv_params(m.k1, 3, 1, 2, m.k1);
  m.wd = testutil::random_vector(rng, size_t(m.k1) * 9);
  m.bd = testutil::random_vector(rng, m.k1);
  // maxpool 3x3 s1 pad 1 and avgpool 2x2 s1 pad (0, 1) without pad count:
  // both keep 6x5, so they can be concatenated with the depthwise output.
  m.maxp = pool_params(SMALL_POOL_MAX, 3, 1, 1, 1, 0);
  m.avgp = pool_params(SMALL_POOL_AVG, 2, 1, 0, 1, 0);

  const ref::Window c1 = testutil::window_of(m.conv1, m.h, m.w);
  m.h1 = ref::conv2d(m.x, m.w1, m.b1, m.k1, c1, 1, m.conv1.activation);
  m.h2 = ref::conv2d(m.h1, m.wd, m.bd, m.k1,
                     testutil::window_of(m.dw, m.h, m.w), m.k1, kNone);
  const ref::Tensor mp =
      ref::max_pool(m.h2, testutil::window_of(m.maxp, m.h2.h, m.h2.w));
  const ref::Tensor ap =
      ref::avg_pool(m.h2, testutil::window_of(m.avgp, m.h2.h, m.h2.w), false);
  m.cat = ref::concat({mp, ap, m.h2}); // 21 channels
  const int features = m.cat.c * m.cat.h * m.cat.w;
  // Dense weights scaled by 1/sqrt(features) keep logits of order 1.
  const float s = 1.0f / std::sqrt(float(features));
  m.wf = testutil::random_vector(rng, size_t(m.classes) * features, -s, s);
  m.bf = testutil::random_vector(rng, m.classes);
  m.logits = ref::dense(m.cat, m.wf, m.bf, m.classes, kNone);
  m.probs = ref::softmax(m.logits);

  // Error budget, layer by layer.
  m.tol_h1 = testutil::accumulation_tolerance(m.c * 9 + 1, 1.0, 1.0);
  const Tolerance t_dw = testutil::accumulation_tolerance(
      10, std::max(1.0, testutil::max_abs(m.h1)), 1.0);
  // Depthwise gain: the L1 norm of one channel's 9 taps.
  const double e_h2 =
      t_dw.atol + m.tol_h1.atol * testutil::max_row_l1(m.wd, m.k1);
  // Pools and concat do not amplify (the 2x2 average adds its own error).
  m.tol_cat = Tolerance{
      e_h2 + testutil::accumulation_tolerance(4, testutil::max_abs(m.h2), 1.0)
                 .atol,
      1e-5};
  const Tolerance t_fc = testutil::accumulation_tolerance(
      size_t(features) + 1, std::max(1.0, testutil::max_abs(m.cat)), 1.0);
  const double e_logits =
      t_fc.atol + m.tol_cat.atol * testutil::max_row_l1(m.wf, m.classes);
  // Softmax: a logit error e moves each probability by at most e / 2
  // (|d p_i / d z_j| <= 1/4, and the sum over j of the partials is
  // bounded by 2 p_i (1 - p_i) <= 1/2), plus its own float rounding.
  m.tol_probs = Tolerance{0.5 * e_logits + 1e-6, 1e-5};
  return m;
}

} // namespace

TEST_CASE("Engine: mixed network matches reference for channel blocks 1, 3, "
          "4, 8, 16 and the active table",
          "[engine][channel_block]") {
  Rng rng(4001);
  const MixedModel m = make_mixed(rng);
  for (const TableChoice &tc : tables()) {
    for (small_layout layout : {SMALL_LAYOUT_NCHW, SMALL_LAYOUT_NHWC}) {
      INFO("kernel table " << tc.name() << ", layout "
                           << (layout == SMALL_LAYOUT_NHWC ? "NHWC" : "NCHW"));
      Builder b(&tc.table);
      const int in = b.input(m.n, m.c, m.h, m.w);
      const int h1 = b.conv(in, m.conv1, m.w1, m.b1);
      const int h2 = b.conv(h1, m.dw, m.wd, m.bd);
      const int mp = b.pool(h2, m.maxp);
      const int ap = b.pool(h2, m.avgp);
      const int cat = b.concat({mp, ap, h2});
      const int logits = b.dense(cat, m.classes, m.wf, m.bf, kNone);
      const int probs = b.softmax(logits);
      b.mark_output(h1);
      b.mark_output(cat);
      b.mark_output(probs);
      b.finalize();
      b.use_nan_arena();
      REQUIRE(b.net().kernels().channel_block ==
              (tc.cb == 0 ? tc.table.channel_block : tc.cb));
      CHECK(b.net().layer_count() == 7);

      const std::vector<ref::Tensor> got = b.run({&m.x}, layout);
      REQUIRE(got.size() == 3);
      {
        INFO("conv 3x3 + relu output");
        testutil::check_close(got[0], m.h1, m.tol_h1);
      }
      {
        INFO("concat(maxpool, avgpool, depthwise) output");
        testutil::check_close(got[1], m.cat, m.tol_cat);
      }
      {
        INFO("dense + softmax output");
        testutil::check_close(got[2], m.probs, m.tol_probs);
      }
    }
  }
}

TEST_CASE("Engine: grouped, depthwise x2, BatchNorm, add, reshape and global "
          "pool match reference for every channel block",
          "[engine][channel_block]") {
  Rng rng(4002);
  const int n = 1, c = 13, h = 7, w = 6;
  const ref::Tensor x = testutil::random_tensor(rng, n, c, h, w);
  // depthwise multiplier 2 (13 -> 26), 3x3 pad 1
  const small_conv2d_params dm = conv_params(26, 3, 1, 1, 13);
  const auto wdm = testutil::random_vector(rng, 26 * 9);
  const auto bdm = testutil::random_vector(rng, 26);
  // grouped 1x1 (26 -> 26, groups 2) with fused hard swish
  small_conv2d_params gp = conv_params(26, 1, 0, 1, 2);
  gp.activation = small_activation_make(SMALL_ACT_HARD_SWISH);
  const float sg = 1.0f / std::sqrt(13.0f);
  const auto wg = testutil::random_vector(rng, 26 * 13, -sg, sg);
  const auto bg = testutil::random_vector(rng, 26);
  // standalone BatchNorm on the add output (an add cannot absorb it)
  const auto gamma = testutil::random_vector(rng, 26, 0.5f, 2.0f);
  const auto beta = testutil::random_vector(rng, 26);
  const auto mean = testutil::random_vector(rng, 26, -0.5f, 0.5f);
  const auto var = testutil::random_vector(rng, 26, 0.1f, 3.0f);
  const float eps = 1e-3f;
  const small_activation sig = small_activation_make(SMALL_ACT_SIGMOID);

  // Reference: y = gap(reshape(sigmoid(bn(dm + grouped(dm))), 39, 7, 4)).
  const ref::Tensor r_dm =
      ref::conv2d(x, wdm, bdm, 26, testutil::window_of(dm, h, w), 13, kNone);
  const ref::Tensor r_gp = ref::conv2d(
      r_dm, wg, bg, 26, testutil::window_of(gp, h, w), 2, gp.activation);
  const ref::Tensor r_add = ref::add(r_dm, r_gp, kNone);
  const ref::Tensor r_bn = ref::batchnorm(r_add, gamma, beta, mean, var, eps);
  const ref::Tensor r_sig = ref::activation(r_bn, sig);
  const ref::Tensor r_rs = ref::reshape(r_sig, 39, 7, 4);
  const ref::Tensor r_gap = ref::global_avg_pool(r_rs);

  // Error budget: dm (10 terms), grouped conv amplifies it by its row L1
  // norm and hard swish by 1.5, the add sums both, BatchNorm scales by at
  // most max|gamma / sqrt(var + eps)| and sigmoid by 1/4; averaging does
  // not amplify.
  const double e_dm = testutil::accumulation_tolerance(10, 1.0, 1.0).atol;
  const double e_gp =
      1.5 *
      (testutil::accumulation_tolerance(14, testutil::max_abs(r_dm), 1.0).atol +
       e_dm * testutil::max_row_l1(wg, 26));
  double max_scale = 0.0;
  for (size_t k = 0; k < 26; ++k) {
    max_scale = std::max(max_scale,
                         std::fabs(gamma[k] / std::sqrt(double(var[k]) + eps)));
  }
  const double e_add = e_dm + e_gp + 1e-6 * testutil::max_abs(r_add);
  const double e_bn = max_scale * e_add + 1e-6 * testutil::max_abs(r_bn);
  const Tolerance tol_sig{0.25 * e_bn + 1e-6, 1e-5};
  const Tolerance tol_gap{tol_sig.atol + 1e-6, 1e-5};

  for (const TableChoice &tc : tables()) {
    INFO("kernel table " << tc.name());
    Builder b(&tc.table);
    const int in = b.input(n, c, h, w);
    const int t_dm = b.conv(in, dm, wdm, bdm);
    const int t_gp = b.conv(t_dm, gp, wg, bg);
    const int t_add = b.add(t_dm, t_gp, kNone);
    const int t_bn = b.batchnorm(t_add, gamma, beta, mean, var, eps);
    const int t_sig = b.activation(t_bn, sig);
    const int t_rs = b.reshape(t_sig, 39, 7, 4);
    const int t_gap = b.global_avgpool(t_rs);
    b.mark_output(t_sig);
    b.mark_output(t_rs);
    b.mark_output(t_gap);
    b.finalize();
    b.use_nan_arena();
    const std::vector<ref::Tensor> got = b.run({&x}, SMALL_LAYOUT_NCHW);
    REQUIRE(got.size() == 3);
    {
      INFO("sigmoid(batchnorm(add)) output");
      testutil::check_close(got[0], r_sig, tol_sig);
    }
    {
      INFO("reshape (26, 7, 6) -> (39, 7, 4): must equal its input's bits");
      ref::Tensor same = got[0];
      same.c = 39;
      same.h = 7;
      same.w = 4;
      testutil::check_identical(got[1], same);
    }
    {
      INFO("global average pool output");
      testutil::check_close(got[2], r_gap, tol_gap);
    }
  }
}
