#include "reference/test_util.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include <catch2/catch.hpp>

namespace testutil {

float Rng::uniform(float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  return d(gen_);
}

int Rng::range(int lo, int hi) {
  std::uniform_int_distribution<int> d(lo, hi);
  return d(gen_);
}

ref::Tensor random_tensor(Rng &rng, int n, int c, int h, int w, float lo,
                          float hi) {
  ref::Tensor t(n, c, h, w);
  for (float &v : t.data) {
    v = rng.uniform(lo, hi);
  }
  return t;
}

std::vector<float> random_vector(Rng &rng, size_t count, float lo, float hi) {
  std::vector<float> v(count);
  for (float &x : v) {
    x = rng.uniform(lo, hi);
  }
  return v;
}

double max_abs(const std::vector<float> &v) {
  double m = 0.0;
  for (float x : v) {
    m = std::max(m, std::fabs(static_cast<double>(x)));
  }
  return m;
}

double max_abs(const ref::Tensor &t) { return max_abs(t.data); }

double max_row_l1(const std::vector<float> &m, size_t rows) {
  const size_t cols = rows == 0 ? 0 : m.size() / rows;
  double best = 0.0;
  for (size_t r = 0; r < rows; ++r) {
    double sum = 0.0;
    for (size_t c = 0; c < cols; ++c) {
      sum += std::fabs(static_cast<double>(m[r * cols + c]));
    }
    best = std::max(best, sum);
  }
  return best;
}

Tolerance accumulation_tolerance(size_t terms, double max_in, double max_w) {
  Tolerance t;
  t.atol = std::max(1e-6, 1e-5 * std::sqrt(static_cast<double>(terms)) *
                              max_in * max_w);
  t.rtol = 1e-5;
  return t;
}

Tolerance elementwise_tolerance(double max_magnitude) {
  // A handful of float operations per element: each rounds with relative
  // error 2^-24 ~ 6e-8 of its operands, so 1e-6 of the largest magnitude
  // involved is ~16 ulps of headroom.
  Tolerance t;
  t.atol = std::max(1e-7, 1e-6 * max_magnitude);
  t.rtol = 1e-5;
  return t;
}

namespace {

std::string shape_str(const ref::Tensor &t) {
  std::ostringstream s;
  s << "(" << t.n << ", " << t.c << ", " << t.h << ", " << t.w << ")";
  return s.str();
}

std::string coords(const ref::Tensor &t, size_t i) {
  const size_t x = i % t.w;
  const size_t y = i / t.w % t.h;
  const size_t c = i / (static_cast<size_t>(t.w) * t.h) % t.c;
  const size_t n = i / (static_cast<size_t>(t.w) * t.h * t.c);
  std::ostringstream s;
  s << "[" << i << "] = (n " << n << ", c " << c << ", h " << y << ", w " << x
    << ")";
  return s.str();
}

} // namespace

void check_close(const ref::Tensor &got, const ref::Tensor &want,
                 const Tolerance &tol) {
  INFO("got shape " << shape_str(got) << ", want shape " << shape_str(want));
  REQUIRE(got.same_shape(want));
  REQUIRE(got.size() == want.size());
  size_t bad = 0, worst = 0;
  double worst_ratio = -1.0;
  for (size_t i = 0; i < want.size(); ++i) {
    const double a = got.data[i], b = want.data[i];
    const double allowed = tol.atol + tol.rtol * std::fabs(b);
    const double diff = std::fabs(a - b);
    // NaN in `got` compares false everywhere: count it as a violation.
    const bool ok = diff <= allowed;
    const double ratio =
        ok ? diff / allowed : (std::isnan(diff) ? 1e300 : diff / allowed);
    if (!ok) {
      ++bad;
    }
    if (ratio > worst_ratio) {
      worst_ratio = ratio;
      worst = i;
    }
  }
  if (want.size() == 0) {
    return;
  }
  const double a = got.data[worst], b = want.data[worst];
  INFO("tolerance: |got - want| <= atol + rtol * |want| with atol = "
       << tol.atol << ", rtol = " << tol.rtol);
  INFO("worst element " << coords(want, worst) << ": got " << a << ", want "
                        << b << ", |diff| = " << std::fabs(a - b)
                        << " (allowed " << tol.atol + tol.rtol * std::fabs(b)
                        << ")");
  INFO(bad << " of " << want.size() << " elements out of tolerance");
  CHECK(bad == 0);
}

void check_identical(const ref::Tensor &got, const ref::Tensor &want) {
  INFO("got shape " << shape_str(got) << ", want shape " << shape_str(want));
  REQUIRE(got.same_shape(want));
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    if (std::memcmp(&got.data[i], &want.data[i], sizeof(float)) != 0) {
      if (bad++ == 0) {
        first = i;
      }
    }
  }
  std::ostringstream msg;
  if (bad != 0) {
    msg << bad << " of " << want.size() << " elements differ; first "
        << coords(want, first) << ": " << got.data[first] << " vs "
        << want.data[first];
  }
  INFO(msg.str());
  CHECK(bad == 0);
}

namespace {

void resolve(small_padding_mode mode, int in, int kernel, int stride,
             int dilation, int explicit_before, int explicit_after, int &before,
             int &after) {
  switch (mode) {
  case SMALL_PADDING_SAME: {
    const ref::SamePad p = ref::same_padding(in, kernel, stride, dilation);
    before = p.before;
    after = p.after;
    return;
  }
  case SMALL_PADDING_VALID:
    before = after = 0;
    return;
  case SMALL_PADDING_EXPLICIT:
    break;
  }
  before = explicit_before;
  after = explicit_after;
}

} // namespace

ref::Window window_of(const small_conv2d_params &p, int in_h, int in_w) {
  ref::Window w;
  w.kernel_h = static_cast<int>(p.kernel_h);
  w.kernel_w = static_cast<int>(p.kernel_w);
  w.stride_h = static_cast<int>(p.stride_h);
  w.stride_w = static_cast<int>(p.stride_w);
  w.dilation_h = static_cast<int>(p.dilation_h);
  w.dilation_w = static_cast<int>(p.dilation_w);
  resolve(p.padding_mode, in_h, w.kernel_h, w.stride_h, w.dilation_h,
          static_cast<int>(p.pad_top), static_cast<int>(p.pad_bottom),
          w.pad_top, w.pad_bottom);
  resolve(p.padding_mode, in_w, w.kernel_w, w.stride_w, w.dilation_w,
          static_cast<int>(p.pad_left), static_cast<int>(p.pad_right),
          w.pad_left, w.pad_right);
  return w;
}

ref::Window window_of(const small_pool2d_params &p, int in_h, int in_w) {
  ref::Window w;
  w.kernel_h = static_cast<int>(p.kernel_h);
  w.kernel_w = static_cast<int>(p.kernel_w);
  w.stride_h = static_cast<int>(p.stride_h);
  w.stride_w = static_cast<int>(p.stride_w);
  resolve(p.padding_mode, in_h, w.kernel_h, w.stride_h, 1,
          static_cast<int>(p.pad_top), static_cast<int>(p.pad_bottom),
          w.pad_top, w.pad_bottom);
  resolve(p.padding_mode, in_w, w.kernel_w, w.stride_w, 1,
          static_cast<int>(p.pad_left), static_cast<int>(p.pad_right),
          w.pad_left, w.pad_right);
  return w;
}

small_activation activation_with_params(small_activation_kind kind) {
  small_activation a = small_activation_make(kind);
  switch (kind) {
  case SMALL_ACT_LEAKY_RELU:
    a.alpha = 0.15f;
    break;
  case SMALL_ACT_CLIP:
    a.min = -0.35f;
    a.max = 0.6f;
    break;
  case SMALL_ACT_HARD_SIGMOID:
    a.alpha = 0.3f;
    a.beta = 0.4f;
    break;
  default:
    break;
  }
  return a;
}

const std::vector<small_activation_kind> &all_activation_kinds() {
  static const std::vector<small_activation_kind> kinds = {
      SMALL_ACT_NONE,       SMALL_ACT_RELU,        SMALL_ACT_RELU6,
      SMALL_ACT_LEAKY_RELU, SMALL_ACT_CLIP,        SMALL_ACT_SIGMOID,
      SMALL_ACT_HARD_SWISH, SMALL_ACT_HARD_SIGMOID};
  return kinds;
}

const char *activation_name(small_activation_kind kind) {
  switch (kind) {
  case SMALL_ACT_NONE:
    return "none";
  case SMALL_ACT_RELU:
    return "relu";
  case SMALL_ACT_RELU6:
    return "relu6";
  case SMALL_ACT_LEAKY_RELU:
    return "leaky_relu";
  case SMALL_ACT_CLIP:
    return "clip";
  case SMALL_ACT_SIGMOID:
    return "sigmoid";
  case SMALL_ACT_HARD_SWISH:
    return "hard_swish";
  case SMALL_ACT_HARD_SIGMOID:
    return "hard_sigmoid";
  }
  return "unknown";
}

double activation_lipschitz(const small_activation &act) {
  switch (act.kind) {
  case SMALL_ACT_SIGMOID:
    return 0.25;
  case SMALL_ACT_HARD_SWISH:
    return 1.5; // d/dx x (x + 3) / 6 = (2x + 3) / 6 <= 1.5 on [-3, 3]
  case SMALL_ACT_HARD_SIGMOID:
    return std::fabs(static_cast<double>(act.alpha));
  case SMALL_ACT_LEAKY_RELU:
    return std::max(1.0, std::fabs(static_cast<double>(act.alpha)));
  default:
    return 1.0;
  }
}

// ---------------------------------------------------------------------------

namespace {

void expect_ok(small_status s, const char *call) {
  INFO(call << " returned " << small_status_string(s) << ": "
            << small_last_error());
  REQUIRE(s == SMALL_OK);
}

} // namespace

Net::Net() { expect_ok(small_network_create(&net_), "small_network_create"); }

Net::~Net() { small_network_destroy(net_); }

small_tensor Net::input(int n, int c, int h, int w) {
  small_tensor t = -1;
  expect_ok(small_network_add_input(
                net_, static_cast<uint32_t>(n), static_cast<uint32_t>(c),
                static_cast<uint32_t>(h), static_cast<uint32_t>(w), &t),
            "small_network_add_input");
  return t;
}

small_tensor Net::conv2d(small_tensor in, const small_conv2d_params &p,
                         const std::vector<float> &weights,
                         const std::vector<float> &bias) {
  small_tensor t = -1;
  expect_ok(small_network_add_conv2d(net_, in, &p, weights.data(),
                                     bias.empty() ? nullptr : bias.data(), &t),
            "small_network_add_conv2d");
  return t;
}

small_tensor Net::dense(small_tensor in, int out_features,
                        const std::vector<float> &weights,
                        const std::vector<float> &bias,
                        const small_activation &act) {
  small_tensor t = -1;
  expect_ok(small_network_add_dense(
                net_, in, static_cast<uint32_t>(out_features), weights.data(),
                bias.empty() ? nullptr : bias.data(), act, &t),
            "small_network_add_dense");
  return t;
}

small_tensor Net::pool2d(small_tensor in, const small_pool2d_params &p) {
  small_tensor t = -1;
  expect_ok(small_network_add_pool2d(net_, in, &p, &t),
            "small_network_add_pool2d");
  return t;
}

small_tensor Net::global_avgpool(small_tensor in) {
  small_tensor t = -1;
  expect_ok(small_network_add_global_avgpool(net_, in, &t),
            "small_network_add_global_avgpool");
  return t;
}

small_tensor Net::add(small_tensor a, small_tensor b,
                      const small_activation &act) {
  small_tensor t = -1;
  expect_ok(small_network_add_add(net_, a, b, act, &t),
            "small_network_add_add");
  return t;
}

small_tensor Net::concat(const std::vector<small_tensor> &inputs) {
  small_tensor t = -1;
  expect_ok(small_network_add_concat(net_, inputs.data(), inputs.size(), &t),
            "small_network_add_concat");
  return t;
}

small_tensor Net::activation(small_tensor in, const small_activation &act) {
  small_tensor t = -1;
  expect_ok(small_network_add_activation(net_, in, act, &t),
            "small_network_add_activation");
  return t;
}

small_tensor Net::softmax(small_tensor in) {
  small_tensor t = -1;
  expect_ok(small_network_add_softmax(net_, in, &t),
            "small_network_add_softmax");
  return t;
}

small_tensor Net::batchnorm(small_tensor in, const std::vector<float> &gamma,
                            const std::vector<float> &beta,
                            const std::vector<float> &mean,
                            const std::vector<float> &var, float epsilon) {
  small_tensor t = -1;
  expect_ok(small_network_add_batchnorm(net_, in, gamma.data(), beta.data(),
                                        mean.data(), var.data(), epsilon, &t),
            "small_network_add_batchnorm");
  return t;
}

small_tensor Net::reshape(small_tensor in, int c, int h, int w) {
  small_tensor t = -1;
  expect_ok(small_network_add_reshape(net_, in, static_cast<uint32_t>(c),
                                      static_cast<uint32_t>(h),
                                      static_cast<uint32_t>(w), &t),
            "small_network_add_reshape");
  return t;
}

small_tensor Net::flatten(small_tensor in) {
  small_tensor t = -1;
  expect_ok(small_network_add_flatten(net_, in, &t),
            "small_network_add_flatten");
  return t;
}

void Net::output(small_tensor t) {
  expect_ok(small_network_mark_output(net_, t), "small_network_mark_output");
}

void Net::finalize() {
  expect_ok(small_network_finalize(net_), "small_network_finalize");
}

size_t Net::layer_count() {
  size_t count = 0;
  expect_ok(small_network_layer_count(net_, &count),
            "small_network_layer_count");
  return count;
}

std::vector<uint32_t> Net::shape(small_tensor t) {
  uint32_t dims[4] = {0, 0, 0, 0};
  expect_ok(small_network_tensor_shape(net_, t, dims),
            "small_network_tensor_shape");
  return {dims[0], dims[1], dims[2], dims[3]};
}

void Net::use_nan_arena() {
  size_t bytes = 0;
  expect_ok(small_network_arena_size(net_, &bytes), "small_network_arena_size");
  // + 64 bytes so that the library can align the buffer internally.
  arena_.assign(bytes / sizeof(float) + 16, std::nanf(""));
  expect_ok(small_network_set_arena(net_, arena_.data(),
                                    arena_.size() * sizeof(float)),
            "small_network_set_arena");
}

std::vector<ref::Tensor>
Net::run(const std::vector<const ref::Tensor *> &inputs, small_layout layout) {
  std::vector<std::vector<float>> in_data;
  std::vector<const float *> in_ptrs;
  for (const ref::Tensor *t : inputs) {
    in_data.push_back(layout == SMALL_LAYOUT_NHWC ? ref::to_nhwc(*t) : t->data);
  }
  for (const auto &d : in_data) {
    in_ptrs.push_back(d.data());
  }
  size_t out_count = 0;
  expect_ok(small_network_output_count(net_, &out_count),
            "small_network_output_count");
  std::vector<std::vector<uint32_t>> dims(out_count);
  std::vector<std::vector<float>> out_data(out_count);
  std::vector<float *> out_ptrs;
  for (size_t i = 0; i < out_count; ++i) {
    uint32_t d[4];
    expect_ok(small_network_output_shape(net_, i, d),
              "small_network_output_shape");
    dims[i] = {d[0], d[1], d[2], d[3]};
    // NaN canaries: an element the library never writes shows up as NaN.
    out_data[i].assign(static_cast<size_t>(d[0]) * d[1] * d[2] * d[3],
                       std::nanf(""));
    out_ptrs.push_back(out_data[i].data());
  }
  expect_ok(small_network_run(net_, in_ptrs.data(), in_ptrs.size(),
                              out_ptrs.data(), out_ptrs.size(), layout),
            "small_network_run");
  std::vector<ref::Tensor> outs;
  for (size_t i = 0; i < out_count; ++i) {
    const int n = static_cast<int>(dims[i][0]),
              c = static_cast<int>(dims[i][1]),
              h = static_cast<int>(dims[i][2]),
              w = static_cast<int>(dims[i][3]);
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

ref::Tensor Net::run1(const ref::Tensor &in, small_layout layout) {
  std::vector<ref::Tensor> outs = run({&in}, layout);
  REQUIRE(outs.size() == 1);
  return std::move(outs[0]);
}

} // namespace testutil
