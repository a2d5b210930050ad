// Writes the C that small-codegen's generator makes for a network using
// every int8 layer kind, plus an input and the output the same description
// gives when built live through NetworkBuilder (single rounding):
//   int8_layers_model gen.c gen.h input.bin expected.bin
// The MLPerf Tiny models cover int8 conv, dense, pooling, add and softmax;
// this network adds float QUANTIZE and DEQUANTIZE, int8 -> int8 QUANTIZE,
// concat with a requantized input, MEAN, flatten and reshape of int8
// tensors, a per-tensor weight scale and a conv without bias.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "small_import/c_codegen.h"
#include "small_import/network_builder.h"

namespace {

using namespace small_import;

// Deterministic values in [lo, hi].
std::vector<int8_t> int8_values(size_t n, int lo, int hi, unsigned seed) {
  std::vector<int8_t> v(n);
  for (size_t i = 0; i < n; ++i) {
    seed = seed * 1103515245u + 12345u;
    v[i] = static_cast<int8_t>(lo +
                               static_cast<int>((seed >> 16) % (hi - lo + 1)));
  }
  return v;
}

std::vector<int32_t> bias_values(size_t n) {
  std::vector<int32_t> v(n);
  for (size_t i = 0; i < n; ++i) {
    v[i] = static_cast<int32_t>(i * 37) - 150;
  }
  return v;
}

small_activation act(small_activation_kind kind) {
  small_activation a{};
  a.kind = kind;
  return a;
}

class Network {
public:
  TensorId add(const char *name, std::vector<TensorId> inputs,
               LayerParams params) {
    Layer layer;
    layer.name = name;
    layer.inputs = std::move(inputs);
    layer.params = std::move(params);
    net.layers.push_back(std::move(layer));
    return net.layers.size() - 1;
  }
  NetworkDescription net;
};

NetworkDescription describe() {
  Network n;
  InputParams in;
  in.dims[0] = 1;
  in.dims[1] = 4;
  in.dims[2] = 6;
  in.dims[3] = 6;
  const TensorId x = n.add("x", {}, in);

  const TensorId q = n.add("quantize", {x}, QuantizeParams{{0.05f, 3}});

  Conv2dInt8Params conv;
  small_conv2d_params_init(&conv.params);
  conv.params.out_channels = 8;
  conv.params.kernel_h = conv.params.kernel_w = 3;
  conv.params.pad_top = conv.params.pad_bottom = 1;
  conv.params.pad_left = conv.params.pad_right = 1;
  conv.params.activation = act(SMALL_ACT_RELU);
  conv.weights.values = int8_values(8 * 4 * 3 * 3, -127, 127, 1);
  conv.weights.scales = {0.011f, 0.007f, 0.013f, 0.009f,
                         0.012f, 0.006f, 0.010f, 0.008f};
  conv.weights.bias = bias_values(8);
  conv.output = {0.1f, -20};
  const TensorId c1 = n.add("conv", {q}, conv);

  Pool2dInt8Params pool;
  small_pool2d_params_init(&pool.params);
  pool.params.kind = SMALL_POOL_MAX;
  pool.params.kernel_h = pool.params.kernel_w = 2;
  pool.params.stride_h = pool.params.stride_w = 2;
  pool.activation = act(SMALL_ACT_NONE);
  const TensorId p = n.add("maxpool", {c1}, pool);

  Conv2dInt8Params dw;
  small_conv2d_params_init(&dw.params);
  dw.params.out_channels = 8;
  dw.params.groups = 8;
  dw.params.kernel_h = dw.params.kernel_w = 3;
  dw.params.padding_mode = SMALL_PADDING_SAME;
  dw.params.activation = act(SMALL_ACT_RELU6);
  dw.weights.values = int8_values(8 * 3 * 3, -127, 127, 2);
  dw.weights.scales = {0.02f}; // one for the whole tensor, no bias
  dw.output = {0.08f, -5};
  const TensorId d = n.add("depthwise", {p}, dw);

  const TensorId s =
      n.add("add", {p, d}, AddInt8Params{act(SMALL_ACT_NONE), {0.12f, 2}});
  const TensorId r = n.add("requantize", {p}, QuantizeParams{{0.2f, 0}});
  const TensorId cat = n.add("concat", {s, r}, ConcatInt8Params{{0.15f, 1}});
  const TensorId m = n.add("mean", {cat}, GlobalAvgPoolInt8Params{{0.1f, -1}});
  const TensorId f = n.add("flatten", {m}, FlattenParams{});

  DenseInt8Params fc;
  fc.out_features = 10;
  fc.weights.values = int8_values(10 * 16, -10, 10, 3);
  fc.weights.scales = {0.01f,  0.02f,  0.015f, 0.03f, 0.012f,
                       0.018f, 0.025f, 0.011f, 0.02f, 0.016f};
  fc.weights.bias = bias_values(10);
  fc.activation = act(SMALL_ACT_NONE);
  fc.output = {0.1f, 4};
  const TensorId y = n.add("dense", {f}, fc);
  const TensorId y2 = n.add("reshape", {y}, ReshapeParams{10, 1, 1});
  const TensorId sm =
      n.add("softmax", {y2}, SoftmaxInt8Params{1.0f, {1.0f / 256, -128}});
  const TensorId out = n.add("dequantize", {sm}, DequantizeParams{});

  n.net.outputs = {out};
  n.net.input_names = {"x"};
  n.net.output_names = {"probabilities"};
  n.net.output_dims = {{1, 10}};
  n.net.rounding = SMALL_ROUNDING_SINGLE;
  return n.net;
}

// Builds `desc` live and runs it on `x`.
bool run_live(const NetworkDescription &desc, const std::vector<float> &x,
              std::vector<float> &y) {
  small_network *net = nullptr;
  if (small_network_create(&net) != SMALL_OK) {
    return false;
  }
  NetworkBuilder builder(net);
  const float *ins[1] = {x.data()};
  float *outs[1] = {y.data()};
  const bool ok =
      small_network_set_rounding(net, desc.rounding) == SMALL_OK &&
      visit_network(desc, builder) == SMALL_OK &&
      small_network_finalize(net) == SMALL_OK &&
      small_network_run(net, ins, 1, outs, 1, SMALL_LAYOUT_NCHW) == SMALL_OK;
  if (!ok) {
    std::fprintf(stderr, "int8_layers_model: %s: %s\n", builder.failed_call(),
                 small_last_error());
  }
  small_network_destroy(net);
  return ok;
}

bool write_floats(const char *path, const std::vector<float> &v) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char *>(v.data()),
          static_cast<std::streamsize>(v.size() * sizeof(float)));
  return static_cast<bool>(f);
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: int8_layers_model gen.c gen.h input.bin "
                         "expected.bin\n");
    return 2;
  }
  const NetworkDescription desc = describe();
  std::vector<float> x(4 * 6 * 6), y(10);
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = 0.07f * static_cast<float>(static_cast<int>(i * 7 % 41) - 20);
  }
  std::string error;
  if (write_c_source(desc, "hand-made", "int8_layers", argv[1], argv[2],
                     &error) != SMALL_OK) {
    std::fprintf(stderr, "int8_layers_model: %s\n", error.c_str());
    return 1;
  }
  return run_live(desc, x, y) && write_floats(argv[3], x) &&
                 write_floats(argv[4], y)
             ? 0
             : 1;
}
