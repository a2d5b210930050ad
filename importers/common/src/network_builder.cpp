#include "small_import/network_builder.h"

#include "small_import/import_error.h"

namespace small_import {
namespace {

const float *bias_or_null(const std::vector<float> &bias) {
  return bias.empty() ? nullptr : bias.data();
}

small_int8_weights int8_weights(const Int8Weights &w) {
  small_int8_weights out{};
  out.values = w.values.data();
  out.scales = w.scales.data();
  out.scale_count = static_cast<uint32_t>(w.scales.size());
  out.bias = w.bias.empty() ? nullptr : w.bias.data();
  return out;
}

} // namespace

void NetworkBuilder::build(NetworkDescription &description, TensorId id,
                           const std::string &where) {
  const small_status s = visit_layer(description, id, *this);
  if (s != SMALL_OK) {
    fail(s, where + ": " + failed_call_ + " failed: " + small_last_error());
  }
  Layer &layer = description.layers[id];
  const small_status shape =
      small_network_tensor_shape(network_, core_[id], layer.output_dims);
  if (shape != SMALL_OK) {
    fail(shape,
         where + ": small_network_tensor_shape failed: " + small_last_error());
  }
}

small_status NetworkBuilder::done(TensorId id, const char *call,
                                  small_status status, small_tensor made) {
  if (status != SMALL_OK) {
    failed_call_ = call;
    return status;
  }
  if (core_.size() <= id) {
    core_.resize(id + 1, -1);
  }
  core_[id] = made;
  return SMALL_OK;
}

small_status NetworkBuilder::visit(TensorId id, const Layer &,
                                   const InputParams &p) {
  small_tensor t = -1;
  if (p.dtype == SMALL_DTYPE_INT8) {
    const small_status s = small_network_add_input_int8(
        network_, p.dims[0], p.dims[1], p.dims[2], p.dims[3], p.quant, &t);
    return done(id, "small_network_add_input_int8", s, t);
  }
  const small_status s = small_network_add_input(network_, p.dims[0], p.dims[1],
                                                 p.dims[2], p.dims[3], &t);
  return done(id, "small_network_add_input", s, t);
}

small_status NetworkBuilder::visit(TensorId id, const Layer &layer,
                                   const Conv2dParams &p) {
  small_tensor t = -1;
  const small_status s =
      small_network_add_conv2d(network_, in(layer, 0), &p.params,
                               p.weights.data(), bias_or_null(p.bias), &t);
  return done(id, "small_network_add_conv2d", s, t);
}

small_status NetworkBuilder::visit(TensorId id, const Layer &layer,
                                   const DenseParams &p) {
  small_tensor t = -1;
  const small_status s = small_network_add_dense(
      network_, in(layer, 0), p.out_features, p.weights.data(),
      bias_or_null(p.bias), p.activation, &t);
  return done(id, "small_network_add_dense", s, t);
}

small_status NetworkBuilder::visit(TensorId id, const Layer &layer,
                                   const Pool2dParams &p) {
  small_tensor t = -1;
  const small_status s =
      small_network_add_pool2d(network_, in(layer, 0), &p.params, &t);
  return done(id, "small_network_add_pool2d", s, t);
}

small_status NetworkBuilder::visit(TensorId id, const Layer &layer,
                                   const GlobalAvgPoolParams &) {
  small_tensor t = -1;
  const small_status s =
      small_network_add_global_avgpool(network_, in(layer, 0), &t);
  return done(id, "small_network_add_global_avgpool", s, t);
}

small_status NetworkBuilder::visit(TensorId id, const Layer &layer,
                                   const AddParams &p) {
  small_tensor t = -1;
  const small_status s = small_network_add_add(network_, in(layer, 0),
                                               in(layer, 1), p.activation, &t);
  return done(id, "small_network_add_add", s, t);
}

small_status NetworkBuilder::visit(TensorId id, const Layer &layer,
                                   const ConcatParams &) {
  std::vector<small_tensor> inputs;
  for (size_t k = 0; k < layer.inputs.size(); ++k) {
    inputs.push_back(in(layer, k));
  }
  small_tensor t = -1;
  const small_status s =
      small_network_add_concat(network_, inputs.data(), inputs.size(), &t);
  return done(id, "small_network_add_concat", s, t);
}

small_status NetworkBuilder::visit(TensorId id, const Layer &layer,
                                   const ActivationParams &p) {
  small_tensor t = -1;
  const small_status s =
      small_network_add_activation(network_, in(layer, 0), p.activation, &t);
  return done(id, "small_network_add_activation", s, t);
}

small_status NetworkBuilder::visit(TensorId id, const Layer &layer,
                                   const SoftmaxParams &) {
  small_tensor t = -1;
  const small_status s = small_network_add_softmax(network_, in(layer, 0), &t);
  return done(id, "small_network_add_softmax", s, t);
}

small_status NetworkBuilder::visit(TensorId id, const Layer &layer,
                                   const BatchNormParams &p) {
  small_tensor t = -1;
  const small_status s = small_network_add_batchnorm(
      network_, in(layer, 0), p.gamma.data(), p.beta.data(), p.mean.data(),
      p.var.data(), p.epsilon, &t);
  return done(id, "small_network_add_batchnorm", s, t);
}

small_status NetworkBuilder::visit(TensorId id, const Layer &layer,
                                   const ReshapeParams &p) {
  small_tensor t = -1;
  const small_status s =
      small_network_add_reshape(network_, in(layer, 0), p.c, p.h, p.w, &t);
  return done(id, "small_network_add_reshape", s, t);
}

small_status NetworkBuilder::visit(TensorId id, const Layer &layer,
                                   const FlattenParams &) {
  small_tensor t = -1;
  const small_status s = small_network_add_flatten(network_, in(layer, 0), &t);
  return done(id, "small_network_add_flatten", s, t);
}

small_status NetworkBuilder::visit(TensorId id, const Layer &layer,
                                   const Conv2dInt8Params &p) {
  small_tensor t = -1;
  const small_int8_weights w = int8_weights(p.weights);
  const small_status s = small_network_add_conv2d_int8(
      network_, in(layer, 0), &p.params, &w, p.output, &t);
  return done(id, "small_network_add_conv2d_int8", s, t);
}

small_status NetworkBuilder::visit(TensorId id, const Layer &layer,
                                   const DenseInt8Params &p) {
  small_tensor t = -1;
  const small_int8_weights w = int8_weights(p.weights);
  const small_status s = small_network_add_dense_int8(
      network_, in(layer, 0), p.out_features, &w, p.activation, p.output, &t);
  return done(id, "small_network_add_dense_int8", s, t);
}

small_status NetworkBuilder::visit(TensorId id, const Layer &layer,
                                   const Pool2dInt8Params &p) {
  small_tensor t = -1;
  const small_status s = small_network_add_pool2d_int8(
      network_, in(layer, 0), &p.params, p.activation, &t);
  return done(id, "small_network_add_pool2d_int8", s, t);
}

small_status NetworkBuilder::visit(TensorId id, const Layer &layer,
                                   const GlobalAvgPoolInt8Params &p) {
  small_tensor t = -1;
  const small_status s = small_network_add_global_avgpool_int8(
      network_, in(layer, 0), p.output, &t);
  return done(id, "small_network_add_global_avgpool_int8", s, t);
}

small_status NetworkBuilder::visit(TensorId id, const Layer &layer,
                                   const AddInt8Params &p) {
  small_tensor t = -1;
  const small_status s = small_network_add_add_int8(
      network_, in(layer, 0), in(layer, 1), p.activation, p.output, &t);
  return done(id, "small_network_add_add_int8", s, t);
}

small_status NetworkBuilder::visit(TensorId id, const Layer &layer,
                                   const ConcatInt8Params &p) {
  std::vector<small_tensor> inputs;
  for (size_t k = 0; k < layer.inputs.size(); ++k) {
    inputs.push_back(in(layer, k));
  }
  small_tensor t = -1;
  const small_status s = small_network_add_concat_int8(
      network_, inputs.data(), inputs.size(), p.output, &t);
  return done(id, "small_network_add_concat_int8", s, t);
}

small_status NetworkBuilder::visit(TensorId id, const Layer &layer,
                                   const SoftmaxInt8Params &p) {
  small_tensor t = -1;
  const small_status s = small_network_add_softmax_int8(network_, in(layer, 0),
                                                        p.beta, p.output, &t);
  return done(id, "small_network_add_softmax_int8", s, t);
}

small_status NetworkBuilder::visit(TensorId id, const Layer &layer,
                                   const QuantizeParams &p) {
  small_tensor t = -1;
  const small_status s =
      small_network_add_quantize(network_, in(layer, 0), p.output, &t);
  return done(id, "small_network_add_quantize", s, t);
}

small_status NetworkBuilder::visit(TensorId id, const Layer &layer,
                                   const DequantizeParams &) {
  small_tensor t = -1;
  const small_status s =
      small_network_add_dequantize(network_, in(layer, 0), &t);
  return done(id, "small_network_add_dequantize", s, t);
}

small_status NetworkBuilder::mark_output(TensorId tensor, size_t) {
  const small_status s = small_network_mark_output(network_, core_[tensor]);
  if (s != SMALL_OK) {
    failed_call_ = "small_network_mark_output";
  }
  return s;
}

} // namespace small_import
