// Max and average pooling (global average pooling is average pooling whose
// window is the whole input). One WindowOp each.
#ifndef SMALL_LAYERS_POOL2D_H
#define SMALL_LAYERS_POOL2D_H

#include <string>

#include "engine/window_loop.h"
#include "layers/layer.h"

namespace small {

struct PoolSpec {
  Shape input;
  bool is_max = true;
  uint32_t kernel_h = 1, kernel_w = 1;
  uint32_t stride_h = 1, stride_w = 1;
  uint32_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  bool count_include_pad = false;
};

class Pool2DLayer : public Layer {
public:
  Pool2DLayer(small_layer_kind kind, const std::string &name,
              const PoolSpec &spec);
  Shape output_shape() const override { return output_; }
  void prepare(const small_kernel_table &kernels) override;
  void run(const small_kernel_table &kernels,
           const std::vector<const float *> &inputs, float *out) const override;

private:
  PoolSpec spec_;
  Shape output_;
  WindowOp op_;
};

} // namespace small

#endif
