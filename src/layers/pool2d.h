// Max and average pooling (global average pooling is average pooling whose
// window is the whole input). One WindowOp each.
#ifndef SMALL_LAYERS_POOL2D_H
#define SMALL_LAYERS_POOL2D_H

#include <memory>
#include <string>

#include "engine/window_loop.h"
#include "layers/layer.h"
#include "small/small.h"

namespace small {

class Network;

struct PoolSpec {
  Shape input;
  bool is_max = true;
  uint32_t kernel_h = 1, kernel_w = 1;
  uint32_t stride_h = 1, stride_w = 1;
  uint32_t dilation_h = 1, dilation_w = 1; // always 1; for window_geometry
  uint32_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  bool count_include_pad = false;
};

class Pool2DLayer : public Layer {
public:
  // Validates `spec` (errors name `name`) and creates the layer.
  [[nodiscard]] static small_status create(small_layer_kind kind,
                                           const std::string &name,
                                           const PoolSpec &spec,
                                           std::unique_ptr<Pool2DLayer> &layer);
  Shape output_shape() const override { return output_; }
  [[nodiscard]] small_status
  prepare(const small_kernel_table &kernels) override;
  void run(const small_kernel_table &kernels,
           const std::vector<const float *> &inputs, float *out) const override;
  [[nodiscard]] bool plan_parts(const small_kernel_table &kernels,
                                size_t parts) override;
  void run_part(const small_kernel_table &kernels,
                const std::vector<const float *> &inputs, float *out,
                size_t part) const override;

private:
  Pool2DLayer(small_layer_kind kind, const PoolSpec &spec, const Shape &output)
      : Layer(kind), spec_(spec), output_(output) {}

  PoolSpec spec_;
  Shape output_;
  WindowOp op_;
};

// small_network_add_pool2d (pool kind and padding mode range-checked).
[[nodiscard]] small_status add_pool2d(Network &net, int input,
                                      const small_pool2d_params &params,
                                      int &output);
[[nodiscard]] small_status add_global_avgpool(Network &net, int input,
                                              int &output);

} // namespace small

#endif
