// Random int8 networks: int8 Conv2D (the geometry of shapes.h; per channel
// or per tensor weight scales; with or without bias), Dense, max and average
// pooling, global average pooling, Add, Concat of two or three inputs
// (copied or requantized), Quantize int8 -> int8, Reshape, Flatten and a
// final Softmax; fused quantized clamps (NONE, RELU, RELU6, CLIP, min > max
// included); both roundings; int8 buffers through small_network_run_int8,
// float buffers through small_network_run (quantized and dequantized by the
// library), or a float input with a Quantize layer and sometimes a
// Dequantize at the end; batches of 1 to 3; one or two inputs; NCHW and
// NHWC; the library's arena or a caller's; now and then a call small.h
// refuses. Every output must equal reference_int8.cpp bit for bit, except
// Softmax's (within 0.6 of an output step of float64 and the rounding of its
// exp sum, docs/numerics.md).
#include <cmath>
#include <string>
#include <vector>

#include "random/generator.h"
#include "random/int8_buffers.h"
#include "random/reference_int8.h"
#include "random/shapes.h"
#include "small/small.h"

namespace rand_net {
namespace {

// A tensor of the network and its reference: `ref` for the first batch
// item, `rest` for the others.
struct Built {
  small_tensor id;
  ref8::Tensor ref;
  std::vector<ref8::Tensor> rest;
};

enum class Feed {
  int8_buffers,  // int8 input, small_network_run_int8
  float_buffers, // int8 input, small_network_run quantizes the floats
  quantize_layer // float input, then small_network_add_quantize
};

class Case {
public:
  Case(uint64_t seed, const Limits &limits, std::ostringstream &log)
      : rng_(seed), limits_(limits), log_(log) {
    small_network_create(&net_);
  }
  ~Case() { small_network_destroy(net_); }
  Case(const Case &) = delete;
  Case &operator=(const Case &) = delete;

  bool run();

private:
  bool ok(small_status s, const char *what) {
    if (s != SMALL_OK) {
      log_ << "  refused: " << what << ": " << small_last_error() << "\n";
    }
    return s == SMALL_OK;
  }
  small_quant quant(float scale) {
    return {scale, static_cast<int32_t>(rng_.range(0, 120)) - 60};
  }
  small_activation clamp();
  ref8::Weights weights(size_t out, size_t fan_in);
  small_quant linear_output(const ref8::Tensor &x, const ref8::Weights &w,
                            size_t fan_in);
  bool add_layer();
  bool conv();
  bool dense();
  bool pool();
  bool global_avgpool();
  bool add();
  bool concat();
  bool requantize();
  bool reshape();
  bool softmax();
  bool refused_on_purpose();
  bool input(Feed feed, uint32_t batch, uint32_t c, uint32_t h, uint32_t w,
             std::vector<float> &real);
  bool compare(const Built &out, const std::vector<int32_t> &got);
  bool compare_item(small_tensor id, size_t item, const ref8::Tensor &r,
                    const int32_t *got);
  // Adds the layer output `id` whose reference is f applied to every batch
  // item of x (push) or of a and b (push2).
  template <typename F> void push(small_tensor id, const Built &x, F f) {
    Built y{id, f(x.ref), {}};
    for (const ref8::Tensor &t : x.rest) {
      y.rest.push_back(f(t));
    }
    tensors_.push_back(std::move(y));
  }
  template <typename F>
  void push2(small_tensor id, const Built &a, const Built &b, F f) {
    Built y{id, f(a.ref, b.ref), {}};
    for (size_t i = 0; i < a.rest.size(); ++i) {
      y.rest.push_back(f(a.rest[i], b.rest[i]));
    }
    tensors_.push_back(std::move(y));
  }

  Rng rng_;
  Limits limits_;
  std::ostringstream &log_;
  small_network *net_ = nullptr;
  small_rounding rounding_ = SMALL_ROUNDING_DOUBLE;
  std::vector<Built> tensors_;
  bool ended_ = false;               // after a Softmax
  std::vector<unsigned char> arena_; // a caller's arena, when used
};

small_activation Case::clamp() {
  const small_activation_kind kinds[] = {SMALL_ACT_NONE, SMALL_ACT_NONE,
                                         SMALL_ACT_RELU, SMALL_ACT_RELU6,
                                         SMALL_ACT_CLIP};
  small_activation a = small_activation_make(kinds[rng_.range(0, 4)]);
  if (a.kind == SMALL_ACT_CLIP && rng_.chance(0.8)) {
    a.min = rng_.uniform(-3.0f, 1.0f);
    a.max = rng_.uniform(-1.0f, 3.0f); // sometimes below min
  }
  return a;
}

ref8::Weights Case::weights(size_t out, size_t fan_in) {
  ref8::Weights w;
  w.values.resize(out * fan_in);
  for (int8_t &v : w.values) {
    v = static_cast<int8_t>(static_cast<int32_t>(rng_.range(0, 254)) - 127);
  }
  w.scales.resize(rng_.chance(0.5) ? out : 1);
  for (float &s : w.scales) {
    s = rng_.uniform(0.002f, 0.02f);
  }
  if (rng_.chance(0.7)) {
    w.bias.resize(out);
    for (int32_t &b : w.bias) {
      b = static_cast<int32_t>(rng_.range(0, 8000)) - 4000;
    }
  }
  return w;
}

// An output scale near the typical size of the result (a sum of fan_in
// products of about 60 * 64 steps with random signs), so that outputs use
// the int8 range and saturate only now and then.
small_quant Case::linear_output(const ref8::Tensor &x, const ref8::Weights &w,
                                size_t fan_in) {
  const double typical =
      std::sqrt(double(fan_in)) * 60.0 * 64.0 * x.quant.scale * w.scales[0];
  return quant(
      static_cast<float>(typical * 3.0 / 127.0 * rng_.uniform(0.5f, 2.0f)));
}

bool Case::conv() {
  const Built &x = tensors_.back();
  ConvDraw d;
  if (!draw_conv(rng_, limits_, static_cast<uint32_t>(x.ref.c),
                 static_cast<uint32_t>(x.ref.h), static_cast<uint32_t>(x.ref.w),
                 d)) {
    return true; // too small an input for this filter
  }
  const small_conv2d_params &p = d.api;
  d.api.activation = d.ref.activation = clamp();
  const size_t in_per_group = x.ref.c / p.groups;
  const size_t fan_in = in_per_group * p.kernel_h * p.kernel_w;
  const ref8::Weights w = weights(p.out_channels, fan_in);
  const small_quant out_q = linear_output(x.ref, w, fan_in);
  const std::vector<int8_t> given = p.weight_layout == SMALL_WEIGHTS_HWIO
                                        ? to_hwio(w.values, p, in_per_group)
                                        : w.values;
  const small_int8_weights api_w = {given.data(), w.scales.data(),
                                    static_cast<uint32_t>(w.scales.size()),
                                    w.bias.empty() ? nullptr : w.bias.data()};
  log_ << "  conv2d_int8 " << describe(d) << ", " << w.scales.size()
       << " scale(s), " << (w.bias.empty() ? "no " : "") << "bias, out "
       << out_q.scale << "/" << out_q.zero_point << "\n";
  small_tensor out = -1;
  if (!ok(small_network_add_conv2d_int8(net_, x.id, &p, &api_w, out_q, &out),
          "conv2d_int8")) {
    return false;
  }
  push(out, x, [&](const ref8::Tensor &t) {
    return ref8::conv2d(t, d.ref, w, out_q, rounding_);
  });
  return true;
}

bool Case::dense() {
  const Built &x = tensors_.back();
  if (x.ref.size() > 4096) {
    return true;
  }
  const uint32_t features = limits_.cap_channels(rng_.range(1, 20));
  const small_activation act = clamp();
  const ref8::Weights w = weights(features, x.ref.size());
  const small_quant out_q = linear_output(x.ref, w, x.ref.size());
  const small_int8_weights api_w = {w.values.data(), w.scales.data(),
                                    static_cast<uint32_t>(w.scales.size()),
                                    w.bias.empty() ? nullptr : w.bias.data()};
  log_ << "  dense_int8 " << features << ", " << w.scales.size()
       << " scale(s), " << (w.bias.empty() ? "no " : "") << "bias, out "
       << out_q.scale << "/" << out_q.zero_point << " act " << act.kind << "\n";
  small_tensor out = -1;
  if (!ok(small_network_add_dense_int8(net_, x.id, features, &api_w, act, out_q,
                                       &out),
          "dense_int8")) {
    return false;
  }
  push(out, x, [&](const ref8::Tensor &t) {
    return ref8::dense(t, features, w, act, out_q, rounding_);
  });
  return true;
}

bool Case::pool() {
  const Built &x = tensors_.back();
  PoolDraw d;
  draw_pool(rng_, limits_, static_cast<uint32_t>(x.ref.h),
            static_cast<uint32_t>(x.ref.w), d);
  const small_activation act = clamp();
  log_ << "  pool2d_int8 " << describe(d) << " act " << act.kind << "\n";
  small_tensor out = -1;
  if (!ok(small_network_add_pool2d_int8(net_, x.id, &d.api, act, &out),
          "pool2d_int8")) {
    return false;
  }
  push(out, x,
       [&](const ref8::Tensor &t) { return ref8::pool2d(t, d.ref, act); });
  return true;
}

bool Case::global_avgpool() {
  const Built &x = tensors_.back();
  const small_quant out_q = quant(x.ref.quant.scale * rng_.uniform(0.3f, 2.0f));
  log_ << "  global_avgpool_int8 out " << out_q.scale << "/" << out_q.zero_point
       << "\n";
  small_tensor out = -1;
  if (!ok(small_network_add_global_avgpool_int8(net_, x.id, out_q, &out),
          "global_avgpool_int8")) {
    return false;
  }
  push(out, x, [&](const ref8::Tensor &t) {
    return ref8::global_avgpool(t, out_q, rounding_);
  });
  return true;
}

bool Case::add() {
  const Built &a = tensors_.back();
  std::vector<size_t> same;
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const ref8::Tensor &t = tensors_[i].ref;
    if (t.c == a.ref.c && t.h == a.ref.h && t.w == a.ref.w) {
      same.push_back(i);
    }
  }
  const Built &b = tensors_[same[rng_.range(0, same.size() - 1)]];
  const float larger = std::max(a.ref.quant.scale, b.ref.quant.scale);
  const small_quant out_q = quant(larger * rng_.uniform(0.7f, 2.5f));
  const small_activation act = clamp();
  log_ << "  add_int8 (with tensor " << b.id << ") out " << out_q.scale << "/"
       << out_q.zero_point << " act " << act.kind << "\n";
  small_tensor out = -1;
  if (!ok(small_network_add_add_int8(net_, a.id, b.id, act, out_q, &out),
          "add_int8")) {
    return false;
  }
  push2(out, a, b, [&](const ref8::Tensor &t, const ref8::Tensor &u) {
    return ref8::add(t, u, act, out_q, rounding_);
  });
  return true;
}

bool Case::concat() {
  const Built &a = tensors_.back();
  std::vector<size_t> same;
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const ref8::Tensor &t = tensors_[i].ref;
    if (t.h == a.ref.h && t.w == a.ref.w) {
      same.push_back(i);
    }
  }
  const Built &b = tensors_[same[rng_.range(0, same.size() - 1)]];
  // Often the first input's quantization (copied), else a new one.
  const small_quant out_q =
      rng_.chance(0.5) ? a.ref.quant
                       : quant(a.ref.quant.scale * rng_.uniform(0.5f, 2.0f));
  // Two or three inputs (concat(a, b, b) is concat(concat(a, b), b) for the
  // reference: each input is requantized alone).
  const size_t count = rng_.chance(0.3) ? 3 : 2;
  log_ << "  concat_int8 (with tensor " << b.id << (count == 3 ? " twice" : "")
       << ") out " << out_q.scale << "/" << out_q.zero_point << "\n";
  const small_tensor inputs[3] = {a.id, b.id, b.id};
  small_tensor out = -1;
  if (!ok(small_network_add_concat_int8(net_, inputs, count, out_q, &out),
          "concat_int8")) {
    return false;
  }
  push2(out, a, b, [&](const ref8::Tensor &t, const ref8::Tensor &u) {
    const ref8::Tensor two = ref8::concat(t, u, out_q, rounding_);
    return count == 3 ? ref8::concat(two, u, out_q, rounding_) : two;
  });
  return true;
}

bool Case::requantize() {
  const Built &x = tensors_.back();
  const small_quant out_q = quant(x.ref.quant.scale * rng_.uniform(0.3f, 3.0f));
  log_ << "  quantize int8 -> int8 " << out_q.scale << "/" << out_q.zero_point
       << "\n";
  small_tensor out = -1;
  if (!ok(small_network_add_quantize(net_, x.id, out_q, &out), "quantize")) {
    return false;
  }
  push(out, x, [&](const ref8::Tensor &t) {
    return ref8::requantize(t, out_q, rounding_);
  });
  return true;
}

bool Case::reshape() {
  const Built &x = tensors_.back();
  const uint32_t size = static_cast<uint32_t>(x.ref.size());
  small_tensor out = -1;
  if (rng_.chance(0.4)) {
    log_ << "  flatten\n";
    if (!ok(small_network_add_flatten(net_, x.id, &out), "flatten")) {
      return false;
    }
    push(out, x,
         [&](const ref8::Tensor &t) { return ref8::reshape(t, size, 1, 1); });
    return true;
  }
  uint32_t c = 0, h = 0, w = 0;
  draw_reshape(rng_, size, c, h, w);
  log_ << "  reshape to " << c << "x" << h << "x" << w << "\n";
  if (!ok(small_network_add_reshape(net_, x.id, c, h, w, &out), "reshape")) {
    return false;
  }
  push(out, x,
       [&](const ref8::Tensor &t) { return ref8::reshape(t, c, h, w); });
  return true;
}

// The last layer: int8 Softmax (output 1/256, -128 as TFLite requires).
bool Case::softmax() {
  const Built &x = tensors_.back();
  if (x.ref.c >= 4096) {
    // Excluded: TFLite sums the exps in Q12.19, which wraps once the sum
    // reaches 2^12 (4096 channels near the maximum), and the library wraps
    // as TFLite does; the result then has nothing to do with the float
    // softmax this test holds it to (docs/numerics.md).
    return true;
  }
  const float beta = rng_.uniform(0.5f, 2.0f);
  log_ << "  softmax_int8 beta " << beta << "\n";
  small_tensor out = -1;
  if (!ok(small_network_add_softmax_int8(net_, x.id, beta, {1.0f / 256, -128},
                                         &out),
          "softmax_int8")) {
    return false;
  }
  push(out, x, [&](const ref8::Tensor &t) { return ref8::softmax(t, beta); });
  ended_ = true;
  return true;
}

// A call small.h refuses: an int8 layer with an activation other than a
// clamp (UNSUPPORTED), a float layer on an int8 tensor (INVALID_ARGUMENT),
// a Softmax whose output is not (1/256, -128) (UNSUPPORTED), a pooling pad
// as wide as the kernel (UNSUPPORTED).
bool Case::refused_on_purpose() {
  const Built &x = tensors_.back();
  small_tensor out = -1;
  small_status s, want;
  const uint32_t which = rng_.range(0, 3);
  if (which == 0) {
    small_pool2d_params p;
    small_pool2d_params_init(&p);
    p.kernel_h = p.kernel_w = 1;
    log_ << "  (refused: int8 pooling with a fused sigmoid)\n";
    s = small_network_add_pool2d_int8(
        net_, x.id, &p, small_activation_make(SMALL_ACT_SIGMOID), &out);
    want = SMALL_ERR_UNSUPPORTED;
  } else if (which == 3) {
    small_pool2d_params p;
    small_pool2d_params_init(&p);
    p.kernel_h = p.kernel_w = 3;
    p.pad_bottom = 3;
    log_ << "  (refused: int8 pooling with a pad as wide as the kernel)\n";
    s = small_network_add_pool2d_int8(
        net_, x.id, &p, small_activation_make(SMALL_ACT_NONE), &out);
    want = SMALL_ERR_UNSUPPORTED;
  } else if (which == 1) {
    log_ << "  (refused: a float activation on an int8 tensor)\n";
    s = small_network_add_activation(
        net_, x.id, small_activation_make(SMALL_ACT_RELU), &out);
    want = SMALL_ERR_INVALID_ARGUMENT;
  } else {
    log_ << "  (refused: int8 softmax with output zero point 0)\n";
    s = small_network_add_softmax_int8(net_, x.id, 1.0f, {1.0f / 256, 0}, &out);
    want = SMALL_ERR_UNSUPPORTED;
  }
  if (s != want || small_last_error()[0] == '\0') {
    log_ << "  an invalid call gave status " << s << " (message '"
         << small_last_error() << "'), expected " << want << "\n";
    return false;
  }
  return true;
}

bool Case::add_layer() {
  switch (rng_.range(0, 11)) {
  case 0:
  case 1:
    return conv();
  case 2:
    return dense();
  case 3:
    return pool();
  case 4:
    return global_avgpool();
  case 5:
    return add();
  case 6:
    return concat();
  case 7:
    return requantize();
  case 8:
    return reshape();
  case 9:
    return refused_on_purpose();
  case 10:
    return softmax();
  default:
    return rng_.chance(0.5) ? conv() : pool();
  }
}

// got: the output as int8 values (recovered exactly from a float buffer).
bool Case::compare(const Built &out, const std::vector<int32_t> &got) {
  for (size_t item = 0; item <= out.rest.size(); ++item) {
    const ref8::Tensor &r = item == 0 ? out.ref : out.rest[item - 1];
    if (!compare_item(out.id, item, r, got.data() + item * r.size())) {
      return false;
    }
  }
  return true;
}

bool Case::compare_item(small_tensor id, size_t item, const ref8::Tensor &r,
                        const int32_t *got) {
  for (size_t i = 0; i < r.size(); ++i) {
    bool right = got[i] == r.q[i];
    double want = r.q[i];
    if (!r.probability.empty()) {
      // TFLite's fixed-point softmax (docs/numerics.md): the output rounds
      // 256 p - 128 to nearest (0.5 step); each of the C exps enters the
      // Q12.19 sum rounded by up to 2^-20, which moves p by up to
      // p C 2^-20 (the sum is at least 1); exp and reciprocal stay under
      // 0.1 step; 127 caps p = 1.
      const double p = r.probability[i];
      want = std::min(127.0, 256.0 * p - 128.0);
      const double sum_rounding = 256.0 * p * double(r.c) / (1 << 20);
      right = std::fabs(got[i] - want) <= 0.6 + sum_rounding;
    }
    if (!right) {
      log_ << "  output tensor " << id << " item " << item << " element " << i
           << " (NCHW): got " << got[i] << ", reference " << want << "\n";
      return false;
    }
  }
  return true;
}

// Declares an input of `batch` items of (c, h, w) with its own quantization:
// an int8 input, or for Feed::quantize_layer a float one and a Quantize. Its
// data as real numbers (in NCHW order) go to `real`: for float buffers, a
// little beyond the int8 range now and then, where quantization saturates.
bool Case::input(Feed feed, uint32_t batch, uint32_t c, uint32_t h, uint32_t w,
                 std::vector<float> &real) {
  const small_quant in_q = quant(rng_.uniform(0.01f, 0.1f));
  const size_t item = size_t{c} * h * w;
  real.resize(item * batch);
  for (float &v : real) {
    v = in_q.scale *
        (rng_.uniform(-140.0f, 140.0f) - static_cast<float>(in_q.zero_point));
  }
  log_ << "  int8 input " << batch << "x" << c << "x" << h << "x" << w
       << " quant " << in_q.scale << "/" << in_q.zero_point << "\n";
  small_tensor in = -1;
  if (feed == Feed::quantize_layer) {
    small_tensor float_in = -1;
    if (!ok(small_network_add_input(net_, batch, c, h, w, &float_in),
            "input") ||
        !ok(small_network_add_quantize(net_, float_in, in_q, &in),
            "quantize")) {
      return false;
    }
  } else if (!ok(small_network_add_input_int8(net_, batch, c, h, w, in_q, &in),
                 "input_int8")) {
    return false;
  }
  const auto item_ref = [&](size_t i) {
    return ref8::quantize(c, h, w,
                          std::vector<float>(real.begin() + i * item,
                                             real.begin() + (i + 1) * item),
                          in_q);
  };
  Built built{in, item_ref(0), {}};
  for (uint32_t i = 1; i < batch; ++i) {
    built.rest.push_back(item_ref(i));
  }
  tensors_.push_back(std::move(built));
  return true;
}

bool Case::run() {
  const uint32_t rounding = rng_.range(0, 2);
  if (rounding != 0) { // 0: the default (double rounding), never set
    rounding_ = rounding == 1 ? SMALL_ROUNDING_DOUBLE : SMALL_ROUNDING_SINGLE;
    if (!ok(small_network_set_rounding(net_, rounding_), "set_rounding")) {
      return false;
    }
  }
  const uint32_t side = rng_.chance(0.05) ? 64 : 14;
  const uint32_t batch =
      limits_.cap_batch(rng_.chance(0.15) ? rng_.range(2, 3) : 1);
  const uint32_t c = limits_.cap_channels(rng_.range(1, 20));
  const uint32_t h = limits_.cap_side(rng_.range(1, side));
  const uint32_t w = limits_.cap_side(rng_.range(1, side));
  const Feed feed = static_cast<Feed>(rng_.range(0, 2));
  const bool nhwc = rng_.chance(0.5);
  const char *feeds[] = {"int8 buffers", "float buffers", "quantize layer"};
  log_ << "  " << feeds[int(feed)] << (nhwc ? ", NHWC" : ", NCHW")
       << ", rounding "
       << (rounding_ == SMALL_ROUNDING_SINGLE ? "single" : "double") << "\n";
  // One input, or now and then a second of the same shape (which Add and
  // Concat may read).
  std::vector<std::vector<float>> real(rng_.chance(0.15) ? 2 : 1);
  for (std::vector<float> &r : real) {
    if (!input(feed, batch, c, h, w, r)) {
      return false;
    }
  }
  const size_t input_count = real.size();
  const uint32_t drawn = rng_.range(1, 6);
  const uint32_t layers = std::min(drawn, limits_.layers);
  for (uint32_t i = 0; i < layers && !ended_; ++i) {
    if (!add_layer()) {
      return false;
    }
  }
  if (tensors_.size() == input_count && !pool()) { // at least one layer
    return false;
  }
  std::vector<Built> outputs = {tensors_.back()};
  if (layers == drawn) {
    const Built &extra = tensors_[rng_.range(input_count, tensors_.size() - 1)];
    if (extra.id != tensors_.back().id && rng_.chance(0.3)) {
      outputs.push_back(extra);
    }
  }
  if (feed == Feed::quantize_layer && rng_.chance(0.5)) {
    small_tensor deq = -1;
    log_ << "  dequantize\n";
    if (!ok(small_network_add_dequantize(net_, outputs[0].id, &deq),
            "dequantize")) {
      return false;
    }
    outputs[0].id = deq;
  }
  for (const Built &o : outputs) {
    if (!ok(small_network_mark_output(net_, o.id), "mark_output")) {
      return false;
    }
  }
  if (!ok(small_network_finalize(net_), "finalize") ||
      !use_caller_arena(rng_, net_, log_, arena_)) {
    return false;
  }
  const auto shape = [](const ref8::Tensor &t) {
    return ItemShape{t.c, t.h, t.w, t.quant};
  };
  std::vector<ItemShape> out_shapes;
  for (const Built &o : outputs) {
    out_shapes.push_back(shape(o.ref));
  }
  std::vector<std::vector<int32_t>> got;
  if (feed == Feed::int8_buffers) {
    std::vector<std::vector<int32_t>> q(input_count); // NCHW, all items
    for (size_t k = 0; k < input_count; ++k) {
      for (uint32_t b = 0; b < batch; ++b) {
        const Built &in = tensors_[k];
        const ref8::Tensor &t = b == 0 ? in.ref : in.rest[b - 1];
        q[k].insert(q[k].end(), t.q.begin(), t.q.end());
      }
    }
    if (!run_with_int8_buffers(net_, nhwc, batch, shape(tensors_[0].ref), q,
                               out_shapes, got, log_)) {
      return false;
    }
  } else if (!run_with_float_buffers(net_, nhwc, batch, shape(tensors_[0].ref),
                                     real, out_shapes, got, log_)) {
    return false;
  }
  for (size_t k = 0; k < outputs.size(); ++k) {
    if (!compare(outputs[k], got[k])) {
      return false;
    }
  }
  return true;
}

} // namespace

bool int8_network(uint64_t seed, const Limits &limits,
                  std::ostringstream &log) {
  return Case(seed, limits, log).run();
}

} // namespace rand_net
