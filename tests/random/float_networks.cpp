// Random float networks: Conv2D regular, grouped and depthwise (the geometry
// of shapes.h), with or without bias; Dense; max, average and global average
// pooling; Add; standalone activations; Softmax; Concat of two or three
// inputs; BatchNorm (standalone, or folded by the library into the
// Conv2D/Dense before it); Reshape and Flatten; every fused activation
// including Clip with min > max; a quantized detour (detour.h); NCHW and
// NHWC buffers; batches of 1 to 3; one or two inputs and outputs; the
// library's arena or a caller's; now and then a call small.h refuses, which
// must fail cleanly and leave the network usable. Each output is compared with
// reference64.cpp within the error bound of docs/numerics.md. Any refusal of a
// call small.h allows fails.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "random/detour.h"
#include "random/generator.h"
#include "random/reference64.h"
#include "random/shapes.h"
#include "small/small.h"

namespace rand_net {
namespace {

// A tensor of the network and its reference: `ref` for the first batch
// item, `rest` for the others (each item goes through the layers alone).
struct Built {
  small_tensor id;
  ref64::Tensor ref;
  std::vector<ref64::Tensor> rest;
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
  std::vector<float> values(size_t n, float scale, float offset) {
    std::vector<float> v(n);
    for (float &x : v) {
      x = offset + scale * rng_.uniform(-1.0f, 1.0f);
    }
    return v;
  }
  small_activation activation();
  bool add_layer();
  bool conv(bool fused_activation = true);
  bool dense(bool fused_activation = true);
  bool linear_then_batchnorm();
  bool pool();
  bool add();
  bool standalone_activation();
  bool softmax();
  bool batchnorm();
  bool concat();
  bool reshape();
  bool refused_on_purpose();
  bool detour();
  bool input(uint32_t n, uint32_t c, uint32_t h, uint32_t w,
             std::vector<float> &data);
  bool describe_fusion();
  bool compare(const Built &out, const std::vector<float> &got, bool nhwc);
  bool compare_item(small_tensor id, size_t item, const ref64::Tensor &r,
                    const float *got, bool nhwc);
  // Adds the layer output `id` whose reference is f applied to every batch
  // item of x (push) or of a and b (push2).
  template <typename F> void push(small_tensor id, const Built &x, F f) {
    Built y{id, f(x.ref), {}};
    for (const ref64::Tensor &t : x.rest) {
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
  std::vector<Built> tensors_;
  std::vector<unsigned char> arena_; // a caller's arena, when used
};

small_activation Case::activation() {
  const small_activation_kind kinds[] = {
      SMALL_ACT_NONE,    SMALL_ACT_NONE,       SMALL_ACT_RELU,
      SMALL_ACT_RELU6,   SMALL_ACT_CLIP,       SMALL_ACT_LEAKY_RELU,
      SMALL_ACT_SIGMOID, SMALL_ACT_HARD_SWISH, SMALL_ACT_HARD_SIGMOID};
  small_activation a = small_activation_make(kinds[rng_.range(0, 8)]);
  if (a.kind == SMALL_ACT_HARD_SIGMOID) {
    a.alpha = rng_.uniform(-0.5f, 0.5f);
    a.beta = rng_.uniform(0.0f, 1.0f);
  }
  if (a.kind == SMALL_ACT_CLIP) {
    // Finite bounds (min > max now and then), or a side left open (the
    // -inf / +inf of small_activation_make).
    const float min = rng_.uniform(-2.0f, 1.0f);
    const float max = rng_.uniform(-1.0f, 2.0f);
    const uint32_t open = rng_.range(0, 5);
    a.min = open == 0 ? a.min : min;
    a.max = open == 1 ? a.max : max;
  }
  if (a.kind == SMALL_ACT_LEAKY_RELU) {
    a.alpha = rng_.uniform(-0.5f, 1.5f);
  }
  return a;
}

bool Case::conv(bool fused_activation) {
  const Built &x = tensors_.back();
  ConvDraw d;
  if (!draw_conv(rng_, limits_, static_cast<uint32_t>(x.ref.c),
                 static_cast<uint32_t>(x.ref.h), static_cast<uint32_t>(x.ref.w),
                 d)) {
    return true; // too small an input for this filter: pick another layer
  }
  const small_conv2d_params &p = d.api;
  d.api.activation = d.ref.activation =
      fused_activation ? activation() : small_activation_make(SMALL_ACT_NONE);
  const size_t in_per_group = x.ref.c / p.groups;
  const size_t fan_in = in_per_group * p.kernel_h * p.kernel_w;
  const std::vector<float> w =
      values(p.out_channels * fan_in, 1.0f / std::sqrt(float(fan_in)), 0.0f);
  // No bias (NULL) now and then: zeros for the reference.
  const bool no_bias = rng_.chance(0.2);
  const std::vector<float> b = no_bias
                                   ? std::vector<float>(p.out_channels, 0.0f)
                                   : values(p.out_channels, 0.5f, 0.0f);
  const std::vector<float> given =
      p.weight_layout == SMALL_WEIGHTS_HWIO ? to_hwio(w, p, in_per_group) : w;
  log_ << "  conv2d " << describe(d) << (no_bias ? " no bias" : "") << "\n";
  small_tensor out = -1;
  if (!ok(small_network_add_conv2d(net_, x.id, &p, given.data(),
                                   no_bias ? nullptr : b.data(), &out),
          "conv2d")) {
    return false;
  }
  push(out, x,
       [&](const ref64::Tensor &t) { return ref64::conv2d(t, d.ref, w, b); });
  return true;
}

bool Case::dense(bool fused_activation) {
  const Built &x = tensors_.back();
  if (x.ref.size() > 4096) {
    return true;
  }
  const uint32_t out_features = limits_.cap_channels(rng_.range(1, 20));
  const small_activation act =
      fused_activation ? activation() : small_activation_make(SMALL_ACT_NONE);
  const std::vector<float> w = values(
      out_features * x.ref.size(), 1.0f / std::sqrt(float(x.ref.size())), 0.0f);
  const bool no_bias = rng_.chance(0.2);
  const std::vector<float> b = no_bias ? std::vector<float>(out_features, 0.0f)
                                       : values(out_features, 0.5f, 0.0f);
  log_ << "  dense " << out_features << (no_bias ? " no bias" : "") << " act "
       << act.kind << "\n";
  small_tensor out = -1;
  if (!ok(small_network_add_dense(net_, x.id, out_features, w.data(),
                                  no_bias ? nullptr : b.data(), act, &out),
          "dense")) {
    return false;
  }
  push(out, x, [&](const ref64::Tensor &t) {
    return ref64::dense(t, out_features, w, b, act);
  });
  return true;
}

bool Case::pool() {
  const Built &x = tensors_.back();
  small_tensor out = -1;
  if (rng_.chance(0.25)) {
    log_ << "  global_avgpool\n";
    if (!ok(small_network_add_global_avgpool(net_, x.id, &out),
            "global_avgpool")) {
      return false;
    }
    push(out, x,
         [&](const ref64::Tensor &t) { return ref64::global_avgpool(t); });
    return true;
  }
  PoolDraw d;
  draw_pool(rng_, limits_, static_cast<uint32_t>(x.ref.h),
            static_cast<uint32_t>(x.ref.w), d);
  log_ << "  pool2d " << describe(d) << "\n";
  if (!ok(small_network_add_pool2d(net_, x.id, &d.api, &out), "pool2d")) {
    return false;
  }
  push(out, x, [&](const ref64::Tensor &t) { return ref64::pool2d(t, d.ref); });
  return true;
}

bool Case::add() {
  const Built &a = tensors_.back();
  std::vector<size_t> same;
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const ref64::Tensor &t = tensors_[i].ref;
    if (t.c == a.ref.c && t.h == a.ref.h && t.w == a.ref.w) {
      same.push_back(i); // the last one itself included: x + x
    }
  }
  const Built &b = tensors_[same[rng_.range(0, same.size() - 1)]];
  const small_activation act = activation();
  log_ << "  add (with tensor " << b.id << ") act " << act.kind << "\n";
  small_tensor out = -1;
  if (!ok(small_network_add_add(net_, a.id, b.id, act, &out), "add")) {
    return false;
  }
  push2(out, a, b, [&](const ref64::Tensor &t, const ref64::Tensor &u) {
    return ref64::add(t, u, act);
  });
  return true;
}

bool Case::standalone_activation() {
  const Built &x = tensors_.back();
  const small_activation act = activation();
  log_ << "  activation " << act.kind << " [" << act.min << ", " << act.max
       << "]\n";
  small_tensor out = -1;
  if (!ok(small_network_add_activation(net_, x.id, act, &out), "activation")) {
    return false;
  }
  push(out, x,
       [&](const ref64::Tensor &t) { return ref64::activation(t, act); });
  return true;
}

bool Case::batchnorm() {
  const Built &x = tensors_.back();
  const size_t c = x.ref.c;
  const std::vector<float> gamma = values(c, 1.0f, 0.0f);
  const std::vector<float> beta = values(c, 1.0f, 0.0f);
  const std::vector<float> mean = values(c, 1.0f, 0.0f);
  const std::vector<float> var = values(c, 0.5f, 1.0f); // in [0.5, 1.5]
  const float epsilon = rng_.chance(0.5) ? 1e-3f : 1e-5f;
  log_ << "  batchnorm" << (x.ref.linear.empty() ? "" : " (foldable)") << "\n";
  small_tensor out = -1;
  if (!ok(small_network_add_batchnorm(net_, x.id, gamma.data(), beta.data(),
                                      mean.data(), var.data(), epsilon, &out),
          "batchnorm")) {
    return false;
  }
  push(out, x, [&](const ref64::Tensor &t) {
    return ref64::batchnorm(t, gamma, beta, mean, var, epsilon);
  });
  return true;
}

// A Conv2D or Dense without activation, then one or two BatchNorms, which
// the library folds into it unless another layer or an output reads it.
bool Case::linear_then_batchnorm() {
  const size_t before = tensors_.size();
  if (!(rng_.chance(0.7) ? conv(false) : dense(false))) {
    return false;
  }
  if (tensors_.size() == before) {
    return true; // the input was too small for the drawn filter
  }
  return batchnorm() && (!rng_.chance(0.2) || batchnorm());
}

bool Case::softmax() {
  const Built &x = tensors_.back();
  log_ << "  softmax\n";
  small_tensor out = -1;
  if (!ok(small_network_add_softmax(net_, x.id, &out), "softmax")) {
    return false;
  }
  push(out, x, [&](const ref64::Tensor &t) { return ref64::softmax(t); });
  return true;
}

bool Case::concat() {
  const Built &a = tensors_.back();
  std::vector<size_t> same;
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const ref64::Tensor &t = tensors_[i].ref;
    if (t.h == a.ref.h && t.w == a.ref.w) {
      same.push_back(i);
    }
  }
  // Two or three inputs (the third a copy of the second: concat(a, b, b) is
  // concat(concat(a, b), b) for the reference).
  const Built &b = tensors_[same[rng_.range(0, same.size() - 1)]];
  const size_t count = rng_.chance(0.3) ? 3 : 2;
  log_ << "  concat (with tensor " << b.id << (count == 3 ? " twice" : "")
       << ")\n";
  const small_tensor inputs[3] = {a.id, b.id, b.id};
  small_tensor out = -1;
  if (!ok(small_network_add_concat(net_, inputs, count, &out), "concat")) {
    return false;
  }
  push2(out, a, b, [&](const ref64::Tensor &t, const ref64::Tensor &u) {
    const ref64::Tensor two = ref64::concat(t, u);
    return count == 3 ? ref64::concat(two, u) : two;
  });
  return true;
}

// Flatten, or a Reshape to (c, h, w) with c * h * w the same: c a random
// divisor of the size, h a random divisor of the rest.
bool Case::reshape() {
  const Built &x = tensors_.back();
  const uint32_t size = static_cast<uint32_t>(x.ref.size());
  small_tensor out = -1;
  if (rng_.chance(0.3)) {
    log_ << "  flatten\n";
    if (!ok(small_network_add_flatten(net_, x.id, &out), "flatten")) {
      return false;
    }
    push(out, x,
         [&](const ref64::Tensor &t) { return ref64::reshape(t, size, 1, 1); });
    return true;
  }
  uint32_t c = 0, h = 0, w = 0;
  draw_reshape(rng_, size, c, h, w);
  log_ << "  reshape to " << c << "x" << h << "x" << w << "\n";
  if (!ok(small_network_add_reshape(net_, x.id, c, h, w, &out), "reshape")) {
    return false;
  }
  push(out, x,
       [&](const ref64::Tensor &t) { return ref64::reshape(t, c, h, w); });
  return true;
}

// A call small.h refuses (a NaN Clip bound, a conv whose weights are NULL, a
// Reshape that changes the element count, a pooling pad as wide as the
// kernel, a conv pad past the input plus the window, a BatchNorm with var +
// eps <= 0):
// it must fail with its documented status and a message, and leave the
// network usable (the layers after it and the run are checked as usual).
bool Case::refused_on_purpose() {
  const Built &x = tensors_.back();
  small_tensor out = -1;
  small_status s, want;
  const uint32_t which = rng_.range(0, 5);
  if (which == 0) {
    small_activation nan_clip = small_activation_make(SMALL_ACT_CLIP);
    nan_clip.max = NAN;
    log_ << "  (refused: Clip with a NaN bound)\n";
    s = small_network_add_activation(net_, x.id, nan_clip, &out);
    want = SMALL_ERR_INVALID_ARGUMENT;
  } else if (which == 1) {
    small_conv2d_params p;
    small_conv2d_params_init(&p);
    p.out_channels = 2;
    p.kernel_h = p.kernel_w = 1;
    log_ << "  (refused: conv2d without weights)\n";
    s = small_network_add_conv2d(net_, x.id, &p, nullptr, nullptr, &out);
    want = SMALL_ERR_NULL_POINTER;
  } else if (which == 2) {
    log_ << "  (refused: reshape to one element more)\n";
    s = small_network_add_reshape(
        net_, x.id, static_cast<uint32_t>(x.ref.size()) + 1, 1, 1, &out);
    want = SMALL_ERR_SHAPE_MISMATCH;
  } else if (which == 4) {
    small_conv2d_params p;
    small_conv2d_params_init(&p);
    p.out_channels = 1;
    p.kernel_h = p.kernel_w = 1;
    p.pad_top = static_cast<uint32_t>(x.ref.h) + 2; // the limit is h + 1
    const std::vector<float> w(x.ref.c, 1.0f);
    log_ << "  (refused: conv2d with a pad past the input and window)\n";
    s = small_network_add_conv2d(net_, x.id, &p, w.data(), nullptr, &out);
    want = SMALL_ERR_UNSUPPORTED;
  } else if (which == 3) {
    small_pool2d_params p;
    small_pool2d_params_init(&p);
    p.kernel_h = p.kernel_w = 2;
    p.pad_left = 2;
    log_ << "  (refused: pooling with a pad as wide as the kernel)\n";
    s = small_network_add_pool2d(net_, x.id, &p, &out);
    want = SMALL_ERR_UNSUPPORTED;
  } else {
    const std::vector<float> ones(x.ref.c, 1.0f);
    const std::vector<float> negative(x.ref.c, -1.0f);
    log_ << "  (refused: batchnorm with var + eps < 0)\n";
    s = small_network_add_batchnorm(net_, x.id, ones.data(), ones.data(),
                                    ones.data(), negative.data(), 1e-3f, &out);
    want = SMALL_ERR_INVALID_ARGUMENT;
  }
  if (s != want || small_last_error()[0] == '\0') {
    log_ << "  an invalid call gave status " << s << " (message '"
         << small_last_error() << "'), expected " << want << "\n";
    return false;
  }
  return true;
}

// Quantize, maybe an int8 pooling, Dequantize (detour.h) after a tensor the
// test knows exactly; any other layer kind otherwise.
bool Case::detour() {
  const Built &x = tensors_.back();
  std::vector<const ref64::Tensor *> items = {&x.ref};
  for (const ref64::Tensor &t : x.rest) {
    items.push_back(&t);
  }
  for (const ref64::Tensor *t : items) {
    if (std::any_of(t->bound.begin(), t->bound.end(),
                    [](double b) { return b != 0.0; })) {
      return reshape();
    }
  }
  Built y{-1, {}, {}};
  std::vector<ref64::Tensor> out_items;
  if (!quantized_detour(rng_, limits_, net_, log_, x.id, items, y.id,
                        out_items)) {
    return false;
  }
  y.ref = out_items[0];
  y.rest.assign(out_items.begin() + 1, out_items.end());
  tensors_.push_back(std::move(y));
  return true;
}

bool Case::add_layer() {
  switch (rng_.range(0, 13)) {
  case 13:
    return detour();
  case 10:
    return batchnorm();
  case 11:
    return linear_then_batchnorm();
  case 12:
    return reshape();
  case 6:
    return softmax();
  case 7:
    return concat();
  case 8:
    return refused_on_purpose();
  case 0:
  case 1:
    return conv();
  case 2:
    return dense();
  case 3:
    return pool();
  case 4:
    return add();
  default:
    return standalone_activation();
  }
}

// Logs what finalize fused (BatchNorms folded into a Conv2D or Dense).
bool Case::describe_fusion() {
  size_t count = 0, folded = 0;
  if (!ok(small_network_layer_count(net_, &count), "layer_count")) {
    return false;
  }
  for (size_t i = 0; i < count; ++i) {
    small_layer_info info;
    if (!ok(small_network_layer_info(net_, i, &info), "layer_info")) {
      return false;
    }
    folded += info.fused_batchnorm;
  }
  log_ << "  finalized: " << count << " layers, " << folded
       << " with a folded batchnorm\n";
  return true;
}

bool Case::compare(const Built &out, const std::vector<float> &got, bool nhwc) {
  for (size_t item = 0; item <= out.rest.size(); ++item) {
    const ref64::Tensor &r = item == 0 ? out.ref : out.rest[item - 1];
    const float *item_got = got.data() + item * r.size();
    if (!compare_item(out.id, item, r, item_got, nhwc)) {
      return false;
    }
  }
  return true;
}

bool Case::compare_item(small_tensor id, size_t item, const ref64::Tensor &r,
                        const float *got, bool nhwc) {
  for (size_t c = 0; c < r.c; ++c) {
    for (size_t y = 0; y < r.h; ++y) {
      for (size_t x = 0; x < r.w; ++x) {
        const size_t i = r.at(c, y, x);
        const size_t g = nhwc ? (y * r.w + x) * r.c + c : i;
        const double error = std::fabs(double{got[g]} - r.value[i]);
        if (!(error <= r.bound[i])) {
          log_ << "  output tensor " << id << " (" << item << ", " << c << ", "
               << y << ", " << x << "): got " << got[g] << ", float64 "
               << r.value[i] << ", error " << error << " > bound " << r.bound[i]
               << "\n";
          return false;
        }
      }
    }
  }
  return true;
}

// Declares a network input of n items of (c, h, w) with random data (in
// NCHW order in `data`) and its reference.
bool Case::input(uint32_t n, uint32_t c, uint32_t h, uint32_t w,
                 std::vector<float> &data) {
  // Inputs sometimes with a large common offset (the hard case for sums).
  const float offset = rng_.chance(0.25) ? rng_.uniform(-50.0f, 50.0f) : 0.0f;
  data = values(size_t{n} * c * h * w, 1.0f, offset);
  log_ << "  float input " << n << "x" << c << "x" << h << "x" << w
       << " offset " << offset << "\n";
  small_tensor in = -1;
  if (!ok(small_network_add_input(net_, n, c, h, w, &in), "input")) {
    return false;
  }
  const size_t item = size_t{c} * h * w;
  const auto slice = [&](size_t i) {
    return std::vector<float>(data.begin() + i * item,
                              data.begin() + (i + 1) * item);
  };
  Built built{in, ref64::input(c, h, w, slice(0)), {}};
  for (uint32_t i = 1; i < n; ++i) {
    built.rest.push_back(ref64::input(c, h, w, slice(i)));
  }
  tensors_.push_back(std::move(built));
  return true;
}

bool Case::run() {
  // Mostly small maps (odd shapes, borders), now and then a large one where
  // long reductions (pooling, softmax) matter; now and then a batch of 2 or
  // 3, or a second input of the same shape (which Add and Concat may read).
  const uint32_t side = rng_.chance(0.05) ? 96 : 14;
  const uint32_t n =
      limits_.cap_batch(rng_.chance(0.15) ? rng_.range(2, 3) : 1);
  const uint32_t c = limits_.cap_channels(rng_.range(1, 20));
  const uint32_t h = limits_.cap_side(rng_.range(1, side));
  const uint32_t w = limits_.cap_side(rng_.range(1, side));
  const bool nhwc = rng_.chance(0.5);
  log_ << (nhwc ? "  NHWC buffers\n" : "  NCHW buffers\n");
  std::vector<std::vector<float>> data(rng_.chance(0.15) ? 2 : 1);
  for (std::vector<float> &d : data) {
    if (!input(n, c, h, w, d)) {
      return false;
    }
  }
  const size_t input_count = data.size();
  const uint32_t drawn = rng_.range(1, 6);
  const uint32_t layers = std::min(drawn, limits_.layers);
  for (uint32_t i = 0; i < layers; ++i) {
    if (!add_layer()) {
      return false;
    }
  }
  if (tensors_.size() == input_count && !standalone_activation()) {
    return false;
  }
  std::vector<const Built *> outputs = {&tensors_.back()};
  if (layers == drawn) { // a cut network has the cut layer's output only
    const Built &extra = tensors_[rng_.range(input_count, tensors_.size() - 1)];
    if (extra.id != tensors_.back().id && rng_.chance(0.3)) {
      outputs.push_back(&extra);
    }
  }
  for (const Built *o : outputs) {
    if (!ok(small_network_mark_output(net_, o->id), "mark_output")) {
      return false;
    }
  }
  if (!ok(small_network_finalize(net_), "finalize") || !describe_fusion() ||
      !use_caller_arena(rng_, net_, log_, arena_)) {
    return false;
  }
  const size_t item = size_t{c} * h * w, pixels = size_t{h} * w;
  std::vector<std::vector<float>> x(input_count);
  std::vector<const float *> in_ptrs;
  for (size_t k = 0; k < input_count; ++k) {
    x[k].resize(data[k].size());
    for (size_t i = 0; i < data[k].size(); ++i) {
      const size_t b = i / item, ch = i % item / pixels, p = i % pixels;
      x[k][nhwc ? b * item + p * c + ch : i] = data[k][i];
    }
    in_ptrs.push_back(x[k].data());
  }
  std::vector<std::vector<float>> got;
  std::vector<float *> out_ptrs;
  for (const Built *o : outputs) {
    got.emplace_back(o->ref.size() * n, NAN);
  }
  for (std::vector<float> &g : got) {
    out_ptrs.push_back(g.data());
  }
  if (!ok(small_network_run(net_, in_ptrs.data(), in_ptrs.size(),
                            out_ptrs.data(), out_ptrs.size(),
                            nhwc ? SMALL_LAYOUT_NHWC : SMALL_LAYOUT_NCHW),
          "run")) {
    return false;
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    if (!compare(*outputs[i], got[i], nhwc)) {
      return false;
    }
  }
  return true;
}

} // namespace

bool float_network(uint64_t seed, const Limits &limits,
                   std::ostringstream &log) {
  return Case(seed, limits, log).run();
}

} // namespace rand_net
