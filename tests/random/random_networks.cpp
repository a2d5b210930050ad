// The randomized differential test: random networks built only through the
// C API (Conv2D regular/grouped/depthwise with strides, dilations and
// padding, Dense, max/average pooling, global average pooling, Add,
// standalone activations, Softmax, Concat, standalone BatchNorm; every fused
// activation including Clip with min > max; NCHW and NHWC buffers; one or two
// outputs; now and then a call small.h refuses, which must fail cleanly and
// leave the network usable), each compared with the float64 reference of
// reference64.cpp within the error bound of docs/numerics.md. Any refusal of a
// layer small.h allows is a failure.
//
//   small_random_networks [--count N] [--seed S] [--first I] [--layers L]
//                         [--verbose]
//
// Network i of a run depends only on (seed, i): a failure prints its
// description and the command that replays it alone. It is then shrunk: the
// same network cut after its first L layers (the same draws, the L-th
// layer's output the only output) for L = 1, 2, ...; the shortest that still
// fails is reported with its replay command (--layers L).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "random/reference64.h"
#include "small/small.h"

namespace {

class Rng {
public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  uint32_t range(uint32_t lo, uint32_t hi) { // inclusive
    return std::uniform_int_distribution<uint32_t>(lo, hi)(gen_);
  }
  float uniform(float lo, float hi) {
    return std::uniform_real_distribution<float>(lo, hi)(gen_);
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(gen_); }

private:
  std::mt19937_64 gen_;
};

struct Built {
  small_tensor id;
  ref64::Tensor ref;
  // A batch normalization after a Conv2D or Dense folds into its weights,
  // whose bound reference64 does not model: none is added there.
  bool from_conv_or_dense = false;
};

// Builds one random network and checks it; false (with a report) on failure.
class Case {
public:
  Case(uint64_t seed, std::ostringstream &log, uint32_t max_layers)
      : rng_(seed), log_(log), max_layers_(max_layers) {
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
  bool conv();
  bool dense();
  bool pool();
  bool add();
  bool standalone_activation();
  bool softmax();
  bool batchnorm();
  bool concat();
  bool refused_on_purpose();
  bool compare(const Built &out, const std::vector<float> &got, bool nhwc);

  Rng rng_;
  std::ostringstream &log_;
  small_network *net_ = nullptr;
  std::vector<Built> tensors_;
  uint32_t max_layers_;
};

small_activation Case::activation() {
  const small_activation_kind kinds[] = {
      SMALL_ACT_NONE,    SMALL_ACT_NONE,       SMALL_ACT_RELU,
      SMALL_ACT_RELU6,   SMALL_ACT_CLIP,       SMALL_ACT_LEAKY_RELU,
      SMALL_ACT_SIGMOID, SMALL_ACT_HARD_SWISH, SMALL_ACT_HARD_SIGMOID};
  small_activation a = small_activation_make(kinds[rng_.range(0, 8)]);
  if (a.kind == SMALL_ACT_HARD_SIGMOID) {
    a.alpha = rng_.uniform(0.05f, 0.5f);
    a.beta = rng_.uniform(0.0f, 1.0f);
  }
  if (a.kind == SMALL_ACT_CLIP) {
    a.min = rng_.uniform(-2.0f, 1.0f);
    a.max = rng_.uniform(-1.0f, 2.0f); // sometimes below min
  }
  if (a.kind == SMALL_ACT_LEAKY_RELU) {
    a.alpha = rng_.uniform(0.0f, 0.5f);
  }
  return a;
}

bool Case::conv() {
  const Built &x = tensors_.back();
  small_conv2d_params p;
  small_conv2d_params_init(&p);
  p.kernel_h = rng_.range(1, 3);
  p.kernel_w = rng_.range(1, 3);
  p.stride_h = rng_.range(1, 2);
  p.stride_w = rng_.range(1, 2);
  p.dilation_h = rng_.range(1, 2);
  p.dilation_w = rng_.range(1, 2);
  p.pad_top = rng_.range(0, p.kernel_h - 1);
  p.pad_bottom = rng_.range(0, p.kernel_h - 1);
  p.pad_left = rng_.range(0, p.kernel_w - 1);
  p.pad_right = rng_.range(0, p.kernel_w - 1);
  const uint32_t c = static_cast<uint32_t>(x.ref.c);
  const uint32_t shape = rng_.range(0, 3);
  if (shape == 0) { // depthwise
    p.groups = c;
    p.out_channels = c;
  } else if (shape == 1 && c % 2 == 0) { // two groups
    p.groups = 2;
    p.out_channels = 2 * rng_.range(1, 10);
  } else {
    p.out_channels = rng_.range(1, 24);
  }
  const uint32_t eff_h = (p.kernel_h - 1) * p.dilation_h + 1;
  const uint32_t eff_w = (p.kernel_w - 1) * p.dilation_w + 1;
  if (x.ref.h + p.pad_top + p.pad_bottom < eff_h ||
      x.ref.w + p.pad_left + p.pad_right < eff_w) {
    return true; // too small an input for this filter: pick another layer
  }
  p.activation = activation();
  const size_t fan_in = (c / p.groups) * p.kernel_h * p.kernel_w;
  const std::vector<float> w =
      values(p.out_channels * fan_in, 1.0f / std::sqrt(float(fan_in)), 0.0f);
  const std::vector<float> b = values(p.out_channels, 0.5f, 0.0f);
  log_ << "  conv2d " << p.out_channels << " out, " << p.kernel_h << "x"
       << p.kernel_w << " stride " << p.stride_h << "," << p.stride_w
       << " dilation " << p.dilation_h << "," << p.dilation_w << " pad "
       << p.pad_top << "," << p.pad_bottom << "," << p.pad_left << ","
       << p.pad_right << " groups " << p.groups << " act " << p.activation.kind
       << " [" << p.activation.min << ", " << p.activation.max << "]\n";
  small_tensor out = -1;
  if (!ok(small_network_add_conv2d(net_, x.id, &p, w.data(), b.data(), &out),
          "conv2d")) {
    return false;
  }
  tensors_.push_back({out, ref64::conv2d(x.ref, p, w, b), true});
  return true;
}

bool Case::dense() {
  const Built &x = tensors_.back();
  if (x.ref.size() > 4096) {
    return true;
  }
  const uint32_t out_features = rng_.range(1, 20);
  const small_activation act = activation();
  const std::vector<float> w = values(
      out_features * x.ref.size(), 1.0f / std::sqrt(float(x.ref.size())), 0.0f);
  const std::vector<float> b = values(out_features, 0.5f, 0.0f);
  log_ << "  dense " << out_features << " act " << act.kind << "\n";
  small_tensor out = -1;
  if (!ok(small_network_add_dense(net_, x.id, out_features, w.data(), b.data(),
                                  act, &out),
          "dense")) {
    return false;
  }
  tensors_.push_back({out, ref64::dense(x.ref, out_features, w, b, act), true});
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
    tensors_.push_back({out, ref64::global_avgpool(x.ref)});
    return true;
  }
  small_pool2d_params p{};
  p.kind = rng_.chance(0.5) ? SMALL_POOL_MAX : SMALL_POOL_AVG;
  p.kernel_h = rng_.range(1, std::min<uint32_t>(3, x.ref.h));
  p.kernel_w = rng_.range(1, std::min<uint32_t>(3, x.ref.w));
  p.stride_h = rng_.range(1, 3);
  p.stride_w = rng_.range(1, 3);
  p.padding_mode = SMALL_PADDING_EXPLICIT;
  // Padding below the kernel size: every window holds an input pixel.
  p.pad_top = rng_.range(0, p.kernel_h - 1);
  p.pad_bottom = rng_.range(0, p.kernel_h - 1);
  p.pad_left = rng_.range(0, p.kernel_w - 1);
  p.pad_right = rng_.range(0, p.kernel_w - 1);
  p.count_include_pad = rng_.chance(0.5) ? 1 : 0;
  log_ << "  pool2d " << (p.kind == SMALL_POOL_MAX ? "max " : "avg ")
       << p.kernel_h << "x" << p.kernel_w << " stride " << p.stride_h << ","
       << p.stride_w << " pad " << p.pad_top << "," << p.pad_bottom << ","
       << p.pad_left << "," << p.pad_right << " include_pad "
       << p.count_include_pad << "\n";
  if (!ok(small_network_add_pool2d(net_, x.id, &p, &out), "pool2d")) {
    return false;
  }
  tensors_.push_back({out, ref64::pool2d(x.ref, p)});
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
  tensors_.push_back({out, ref64::add(a.ref, b.ref, act)});
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
  // An activation fuses into its producer: what follows still sees it.
  tensors_.push_back(
      {out, ref64::activation(x.ref, act), x.from_conv_or_dense});
  return true;
}

bool Case::batchnorm() {
  const Built &x = tensors_.back();
  if (x.from_conv_or_dense) {
    return true;
  }
  const size_t c = x.ref.c;
  const std::vector<float> gamma = values(c, 1.0f, 0.0f);
  const std::vector<float> beta = values(c, 1.0f, 0.0f);
  const std::vector<float> mean = values(c, 1.0f, 0.0f);
  const std::vector<float> var = values(c, 0.5f, 1.0f); // in [0.5, 1.5]
  const float epsilon = 1e-3f;
  log_ << "  batchnorm\n";
  small_tensor out = -1;
  if (!ok(small_network_add_batchnorm(net_, x.id, gamma.data(), beta.data(),
                                      mean.data(), var.data(), epsilon, &out),
          "batchnorm")) {
    return false;
  }
  tensors_.push_back(
      {out, ref64::batchnorm(x.ref, gamma, beta, mean, var, epsilon)});
  return true;
}

bool Case::softmax() {
  const Built &x = tensors_.back();
  log_ << "  softmax\n";
  small_tensor out = -1;
  if (!ok(small_network_add_softmax(net_, x.id, &out), "softmax")) {
    return false;
  }
  tensors_.push_back({out, ref64::softmax(x.ref)});
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
  const Built &b = tensors_[same[rng_.range(0, same.size() - 1)]];
  log_ << "  concat (with tensor " << b.id << ")\n";
  const small_tensor inputs[2] = {a.id, b.id};
  small_tensor out = -1;
  if (!ok(small_network_add_concat(net_, inputs, 2, &out), "concat")) {
    return false;
  }
  tensors_.push_back({out, ref64::concat(a.ref, b.ref)});
  return true;
}

// A call small.h refuses (a NaN Clip bound, a conv whose weights are NULL):
// it must fail with its documented status and a message, and leave the
// network usable (the layers after it and the run are checked as usual).
bool Case::refused_on_purpose() {
  const Built &x = tensors_.back();
  small_tensor out = -1;
  small_status s, want;
  if (rng_.chance(0.5)) {
    small_activation nan_clip = small_activation_make(SMALL_ACT_CLIP);
    nan_clip.max = NAN;
    log_ << "  (refused: Clip with a NaN bound)\n";
    s = small_network_add_activation(net_, x.id, nan_clip, &out);
    want = SMALL_ERR_INVALID_ARGUMENT;
  } else {
    small_conv2d_params p;
    small_conv2d_params_init(&p);
    p.out_channels = 2;
    p.kernel_h = p.kernel_w = 1;
    log_ << "  (refused: conv2d without weights)\n";
    s = small_network_add_conv2d(net_, x.id, &p, nullptr, nullptr, &out);
    want = SMALL_ERR_NULL_POINTER;
  }
  if (s != want || small_last_error()[0] == '\0') {
    log_ << "  an invalid call gave status " << s << " (message '"
         << small_last_error() << "')\n";
    return false;
  }
  return true;
}

bool Case::add_layer() {
  switch (rng_.range(0, 10)) {
  case 10:
    return batchnorm();
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

bool Case::compare(const Built &out, const std::vector<float> &got, bool nhwc) {
  const ref64::Tensor &r = out.ref;
  for (size_t c = 0; c < r.c; ++c) {
    for (size_t y = 0; y < r.h; ++y) {
      for (size_t x = 0; x < r.w; ++x) {
        const size_t i = r.at(c, y, x);
        const size_t g = nhwc ? (y * r.w + x) * r.c + c : i;
        const double error = std::fabs(double{got[g]} - r.value[i]);
        if (!(error <= r.bound[i])) {
          log_ << "  output tensor " << out.id << " (" << c << ", " << y << ", "
               << x << "): got " << got[g] << ", float64 " << r.value[i]
               << ", error " << error << " > bound " << r.bound[i] << "\n";
          return false;
        }
      }
    }
  }
  return true;
}

bool Case::run() {
  // Mostly small maps (odd shapes, borders), now and then a large one where
  // long reductions (pooling, softmax) matter.
  const uint32_t side = rng_.chance(0.05) ? 96 : 14;
  const uint32_t c = rng_.range(1, 20), h = rng_.range(1, side),
                 w = rng_.range(1, side);
  // Inputs sometimes with a large common offset (the hard case for sums).
  const float offset = rng_.chance(0.25) ? rng_.uniform(-50.0f, 50.0f) : 0.0f;
  const std::vector<float> data = values(size_t{c} * h * w, 1.0f, offset);
  const bool nhwc = rng_.chance(0.5);
  log_ << "  input 1x" << c << "x" << h << "x" << w << " offset " << offset
       << (nhwc ? " NHWC\n" : " NCHW\n");
  small_tensor in = -1;
  if (!ok(small_network_add_input(net_, 1, c, h, w, &in), "input")) {
    return false;
  }
  tensors_.push_back({in, ref64::input(c, h, w, data)});
  const uint32_t drawn = rng_.range(1, 6);
  const uint32_t layers = std::min(drawn, max_layers_);
  for (uint32_t i = 0; i < layers; ++i) {
    if (!add_layer()) {
      return false;
    }
  }
  if (tensors_.size() == 1 && !standalone_activation()) {
    return false;
  }
  std::vector<const Built *> outputs = {&tensors_.back()};
  if (layers == drawn) { // a cut network has the cut layer's output only
    const Built &extra = tensors_[rng_.range(1, tensors_.size() - 1)];
    if (extra.id != tensors_.back().id && rng_.chance(0.3)) {
      outputs.push_back(&extra);
    }
  }
  for (const Built *o : outputs) {
    if (!ok(small_network_mark_output(net_, o->id), "mark_output")) {
      return false;
    }
  }
  if (!ok(small_network_finalize(net_), "finalize")) {
    return false;
  }
  std::vector<float> x(data.size());
  for (size_t ch = 0; ch < c; ++ch) {
    for (size_t p = 0; p < size_t{h} * w; ++p) {
      x[nhwc ? p * c + ch : ch * h * w + p] = data[ch * h * w + p];
    }
  }
  std::vector<std::vector<float>> got;
  std::vector<float *> out_ptrs;
  for (const Built *o : outputs) {
    got.emplace_back(o->ref.size(), NAN);
  }
  for (std::vector<float> &g : got) {
    out_ptrs.push_back(g.data());
  }
  const float *in_ptrs[1] = {x.data()};
  if (!ok(small_network_run(net_, in_ptrs, 1, out_ptrs.data(), out_ptrs.size(),
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

uint64_t network_seed(uint64_t seed, uint64_t index) {
  // splitmix64 of (seed, index): independent streams per network.
  uint64_t z = seed * 0x9E3779B97F4A7C15ull + index + 1;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

} // namespace

int main(int argc, char **argv) {
  uint64_t count = 300, seed = 1, first = 0;
  uint32_t max_layers = 6; // as many as the generator draws
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    const bool has_value = i + 1 < argc;
    if (std::strcmp(argv[i], "--count") == 0 && has_value) {
      count = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--seed") == 0 && has_value) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--first") == 0 && has_value) {
      first = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--layers") == 0 && has_value) {
      max_layers = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 10));
    } else if (std::strcmp(argv[i], "--verbose") == 0) {
      verbose = true;
    } else {
      std::fprintf(stderr,
                   "usage: %s [--count N] [--seed S] [--first I] "
                   "[--layers L] [--verbose]\n",
                   argv[0]);
      return 2;
    }
  }
  uint64_t failures = 0;
  for (uint64_t i = first; i < first + count; ++i) {
    std::ostringstream log;
    const bool passed = Case(network_seed(seed, i), log, max_layers).run();
    if (!passed || verbose) {
      std::printf("network %llu (seed %llu): %s\n%s", (unsigned long long)i,
                  (unsigned long long)seed, passed ? "ok" : "FAILED",
                  log.str().c_str());
    }
    if (!passed) {
      ++failures;
      std::printf("  replay: %s --seed %llu --first %llu --count 1 "
                  "--layers %u --verbose\n",
                  argv[0], (unsigned long long)seed, (unsigned long long)i,
                  max_layers);
      for (uint32_t cut = 1; cut < max_layers; ++cut) {
        std::ostringstream shrunk_log;
        if (!Case(network_seed(seed, i), shrunk_log, cut).run()) {
          std::printf("  shrunk to its first %u layer(s):\n%s  replay: %s "
                      "--seed %llu --first %llu --count 1 --layers %u "
                      "--verbose\n",
                      cut, shrunk_log.str().c_str(), argv[0],
                      (unsigned long long)seed, (unsigned long long)i, cut);
          break;
        }
      }
    }
  }
  std::printf("%llu random networks (seed %llu, first %llu): %llu failed\n",
              (unsigned long long)count, (unsigned long long)seed,
              (unsigned long long)first, (unsigned long long)failures);
  return failures == 0 ? 0 : 1;
}
