#include "small_import/network_description.h"

#include <type_traits>

namespace small_import {
namespace {

// a * b, false when it does not fit in 64 bits.
bool checked_mul(uint64_t a, uint64_t b, uint64_t *out) {
  return !__builtin_mul_overflow(a, b, out);
}

bool checked_product(std::initializer_list<uint64_t> factors, uint64_t *out) {
  uint64_t p = 1;
  for (uint64_t f : factors) {
    if (!checked_mul(p, f, &p)) {
      return false;
    }
  }
  *out = p;
  return true;
}

} // namespace

small_status visit_layer(const NetworkDescription &net, TensorId id,
                         LayerVisitor &visitor) {
  const Layer &layer = net.layers[id];
  return std::visit(
      [&](const auto &params) { return visitor.visit(id, layer, params); },
      layer.params);
}

small_status visit_network(const NetworkDescription &net,
                           LayerVisitor &visitor) {
  for (TensorId id = 0; id < net.layers.size(); ++id) {
    const small_status s = visit_layer(net, id, visitor);
    if (s != SMALL_OK) {
      return s;
    }
  }
  for (size_t k = 0; k < net.outputs.size(); ++k) {
    const small_status s = visitor.mark_output(net.outputs[k], k);
    if (s != SMALL_OK) {
      return s;
    }
  }
  return SMALL_OK;
}

const char *layer_kind_name(const Layer &layer) {
  return std::visit(
      [](const auto &p) -> const char * {
        using P = std::decay_t<decltype(p)>;
        if constexpr (std::is_same_v<P, InputParams>) {
          return "input";
        } else if constexpr (std::is_same_v<P, Conv2dParams>) {
          return "conv2d";
        } else if constexpr (std::is_same_v<P, DenseParams>) {
          return "dense";
        } else if constexpr (std::is_same_v<P, Pool2dParams>) {
          return p.params.kind == SMALL_POOL_MAX ? "maxpool" : "avgpool";
        } else if constexpr (std::is_same_v<P, GlobalAvgPoolParams>) {
          return "global_avgpool";
        } else if constexpr (std::is_same_v<P, AddParams>) {
          return "add";
        } else if constexpr (std::is_same_v<P, ConcatParams>) {
          return "concat";
        } else if constexpr (std::is_same_v<P, ActivationParams>) {
          return "activation";
        } else if constexpr (std::is_same_v<P, SoftmaxParams>) {
          return "softmax";
        } else if constexpr (std::is_same_v<P, BatchNormParams>) {
          return "batchnorm";
        } else if constexpr (std::is_same_v<P, ReshapeParams>) {
          return "reshape";
        } else if constexpr (std::is_same_v<P, FlattenParams>) {
          return "flatten";
        } else if constexpr (std::is_same_v<P, Conv2dInt8Params>) {
          return "conv2d_int8";
        } else if constexpr (std::is_same_v<P, DenseInt8Params>) {
          return "dense_int8";
        } else if constexpr (std::is_same_v<P, Pool2dInt8Params>) {
          return p.params.kind == SMALL_POOL_MAX ? "maxpool_int8"
                                                 : "avgpool_int8";
        } else if constexpr (std::is_same_v<P, GlobalAvgPoolInt8Params>) {
          return "global_avgpool_int8";
        } else if constexpr (std::is_same_v<P, AddInt8Params>) {
          return "add_int8";
        } else if constexpr (std::is_same_v<P, ConcatInt8Params>) {
          return "concat_int8";
        } else if constexpr (std::is_same_v<P, SoftmaxInt8Params>) {
          return "softmax_int8";
        } else if constexpr (std::is_same_v<P, QuantizeParams>) {
          return "quantize";
        } else {
          static_assert(std::is_same_v<P, DequantizeParams>);
          return "dequantize";
        }
      },
      layer.params);
}

bool layer_macs(const Layer &layer, const uint32_t in[4], const uint32_t out[4],
                uint64_t *macs) {
  uint64_t out_elems = 0;
  if (!checked_product({out[0], out[1], out[2], out[3]}, &out_elems)) {
    return false;
  }
  const small_conv2d_params *conv = nullptr;
  if (const auto *f = std::get_if<Conv2dParams>(&layer.params)) {
    conv = &f->params;
  } else if (const auto *q = std::get_if<Conv2dInt8Params>(&layer.params)) {
    conv = &q->params;
  }
  if (conv != nullptr) {
    const uint32_t groups = conv->groups == 0 ? 1 : conv->groups;
    return checked_product(
        {out_elems, in[1] / groups, conv->kernel_h, conv->kernel_w}, macs);
  }
  if (std::holds_alternative<DenseParams>(layer.params) ||
      std::holds_alternative<DenseInt8Params>(layer.params)) {
    return checked_product({out_elems, in[1], in[2], in[3]}, macs);
  }
  *macs = std::holds_alternative<BatchNormParams>(layer.params) ? out_elems : 0;
  return true;
}

} // namespace small_import
