#include "layers/elementwise.h"

#include <cstring>

#include "engine/layout.h"

namespace small {

void ActivationLayer::run(const small_kernel_table &kernels,
                          const std::vector<const float *> &inputs,
                          float *out) const {
  const size_t count = shape_.n * shape_.item_floats(kernels.channel_block);
  kernels.activation(inputs[0], out, count, &act_);
}

void AddLayer::run(const small_kernel_table &kernels,
                   const std::vector<const float *> &inputs, float *out) const {
  const size_t count = shape_.n * shape_.item_floats(kernels.channel_block);
  kernels.add(inputs[0], inputs[1], out, count, &act_);
}

void SoftmaxLayer::run(const small_kernel_table &kernels,
                       const std::vector<const float *> &inputs,
                       float *out) const {
  const size_t cb = kernels.channel_block;
  const size_t item = shape_.item_floats(cb);
  for (size_t n = 0; n < shape_.n; ++n) {
    kernels.softmax(inputs[0] + n * item, out + n * item,
                    size_t{shape_.h} * shape_.w, shape_.c,
                    shape_.block_floats(cb), cb);
  }
}

void ConcatLayer::run(const small_kernel_table &kernels,
                      const std::vector<const float *> &inputs,
                      float *out) const {
  const size_t cb = kernels.channel_block;
  // Zero first so the pad lanes of the output hold defined values.
  std::memset(out, 0, output_.n * output_.item_floats(cb) * sizeof(float));
  size_t first = 0;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    copy_channels(inputs[i], inputs_[i], out, output_, first, cb);
    first += inputs_[i].c;
  }
}

void ReshapeLayer::run(const small_kernel_table &kernels,
                       const std::vector<const float *> &inputs,
                       float *out) const {
  reshape_blocked(inputs[0], input_, out, output_, kernels.channel_block);
}

} // namespace small
