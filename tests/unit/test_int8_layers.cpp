// Every int8 layer against the naive int8 reference (tests/reference/
// naive_int8.h) on randomized shapes and quantization parameters, exact
// equality: channel counts around the channel blocks, strides, dilations,
// padding modes, groups, per-channel and per-tensor scales, fused clamps,
// both rounding modes, the active table and scalar tables at other Cb.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "reference/naive_int8.h"
#include "unit/int8_net.h"

namespace {

class Rand {
public:
  explicit Rand(uint32_t seed) : gen_(seed) {}
  int range(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(gen_);
  }
  float log_uniform(float lo, float hi) {
    return std::exp(std::uniform_real_distribution<float>(std::log(lo),
                                                          std::log(hi))(gen_));
  }
  template <typename T> T pick(const std::vector<T> &v) {
    return v[static_cast<size_t>(range(0, static_cast<int>(v.size()) - 1))];
  }
  small_quant quant() { return {log_uniform(0.005f, 0.2f), range(-128, 127)}; }
  ref8::QTensor tensor(int n, int c, int h, int w, small_quant q) {
    ref8::QTensor t(n, c, h, w, q);
    for (int8_t &v : t.data) {
      v = static_cast<int8_t>(range(-128, 127));
    }
    return t;
  }
  std::vector<int8_t> weights(size_t count) {
    std::vector<int8_t> w(count);
    for (int8_t &v : w) {
      v = static_cast<int8_t>(range(-127, 127));
    }
    return w;
  }
  small_activation activation() {
    const small_activation_kind k = pick<small_activation_kind>(
        {SMALL_ACT_NONE, SMALL_ACT_RELU, SMALL_ACT_RELU6, SMALL_ACT_CLIP});
    small_activation a = small_activation_make(k);
    if (k == SMALL_ACT_CLIP) {
      // Sometimes min > max: TFLite's min(max(q, lo), hi) gives hi.
      const bool inverted = range(0, 2) == 0;
      a.min = inverted ? 0.5f : -1.0f;
      a.max = inverted ? -0.25f : 1.0f;
    }
    return a;
  }

private:
  std::mt19937 gen_;
};

// Channel blocks the tests run with: the build's table (0) and scalar
// tables whose blocks split the channel counts differently.
const std::vector<size_t> kBlocks = {0, 0, 3, 8, 16};

struct ConvCase {
  int n, c, h, w, k, kh, kw, sh, sw, dh, dw, groups;
  small_padding_mode mode;
  int pt, pb, pl, pr;
};

ConvCase random_conv(Rand &r, int kind) {
  ConvCase s{};
  s.n = r.range(1, 2);
  s.c = r.pick<int>({1, 3, 5, 8, 16, 17, 33});
  s.h = r.range(1, 11);
  s.w = r.range(1, 13);
  s.kh = r.pick<int>({1, 2, 3, 5});
  s.kw = r.pick<int>({1, 3, 4});
  s.sh = r.range(1, 3);
  s.sw = r.range(1, 3);
  s.dh = r.range(1, 2);
  s.dw = r.range(1, 2);
  s.mode = r.pick<small_padding_mode>(
      {SMALL_PADDING_EXPLICIT, SMALL_PADDING_SAME, SMALL_PADDING_VALID});
  s.pt = r.range(0, 2);
  s.pb = r.range(0, 2);
  s.pl = r.range(0, 2);
  s.pr = r.range(0, 2);
  if (kind == 1) { // depthwise
    s.groups = s.c;
    s.k = s.c;
  } else if (kind == 2) { // grouped
    s.groups = r.pick<int>({2, 3});
    s.c = s.groups * r.range(1, 6);
    s.k = s.groups * r.range(1, 7);
  } else {
    s.groups = 1;
    s.k = r.pick<int>({1, 4, 8, 9, 16, 24, 33});
  }
  // VALID / explicit padding must leave at least one output pixel.
  const int eff_h = (s.kh - 1) * s.dh + 1, eff_w = (s.kw - 1) * s.dw + 1;
  s.h = std::max(s.h, eff_h);
  s.w = std::max(s.w, eff_w);
  return s;
}

// An output scale that spreads the accumulators over a few dozen steps.
float output_scale(Rand &r, const small_quant &in, float w_scale, int fan_in) {
  const double acc_std = std::sqrt(static_cast<double>(fan_in)) * 60.0 * 70.0;
  return static_cast<float>(acc_std * in.scale * w_scale / r.range(20, 80));
}

void run_conv_case(Rand &r, int kind, bool single) {
  const ConvCase s = random_conv(r, kind);
  const size_t cb = r.pick(kBlocks);
  const small_quant in_q = r.quant();
  const ref8::QTensor x = r.tensor(s.n, s.c, s.h, s.w, in_q);
  const int cin = s.c / s.groups;
  const std::vector<int8_t> w =
      r.weights(static_cast<size_t>(s.k) * cin * s.kh * s.kw);
  const bool per_channel = r.range(0, 3) != 0;
  std::vector<float> scales(per_channel ? s.k : 1);
  for (float &v : scales) {
    v = r.log_uniform(0.001f, 0.05f);
  }
  std::vector<float> expanded(s.k, scales[0]);
  if (per_channel) {
    expanded = scales;
  }
  std::vector<int32_t> bias(s.k);
  for (int32_t &b : bias) {
    b = r.range(-20000, 20000);
  }
  const bool with_bias = r.range(0, 4) != 0;
  const small_quant out_q{output_scale(r, in_q, expanded[0], cin * s.kh * s.kw),
                          r.range(-128, 127)};
  const small_activation act = r.activation();

  small_conv2d_params p;
  small_conv2d_params_init(&p);
  p.out_channels = static_cast<uint32_t>(s.k);
  p.kernel_h = static_cast<uint32_t>(s.kh);
  p.kernel_w = static_cast<uint32_t>(s.kw);
  p.stride_h = static_cast<uint32_t>(s.sh);
  p.stride_w = static_cast<uint32_t>(s.sw);
  p.dilation_h = static_cast<uint32_t>(s.dh);
  p.dilation_w = static_cast<uint32_t>(s.dw);
  p.groups = static_cast<uint32_t>(s.groups);
  p.padding_mode = s.mode;
  p.pad_top = static_cast<uint32_t>(s.pt);
  p.pad_bottom = static_cast<uint32_t>(s.pb);
  p.pad_left = static_cast<uint32_t>(s.pl);
  p.pad_right = static_cast<uint32_t>(s.pr);
  p.activation = act;

  ref::Window win;
  win.kernel_h = s.kh;
  win.kernel_w = s.kw;
  win.stride_h = s.sh;
  win.stride_w = s.sw;
  win.dilation_h = s.dh;
  win.dilation_w = s.dw;
  if (s.mode == SMALL_PADDING_EXPLICIT) {
    win.pad_top = s.pt;
    win.pad_bottom = s.pb;
    win.pad_left = s.pl;
    win.pad_right = s.pr;
  } else if (s.mode == SMALL_PADDING_SAME) {
    const ref::SamePad ph = ref::same_padding(s.h, s.kh, s.sh, s.dh);
    const ref::SamePad pw = ref::same_padding(s.w, s.kw, s.sw, s.dw);
    win.pad_top = ph.before;
    win.pad_bottom = ph.after;
    win.pad_left = pw.before;
    win.pad_right = pw.after;
  }
  if (ref::window_out_size(s.h, s.kh, s.sh, s.dh, win.pad_top,
                           win.pad_bottom) <= 0 ||
      ref::window_out_size(s.w, s.kw, s.sw, s.dw, win.pad_left,
                           win.pad_right) <= 0) {
    return; // no output pixel: refused by both, not this test's subject
  }
  const ref8::QTensor want =
      ref8::conv2d(x, w, expanded, with_bias ? bias : std::vector<int32_t>{},
                   s.k, win, s.groups, out_q, act, single);

  INFO("n=" << s.n << " c=" << s.c << " h=" << s.h << " w=" << s.w
            << " k=" << s.k << " kernel=" << s.kh << "x" << s.kw
            << " stride=" << s.sh << "," << s.sw << " dilation=" << s.dh << ","
            << s.dw << " groups=" << s.groups
            << " mode=" << static_cast<int>(s.mode) << " cb=" << cb
            << " single=" << single << " act=" << static_cast<int>(act.kind)
            << " per_channel=" << per_channel);
  Int8Net net(cb, single);
  const small_tensor t = net.input(x);
  small_int8_weights wt{};
  wt.values = w.data();
  wt.scales = scales.data();
  wt.scale_count = static_cast<uint32_t>(scales.size());
  wt.bias = with_bias ? bias.data() : nullptr;
  small_tensor y = -1;
  net.check(small_network_add_conv2d_int8(net.get(), t, &p, &wt, out_q, &y), y);
  require_equal(net.run(y, want.data.size()), want);
}

} // namespace

TEST_CASE("int8 Conv2D matches the reference (channel/stride/padding sweep)",
          "[int8][layers][conv]") {
  Rand r(101);
  for (int i = 0; i < 120; ++i) {
    run_conv_case(r, 0, i % 3 == 2);
  }
}

TEST_CASE("int8 depthwise Conv2D matches the reference",
          "[int8][layers][depthwise]") {
  Rand r(202);
  for (int i = 0; i < 120; ++i) {
    run_conv_case(r, 1, i % 3 == 2);
  }
}

TEST_CASE("int8 grouped Conv2D matches the reference", "[int8][layers][conv]") {
  Rand r(303);
  for (int i = 0; i < 60; ++i) {
    run_conv_case(r, 2, i % 2 == 1);
  }
}

TEST_CASE("int8 Dense matches the reference", "[int8][layers][dense]") {
  Rand r(404);
  for (int i = 0; i < 60; ++i) {
    const bool single = i % 2 == 1;
    const size_t cb = r.pick(kBlocks);
    const small_quant in_q = r.quant();
    const int c = r.pick<int>({1, 7, 16, 40}), h = r.range(1, 3),
              w = r.range(1, 3);
    const int k = r.pick<int>({1, 10, 12, 33});
    const ref8::QTensor x = r.tensor(1, c, h, w, in_q);
    const std::vector<int8_t> wt =
        r.weights(static_cast<size_t>(k) * c * h * w);
    std::vector<float> scales(k);
    for (float &v : scales) {
      v = r.log_uniform(0.001f, 0.05f);
    }
    std::vector<int32_t> bias(k);
    for (int32_t &b : bias) {
      b = r.range(-5000, 5000);
    }
    const small_quant out_q{output_scale(r, in_q, scales[0], c * h * w),
                            r.range(-128, 127)};
    const small_activation act = r.activation();
    const ref8::QTensor want =
        ref8::dense(x, wt, scales, bias, k, out_q, act, single);
    INFO("c=" << c << " h=" << h << " w=" << w << " k=" << k << " cb=" << cb);
    Int8Net net(cb, single);
    const small_tensor t = net.input(x);
    small_int8_weights weights{wt.data(), scales.data(),
                               static_cast<uint32_t>(k), bias.data()};
    small_tensor y = -1;
    net.check(small_network_add_dense_int8(net.get(), t,
                                           static_cast<uint32_t>(k), &weights,
                                           act, out_q, &y),
              y);
    require_equal(net.run(y, want.data.size()), want);
  }
}

TEST_CASE("int8 max and average pooling match the reference",
          "[int8][layers][pool]") {
  Rand r(505);
  for (int i = 0; i < 150; ++i) {
    const size_t cb = r.pick(kBlocks);
    const bool is_max = i % 2 == 0;
    const int c = r.pick<int>({1, 3, 8, 17, 33});
    const int kh = r.range(1, 4), kw = r.range(1, 4);
    const int h = r.range(kh, 12), w = r.range(kw, 14);
    const ref8::QTensor x = r.tensor(r.range(1, 2), c, h, w, r.quant());
    small_pool2d_params p;
    small_pool2d_params_init(&p);
    p.kind = is_max ? SMALL_POOL_MAX : SMALL_POOL_AVG;
    p.kernel_h = static_cast<uint32_t>(kh);
    p.kernel_w = static_cast<uint32_t>(kw);
    p.stride_h = static_cast<uint32_t>(r.range(1, 3));
    p.stride_w = static_cast<uint32_t>(r.range(1, 3));
    p.pad_top = static_cast<uint32_t>(r.range(0, kh - 1));
    p.pad_bottom = static_cast<uint32_t>(r.range(0, kh - 1));
    p.pad_left = static_cast<uint32_t>(r.range(0, kw - 1));
    p.pad_right = static_cast<uint32_t>(r.range(0, kw - 1));
    p.count_include_pad = r.range(0, 3) == 0 ? 1 : 0;
    const small_activation act = r.activation();
    ref::Window win;
    win.kernel_h = kh;
    win.kernel_w = kw;
    win.stride_h = static_cast<int>(p.stride_h);
    win.stride_w = static_cast<int>(p.stride_w);
    win.pad_top = static_cast<int>(p.pad_top);
    win.pad_bottom = static_cast<int>(p.pad_bottom);
    win.pad_left = static_cast<int>(p.pad_left);
    win.pad_right = static_cast<int>(p.pad_right);
    const ref8::QTensor want =
        is_max ? ref8::max_pool(x, win, act)
               : ref8::avg_pool(x, win, p.count_include_pad != 0, act);
    INFO("max=" << is_max << " c=" << c << " h=" << h << " w=" << w
                << " k=" << kh << "x" << kw << " cb=" << cb);
    Int8Net net(cb);
    const small_tensor t = net.input(x);
    small_tensor y = -1;
    net.check(small_network_add_pool2d_int8(net.get(), t, &p, act, &y), y);
    require_equal(net.run(y, want.data.size()), want);
  }
}

TEST_CASE("int8 mean over H x W matches the reference",
          "[int8][layers][pool][global]") {
  Rand r(606);
  for (int i = 0; i < 60; ++i) {
    const bool single = i % 2 == 1;
    const size_t cb = r.pick(kBlocks);
    const ref8::QTensor x = r.tensor(r.range(1, 2), r.pick<int>({1, 9, 16, 40}),
                                     r.range(1, 9), r.range(1, 9), r.quant());
    const small_quant out_q =
        r.range(0, 2) == 0 ? x.q
                           : small_quant{x.q.scale * r.log_uniform(0.3f, 3.0f),
                                         r.range(-128, 127)};
    const ref8::QTensor want = ref8::mean_hw(x, out_q, single);
    Int8Net net(cb, single);
    const small_tensor t = net.input(x);
    small_tensor y = -1;
    net.check(small_network_add_global_avgpool_int8(net.get(), t, out_q, &y),
              y);
    require_equal(net.run(y, want.data.size()), want);
  }
}

TEST_CASE("int8 Add matches the reference", "[int8][layers][add]") {
  Rand r(707);
  for (int i = 0; i < 80; ++i) {
    const bool single = i % 2 == 1;
    const size_t cb = r.pick(kBlocks);
    const int n = r.range(1, 2), c = r.pick<int>({1, 5, 16, 19}),
              h = r.range(1, 6), w = r.range(1, 6);
    const ref8::QTensor a = r.tensor(n, c, h, w, r.quant());
    const ref8::QTensor b = r.tensor(n, c, h, w, r.quant());
    const small_quant out_q{std::max(a.q.scale, b.q.scale) *
                                r.log_uniform(0.5f, 4.0f),
                            r.range(-128, 127)};
    const small_activation act = r.activation();
    const ref8::QTensor want = ref8::add(a, b, out_q, act, single);
    Int8Net net(cb, single);
    const small_tensor ta = net.input(a);
    const small_tensor tb = net.input(b);
    small_tensor y = -1;
    net.check(small_network_add_add_int8(net.get(), ta, tb, act, out_q, &y), y);
    require_equal(net.run(y, want.data.size()), want);
  }
}

TEST_CASE("int8 Concat rescales inputs with another quantization",
          "[int8][layers][concat]") {
  Rand r(808);
  for (int i = 0; i < 60; ++i) {
    const bool single = i % 2 == 1;
    const size_t cb = r.pick(kBlocks);
    const int n = r.range(1, 2), h = r.range(1, 5), w = r.range(1, 5);
    const small_quant out_q = r.quant();
    std::vector<ref8::QTensor> parts;
    const int count = r.range(1, 4);
    for (int k = 0; k < count; ++k) {
      parts.push_back(r.tensor(n, r.pick<int>({1, 3, 8, 13}), h, w,
                               r.range(0, 2) == 0 ? out_q : r.quant()));
    }
    const ref8::QTensor want = ref8::concat(parts, out_q, single);
    Int8Net net(cb, single);
    std::vector<small_tensor> ids;
    for (const ref8::QTensor &p : parts) {
      ids.push_back(net.input(p));
    }
    small_tensor y = -1;
    net.check(small_network_add_concat_int8(net.get(), ids.data(), ids.size(),
                                            out_q, &y),
              y);
    require_equal(net.run(y, want.data.size()), want);
  }
}

TEST_CASE("int8 Softmax matches the reference (TFLite Micro's fixed point)",
          "[int8][layers][softmax]") {
  Rand r(909);
  const small_quant out_q{1.0f / 256, -128};
  for (int i = 0; i < 80; ++i) {
    const bool single = i % 2 == 1;
    const size_t cb = r.pick(kBlocks);
    const small_quant in_q{r.log_uniform(0.01f, 0.5f), r.range(-128, 127)};
    const ref8::QTensor x =
        r.tensor(1, r.range(1, 40), r.range(1, 3), r.range(1, 3), in_q);
    const float beta = r.pick<float>({1.0f, 1.0f, 0.5f, 2.0f});
    const ref8::QTensor want = ref8::softmax(x, beta, single);
    Int8Net net(cb, single);
    const small_tensor t = net.input(x);
    small_tensor y = -1;
    net.check(small_network_add_softmax_int8(net.get(), t, beta, out_q, &y), y);
    require_equal(net.run(y, want.data.size()), want);
  }
}

TEST_CASE("int8 Quantize (int8 -> int8), Reshape and Flatten match the "
          "reference",
          "[int8][layers][quantize]") {
  Rand r(1010);
  for (int i = 0; i < 40; ++i) {
    const bool single = i % 2 == 1;
    const size_t cb = r.pick(kBlocks);
    const ref8::QTensor x =
        r.tensor(1, r.pick<int>({2, 6, 17}), 2, 3, r.quant());
    const small_quant out_q = r.quant();
    ref8::QTensor want = ref8::requantize(x, out_q, single);
    Int8Net net(cb, single);
    const small_tensor t = net.input(x);
    small_tensor q = -1, f = -1, y = -1;
    net.check(small_network_add_quantize(net.get(), t, out_q, &q), q);
    net.check(small_network_add_reshape(net.get(), q, 3,
                                        static_cast<uint32_t>(x.c), 2, &f),
              f);
    net.check(small_network_add_flatten(net.get(), f, &y), y);
    small_dtype dtype = SMALL_DTYPE_FLOAT32;
    small_quant got_q{};
    REQUIRE(small_network_tensor_type(net.get(), y, &dtype, &got_q) ==
            SMALL_OK);
    CHECK(dtype == SMALL_DTYPE_INT8);
    CHECK(got_q.scale == out_q.scale);
    CHECK(got_q.zero_point == out_q.zero_point);
    // Flatten and reshape keep NCHW element order: the data is unchanged.
    require_equal(net.run(y, want.data.size()), want);
  }
}

TEST_CASE("Float buffers on an int8 network are quantized and dequantized "
          "at the boundary; Quantize/Dequantize layers likewise",
          "[int8][layers][quantize]") {
  Rand r(1111);
  for (small_layout layout : {SMALL_LAYOUT_NCHW, SMALL_LAYOUT_NHWC}) {
    const small_quant q{0.25f, 3};
    ref::Tensor x(1, 5, 3, 4);
    for (float &v : x.data) {
      v = r.log_uniform(0.01f, 40.0f) * (r.range(0, 1) ? 1.0f : -1.0f);
    }
    x.data[0] = -1.125f; // -4.5 steps: away from zero, -5 + 3 = -2
    x.data[1] = 1.125f;  // 4.5 steps: 5 + 3 = 8
    const ref8::QTensor qx = ref8::quantize(x, q);
    const ref::Tensor want = ref8::dequantize(qx);

    // (1) An int8 input and output run with float buffers.
    small_network *net = nullptr;
    REQUIRE(small_network_create(&net) == SMALL_OK);
    small_tensor in = -1, y = -1;
    REQUIRE(small_network_add_input_int8(net, 1, 5, 3, 4, q, &in) == SMALL_OK);
    small_pool2d_params p;
    small_pool2d_params_init(&p); // 1x1 max pool: the identity
    p.kernel_h = p.kernel_w = 1;
    REQUIRE(small_network_add_pool2d_int8(net, in, &p,
                                          small_activation_make(SMALL_ACT_NONE),
                                          &y) == SMALL_OK);
    REQUIRE(small_network_mark_output(net, y) == SMALL_OK);
    REQUIRE(small_network_finalize(net) == SMALL_OK);
    const std::vector<float> src =
        layout == SMALL_LAYOUT_NCHW ? x.data : ref::to_nhwc(x);
    std::vector<float> out(src.size());
    const float *ins[1] = {src.data()};
    float *outs[1] = {out.data()};
    REQUIRE(small_network_run(net, ins, 1, outs, 1, layout) == SMALL_OK);
    const std::vector<float> want_buffer =
        layout == SMALL_LAYOUT_NCHW ? want.data : ref::to_nhwc(want);
    CHECK(out == want_buffer);
    small_network_destroy(net);

    // (2) A float network with Quantize and Dequantize layers.
    REQUIRE(small_network_create(&net) == SMALL_OK);
    REQUIRE(small_network_add_input(net, 1, 5, 3, 4, &in) == SMALL_OK);
    small_tensor qt = -1;
    REQUIRE(small_network_add_quantize(net, in, q, &qt) == SMALL_OK);
    REQUIRE(small_network_add_dequantize(net, qt, &y) == SMALL_OK);
    REQUIRE(small_network_mark_output(net, y) == SMALL_OK);
    REQUIRE(small_network_finalize(net) == SMALL_OK);
    REQUIRE(small_network_run(net, ins, 1, outs, 1, layout) == SMALL_OK);
    CHECK(out == want_buffer);
    small_network_destroy(net);
  }
}

TEST_CASE("int8 Softmax over many tied channels (reciprocal shift past 31)",
          "[int8][layers][softmax]") {
  // 1000 equal logits: each probability 1/1000 is 0.256 steps of 1/256,
  // which rounds to 0, i.e. -128.
  const small_quant out_q{1.0f / 256, -128};
  ref8::QTensor x(1, 1000, 1, 1, small_quant{0.1f, 0});
  for (int8_t &v : x.data) {
    v = 17;
  }
  for (bool single : {false, true}) {
    const ref8::QTensor want = ref8::softmax(x, 1.0f, single);
    CHECK(want.data[0] == -128);
    Int8Net net(0, single);
    const small_tensor t = net.input(x);
    small_tensor y = -1;
    net.check(small_network_add_softmax_int8(net.get(), t, 1.0f, out_q, &y), y);
    require_equal(net.run(y, want.data.size()), want);
  }
}

TEST_CASE("A random int8 network matches the composed reference",
          "[int8][layers][network]") {
  // input -> conv 3x3 SAME + ReLU -> depthwise 3x3 stride 2 -> conv 1x1
  // -> add (residual from a strided 1x1 conv of the first output) ->
  // average pool 2x2 -> mean -> dense -> softmax, every tensor with its own
  // quantization.
  Rand r(1212);
  for (int round = 0; round < 12; ++round) {
    const bool single = round % 2 == 1;
    const size_t cb = r.pick(kBlocks);
    const int c0 = r.pick<int>({1, 3}), c1 = r.pick<int>({8, 12, 16});
    const int h = r.range(6, 12), w = r.range(6, 12), classes = 10;
    const ref8::QTensor x = r.tensor(1, c0, h, w, r.quant());
    auto scales = [&](int n) {
      std::vector<float> s(n);
      for (float &v : s) {
        v = r.log_uniform(0.002f, 0.02f);
      }
      return s;
    };
    auto out_quant = [&](const small_quant &in, float ws, int fan_in) {
      return small_quant{output_scale(r, in, ws, fan_in), r.range(-100, 100)};
    };
    ref::Window same3;
    same3.kernel_h = same3.kernel_w = 3;
    same3.pad_top = same3.pad_bottom = same3.pad_left = same3.pad_right = 1;
    ref::Window dw_win = same3;
    dw_win.stride_h = dw_win.stride_w = 2;
    ref::Window one;
    ref::Window one_s2;
    one_s2.stride_h = one_s2.stride_w = 2;
    const small_activation relu = small_activation_make(SMALL_ACT_RELU);
    const small_activation none = small_activation_make(SMALL_ACT_NONE);

    const std::vector<int8_t> w1 = r.weights(size_t(c1) * c0 * 9);
    const std::vector<float> s1 = scales(c1);
    const small_quant q1 = out_quant(x.q, s1[0], c0 * 9);
    const ref8::QTensor a =
        ref8::conv2d(x, w1, s1, {}, c1, same3, 1, q1, relu, single);
    const std::vector<int8_t> w2 = r.weights(size_t(c1) * 9);
    const std::vector<float> s2 = scales(c1);
    const small_quant q2 = out_quant(q1, s2[0], 9);
    const ref8::QTensor b =
        ref8::conv2d(a, w2, s2, {}, c1, dw_win, c1, q2, none, single);
    const std::vector<int8_t> w3 = r.weights(size_t(c1) * c1);
    const std::vector<float> s3 = scales(c1);
    const small_quant q3 = out_quant(q2, s3[0], c1);
    const ref8::QTensor c =
        ref8::conv2d(b, w3, s3, {}, c1, one, 1, q3, none, single);
    const std::vector<int8_t> w4 = r.weights(size_t(c1) * c1);
    const std::vector<float> s4 = scales(1);
    const small_quant q4 = out_quant(q1, s4[0], c1);
    const ref8::QTensor skip =
        ref8::conv2d(a, w4, std::vector<float>(c1, s4[0]), {}, c1, one_s2, 1,
                     q4, none, single);
    const small_quant qs{std::max(q3.scale, q4.scale) * 1.5f, r.range(-50, 50)};
    const ref8::QTensor sum = ref8::add(c, skip, qs, relu, single);
    ref::Window pool2;
    pool2.kernel_h = pool2.kernel_w = 2;
    pool2.stride_h = pool2.stride_w = 2;
    const ref8::QTensor pooled = ref8::avg_pool(sum, pool2, false, none);
    const small_quant qm{qs.scale * 0.7f, r.range(-50, 50)};
    const ref8::QTensor mean = ref8::mean_hw(pooled, qm, single);
    const std::vector<int8_t> w5 = r.weights(size_t(classes) * c1);
    const std::vector<float> s5 = scales(classes);
    const small_quant q5 = out_quant(qm, s5[0], c1);
    const ref8::QTensor logits =
        ref8::dense(mean, w5, s5, {}, classes, q5, none, single);
    const ref8::QTensor want = ref8::softmax(logits, 1.0f, single);
    // The chain must carry information to the end: the logits are not
    // saturated to one value.
    std::vector<int8_t> distinct = logits.data;
    std::sort(distinct.begin(), distinct.end());
    CHECK(std::unique(distinct.begin(), distinct.end()) - distinct.begin() >=
          3);

    INFO("round " << round << " cb " << cb << " c0 " << c0 << " c1 " << c1
                  << " h " << h << " w " << w);
    Int8Net net(cb, single);
    const small_tensor tx = net.input(x);
    small_conv2d_params p;
    small_conv2d_params_init(&p);
    p.out_channels = static_cast<uint32_t>(c1);
    p.kernel_h = p.kernel_w = 3;
    p.padding_mode = SMALL_PADDING_SAME;
    p.activation = relu;
    small_int8_weights wt{w1.data(), s1.data(), static_cast<uint32_t>(c1),
                          nullptr};
    small_tensor ta = -1, tb = -1, tc = -1, ts = -1, tsum = -1, tp = -1,
                 tm = -1, tl = -1, ty = -1;
    net.check(small_network_add_conv2d_int8(net.get(), tx, &p, &wt, q1, &ta),
              ta);
    p.groups = static_cast<uint32_t>(c1);
    p.stride_h = p.stride_w = 2;
    p.padding_mode = SMALL_PADDING_EXPLICIT;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    p.activation = none;
    wt = {w2.data(), s2.data(), static_cast<uint32_t>(c1), nullptr};
    net.check(small_network_add_conv2d_int8(net.get(), ta, &p, &wt, q2, &tb),
              tb);
    small_conv2d_params_init(&p);
    p.out_channels = static_cast<uint32_t>(c1);
    p.kernel_h = p.kernel_w = 1;
    wt = {w3.data(), s3.data(), static_cast<uint32_t>(c1), nullptr};
    net.check(small_network_add_conv2d_int8(net.get(), tb, &p, &wt, q3, &tc),
              tc);
    p.stride_h = p.stride_w = 2;
    wt = {w4.data(), s4.data(), 1, nullptr};
    net.check(small_network_add_conv2d_int8(net.get(), ta, &p, &wt, q4, &ts),
              ts);
    net.check(small_network_add_add_int8(net.get(), tc, ts, relu, qs, &tsum),
              tsum);
    small_pool2d_params pp;
    small_pool2d_params_init(&pp);
    pp.kind = SMALL_POOL_AVG;
    pp.kernel_h = pp.kernel_w = 2;
    pp.stride_h = pp.stride_w = 2;
    net.check(small_network_add_pool2d_int8(net.get(), tsum, &pp, none, &tp),
              tp);
    net.check(small_network_add_global_avgpool_int8(net.get(), tp, qm, &tm),
              tm);
    wt = {w5.data(), s5.data(), static_cast<uint32_t>(classes), nullptr};
    net.check(small_network_add_dense_int8(net.get(), tm, classes, &wt, none,
                                           q5, &tl),
              tl);
    net.check(small_network_add_softmax_int8(
                  net.get(), tl, 1.0f, small_quant{1.0f / 256, -128}, &ty),
              ty);
    require_equal(net.run(ty, want.data.size()), want);
    size_t arena = 0, bound = 0;
    REQUIRE(small_network_arena_size(net.get(), &arena) == SMALL_OK);
    REQUIRE(small_network_arena_lower_bound(net.get(), &bound) == SMALL_OK);
    CHECK(arena == bound);
  }
}
