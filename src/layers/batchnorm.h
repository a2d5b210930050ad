// Inference BatchNorm as a per-channel scale and shift. Finalize folds it
// into a preceding Conv2D/Dense when it can; otherwise it runs as a 1x1
// depthwise convolution (weight = scale, bias = shift).
#ifndef SMALL_LAYERS_BATCHNORM_H
#define SMALL_LAYERS_BATCHNORM_H

#include <string>
#include <vector>

#include "layers/conv2d.h"

namespace small {

class BatchNormLayer : public Conv2DLayer {
public:
  BatchNormLayer(const std::string &name, const Shape &input,
                 std::vector<float> scale, std::vector<float> shift);
  const std::vector<float> &scale() const { return scale_; }
  const std::vector<float> &shift() const { return shift_; }
  bool accepts_batchnorm() const override { return false; }

private:
  std::vector<float> scale_, shift_;
};

// scale = gamma / sqrt(var + eps), shift = beta - mean * scale; validates.
void batchnorm_scale_shift(const std::string &name, size_t channels,
                           const float *gamma, const float *beta,
                           const float *mean, const float *var, float epsilon,
                           std::vector<float> &scale,
                           std::vector<float> &shift);

} // namespace small

#endif
