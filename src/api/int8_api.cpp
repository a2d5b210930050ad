// The C API's int8 entry points: rounding mode, int8 inputs, the int8 layer
// builders, run_int8 and the element-type queries. Guard, NULL checks, then
// one call into the network or a layer's add_* function.
#include "api/api_guard.h"
#include "api/network_handle.h"
#include "layers/conv2d_int8.h"
#include "layers/elementwise_int8.h"
#include "layers/pool2d.h"
#include "small/small.h"

using small::guarded;
using small::require;

namespace {

// Runs `add(net, id)` for a builder whose result goes to *out.
template <typename Add>
small_status build(small_network *network, small_tensor *out, Add &&add) {
  small::Network *net = nullptr;
  SMALL_TRY(small::get(network, net));
  SMALL_TRY(require(out, "out"));
  int id = -1;
  SMALL_TRY(add(*net, id));
  small::set_out(out, id);
  return SMALL_OK;
}

// Type of input/output `index` of `ids` ("input"/"output" in messages).
small_status indexed_type(const small::Network &net,
                          const std::vector<int> &ids, size_t index,
                          const char *what, small_dtype *dtype,
                          small_quant *quant) {
  if (index >= ids.size()) {
    return small::fail(SMALL_ERR_NOT_FOUND)
           << what << " index " << index << " >= " << what << " count "
           << ids.size();
  }
  small_quant q{};
  SMALL_TRY(net.tensor_type(ids[index], what, *dtype, q));
  if (quant != nullptr) {
    *quant = q;
  }
  return SMALL_OK;
}

} // namespace

extern "C" {

SMALL_API small_status small_network_set_rounding(small_network *network,
                                                  small_rounding rounding) {
  return guarded("small_network_set_rounding", [&]() -> small_status {
    small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    return net->set_rounding(rounding);
  });
}

SMALL_API small_status small_network_add_input_int8(small_network *network,
                                                    uint32_t n, uint32_t c,
                                                    uint32_t h, uint32_t w,
                                                    small_quant quant,
                                                    small_tensor *out) {
  return guarded("small_network_add_input_int8", [&] {
    return build(network, out, [&](small::Network &net, int &id) {
      return net.add_input_int8({n, c, h, w}, quant, id);
    });
  });
}

SMALL_API small_status small_network_add_conv2d_int8(
    small_network *network, small_tensor input,
    const small_conv2d_params *params, const small_int8_weights *weights,
    small_quant output, small_tensor *out) {
  return guarded("small_network_add_conv2d_int8", [&]() -> small_status {
    SMALL_TRY(require(network, "network"));
    SMALL_TRY(require(params, "params"));
    SMALL_TRY(require(weights, "weights"));
    return build(network, out, [&](small::Network &net, int &id) {
      return small::add_conv2d_int8(net, input, *params, *weights, output, id);
    });
  });
}

SMALL_API small_status small_network_add_dense_int8(
    small_network *network, small_tensor input, uint32_t out_features,
    const small_int8_weights *weights, small_activation activation,
    small_quant output, small_tensor *out) {
  return guarded("small_network_add_dense_int8", [&]() -> small_status {
    SMALL_TRY(require(network, "network"));
    SMALL_TRY(require(weights, "weights"));
    return build(network, out, [&](small::Network &net, int &id) {
      return small::add_dense_int8(net, input, out_features, *weights,
                                   activation, output, id);
    });
  });
}

namespace {

// The scales and bias of packed weights as small_int8_weights (values: the
// packed bytes, only checked for NULL there).
small_int8_weights unpacked_view(const small_int8_packed_weights &p) {
  small_int8_weights w;
  w.values = p.packed;
  w.scales = p.scales;
  w.scale_count = p.scale_count;
  w.bias = p.bias;
  return w;
}

} // namespace

SMALL_API void
small_int8_packed_weights_init(small_int8_packed_weights *weights) {
  if (weights != nullptr) {
    *weights = small_int8_packed_weights{};
  }
}

SMALL_API small_status small_network_add_conv2d_int8_packed(
    small_network *network, small_tensor input,
    const small_conv2d_params *params, const small_int8_packed_weights *weights,
    small_quant output, small_tensor *out) {
  return guarded("small_network_add_conv2d_int8_packed", [&]() -> small_status {
    SMALL_TRY(require(network, "network"));
    SMALL_TRY(require(params, "params"));
    SMALL_TRY(require(weights, "weights"));
    SMALL_TRY(require(weights->packed, "weights->packed"));
    return build(network, out, [&](small::Network &net, int &id) {
      return small::add_conv2d_int8(
          net, input, *params, unpacked_view(*weights), output, id, weights);
    });
  });
}

SMALL_API small_status small_network_add_dense_int8_packed(
    small_network *network, small_tensor input, uint32_t out_features,
    const small_int8_packed_weights *weights, small_activation activation,
    small_quant output, small_tensor *out) {
  return guarded("small_network_add_dense_int8_packed", [&]() -> small_status {
    SMALL_TRY(require(network, "network"));
    SMALL_TRY(require(weights, "weights"));
    SMALL_TRY(require(weights->packed, "weights->packed"));
    return build(network, out, [&](small::Network &net, int &id) {
      return small::add_dense_int8(net, input, out_features,
                                   unpacked_view(*weights), activation, output,
                                   id, weights);
    });
  });
}

SMALL_API small_status small_network_set_packing(small_network *network,
                                                 uint32_t channel_block,
                                                 uint32_t int8_k_group) {
  return guarded("small_network_set_packing", [&]() -> small_status {
    small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    return net->set_packing(channel_block, int8_k_group);
  });
}

SMALL_API small_status small_network_set_target(small_network *network,
                                                const char *target) {
  return guarded("small_network_set_target", [&]() -> small_status {
    small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    SMALL_TRY(require(target, "target"));
    return net->set_target(target);
  });
}

SMALL_API small_status
small_network_packed_weights(const small_network *network, size_t layer,
                             small_int8_packed_weights *weights) {
  return guarded("small_network_packed_weights", [&]() -> small_status {
    const small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    SMALL_TRY(require(weights, "weights"));
    return net->packed_weights(layer, *weights);
  });
}

SMALL_API small_status
small_network_add_pool2d_int8(small_network *network, small_tensor input,
                              const small_pool2d_params *params,
                              small_activation activation, small_tensor *out) {
  return guarded("small_network_add_pool2d_int8", [&]() -> small_status {
    SMALL_TRY(require(network, "network"));
    SMALL_TRY(require(params, "params"));
    return build(network, out, [&](small::Network &net, int &id) {
      return small::add_pool2d_int8(net, input, *params, activation, id);
    });
  });
}

SMALL_API small_status small_network_add_global_avgpool_int8(
    small_network *network, small_tensor input, small_quant output,
    small_tensor *out) {
  return guarded("small_network_add_global_avgpool_int8", [&] {
    return build(network, out, [&](small::Network &net, int &id) {
      return small::add_global_avgpool_int8(net, input, output, id);
    });
  });
}

SMALL_API small_status small_network_add_add_int8(
    small_network *network, small_tensor a, small_tensor b,
    small_activation activation, small_quant output, small_tensor *out) {
  return guarded("small_network_add_add_int8", [&] {
    return build(network, out, [&](small::Network &net, int &id) {
      return small::add_add_int8(net, a, b, activation, output, id);
    });
  });
}

SMALL_API small_status small_network_add_concat_int8(small_network *network,
                                                     const small_tensor *inputs,
                                                     size_t count,
                                                     small_quant output,
                                                     small_tensor *out) {
  return guarded("small_network_add_concat_int8", [&]() -> small_status {
    SMALL_TRY(require(network, "network"));
    SMALL_TRY(require(inputs, "inputs"));
    return build(network, out, [&](small::Network &net, int &id) {
      return small::add_concat_int8(net, inputs, count, output, id);
    });
  });
}

SMALL_API small_status small_network_add_softmax_int8(small_network *network,
                                                      small_tensor input,
                                                      float beta,
                                                      small_quant output,
                                                      small_tensor *out) {
  return guarded("small_network_add_softmax_int8", [&] {
    return build(network, out, [&](small::Network &net, int &id) {
      return small::add_softmax_int8(net, input, beta, output, id);
    });
  });
}

SMALL_API small_status small_network_add_quantize(small_network *network,
                                                  small_tensor input,
                                                  small_quant output,
                                                  small_tensor *out) {
  return guarded("small_network_add_quantize", [&] {
    return build(network, out, [&](small::Network &net, int &id) {
      return small::add_quantize(net, input, output, id);
    });
  });
}

SMALL_API small_status small_network_add_dequantize(small_network *network,
                                                    small_tensor input,
                                                    small_tensor *out) {
  return guarded("small_network_add_dequantize", [&] {
    return build(network, out, [&](small::Network &net, int &id) {
      return small::add_dequantize(net, input, id);
    });
  });
}

SMALL_API small_status small_network_run_int8(
    small_network *network, const int8_t *const *inputs, size_t input_count,
    int8_t *const *outputs, size_t output_count, small_layout layout) {
  return guarded("small_network_run_int8", [&]() -> small_status {
    small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    SMALL_TRY(require(inputs, "inputs"));
    SMALL_TRY(require(outputs, "outputs"));
    return net->run_int8(inputs, input_count, outputs, output_count, layout);
  });
}

SMALL_API small_status small_network_input_type(const small_network *network,
                                                size_t index,
                                                small_dtype *dtype,
                                                small_quant *quant) {
  return guarded("small_network_input_type", [&]() -> small_status {
    const small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    SMALL_TRY(require(dtype, "dtype"));
    return indexed_type(*net, net->inputs(), index, "input", dtype, quant);
  });
}

SMALL_API small_status small_network_output_type(const small_network *network,
                                                 size_t index,
                                                 small_dtype *dtype,
                                                 small_quant *quant) {
  return guarded("small_network_output_type", [&]() -> small_status {
    const small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    SMALL_TRY(require(dtype, "dtype"));
    return indexed_type(*net, net->outputs(), index, "output", dtype, quant);
  });
}

SMALL_API small_status small_network_tensor_type(const small_network *network,
                                                 small_tensor tensor,
                                                 small_dtype *dtype,
                                                 small_quant *quant) {
  return guarded("small_network_tensor_type", [&]() -> small_status {
    const small::Network *net = nullptr;
    SMALL_TRY(small::get(network, net));
    SMALL_TRY(require(dtype, "dtype"));
    small_quant q{};
    SMALL_TRY(net->tensor_type(tensor, "tensor", *dtype, q));
    if (quant != nullptr) {
      *quant = q;
    }
    return SMALL_OK;
  });
}

} // extern "C"
