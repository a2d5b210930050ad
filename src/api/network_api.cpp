// extern "C" shims for building and running networks: validate arguments,
// translate public parameter structs, and call into src/graph and src/layers.
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "api/api_guard.h"
#include "graph/network.h"
#include "layers/activation_params.h"
#include "layers/batchnorm.h"
#include "layers/conv2d.h"
#include "layers/elementwise.h"
#include "layers/pool2d.h"
#include "small/small.h"
#include "util/checked_math.h"

struct small_network {
  small::Network net;
};

namespace small {
namespace {

Network &get(small_network *network) {
  require(network, "network");
  return network->net;
}

const Network &get(const small_network *network) {
  require(network, "network");
  return network->net;
}

void set_out(small_tensor *out, int id) {
  *out = static_cast<small_tensor>(id);
}

// TensorFlow SAME padding for one axis: out = ceil(in / stride), the odd
// pixel after (bottom/right). Throws naming `where`.
void same_padding(uint32_t in, uint32_t kernel, uint32_t stride,
                  uint32_t dilation, uint32_t &before, uint32_t &after,
                  const std::string &where) {
  if (in == 0 || kernel == 0 || stride == 0 || dilation == 0) {
    fail(SMALL_ERR_INVALID_ARGUMENT,
         where + ": in, kernel, stride and dilation must be >= 1");
  }
  const uint64_t out = (uint64_t{in} + stride - 1) / stride;
  const uint64_t extent = (uint64_t{kernel} - 1) * dilation + 1;
  const uint64_t needed = (out - 1) * stride + extent;
  const uint64_t total = needed > in ? needed - in : 0;
  if (total > std::numeric_limits<uint32_t>::max()) {
    fail(SMALL_ERR_OVERFLOW, where + ": SAME padding (" +
                                 std::to_string(total) +
                                 ") does not fit in 32 bits");
  }
  before = static_cast<uint32_t>(total / 2);
  after = static_cast<uint32_t>(total - total / 2);
}

// Resolves the padding of one axis from the mode.
void resolve_padding(small_padding_mode mode, uint32_t in, uint32_t kernel,
                     uint32_t stride, uint32_t dilation, uint32_t &before,
                     uint32_t &after, const std::string &where) {
  switch (mode) {
  case SMALL_PADDING_EXPLICIT:
    return;
  case SMALL_PADDING_VALID:
    before = after = 0;
    return;
  case SMALL_PADDING_SAME:
    same_padding(in, kernel, stride, dilation, before, after, where);
    return;
  }
  fail(SMALL_ERR_INVALID_ARGUMENT, where + ": unknown padding_mode " +
                                       std::to_string(static_cast<int>(mode)));
}

std::vector<float> copy_floats(const float *src, size_t count) {
  return std::vector<float>(src, src + count);
}

// HWIO [kh][kw][cin][cout] -> OIHW [cout][cin][kh][kw].
std::vector<float> hwio_to_oihw(const float *w, size_t kh, size_t kw,
                                size_t cin, size_t cout) {
  std::vector<float> out(cout * cin * kh * kw);
  for (size_t h = 0; h < kh; ++h) {
    for (size_t x = 0; x < kw; ++x) {
      for (size_t i = 0; i < cin; ++i) {
        for (size_t o = 0; o < cout; ++o) {
          out[((o * cin + i) * kh + h) * kw + x] =
              w[((h * kw + x) * cin + i) * cout + o];
        }
      }
    }
  }
  return out;
}

} // namespace
} // namespace small

using small::fail;
using small::guarded;
using small::require;

extern "C" {

SMALL_API void small_conv2d_params_init(small_conv2d_params *p) {
  if (p == nullptr) {
    return;
  }
  *p = small_conv2d_params{};
  p->stride_h = p->stride_w = 1;
  p->dilation_h = p->dilation_w = 1;
  p->groups = 1;
  p->padding_mode = SMALL_PADDING_EXPLICIT;
  p->weight_layout = SMALL_WEIGHTS_OIHW;
  p->activation = small_activation_make(SMALL_ACT_NONE);
}

SMALL_API void small_pool2d_params_init(small_pool2d_params *p) {
  if (p == nullptr) {
    return;
  }
  *p = small_pool2d_params{};
  p->kind = SMALL_POOL_MAX;
  p->stride_h = p->stride_w = 1;
  p->padding_mode = SMALL_PADDING_EXPLICIT;
}

SMALL_API small_activation small_activation_make(small_activation_kind kind) {
  small_activation a{};
  a.kind = kind;
  a.alpha = kind == SMALL_ACT_HARD_SIGMOID ? 0.2f : 0.01f;
  a.beta = 0.5f;
  a.min = -std::numeric_limits<float>::infinity();
  a.max = std::numeric_limits<float>::infinity();
  return a;
}

SMALL_API small_status small_padding_same(uint32_t in, uint32_t kernel,
                                          uint32_t stride, uint32_t dilation,
                                          uint32_t *pad_before,
                                          uint32_t *pad_after) {
  return guarded("small_padding_same", [&] {
    require(pad_before, "pad_before");
    require(pad_after, "pad_after");
    small::same_padding(in, kernel, stride, dilation, *pad_before, *pad_after,
                        "SAME padding");
  });
}

SMALL_API small_status small_network_create(small_network **network) {
  return guarded("small_network_create", [&] {
    require(network, "network");
    *network = nullptr;
    *network = new small_network();
  });
}

SMALL_API void small_network_destroy(small_network *network) { delete network; }

SMALL_API small_status small_network_add_input(small_network *network,
                                               uint32_t n, uint32_t c,
                                               uint32_t h, uint32_t w,
                                               small_tensor *out) {
  return guarded("small_network_add_input", [&] {
    small::Network &net = small::get(network);
    require(out, "out");
    small::set_out(out, net.add_input({n, c, h, w}));
  });
}

SMALL_API small_status small_network_add_conv2d(
    small_network *network, small_tensor input,
    const small_conv2d_params *params, const float *weights, const float *bias,
    small_tensor *out) {
  return guarded("small_network_add_conv2d", [&] {
    small::Network &net = small::get(network);
    require(params, "params");
    require(weights, "weights");
    require(out, "out");
    const std::string name = net.next_name("conv2d");
    const small::Shape &in = net.tensor_shape(input, name + " input");
    const small_conv2d_params &p = *params;

    small::ConvSpec s;
    s.input = in;
    s.out_channels = p.out_channels;
    s.kernel_h = p.kernel_h;
    s.kernel_w = p.kernel_w;
    s.stride_h = p.stride_h;
    s.stride_w = p.stride_w;
    s.dilation_h = p.dilation_h;
    s.dilation_w = p.dilation_w;
    s.pad_top = p.pad_top;
    s.pad_bottom = p.pad_bottom;
    s.pad_left = p.pad_left;
    s.pad_right = p.pad_right;
    s.groups = p.groups;
    s.act = small::lower_activation(p.activation, name);
    if (p.kernel_h == 0 || p.kernel_w == 0 || p.stride_h == 0 ||
        p.stride_w == 0 || p.dilation_h == 0 || p.dilation_w == 0 ||
        p.groups == 0 || p.out_channels == 0) {
      fail(SMALL_ERR_INVALID_ARGUMENT,
           name + ": out_channels, kernel, stride, dilation and groups must "
                  "all be >= 1");
    }
    if (in.c % p.groups != 0 || p.out_channels % p.groups != 0) {
      fail(SMALL_ERR_SHAPE_MISMATCH,
           name + ": groups (" + std::to_string(p.groups) +
               ") must divide the input channels (" + std::to_string(in.c) +
               ") and out_channels (" + std::to_string(p.out_channels) + ")");
    }
    small::resolve_padding(p.padding_mode, in.h, p.kernel_h, p.stride_h,
                           p.dilation_h, s.pad_top, s.pad_bottom, name);
    small::resolve_padding(p.padding_mode, in.w, p.kernel_w, p.stride_w,
                           p.dilation_w, s.pad_left, s.pad_right, name);

    const size_t cin = in.c / p.groups;
    const std::string what = name + " weights";
    size_t count = small::checked_mul(p.out_channels, cin, what);
    count = small::checked_mul(count, p.kernel_h, what);
    count = small::checked_mul(count, p.kernel_w, what);
    if (count > small::kMaxTensorBytes / sizeof(float)) {
      fail(SMALL_ERR_OVERFLOW, what + ": too many weights");
    }
    std::vector<float> w;
    if (p.weight_layout == SMALL_WEIGHTS_OIHW) {
      w = small::copy_floats(weights, count);
    } else if (p.weight_layout == SMALL_WEIGHTS_HWIO) {
      w = small::hwio_to_oihw(weights, p.kernel_h, p.kernel_w, cin,
                              p.out_channels);
    } else {
      fail(SMALL_ERR_INVALID_ARGUMENT,
           name + ": unknown weight_layout " +
               std::to_string(static_cast<int>(p.weight_layout)));
    }
    std::vector<float> b;
    if (bias != nullptr) {
      b = small::copy_floats(bias, p.out_channels);
    }
    const bool depthwise = p.groups == in.c && p.out_channels == in.c;
    auto layer = std::make_unique<small::Conv2DLayer>(
        depthwise ? SMALL_LAYER_DEPTHWISE : SMALL_LAYER_CONV2D, name, s,
        std::move(w), std::move(b));
    small::set_out(out, net.add_node(std::move(layer), {input}, name));
  });
}

SMALL_API small_status small_network_add_dense(
    small_network *network, small_tensor input, uint32_t out_features,
    const float *weights, const float *bias, small_activation activation,
    small_tensor *out) {
  return guarded("small_network_add_dense", [&] {
    small::Network &net = small::get(network);
    require(weights, "weights");
    require(out, "out");
    const std::string name = net.next_name("dense");
    const small::Shape &in = net.tensor_shape(input, name + " input");
    if (out_features == 0) {
      fail(SMALL_ERR_INVALID_ARGUMENT, name + ": out_features must be >= 1");
    }
    small::ConvSpec s;
    s.input = in;
    s.out_channels = out_features;
    s.kernel_h = in.h;
    s.kernel_w = in.w;
    s.act = small::lower_activation(activation, name);
    const std::string what = name + " weights";
    size_t count = small::checked_mul(out_features, in.c, what);
    count = small::checked_mul(count, size_t{in.h} * in.w, what);
    if (count > small::kMaxTensorBytes / sizeof(float)) {
      fail(SMALL_ERR_OVERFLOW, what + ": too many weights");
    }
    std::vector<float> b;
    if (bias != nullptr) {
      b = small::copy_floats(bias, out_features);
    }
    auto layer = std::make_unique<small::Conv2DLayer>(
        SMALL_LAYER_DENSE, name, s, small::copy_floats(weights, count),
        std::move(b));
    small::set_out(out, net.add_node(std::move(layer), {input}, name));
  });
}

SMALL_API small_status
small_network_add_pool2d(small_network *network, small_tensor input,
                         const small_pool2d_params *params, small_tensor *out) {
  return guarded("small_network_add_pool2d", [&] {
    small::Network &net = small::get(network);
    require(params, "params");
    require(out, "out");
    const small_pool2d_params &p = *params;
    if (p.kind != SMALL_POOL_MAX && p.kind != SMALL_POOL_AVG) {
      fail(SMALL_ERR_INVALID_ARGUMENT,
           net.next_name("pool2d") + ": unknown pool kind " +
               std::to_string(static_cast<int>(p.kind)));
    }
    const small_layer_kind kind =
        p.kind == SMALL_POOL_MAX ? SMALL_LAYER_MAXPOOL : SMALL_LAYER_AVGPOOL;
    const std::string name = net.next_name(small::layer_kind_name(kind));
    const small::Shape &in = net.tensor_shape(input, name + " input");
    if (p.kernel_h == 0 || p.kernel_w == 0 || p.stride_h == 0 ||
        p.stride_w == 0) {
      fail(SMALL_ERR_INVALID_ARGUMENT,
           name + ": kernel and stride must be >= 1");
    }
    small::PoolSpec s;
    s.input = in;
    s.is_max = p.kind == SMALL_POOL_MAX;
    s.kernel_h = p.kernel_h;
    s.kernel_w = p.kernel_w;
    s.stride_h = p.stride_h;
    s.stride_w = p.stride_w;
    s.pad_top = p.pad_top;
    s.pad_bottom = p.pad_bottom;
    s.pad_left = p.pad_left;
    s.pad_right = p.pad_right;
    s.count_include_pad = p.count_include_pad != 0;
    small::resolve_padding(p.padding_mode, in.h, p.kernel_h, p.stride_h, 1,
                           s.pad_top, s.pad_bottom, name);
    small::resolve_padding(p.padding_mode, in.w, p.kernel_w, p.stride_w, 1,
                           s.pad_left, s.pad_right, name);
    auto layer = std::make_unique<small::Pool2DLayer>(kind, name, s);
    small::set_out(out, net.add_node(std::move(layer), {input}, name));
  });
}

SMALL_API small_status small_network_add_global_avgpool(small_network *network,
                                                        small_tensor input,
                                                        small_tensor *out) {
  return guarded("small_network_add_global_avgpool", [&] {
    small::Network &net = small::get(network);
    require(out, "out");
    const std::string name = net.next_name("global_avgpool");
    const small::Shape &in = net.tensor_shape(input, name + " input");
    small::PoolSpec s;
    s.input = in;
    s.is_max = false;
    s.kernel_h = in.h;
    s.kernel_w = in.w;
    auto layer = std::make_unique<small::Pool2DLayer>(
        SMALL_LAYER_GLOBAL_AVGPOOL, name, s);
    small::set_out(out, net.add_node(std::move(layer), {input}, name));
  });
}

SMALL_API small_status small_network_add_add(small_network *network,
                                             small_tensor a, small_tensor b,
                                             small_activation activation,
                                             small_tensor *out) {
  return guarded("small_network_add_add", [&] {
    small::Network &net = small::get(network);
    require(out, "out");
    const std::string name = net.next_name("add");
    const small::Shape sa = net.tensor_shape(a, name + " input a");
    const small::Shape sb = net.tensor_shape(b, name + " input b");
    if (sa != sb) {
      fail(SMALL_ERR_SHAPE_MISMATCH, name + ": input a " + sa.str() +
                                         " and input b " + sb.str() +
                                         " differ");
    }
    const small_act_params act = small::lower_activation(activation, name);
    auto layer = std::make_unique<small::AddLayer>(sa, act);
    small::set_out(out, net.add_node(std::move(layer), {a, b}, name));
  });
}

SMALL_API small_status small_network_add_concat(small_network *network,
                                                const small_tensor *inputs,
                                                size_t count,
                                                small_tensor *out) {
  return guarded("small_network_add_concat", [&] {
    small::Network &net = small::get(network);
    require(inputs, "inputs");
    require(out, "out");
    const std::string name = net.next_name("concat");
    if (count == 0) {
      fail(SMALL_ERR_INVALID_ARGUMENT, name + ": count must be >= 1");
    }
    std::vector<small::Shape> shapes;
    std::vector<int> ids;
    uint64_t channels = 0;
    for (size_t i = 0; i < count; ++i) {
      const small::Shape s = net.tensor_shape(
          inputs[i], name + " inputs[" + std::to_string(i) + "]");
      if (!shapes.empty() &&
          (s.n != shapes[0].n || s.h != shapes[0].h || s.w != shapes[0].w)) {
        fail(SMALL_ERR_SHAPE_MISMATCH,
             name + ": inputs[" + std::to_string(i) + "] " + s.str() +
                 " differs from inputs[0] " + shapes[0].str() +
                 " outside the channel axis");
      }
      channels += s.c;
      shapes.push_back(s);
      ids.push_back(inputs[i]);
    }
    if (channels > std::numeric_limits<uint32_t>::max()) {
      fail(SMALL_ERR_OVERFLOW, name + ": too many channels");
    }
    small::Shape o = shapes[0];
    o.c = static_cast<uint32_t>(channels);
    auto layer = std::make_unique<small::ConcatLayer>(std::move(shapes), o);
    small::set_out(out, net.add_node(std::move(layer), ids, name));
  });
}

SMALL_API small_status small_network_add_activation(small_network *network,
                                                    small_tensor input,
                                                    small_activation activation,
                                                    small_tensor *out) {
  return guarded("small_network_add_activation", [&] {
    small::Network &net = small::get(network);
    require(out, "out");
    const std::string name = net.next_name("activation");
    const small::Shape in = net.tensor_shape(input, name + " input");
    const small_act_params act = small::lower_activation(activation, name);
    auto layer = std::make_unique<small::ActivationLayer>(in, act);
    small::set_out(out, net.add_node(std::move(layer), {input}, name));
  });
}

SMALL_API small_status small_network_add_softmax(small_network *network,
                                                 small_tensor input,
                                                 small_tensor *out) {
  return guarded("small_network_add_softmax", [&] {
    small::Network &net = small::get(network);
    require(out, "out");
    const std::string name = net.next_name("softmax");
    const small::Shape in = net.tensor_shape(input, name + " input");
    auto layer = std::make_unique<small::SoftmaxLayer>(in);
    small::set_out(out, net.add_node(std::move(layer), {input}, name));
  });
}

SMALL_API small_status small_network_add_batchnorm(
    small_network *network, small_tensor input, const float *gamma,
    const float *beta, const float *mean, const float *var, float epsilon,
    small_tensor *out) {
  return guarded("small_network_add_batchnorm", [&] {
    small::Network &net = small::get(network);
    require(gamma, "gamma");
    require(beta, "beta");
    require(mean, "mean");
    require(var, "var");
    require(out, "out");
    const std::string name = net.next_name("batchnorm");
    const small::Shape in = net.tensor_shape(input, name + " input");
    std::vector<float> scale, shift;
    small::batchnorm_scale_shift(name, in.c, gamma, beta, mean, var, epsilon,
                                 scale, shift);
    auto layer = std::make_unique<small::BatchNormLayer>(
        name, in, std::move(scale), std::move(shift));
    small::set_out(out, net.add_node(std::move(layer), {input}, name));
  });
}

SMALL_API small_status small_network_add_reshape(small_network *network,
                                                 small_tensor input, uint32_t c,
                                                 uint32_t h, uint32_t w,
                                                 small_tensor *out) {
  return guarded("small_network_add_reshape", [&] {
    small::Network &net = small::get(network);
    require(out, "out");
    const std::string name = net.next_name("reshape");
    const small::Shape in = net.tensor_shape(input, name + " input");
    if (c == 0 || h == 0 || w == 0) {
      fail(SMALL_ERR_INVALID_ARGUMENT,
           name + ": every target dimension must be >= 1");
    }
    const uint64_t from = uint64_t{in.c} * in.h * in.w;
    uint64_t to = 0;
    const bool overflow = __builtin_mul_overflow(uint64_t{c} * h, w, &to);
    if (overflow || to != from) {
      fail(SMALL_ERR_SHAPE_MISMATCH,
           name + ": cannot reshape " + in.str() + " to (" + std::to_string(c) +
               ", " + std::to_string(h) + ", " + std::to_string(w) +
               "): element counts differ");
    }
    const small::Shape o{in.n, c, h, w};
    auto layer =
        std::make_unique<small::ReshapeLayer>(SMALL_LAYER_RESHAPE, in, o);
    small::set_out(out, net.add_node(std::move(layer), {input}, name));
  });
}

SMALL_API small_status small_network_add_flatten(small_network *network,
                                                 small_tensor input,
                                                 small_tensor *out) {
  return guarded("small_network_add_flatten", [&] {
    small::Network &net = small::get(network);
    require(out, "out");
    const std::string name = net.next_name("flatten");
    const small::Shape in = net.tensor_shape(input, name + " input");
    const uint64_t flat = uint64_t{in.c} * in.h * in.w;
    if (flat > std::numeric_limits<uint32_t>::max()) {
      fail(SMALL_ERR_OVERFLOW, name + ": flattened size exceeds 2^32-1");
    }
    const small::Shape o{in.n, static_cast<uint32_t>(flat), 1, 1};
    auto layer =
        std::make_unique<small::ReshapeLayer>(SMALL_LAYER_FLATTEN, in, o);
    small::set_out(out, net.add_node(std::move(layer), {input}, name));
  });
}

SMALL_API small_status small_network_mark_output(small_network *network,
                                                 small_tensor tensor) {
  return guarded("small_network_mark_output",
                 [&] { small::get(network).mark_output(tensor); });
}

SMALL_API small_status small_network_finalize(small_network *network) {
  return guarded("small_network_finalize",
                 [&] { small::get(network).finalize(); });
}

SMALL_API small_status small_network_arena_size(const small_network *network,
                                                size_t *bytes) {
  return guarded("small_network_arena_size", [&] {
    const small::Network &net = small::get(network);
    require(bytes, "bytes");
    if (!net.finalized()) {
      fail(SMALL_ERR_INVALID_STATE, "finalize the network first");
    }
    *bytes = net.arena_bytes();
  });
}

SMALL_API small_status
small_network_arena_lower_bound(const small_network *network, size_t *bytes) {
  return guarded("small_network_arena_lower_bound", [&] {
    const small::Network &net = small::get(network);
    require(bytes, "bytes");
    if (!net.finalized()) {
      fail(SMALL_ERR_INVALID_STATE, "finalize the network first");
    }
    *bytes = net.arena_lower_bound();
  });
}

SMALL_API small_status small_network_set_arena(small_network *network,
                                               void *buffer, size_t bytes) {
  return guarded("small_network_set_arena", [&] {
    small::Network &net = small::get(network);
    require(buffer, "buffer");
    net.set_arena(buffer, bytes);
  });
}

SMALL_API small_status small_network_run(
    small_network *network, const float *const *inputs, size_t input_count,
    float *const *outputs, size_t output_count, small_layout layout) {
  return guarded("small_network_run", [&] {
    small::Network &net = small::get(network);
    require(inputs, "inputs");
    require(outputs, "outputs");
    net.run(inputs, input_count, outputs, output_count, layout);
  });
}

SMALL_API small_status small_network_input_count(const small_network *network,
                                                 size_t *count) {
  return guarded("small_network_input_count", [&] {
    const small::Network &net = small::get(network);
    require(count, "count");
    *count = net.inputs().size();
  });
}

SMALL_API small_status small_network_output_count(const small_network *network,
                                                  size_t *count) {
  return guarded("small_network_output_count", [&] {
    const small::Network &net = small::get(network);
    require(count, "count");
    *count = net.outputs().size();
  });
}

namespace {
void write_dims(const small::Shape &s, uint32_t dims[4]) {
  dims[0] = s.n;
  dims[1] = s.c;
  dims[2] = s.h;
  dims[3] = s.w;
}
} // namespace

SMALL_API small_status small_network_input_shape(const small_network *network,
                                                 size_t index,
                                                 uint32_t dims[4]) {
  return guarded("small_network_input_shape", [&] {
    const small::Network &net = small::get(network);
    require(dims, "dims");
    if (index >= net.inputs().size()) {
      fail(SMALL_ERR_NOT_FOUND, "input index " + std::to_string(index) +
                                    " >= input count " +
                                    std::to_string(net.inputs().size()));
    }
    write_dims(net.tensor_shape(net.inputs()[index], "input"), dims);
  });
}

SMALL_API small_status small_network_output_shape(const small_network *network,
                                                  size_t index,
                                                  uint32_t dims[4]) {
  return guarded("small_network_output_shape", [&] {
    const small::Network &net = small::get(network);
    require(dims, "dims");
    if (index >= net.outputs().size()) {
      fail(SMALL_ERR_NOT_FOUND, "output index " + std::to_string(index) +
                                    " >= output count " +
                                    std::to_string(net.outputs().size()));
    }
    write_dims(net.tensor_shape(net.outputs()[index], "output"), dims);
  });
}

SMALL_API small_status small_network_tensor_shape(const small_network *network,
                                                  small_tensor tensor,
                                                  uint32_t dims[4]) {
  return guarded("small_network_tensor_shape", [&] {
    const small::Network &net = small::get(network);
    require(dims, "dims");
    write_dims(net.tensor_shape(tensor, "tensor"), dims);
  });
}

SMALL_API small_status small_network_layer_count(const small_network *network,
                                                 size_t *count) {
  return guarded("small_network_layer_count", [&] {
    const small::Network &net = small::get(network);
    require(count, "count");
    *count = net.layer_count();
  });
}

SMALL_API small_status small_network_layer_info(const small_network *network,
                                                size_t index,
                                                small_layer_info *info) {
  return guarded("small_network_layer_info", [&] {
    const small::Network &net = small::get(network);
    require(info, "info");
    net.layer_info(index, *info);
  });
}

SMALL_API small_status small_network_enable_profiling(small_network *network,
                                                      int enable) {
  return guarded("small_network_enable_profiling",
                 [&] { small::get(network).enable_profiling(enable != 0); });
}

SMALL_API small_status small_network_layer_time(const small_network *network,
                                                size_t index,
                                                double *microseconds) {
  return guarded("small_network_layer_time", [&] {
    const small::Network &net = small::get(network);
    require(microseconds, "microseconds");
    *microseconds = net.layer_time_us(index);
  });
}

} // extern "C"
