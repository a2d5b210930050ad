#include "layers/conv2d_int8.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "engine/window_parts.h"
#include "graph/network.h"
#include "layers/conv_packing.h"
#include "plan/plan_op.h"
#include "util/checked_math.h"
#include "util/error.h"

namespace small {

uint64_t Conv2DInt8Layer::macs() const {
  uint64_t m = saturating_mul(output_.n, output_.c);
  m = saturating_mul(m, output_.h);
  m = saturating_mul(m, output_.w);
  m = saturating_mul(m, spec_.input.c / spec_.groups);
  m = saturating_mul(m, spec_.kernel_h);
  return saturating_mul(m, spec_.kernel_w);
}

uint32_t packed_layout_tag(bool depthwise, size_t cb, size_t k_group,
                           size_t lanes) {
  // 'P' in the top byte: a zero or random word is never a valid tag.
  const uint32_t kind = depthwise ? 0x80u : 0u;
  return 0x50000000u | (kind | (static_cast<uint32_t>(cb) & 0x7Fu)) << 16 |
         (static_cast<uint32_t>(k_group) & 0xFFu) << 8 |
         (static_cast<uint32_t>(lanes) & 0xFFu);
}

namespace {

// "Cb 8, k-group 4, 4 input lanes" or "depthwise, Cb 16" for a tag.
std::string layout_text(uint32_t tag) {
  const uint32_t cb = tag >> 16 & 0x7Fu;
  if ((tag >> 16 & 0x80u) != 0) {
    return "depthwise, Cb " + std::to_string(cb);
  }
  return "Cb " + std::to_string(cb) + ", k-group " +
         std::to_string(tag >> 8 & 0xFFu) + ", " + std::to_string(tag & 0xFFu) +
         " input lanes";
}

} // namespace

small_status Conv2DInt8Layer::check_borrowed(const small_kernel_table &kernels,
                                             size_t lanes) {
  if ((borrowed_layout_ >> 24) != 0x50u) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << name_ << ": packed->layout " << borrowed_layout_
           << " is not a layout tag (small_network_packed_weights gives it)";
  }
  if (borrowed_layout_ != layout_) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << name_ << ": the weights are packed for "
           << layout_text(borrowed_layout_) << "; the " << kernels.isa
           << " kernels of this build read " << layout_text(layout_)
           << ": pack them for this kernel configuration";
  }
  size_t elements = 0;
  if (depthwise()) {
    SMALL_TRY(
        depthwise_packed_elements(spec_, kernels.channel_block, elements));
  } else {
    SMALL_TRY(plan_conv_packing(spec_, lanes, kernels.channel_block,
                                op_.input_ranges, elements));
  }
  if (borrowed_bytes_ != elements) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << name_ << ": " << borrowed_bytes_
           << " bytes of packed weights given; this layer's shape packs to "
           << elements;
  }
  return SMALL_OK;
}

bool Conv2DInt8Layer::packed_int8_weights(
    small_int8_packed_weights &weights) const {
  if (op_.quant.weights == nullptr) {
    return false; // not prepared
  }
  weights.packed = op_.quant.weights;
  weights.bytes =
      borrowed_ != nullptr ? borrowed_bytes_ : packed_weights_.size_bytes();
  weights.layout = layout_;
  // bias, multiplier and shift are contiguous (prepare).
  weights.requant = op_.quant.bias;
  weights.requant_count = 3 * padded_channels_;
  return true;
}

namespace {

// The requantization of output channel k from the weight scales.
QuantizedMultiplier channel_multiplier(const ConvQuant &q, size_t k,
                                       bool single_rounding) {
  const double effective = static_cast<double>(q.input.scale) *
                           static_cast<double>(q.weight_scales[k]) /
                           static_cast<double>(q.output.scale);
  return quantize_multiplier(effective, single_rounding);
}

} // namespace

void Conv2DInt8Layer::compute_requant(size_t padded, int32_t *requant) const {
  std::copy(bias_.begin(), bias_.end(), requant);
  for (size_t k = 0; k < spec_.out_channels; ++k) {
    const QuantizedMultiplier q =
        channel_multiplier(quant_, k, single_rounding_);
    requant[padded + k] = q.multiplier;
    requant[2 * padded + k] = q.shift;
  }
}

small_status Conv2DInt8Layer::check_borrowed_requant(size_t padded) const {
  if (borrowed_requant_count_ != 3 * padded) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << name_ << ": packed->requant_count is " << borrowed_requant_count_
           << "; this layer's " << spec_.out_channels
           << " output channels, padded to whole channel blocks, take "
           << 3 * padded;
  }
  const int32_t *bias = borrowed_requant_;
  const int32_t *multiplier = bias + padded;
  const int32_t *shift = multiplier + padded;
  for (size_t k = 0; k < padded; ++k) {
    bool same = true;
    if (k >= spec_.out_channels) {
      same = bias[k] == 0 && multiplier[k] == 0 && shift[k] == 0;
    } else {
      if (!bias_.empty()) {
        same = bias[k] == bias_[k];
      }
      if (!quant_.weight_scales.empty()) {
        const QuantizedMultiplier q =
            channel_multiplier(quant_, k, single_rounding_);
        same = same && multiplier[k] == q.multiplier && shift[k] == q.shift;
      }
    }
    if (!same) {
      return fail(SMALL_ERR_INVALID_ARGUMENT)
             << name_ << ": packed->requant differs at output channel " << k
             << " from "
             << (k < spec_.out_channels ? "the bias and weight scales given"
                                        : "a pad lane's zeros")
             << " (the requantization of another layer?)";
    }
  }
  return SMALL_OK;
}

small_status Conv2DInt8Layer::prepare(const small_kernel_table &kernels) {
  const size_t cb = kernels.channel_block;
  const size_t lanes = input_lanes_ != 0 ? input_lanes_ : cb;
  layout_ =
      depthwise()
          ? packed_layout_tag(true, cb, 0, 0)
          : packed_layout_tag(false, cb,
                              lanes == 1 ? 1 : kernels.conv_i8_k_group, lanes);
  if (borrowed_ != nullptr) {
    SMALL_TRY(check_borrowed(kernels, lanes));
  } else if (depthwise()) {
    SMALL_TRY(pack_depthwise_weights(spec_, cb, weights_, packed_weights_));
  } else {
    SMALL_TRY(pack_conv_weights(spec_, lanes, cb, weights_, op_.input_ranges,
                                packed_weights_, kernels.conv_i8_k_group));
  }
  // Bias, multiplier and shift per output channel, each padded to whole
  // blocks (pad lanes: bias 0, multiplier 0, so they compute out_zp),
  // unless borrowed; the per-tap weight sums of the tables that want them,
  // then (64-byte aligned) the requantization constants the table prepares
  // per block.
  const size_t blocks = ceil_div(spec_.out_channels, cb);
  const size_t padded = blocks * cb;
  padded_channels_ = padded;
  const size_t taps = size_t{spec_.kernel_h} * spec_.kernel_w;
  const bool with_sums = kernels.conv_i8_weight_sums != 0 && !depthwise();
  const bool own_requant = borrowed_requant_ == nullptr;
  if (!own_requant) {
    SMALL_TRY(check_borrowed_requant(padded));
  }
  const size_t int32_bytes = ((own_requant ? 3 : 0) + (with_sums ? taps : 0)) *
                             padded * sizeof(int32_t);
  const size_t requant_offset = ceil_div(int32_bytes, kAlignment) * kAlignment;
  const size_t requant_bytes =
      kernels.prepare_requant_i8 != nullptr ? kernels.requant_i8_bytes : 0;
  SMALL_TRY(per_channel_.reset(requant_offset + blocks * requant_bytes,
                               "int8 bias and requantization"));
  int32_t *owned = per_channel_.as<int32_t>();
  const int32_t *bias = own_requant ? owned : borrowed_requant_;
  const int32_t *multiplier = bias + padded;
  const int32_t *shift = multiplier + padded;
  if (own_requant) {
    compute_requant(padded, owned); // the buffer came zeroed: pad lanes 0
  }
  op_.quant.weights =
      borrowed_ != nullptr ? borrowed_ : packed_weights_.as<int8_t>();
  if (with_sums) {
    int32_t *sums = owned + (own_requant ? 3 * padded : 0);
    write_weight_sums(cb, kernels.conv_i8_k_group, sums);
    op_.quant.weight_sums = sums;
  }
  if (requant_bytes != 0) {
    unsigned char *requant = per_channel_.as<unsigned char>() + requant_offset;
    for (size_t b = 0; b < blocks; ++b) {
      kernels.prepare_requant_i8(
          multiplier + b * cb, shift + b * cb, single_rounding_ ? 1 : 0,
          quant_.output.zero_point, requant + b * requant_bytes);
    }
    op_.quant.requant = requant;
    op_.quant.requant_bytes = requant_bytes;
  }

  op_.geometry = conv_geometry(spec_, output_);
  op_.family = depthwise() ? WindowFamily::kDepthwise : WindowFamily::kConv;
  op_.input_lanes = input_lanes_;
  op_.int8 = true;
  op_.quant.bias = bias;
  op_.quant.multiplier = multiplier;
  op_.quant.shift = shift;
  op_.quant.in_zero_point = quant_.input.zero_point;
  op_.quant.out_zero_point = quant_.output.zero_point;
  op_.quant.act_min = quant_.range.lo;
  op_.quant.act_max = quant_.range.hi;
  op_.quant.single_rounding = single_rounding_;
  plan_window(op_, kernels);
  // What the kernels read now lives in the packed weights and per_channel_:
  // the OIHW weights, the bias and the weight scales are released (on a
  // microcontroller, 8 bytes per output channel of heap: 22 KB on
  // MobileNet).
  std::vector<int8_t>().swap(weights_);
  std::vector<int32_t>().swap(bias_);
  std::vector<float>().swap(quant_.weight_scales);
  return SMALL_OK;
}

bool Conv2DInt8Layer::describe_plan_op(const small_kernel_table &kernels,
                                       PlanOp &op) const {
  const size_t blocks = padded_channels_ / kernels.channel_block;
  op.kind = SMALL_PLAN_STEP_WINDOW;
  op.window = &op_;
  op.weight_bytes =
      borrowed_ != nullptr ? borrowed_bytes_ : packed_weights_.size_bytes();
  op.channel_count = padded_channels_;
  op.weight_sum_count = op_.quant.weight_sums != nullptr
                            ? padded_channels_ * spec_.kernel_h * spec_.kernel_w
                            : 0;
  op.requant_total =
      op_.quant.requant != nullptr ? blocks * op_.quant.requant_bytes : 0;
  return true;
}

void Conv2DInt8Layer::write_weight_sums(size_t cb, size_t k_group,
                                        int32_t *sums) const {
  // From the packed weights in use (packed here or borrowed): per output
  // block, its input blocks' (block, tap) matrices of lanes x Cb values, the
  // lanes in groups of G per output lane (kernel_contract.h).
  const size_t taps = size_t{spec_.kernel_h} * spec_.kernel_w;
  const size_t lanes = input_lanes_ != 0 ? input_lanes_ : cb;
  const size_t group = lanes == 1 ? 1 : k_group;
  const int8_t *packed = op_.quant.weights;
  for (size_t ob = 0; ob < op_.input_ranges.size(); ++ob) {
    const InputBlockRange &r = op_.input_ranges[ob];
    for (size_t tap = 0; tap < taps; ++tap) {
      int32_t *out = sums + (ob * taps + tap) * cb;
      std::fill(out, out + cb, 0);
      for (size_t b = 0; b < r.count; ++b) {
        const int8_t *w =
            packed + r.weight_offset + (b * taps + tap) * lanes * cb;
        for (size_t i = 0; i < lanes; ++i) {
          for (size_t o = 0; o < cb; ++o) {
            out[o] += w[(i / group) * cb * group + o * group + i % group];
          }
        }
      }
    }
  }
}

void Conv2DInt8Layer::run(const small_kernel_table &,
                          const std::vector<const float *> &inputs,
                          float *out) const {
  run_window_int8(op_, as_int8(inputs[0]), as_int8(out));
}

// Dense convolutions read a narrow input planar, except an input of 3 or 4
// channels when the kernels take 4 input lanes per dot product (VNNI,
// sdot): then one pixel's channels, padded to 4, are exactly one dot
// product per tap, a quarter of the instructions of the planar tile (a
// 32-bit broadcast per channel), and an RGB input in NHWC converts pixel by
// pixel instead of being transposed.
size_t
Conv2DInt8Layer::narrow_input_lanes(const small_kernel_table &kernels) const {
  if (depthwise() || spec_.groups != 1) {
    return 0;
  }
  constexpr size_t kDotLanes = 4;
  const bool fills_a_dot = kernels.conv_i8_k_group == kDotLanes &&
                           spec_.input.c > kDotLanes / 2 &&
                           spec_.input.c <= kDotLanes;
  return fills_a_dot ? kDotLanes : 1;
}

bool Conv2DInt8Layer::plan_parts(const small_kernel_table &, size_t parts) {
  return plan_window_parts(op_, parts);
}

void Conv2DInt8Layer::run_part(const small_kernel_table &,
                               const std::vector<const float *> &inputs,
                               float *out, size_t part) const {
  run_window_part_int8(op_, as_int8(inputs[0]), as_int8(out), part);
}

namespace {

// The input's quantization, the output's, the weight scales (expanded to
// one per output channel) and the activation's clamp, all checked.
small_status conv_quant(const Network &net, int input,
                        const small_int8_weights &w, uint32_t out_channels,
                        const small_activation &activation,
                        const small_quant &output, const std::string &name,
                        bool scales_optional, ConvSpec &spec, ConvQuant &q) {
  small_dtype dtype = SMALL_DTYPE_FLOAT32;
  SMALL_TRY(net.tensor_type(input, name + " input", dtype, q.input));
  if (dtype != SMALL_DTYPE_INT8) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << name << ": the input is a float tensor; an int8 layer takes an "
           << "int8 one (small_network_add_quantize)";
  }
  SMALL_TRY(check_quant(output, name + " output"));
  q.output = output;
  if (w.values == nullptr || (w.scales == nullptr && !scales_optional)) {
    return fail(SMALL_ERR_NULL_POINTER)
           << name << ": weights->values and weights->scales are required";
  }
  if (w.scales == nullptr) {
    // Borrowed requantization, nothing to check it against.
    return int8_activation_range(activation, output, name, spec.act, q.range);
  }
  if (w.scale_count != out_channels && w.scale_count != 1) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << name << ": weights->scale_count is " << w.scale_count
           << "; it must be 1 (per tensor) or " << out_channels
           << " (per output channel)";
  }
  q.weight_scales.resize(out_channels);
  for (uint32_t k = 0; k < out_channels; ++k) {
    const float scale = w.scales[w.scale_count == 1 ? 0 : k];
    if (!std::isfinite(scale) || !(scale > 0.0f)) {
      return fail(SMALL_ERR_INVALID_ARGUMENT)
             << name << ": weight scale " << (w.scale_count == 1 ? 0 : k)
             << " must be finite and > 0, got " << FloatText{scale};
    }
    q.weight_scales[k] = scale;
  }
  return int8_activation_range(activation, output, name, spec.act, q.range);
}

} // namespace

namespace {

bool borrows_requant(const small_int8_packed_weights *packed) {
  return packed != nullptr && packed->requant != nullptr;
}

// The caller's bias, zeros without one, or none to check borrowed
// requantization against.
std::vector<int32_t> bias_values(const small_int8_weights &w, size_t count,
                                 const small_int8_packed_weights *packed) {
  if (w.bias != nullptr) {
    return std::vector<int32_t>(w.bias, w.bias + count);
  }
  return std::vector<int32_t>(borrows_requant(packed) ? 0 : count, 0);
}

// The layer with its weights: a copy of the caller's in OIHW order, or the
// caller's packed ones borrowed.
small_status add_int8_node(Network &net, int input, small_layer_kind kind,
                           const ConvSpec &s, const Shape &shape,
                           std::vector<int8_t> oihw, std::vector<int32_t> bias,
                           ConvQuant q, const small_int8_packed_weights *packed,
                           const std::string &name, int &out) {
  if (packed != nullptr && packed->bytes == 0) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << name << ": packed->bytes is 0 (small_network_packed_weights "
           << "gives the size)";
  }
  auto layer = std::make_unique<Conv2DInt8Layer>(
      kind, s, shape, std::move(oihw), std::move(bias), std::move(q));
  if (packed != nullptr) {
    layer->borrow_packed(*packed, name);
  }
  return net.add_node(std::move(layer), {input}, name, out);
}

} // namespace

small_status add_conv2d_int8(Network &net, int input,
                             const small_conv2d_params &p,
                             const small_int8_weights &w,
                             const small_quant &output, int &out,
                             const small_int8_packed_weights *packed) {
  SMALL_TRY(net.require_building("add layer"));
  const std::string name = net.next_name("conv2d");
  ConvSpec s;
  Shape in;
  SMALL_TRY(net.tensor_shape(input, name + " input", in));
  ConvQuant q;
  SMALL_TRY(conv_quant(net, input, w, p.out_channels, p.activation, output,
                       name, borrows_requant(packed), s, q));
  size_t count = 0;
  SMALL_TRY(conv_spec_from_params(in, p, name, s, count));
  Shape shape;
  SMALL_TRY(conv_output_shape(s, name, shape));
  std::vector<int32_t> bias = bias_values(w, p.out_channels, packed);
  const small_layer_kind kind =
      is_depthwise(s.input.c, p.groups, p.out_channels) ? SMALL_LAYER_DEPTHWISE
                                                        : SMALL_LAYER_CONV2D;
  return add_int8_node(net, input, kind, s, shape,
                       packed != nullptr ? std::vector<int8_t>()
                                         : oihw_weights(w.values, count, p, s),
                       std::move(bias), std::move(q), packed, name, out);
}

small_status add_dense_int8(Network &net, int input, uint32_t out_features,
                            const small_int8_weights &w,
                            const small_activation &activation,
                            const small_quant &output, int &out,
                            const small_int8_packed_weights *packed) {
  SMALL_TRY(net.require_building("add layer"));
  const std::string name = net.next_name("dense");
  Shape in;
  SMALL_TRY(net.tensor_shape(input, name + " input", in));
  if (out_features == 0) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << name << ": out_features must be >= 1";
  }
  // As the float Dense: a convolution whose window is the whole input.
  small_conv2d_params p;
  small_conv2d_params_init(&p);
  p.out_channels = out_features;
  p.kernel_h = in.h;
  p.kernel_w = in.w;
  p.activation = activation;
  ConvSpec s;
  ConvQuant q;
  SMALL_TRY(conv_quant(net, input, w, out_features, activation, output, name,
                       borrows_requant(packed), s, q));
  size_t count = 0;
  SMALL_TRY(conv_spec_from_params(in, p, name, s, count));
  Shape shape;
  SMALL_TRY(conv_output_shape(s, name, shape));
  std::vector<int32_t> bias = bias_values(w, out_features, packed);
  return add_int8_node(net, input, SMALL_LAYER_DENSE, s, shape,
                       packed != nullptr
                           ? std::vector<int8_t>()
                           : std::vector<int8_t>(w.values, w.values + count),
                       std::move(bias), std::move(q), packed, name, out);
}

} // namespace small
