#include "layers/dense.h"

#include <memory>
#include <string>
#include <vector>

#include "graph/network.h"
#include "layers/activation_params.h"
#include "layers/conv2d.h"
#include "util/checked_math.h"

namespace small {

small_status add_dense(Network &net, int input, uint32_t out_features,
                       const float *weights, const float *bias,
                       const small_activation &activation, int &output) {
  SMALL_TRY(net.require_building("add layer"));
  const std::string name = net.next_name("dense");
  ConvSpec s;
  SMALL_TRY(net.tensor_shape(input, name + " input", s.input));
  if (out_features == 0) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << name << ": out_features must be >= 1";
  }
  // OIHW weights of a kh x kw = h x w convolution are exactly the
  // [out][c*h*w] rows in NCHW flatten order.
  s.out_channels = out_features;
  s.kernel_h = s.input.h;
  s.kernel_w = s.input.w;
  SMALL_TRY(lower_activation(activation, name, s.act));
  const std::string what = name + " weights";
  size_t count = 0;
  SMALL_TRY(checked_mul(out_features, s.input.c, count, what));
  SMALL_TRY(checked_mul(count, s.input.h, count, what));
  SMALL_TRY(checked_mul(count, s.input.w, count, what));
  if (count > kMaxTensorBytes / sizeof(float)) {
    return fail(SMALL_ERR_OVERFLOW) << what << ": too many weights";
  }
  std::vector<float> b;
  if (bias != nullptr) {
    b.assign(bias, bias + out_features);
  }
  std::unique_ptr<Conv2DLayer> layer;
  SMALL_TRY(Conv2DLayer::create(SMALL_LAYER_DENSE, name, s,
                                std::vector<float>(weights, weights + count),
                                std::move(b), layer));
  return net.add_node(std::move(layer), {input}, name, output);
}

} // namespace small
