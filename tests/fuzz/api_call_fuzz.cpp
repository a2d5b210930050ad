// libFuzzer harness for the C API: the input bytes become a sequence of C API
// calls on one network (create, add_input, every add_* with fuzzed
// parameters including out-of-range enums, NULL pointers and huge
// dimensions, mark_output, finalize, the arena calls, run, the queries,
// destroy). Oracles, checked after every call that returns a status:
//   - the status is a value of the small_status enum and never
//     SMALL_ERR_INTERNAL;
//   - small_last_error() is non-empty exactly when the call failed;
//   - a call given a NULL weights array never succeeds;
//   - and no sanitizer report (the build adds ASan + UBSan).
// (api_oracles.cpp checks the statuses.)
// The harness itself keeps the API's contract: every array it passes holds
// as many floats as the documented formula asks for (else it passes NULL),
// and arena buffers outlive the network.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "api_oracles.h"
#include "c_api_shims.h"
#include "small/small.h"

namespace {

// Floats the harness hands out as weights, biases and BatchNorm arrays.
constexpr size_t kParamCapacity = size_t{1} << 18;
// Valid networks bigger than this are built and checked but not finalized
// or run: their cost grows with their size, not with what the fuzzer finds.
constexpr uint64_t kMaxFinalizeFloats = uint64_t{1} << 23;
constexpr uint64_t kMaxRunFloats = uint64_t{1} << 21;
constexpr uint64_t kMaxRunMacs = uint64_t{20} << 20;
constexpr uint64_t kMaxArenaBytes = uint64_t{64} << 20;
constexpr int kMaxCalls = 48;

// Writes an int into an enum field the way C code may (any int).
template <typename Enum> void set_enum(Enum *field, int value) {
  static_assert(sizeof(Enum) == sizeof value, "C enums are int-sized");
  std::memcpy(field, &value, sizeof value);
}

uint64_t product_or_max(std::initializer_list<uint64_t> factors) {
  uint64_t p = 1;
  for (uint64_t f : factors) {
    if (f != 0 && p > std::numeric_limits<uint64_t>::max() / f) {
      return std::numeric_limits<uint64_t>::max();
    }
    p *= f;
  }
  return p;
}

// Small weights with a few special values among them (zeros, huge, tiny,
// infinity, NaN), filled once.
const std::vector<float> &param_floats() {
  static const std::vector<float> floats = [] {
    std::vector<float> f(kParamCapacity);
    for (size_t i = 0; i < f.size(); ++i) {
      f[i] = static_cast<float>(static_cast<int>(i * 37 % 23) - 11) / 16.0f;
    }
    const float specials[] = {0.0f,
                              -0.0f,
                              1e30f,
                              -1e-30f,
                              std::numeric_limits<float>::infinity(),
                              std::numeric_limits<float>::quiet_NaN()};
    for (size_t i = 0; i < sizeof specials / sizeof specials[0]; ++i) {
      f[(i + 1) * 9973 % f.size()] = specials[i];
    }
    return f;
  }();
  return floats;
}

class Session {
public:
  explicit Session(FuzzedDataProvider &in) : in_(in) {}
  ~Session() { small_network_destroy(net_); }

  void create() {
    small_network_destroy(net_);
    net_ = nullptr;
    tensors_.clear();
    arenas_.clear();
    floats_ = 0;
    macs_ = 0;
    check("small_network_create", small_network_create(&net_));
  }

  void step() {
    switch (in_.ConsumeIntegralInRange<int>(0, 24)) {
    case 0:
      add_input();
      break;
    case 1:
    case 2:
    case 3:
      add_conv2d();
      break;
    case 4:
    case 5:
      add_dense();
      break;
    case 6:
    case 7:
      add_pool2d();
      break;
    case 8:
      add_unary("small_network_add_global_avgpool");
      break;
    case 9:
      add_add();
      break;
    case 10:
      add_concat();
      break;
    case 11:
      add_activation();
      break;
    case 12:
      add_unary("small_network_add_softmax");
      break;
    case 13:
      add_batchnorm();
      break;
    case 14:
      add_reshape();
      break;
    case 15:
      add_unary("small_network_add_flatten");
      break;
    case 16:
    case 17:
      mark_output();
      break;
    case 18:
      finalize();
      break;
    case 19:
      arena();
      break;
    case 20:
    case 21:
      run();
      break;
    case 22:
      queries();
      break;
    case 23:
      helpers();
      break;
    default:
      create();
      break;
    }
  }

private:
  bool rare() { return in_.ConsumeIntegralInRange<int>(0, 15) == 0; }
  small_network *network() { return rare() ? nullptr : net_; }
  small_tensor *out_ptr() { return rare() ? nullptr : &out_; }

  uint32_t dim(uint32_t usual_max) {
    switch (in_.ConsumeIntegralInRange<int>(0, 19)) {
    case 0:
      return 0;
    case 1:
      return std::numeric_limits<uint32_t>::max();
    case 2:
      return uint32_t{1} << 31;
    case 3:
      return 65536;
    case 4:
      return in_.ConsumeIntegral<uint32_t>();
    default:
      return in_.ConsumeIntegralInRange<uint32_t>(1, usual_max);
    }
  }
  // A valid enum value most of the time, any int otherwise.
  int enum_value(int last) {
    return rare() ? in_.ConsumeIntegral<int>()
                  : in_.ConsumeIntegralInRange<int>(0, last);
  }
  float any_float() {
    switch (in_.ConsumeIntegralInRange<int>(0, 7)) {
    case 0:
      return std::numeric_limits<float>::quiet_NaN();
    case 1:
      return std::numeric_limits<float>::infinity();
    case 2:
      return -std::numeric_limits<float>::infinity();
    default:
      return in_.ConsumeFloatingPointInRange<float>(-8.0f, 8.0f);
    }
  }
  // Usually n; sometimes one less, or one more (the arrays the harness
  // passes end with a NULL entry, so the API never reads past them).
  size_t count_near(size_t n) {
    switch (in_.ConsumeIntegralInRange<int>(0, 15)) {
    case 0:
      return n + 1;
    case 1:
      return n > 0 ? n - 1 : 0;
    default:
      return n;
    }
  }
  small_tensor tensor() {
    if (tensors_.empty() || rare()) {
      return in_.ConsumeIntegral<int32_t>();
    }
    return tensors_[in_.ConsumeIntegralInRange<size_t>(0, tensors_.size() - 1)];
  }
  small_activation activation() {
    small_activation a = fuzz_activation_make(enum_value(7));
    if (in_.ConsumeBool()) {
      set_enum(&a.kind, enum_value(7));
      a.alpha = any_float();
      a.beta = any_float();
      a.min = any_float();
      a.max = any_float();
    }
    return a;
  }
  // The floats the API will read for `count`, or NULL when the harness
  // cannot provide them (the call must then fail).
  const float *params_for(uint64_t count) {
    if (count > kParamCapacity || rare()) {
      return nullptr;
    }
    return param_floats().data();
  }
  bool shape(small_tensor t, uint32_t dims[4]) {
    return status_value(small_network_tensor_shape(net_, t, dims)) == SMALL_OK;
  }
  // Records a new tensor: its size bounds finalize and run.
  void added(int status, small_tensor *out, uint64_t macs) {
    if (status != SMALL_OK || out == nullptr) {
      return;
    }
    tensors_.push_back(*out);
    uint32_t d[4];
    // The arena holds channels rounded up to the channel block (at most
    // 16 lanes on every ISA): a 1-channel tensor takes 16 floats a pixel.
    const auto blocked = [](uint32_t c) {
      return (uint64_t{c} + 15) / 16 * 16;
    };
    floats_ += shape(*out, d)
                   ? product_or_max({d[0], blocked(d[1]), d[2], d[3]})
                   : std::numeric_limits<uint32_t>::max();
    macs_ += macs;
  }

  void add_input() {
    small_tensor *out = out_ptr();
    const uint32_t n = dim(3), c = dim(16), h = dim(16), w = dim(16);
    added(check("small_network_add_input",
                small_network_add_input(network(), n, c, h, w, out)),
          out, 0);
  }

  void add_conv2d() {
    const small_tensor x = tensor();
    small_conv2d_params p;
    small_conv2d_params_init(&p);
    p.out_channels = dim(16);
    p.kernel_h = dim(5);
    p.kernel_w = dim(5);
    p.stride_h = dim(3);
    p.stride_w = dim(3);
    p.dilation_h = dim(2);
    p.dilation_w = dim(2);
    set_enum(&p.padding_mode, enum_value(2));
    p.pad_top = dim(3) - 1;
    p.pad_bottom = dim(3) - 1;
    p.pad_left = dim(3) - 1;
    p.pad_right = dim(3) - 1;
    uint32_t in[4] = {1, 1, 1, 1};
    const bool known = shape(x, in);
    p.groups = in_.ConsumeBool() && known ? in[1] : dim(4);
    set_enum(&p.weight_layout, enum_value(1));
    p.activation = activation();
    const uint64_t per_group = p.groups != 0 ? in[1] / p.groups : 0;
    const uint64_t count =
        product_or_max({p.out_channels, per_group, p.kernel_h, p.kernel_w});
    const float *weights = params_for(known ? count : 0);
    const float *bias =
        in_.ConsumeBool() ? params_for(p.out_channels) : nullptr;
    small_tensor *out = out_ptr();
    const int st =
        check("small_network_add_conv2d",
              small_network_add_conv2d(network(), x, rare() ? nullptr : &p,
                                       weights, bias, out));
    if (weights == nullptr) {
      check_rejected("small_network_add_conv2d", st);
    }
    uint32_t o[4];
    const uint64_t macs =
        st == SMALL_OK && out != nullptr && shape(*out, o)
            ? product_or_max(
                  {o[0], o[1], o[2], o[3], per_group, p.kernel_h, p.kernel_w})
            : 0;
    added(st, out, macs);
  }

  void add_dense() {
    const small_tensor x = tensor();
    const uint32_t features = dim(16);
    uint32_t in[4] = {1, 1, 1, 1};
    const bool known = shape(x, in);
    const uint64_t per_item = product_or_max({in[1], in[2], in[3]});
    const float *weights =
        params_for(known ? product_or_max({features, per_item}) : 0);
    const float *bias = in_.ConsumeBool() ? params_for(features) : nullptr;
    small_tensor *out = out_ptr();
    const int st =
        check("small_network_add_dense",
              small_network_add_dense(network(), x, features, weights, bias,
                                      activation(), out));
    if (weights == nullptr) {
      check_rejected("small_network_add_dense", st);
    }
    added(st, out, product_or_max({in[0], features, per_item}));
  }

  void add_pool2d() {
    const small_tensor x = tensor();
    small_pool2d_params p;
    small_pool2d_params_init(&p);
    set_enum(&p.kind, enum_value(1));
    p.kernel_h = dim(4);
    p.kernel_w = dim(4);
    p.stride_h = dim(3);
    p.stride_w = dim(3);
    set_enum(&p.padding_mode, enum_value(2));
    p.pad_top = dim(3) - 1;
    p.pad_bottom = dim(3) - 1;
    p.pad_left = dim(3) - 1;
    p.pad_right = dim(3) - 1;
    p.count_include_pad = in_.ConsumeIntegralInRange<int>(-1, 2);
    small_tensor *out = out_ptr();
    added(check("small_network_add_pool2d",
                small_network_add_pool2d(network(), x, rare() ? nullptr : &p,
                                         out)),
          out, 0);
  }

  // The layers that take one tensor and nothing else.
  void add_unary(const char *call) {
    const small_tensor x = tensor();
    small_tensor *out = out_ptr();
    small_network *net = network();
    small_status st;
    if (std::strcmp(call, "small_network_add_global_avgpool") == 0) {
      st = small_network_add_global_avgpool(net, x, out);
    } else if (std::strcmp(call, "small_network_add_softmax") == 0) {
      st = small_network_add_softmax(net, x, out);
    } else {
      st = small_network_add_flatten(net, x, out);
    }
    added(check(call, st), out, 0);
  }

  void add_add() {
    const small_tensor a = tensor(), b = tensor();
    small_tensor *out = out_ptr();
    added(check("small_network_add_add",
                small_network_add_add(network(), a, b, activation(), out)),
          out, 0);
  }

  void add_concat() {
    small_tensor inputs[8];
    const size_t count = in_.ConsumeIntegralInRange<size_t>(0, 8);
    for (size_t i = 0; i < count; ++i) {
      inputs[i] = tensor();
    }
    // A count the array does not hold goes with NULL only.
    const bool huge = rare();
    small_tensor *out = out_ptr();
    added(check("small_network_add_concat",
                small_network_add_concat(
                    network(), huge || rare() ? nullptr : inputs,
                    huge ? in_.ConsumeIntegral<size_t>() : count, out)),
          out, 0);
  }

  void add_activation() {
    const small_tensor x = tensor();
    small_tensor *out = out_ptr();
    added(check("small_network_add_activation",
                small_network_add_activation(network(), x, activation(), out)),
          out, 0);
  }

  void add_batchnorm() {
    const small_tensor x = tensor();
    uint32_t in[4] = {1, 1, 1, 1};
    const uint64_t c = shape(x, in) ? in[1] : 0;
    const float *arrays[4];
    for (const float *&a : arrays) {
      a = params_for(c);
    }
    const float eps = in_.ConsumeBool() ? 1e-5f : any_float();
    small_tensor *out = out_ptr();
    const int st =
        check("small_network_add_batchnorm",
              small_network_add_batchnorm(network(), x, arrays[0], arrays[1],
                                          arrays[2], arrays[3], eps, out));
    for (const float *a : arrays) {
      if (a == nullptr) {
        check_rejected("small_network_add_batchnorm", st);
      }
    }
    added(st, out, 0);
  }

  void add_reshape() {
    const small_tensor x = tensor();
    const uint32_t c = dim(64), h = dim(8), w = dim(8);
    small_tensor *out = out_ptr();
    added(check("small_network_add_reshape",
                small_network_add_reshape(network(), x, c, h, w, out)),
          out, 0);
  }

  void mark_output() {
    check("small_network_mark_output",
          small_network_mark_output(network(), tensor()));
  }

  void finalize() {
    if (floats_ > kMaxFinalizeFloats) {
      return;
    }
    if (in_.ConsumeBool()) {
      // Depthwise-pointwise fusion planned for caches from none to huge:
      // bands of one row up to the whole image.
      const size_t cache = rare() ? in_.ConsumeIntegral<size_t>()
                                  : in_.ConsumeIntegralInRange<size_t>(0, 4096);
      check("small_network_set_fusion_cache",
            small_network_set_fusion_cache(network(), cache));
    }
    check("small_network_finalize", small_network_finalize(network()));
  }

  void arena() {
    size_t bytes = 0, lower = 0;
    const int st =
        check("small_network_arena_size",
              small_network_arena_size(network(), rare() ? nullptr : &bytes));
    check(
        "small_network_arena_lower_bound",
        small_network_arena_lower_bound(network(), rare() ? nullptr : &lower));
    if (st != SMALL_OK || bytes > kMaxArenaBytes) {
      return;
    }
    // Sometimes too small by a few bytes, sometimes misaligned.
    const size_t shortfall =
        in_.ConsumeBool() ? in_.ConsumeIntegralInRange<size_t>(0, 65) : 0;
    const size_t offset = in_.ConsumeIntegralInRange<size_t>(0, 63);
    const size_t given = bytes > shortfall ? bytes - shortfall : 0;
    arenas_.emplace_back(new unsigned char[given + offset + 1]);
    void *buffer = rare() ? nullptr : arenas_.back().get() + offset;
    check("small_network_set_arena",
          small_network_set_arena(network(), buffer, given));
  }

  void run() {
    size_t n_in = 0, n_out = 0;
    if (status_value(small_network_input_count(net_, &n_in)) != SMALL_OK ||
        status_value(small_network_output_count(net_, &n_out)) != SMALL_OK ||
        floats_ > kMaxRunFloats || macs_ > kMaxRunMacs || n_in > 64 ||
        n_out > 64) {
      return;
    }
    std::vector<std::vector<float>> ins(n_in), outs(n_out);
    std::vector<const float *> in_ptrs(n_in + 1, nullptr);
    std::vector<float *> out_ptrs(n_out + 1, nullptr);
    uint32_t d[4];
    for (size_t i = 0; i < n_in; ++i) {
      if (status_value(small_network_input_shape(net_, i, d)) != SMALL_OK) {
        return;
      }
      ins[i].assign(product_or_max({d[0], d[1], d[2], d[3]}), 0.5f);
      in_ptrs[i] = rare() ? nullptr : ins[i].data();
    }
    for (size_t i = 0; i < n_out; ++i) {
      if (status_value(small_network_output_shape(net_, i, d)) != SMALL_OK) {
        return;
      }
      outs[i].assign(product_or_max({d[0], d[1], d[2], d[3]}), 0.0f);
      out_ptrs[i] = rare() ? nullptr : outs[i].data();
    }
    const size_t in_count = count_near(n_in);
    const size_t out_count = count_near(n_out);
    check("small_network_run",
          fuzz_network_run(network(), rare() ? nullptr : in_ptrs.data(),
                           in_count, rare() ? nullptr : out_ptrs.data(),
                           out_count, enum_value(1)));
  }

  void queries() {
    size_t count = 0;
    uint32_t dims[4];
    small_network *net = network();
    const size_t index = rare() ? in_.ConsumeIntegral<size_t>()
                                : in_.ConsumeIntegralInRange<size_t>(0, 2);
    switch (in_.ConsumeIntegralInRange<int>(0, 8)) {
    case 0:
      check("small_network_input_count",
            small_network_input_count(net, rare() ? nullptr : &count));
      break;
    case 1:
      check("small_network_output_count",
            small_network_output_count(net, rare() ? nullptr : &count));
      break;
    case 2:
      check("small_network_input_shape",
            small_network_input_shape(net, index, rare() ? nullptr : dims));
      break;
    case 3:
      check("small_network_output_shape",
            small_network_output_shape(net, index, rare() ? nullptr : dims));
      break;
    case 4:
      check("small_network_tensor_shape",
            small_network_tensor_shape(net, tensor(), rare() ? nullptr : dims));
      break;
    case 5:
      layer_info(net, index);
      break;
    case 6:
      check("small_network_enable_profiling",
            small_network_enable_profiling(net, in_.ConsumeIntegral<int>()));
      break;
    case 7: {
      double us = -1.0;
      check("small_network_layer_time",
            small_network_layer_time(net, index, rare() ? nullptr : &us));
      uint64_t ticks = 0;
      check("small_network_layer_ticks",
            small_network_layer_ticks(net, index, rare() ? nullptr : &ticks));
      break;
    }
    default:
      check("small_network_layer_count",
            small_network_layer_count(net, rare() ? nullptr : &count));
      break;
    }
  }

  // A successful layer_info must describe a real layer: a known kind with
  // its name, and shapes of at least one element.
  void layer_info(small_network *net, size_t index) {
    small_layer_info info;
    const small_status st =
        small_network_layer_info(net, index, rare() ? nullptr : &info);
    check("small_network_layer_info", st);
    if (st != SMALL_OK) {
      return;
    }
    const bool named = info.kind_name != nullptr && info.kind_name[0] != '\0' &&
                       info.name != nullptr && info.name[0] != '\0';
    bool shaped = true;
    for (int i = 0; i < 4; ++i) {
      shaped = shaped && info.output_dims[i] > 0;
    }
    if (!named || !shaped) {
      oracle_failed("small_network_layer_info", st,
                    "an unnamed layer or an empty output shape");
    }
  }

  // The calls that need no network.
  void helpers() {
    const char *text = fuzz_status_string(in_.ConsumeIntegral<int>());
    if (text == nullptr || text[0] == '\0') {
      oracle_failed("small_status_string", 0, "no text");
    }
    small_kernel_info info;
    check("small_kernel_config", small_kernel_config(rare() ? nullptr : &info));
    uint32_t before = 0, after = 0;
    const uint32_t size = dim(64), kernel = dim(7), stride = dim(3),
                   dilation = dim(3);
    check("small_padding_same",
          small_padding_same(size, kernel, stride, dilation,
                             rare() ? nullptr : &before,
                             rare() ? nullptr : &after));
  }

  FuzzedDataProvider &in_;
  small_network *net_ = nullptr;
  small_tensor out_ = -1;
  std::vector<small_tensor> tensors_;
  std::vector<std::unique_ptr<unsigned char[]>> arenas_;
  uint64_t floats_ = 0;
  uint64_t macs_ = 0;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FuzzedDataProvider in(data, size);
  Session session(in);
  session.create();
  for (int i = 0; i < kMaxCalls && in.remaining_bytes() > 0; ++i) {
    session.step();
  }
  return 0;
}
