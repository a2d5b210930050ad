// The C API's layer builders: guard, NULL checks, then the layer's own
// add_* function (src/layers), which validates and infers shapes.
#include "api/api_guard.h"
#include "api/network_handle.h"
#include "layers/batchnorm.h"
#include "layers/conv2d.h"
#include "layers/dense.h"
#include "layers/elementwise.h"
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

} // namespace

extern "C" {

SMALL_API small_status small_network_add_conv2d(
    small_network *network, small_tensor input,
    const small_conv2d_params *params, const float *weights, const float *bias,
    small_tensor *out) {
  return guarded("small_network_add_conv2d", [&]() -> small_status {
    SMALL_TRY(require(network, "network"));
    SMALL_TRY(require(params, "params"));
    SMALL_TRY(require(weights, "weights"));
    return build(network, out, [&](small::Network &net, int &id) {
      return small::add_conv2d(net, input, *params, weights, bias, id);
    });
  });
}

SMALL_API small_status small_network_add_dense(
    small_network *network, small_tensor input, uint32_t out_features,
    const float *weights, const float *bias, small_activation activation,
    small_tensor *out) {
  return guarded("small_network_add_dense", [&]() -> small_status {
    SMALL_TRY(require(network, "network"));
    SMALL_TRY(require(weights, "weights"));
    return build(network, out, [&](small::Network &net, int &id) {
      return small::add_dense(net, input, out_features, weights, bias,
                              activation, id);
    });
  });
}

SMALL_API small_status
small_network_add_pool2d(small_network *network, small_tensor input,
                         const small_pool2d_params *params, small_tensor *out) {
  return guarded("small_network_add_pool2d", [&]() -> small_status {
    SMALL_TRY(require(network, "network"));
    SMALL_TRY(require(params, "params"));
    return build(network, out, [&](small::Network &net, int &id) {
      return small::add_pool2d(net, input, *params, id);
    });
  });
}

SMALL_API small_status small_network_add_global_avgpool(small_network *network,
                                                        small_tensor input,
                                                        small_tensor *out) {
  return guarded("small_network_add_global_avgpool", [&] {
    return build(network, out, [&](small::Network &net, int &id) {
      return small::add_global_avgpool(net, input, id);
    });
  });
}

SMALL_API small_status small_network_add_add(small_network *network,
                                             small_tensor a, small_tensor b,
                                             small_activation activation,
                                             small_tensor *out) {
  return guarded("small_network_add_add", [&] {
    return build(network, out, [&](small::Network &net, int &id) {
      return small::add_add(net, a, b, activation, id);
    });
  });
}

SMALL_API small_status small_network_add_concat(small_network *network,
                                                const small_tensor *inputs,
                                                size_t count,
                                                small_tensor *out) {
  return guarded("small_network_add_concat", [&]() -> small_status {
    SMALL_TRY(require(network, "network"));
    SMALL_TRY(require(inputs, "inputs"));
    return build(network, out, [&](small::Network &net, int &id) {
      return small::add_concat(net, inputs, count, id);
    });
  });
}

SMALL_API small_status small_network_add_activation(small_network *network,
                                                    small_tensor input,
                                                    small_activation activation,
                                                    small_tensor *out) {
  return guarded("small_network_add_activation", [&] {
    return build(network, out, [&](small::Network &net, int &id) {
      return small::add_activation(net, input, activation, id);
    });
  });
}

SMALL_API small_status small_network_add_softmax(small_network *network,
                                                 small_tensor input,
                                                 small_tensor *out) {
  return guarded("small_network_add_softmax", [&] {
    return build(network, out, [&](small::Network &net, int &id) {
      return small::add_softmax(net, input, id);
    });
  });
}

SMALL_API small_status small_network_add_batchnorm(
    small_network *network, small_tensor input, const float *gamma,
    const float *beta, const float *mean, const float *var, float epsilon,
    small_tensor *out) {
  return guarded("small_network_add_batchnorm", [&]() -> small_status {
    SMALL_TRY(require(network, "network"));
    SMALL_TRY(require(gamma, "gamma"));
    SMALL_TRY(require(beta, "beta"));
    SMALL_TRY(require(mean, "mean"));
    SMALL_TRY(require(var, "var"));
    return build(network, out, [&](small::Network &net, int &id) {
      return small::add_batchnorm(net, input, gamma, beta, mean, var, epsilon,
                                  id);
    });
  });
}

SMALL_API small_status small_network_add_reshape(small_network *network,
                                                 small_tensor input, uint32_t c,
                                                 uint32_t h, uint32_t w,
                                                 small_tensor *out) {
  return guarded("small_network_add_reshape", [&] {
    return build(network, out, [&](small::Network &net, int &id) {
      return small::add_reshape(net, input, c, h, w, id);
    });
  });
}

SMALL_API small_status small_network_add_flatten(small_network *network,
                                                 small_tensor input,
                                                 small_tensor *out) {
  return guarded("small_network_add_flatten", [&] {
    return build(network, out, [&](small::Network &net, int &id) {
      return small::add_flatten(net, input, id);
    });
  });
}

} // extern "C"
