#include "layers/batchnorm.h"

#include <cmath>

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

BatchNormLayer::BatchNormLayer(const std::string &name, const Shape &input,
                               std::vector<float> scale,
                               std::vector<float> shift)
    : Conv2DLayer(SMALL_LAYER_BATCHNORM, name, depthwise_1x1(input), scale,
                  shift),
      scale_(std::move(scale)), shift_(std::move(shift)) {}

void batchnorm_scale_shift(const std::string &name, size_t channels,
                           const float *gamma, const float *beta,
                           const float *mean, const float *var, float epsilon,
                           std::vector<float> &scale,
                           std::vector<float> &shift) {
  if (!(epsilon >= 0.0f) || !std::isfinite(epsilon)) {
    fail(SMALL_ERR_INVALID_ARGUMENT,
         name + ": epsilon must be finite and >= 0");
  }
  scale.resize(channels);
  shift.resize(channels);
  for (size_t c = 0; c < channels; ++c) {
    const float denom = var[c] + epsilon;
    if (!(denom > 0.0f)) {
      fail(SMALL_ERR_INVALID_ARGUMENT,
           name + ": var + epsilon must be > 0 (channel " + std::to_string(c) +
               ")");
    }
    scale[c] = gamma[c] / std::sqrt(denom);
    shift[c] = beta[c] - mean[c] * scale[c];
  }
}

} // namespace small
