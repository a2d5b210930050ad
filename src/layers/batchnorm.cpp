#include "layers/batchnorm.h"

#include <cmath>

#include "graph/network.h"
#include "util/error.h"

namespace small {

namespace {
ConvSpec depthwise_1x1(const Shape &input) {
  ConvSpec s;
  s.input = input;
  s.out_channels = input.c;
  s.groups = input.c;
  return s;
}
} // namespace

BatchNormLayer::BatchNormLayer(const ConvSpec &spec, const Shape &output,
                               std::vector<float> scale,
                               std::vector<float> shift)
    : Conv2DLayer(SMALL_LAYER_BATCHNORM, spec, output, scale, shift),
      scale_(std::move(scale)), shift_(std::move(shift)) {}

small_status BatchNormLayer::create(const std::string &name, const Shape &input,
                                    std::vector<float> scale,
                                    std::vector<float> shift,
                                    std::unique_ptr<BatchNormLayer> &layer) {
  const ConvSpec spec = depthwise_1x1(input);
  Shape output;
  SMALL_TRY(conv_output_shape(spec, name, output));
  layer.reset(
      new BatchNormLayer(spec, output, std::move(scale), std::move(shift)));
  return SMALL_OK;
}

small_status batchnorm_scale_shift(const std::string &name, size_t channels,
                                   const float *gamma, const float *beta,
                                   const float *mean, const float *var,
                                   float epsilon, std::vector<float> &scale,
                                   std::vector<float> &shift) {
  if (!(epsilon >= 0.0f) || !std::isfinite(epsilon)) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << name << ": epsilon must be finite and >= 0";
  }
  scale.resize(channels);
  shift.resize(channels);
  for (size_t c = 0; c < channels; ++c) {
    const float denom = var[c] + epsilon;
    if (!(denom > 0.0f)) {
      return fail(SMALL_ERR_INVALID_ARGUMENT)
             << name << ": var + epsilon must be > 0 (channel " << c << ")";
    }
    scale[c] = gamma[c] / std::sqrt(denom);
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  return SMALL_OK;
}

small_status add_batchnorm(Network &net, int input, const float *gamma,
                           const float *beta, const float *mean,
                           const float *var, float epsilon, int &output) {
  SMALL_TRY(net.require_building("add layer"));
  const std::string name = net.next_name("batchnorm");
  Shape in;
  SMALL_TRY(net.tensor_shape(input, name + " input", in));
  std::vector<float> scale, shift;
  SMALL_TRY(batchnorm_scale_shift(name, in.c, gamma, beta, mean, var, epsilon,
                                  scale, shift));
  std::unique_ptr<BatchNormLayer> layer;
  SMALL_TRY(BatchNormLayer::create(name, in, std::move(scale), std::move(shift),
                                   layer));
  return net.add_node(std::move(layer), {input}, name, output);
}

} // namespace small
