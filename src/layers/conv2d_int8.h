// int8 Conv2D, depthwise and Dense (TFLite CONV_2D, DEPTHWISE_CONV_2D,
// FULLY_CONNECTED): the float layer's WindowOp with int8 weights, int32 bias
// and a requantization per output channel (docs/int8.md).
#ifndef SMALL_LAYERS_CONV2D_INT8_H
#define SMALL_LAYERS_CONV2D_INT8_H

#include <memory>
#include <string>
#include <vector>

#include "engine/window_loop.h"
#include "layers/conv2d.h"
#include "layers/layer.h"
#include "quant/quant_params.h"
#include "small/small.h"
#include "util/aligned_buffer.h"

namespace small {

class Network;

// The quantization of one int8 convolution.
struct ConvQuant {
  small_quant input{}, output{};
  std::vector<float> weight_scales; // one per output channel (until prepare)
  Int8Range range;                  // the fused activation's clamp
};

class Conv2DInt8Layer : public Layer {
public:
  Conv2DInt8Layer(small_layer_kind kind, const ConvSpec &spec,
                  const Shape &output, std::vector<int8_t> weights_oihw,
                  std::vector<int32_t> bias, ConvQuant quant)
      : Layer(kind), spec_(spec), output_(output),
        weights_(std::move(weights_oihw)), bias_(std::move(bias)),
        quant_(std::move(quant)) {}

  Shape output_shape() const override { return output_; }
  [[nodiscard]] small_status
  prepare(const small_kernel_table &kernels) override;
  void run(const small_kernel_table &kernels,
           const std::vector<const float *> &inputs, float *out) const override;
  uint64_t macs() const override;
  bool describe_plan_op(const small_kernel_table &kernels,
                        PlanOp &op) const override;
  // Borrowed packed weights are the caller's: not counted.
  size_t weight_bytes() const override {
    return packed_weights_.size_bytes() + per_channel_.size_bytes();
  }
  // Weights packed elsewhere for this kernel table, and optionally their
  // per-channel requantization (see small_network_add_conv2d_int8_packed):
  // used in place from prepare() on, after their layout and sizes are
  // checked there. `name` is for messages.
  void borrow_packed(const small_int8_packed_weights &packed,
                     std::string name) {
    borrowed_ = packed.packed;
    borrowed_bytes_ = packed.bytes;
    borrowed_layout_ = packed.layout;
    borrowed_requant_ = packed.requant;
    borrowed_requant_count_ = packed.requant_count;
    name_ = std::move(name);
  }
  bool packed_int8_weights(small_int8_packed_weights &weights) const override;
  const small_act_params *activation() const override { return &spec_.act; }
  small_dtype input_dtype() const override { return SMALL_DTYPE_INT8; }
  small_dtype output_dtype() const override { return SMALL_DTYPE_INT8; }
  small_quant output_quant() const override { return quant_.output; }
  void set_rounding(small_rounding rounding) override {
    single_rounding_ = rounding == SMALL_ROUNDING_SINGLE;
  }
  size_t narrow_input_lanes(const small_kernel_table &kernels) const override;
  void set_input_lanes(size_t lanes) override { input_lanes_ = lanes; }
  [[nodiscard]] bool plan_parts(const small_kernel_table &kernels,
                                size_t parts) override;
  void run_part(const small_kernel_table &kernels,
                const std::vector<const float *> &inputs, float *out,
                size_t part) const override;

private:
  bool depthwise() const {
    return is_depthwise(spec_.input.c, spec_.groups, spec_.out_channels);
  }

  // [out block][kernel_h][kernel_w][Cb] sums of each tap's weights over
  // the input channels (small_window_tile_i8::weight_sums).
  void write_weight_sums(size_t cb, size_t k_group, int32_t *sums) const;

  ConvSpec spec_;
  Shape output_;
  std::vector<int8_t> weights_; // OIHW, kept until finalize
  std::vector<int32_t> bias_;   // out_channels, kept until finalize
  ConvQuant quant_;
  bool single_rounding_ = false;
  size_t input_lanes_ = 0;
  [[nodiscard]] small_status check_borrowed(const small_kernel_table &kernels,
                                            size_t lanes);
  // The borrowed bias, multiplier and shift (padded to `padded` channels)
  // against the layer's bias and weight scales, when it has them.
  [[nodiscard]] small_status check_borrowed_requant(size_t padded) const;
  // The bias, multiplier and shift of each output channel from the bias
  // and weight scales, into three arrays of `padded` at `requant` (zeroed
  // by the caller: the pad lanes stay 0).
  void compute_requant(size_t padded, int32_t *requant) const;

  AlignedBuffer packed_weights_;
  const int8_t *borrowed_ = nullptr; // the caller's packed weights, if any
  size_t borrowed_bytes_ = 0;
  uint32_t borrowed_layout_ = 0;
  uint32_t layout_ = 0; // packed_layout_tag of the weights in use
  const int32_t *borrowed_requant_ = nullptr; // the caller's, if any
  size_t borrowed_requant_count_ = 0;
  size_t padded_channels_ = 0; // output channels in whole blocks
  std::string name_;
  // bias, multiplier and shift: three int32 arrays of out_blocks * Cb
  // (unless borrowed), then the weight sums of the tables that read them,
  // then the constants the table prepares per block.
  AlignedBuffer per_channel_;
  WindowOp op_;
};

// The layout tag of packed int8 weights: everything their order depends on
// (depthwise or not, the kernel table's Cb and int8 k-group, the input lanes
// per block). Depthwise weights depend on Cb alone.
uint32_t packed_layout_tag(bool depthwise, size_t cb, size_t k_group,
                           size_t lanes);

// small_network_add_conv2d_int8 and small_network_add_dense_int8 (with
// `packed`: their _packed variants, values unused).
[[nodiscard]] small_status
add_conv2d_int8(Network &net, int input, const small_conv2d_params &params,
                const small_int8_weights &weights, const small_quant &output,
                int &out, const small_int8_packed_weights *packed = nullptr);
[[nodiscard]] small_status
add_dense_int8(Network &net, int input, uint32_t out_features,
               const small_int8_weights &weights,
               const small_activation &activation, const small_quant &output,
               int &out, const small_int8_packed_weights *packed = nullptr);

} // namespace small

#endif
