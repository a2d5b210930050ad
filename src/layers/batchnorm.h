// Inference BatchNorm as a per-channel scale and shift. Finalize folds it
// into a preceding Conv2D/Dense when it can; otherwise it runs as a 1x1
// depthwise convolution (weight = scale, bias = shift).
#ifndef SMALL_LAYERS_BATCHNORM_H
#define SMALL_LAYERS_BATCHNORM_H

#include <memory>
#include <string>
#include <vector>

#include "layers/conv2d.h"

namespace small {

class Network;

class BatchNormLayer : public Conv2DLayer {
public:
  [[nodiscard]] static small_status
  create(const std::string &name, const Shape &input, std::vector<float> scale,
         std::vector<float> shift, std::unique_ptr<BatchNormLayer> &layer);
  // Offers its scale and shift to a producer that folds them.
  bool fusable_scale_shift(const std::vector<float> *&scale,
                           const std::vector<float> *&shift) const override {
    scale = &scale_;
    shift = &shift_;
    return true;
  }
  bool accepts_batchnorm() const override { return false; }

private:
  BatchNormLayer(const ConvSpec &spec, const Shape &output,
                 std::vector<float> scale, std::vector<float> shift);

  std::vector<float> scale_, shift_;
};

// scale = gamma / sqrt(var + eps), shift = beta - mean * scale; validates.
[[nodiscard]] small_status
batchnorm_scale_shift(const std::string &name, size_t channels,
                      const float *gamma, const float *beta, const float *mean,
                      const float *var, float epsilon,
                      std::vector<float> &scale, std::vector<float> &shift);

// small_network_add_batchnorm.
[[nodiscard]] small_status add_batchnorm(Network &net, int input,
                                         const float *gamma, const float *beta,
                                         const float *mean, const float *var,
                                         float epsilon, int &output);

} // namespace small

#endif
