#include "layers/elementwise_int8.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

#include "engine/layout.h"
#include "graph/network.h"
#include "plan/plan_op.h"
#include "util/error.h"

namespace small {

namespace {

// The int8 input's quantization, refused for a float input.
small_status int8_input(const Network &net, int input, const std::string &what,
                        small_quant &quant) {
  small_dtype dtype = SMALL_DTYPE_FLOAT32;
  SMALL_TRY(net.tensor_type(input, what, dtype, quant));
  if (dtype != SMALL_DTYPE_INT8) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << what << " is a float tensor; an int8 layer takes an int8 one "
           << "(small_network_add_quantize)";
  }
  return SMALL_OK;
}

// QUANTIZE int8 -> int8: the 31-bit multiplier in_scale / out_scale.
small_requant_i8_params requant_params(const small_quant &in,
                                       const small_quant &out, bool single) {
  const QuantizedMultiplier m = quantize_multiplier(
      static_cast<double>(in.scale) / static_cast<double>(out.scale), single);
  small_requant_i8_params p{};
  p.in_zero_point = in.zero_point;
  p.out_zero_point = out.zero_point;
  p.multiplier = m.multiplier;
  p.shift = m.shift;
  p.single_rounding = single ? 1 : 0;
  return p;
}

bool same_quant(const small_quant &a, const small_quant &b) {
  return a.scale == b.scale && a.zero_point == b.zero_point;
}

constexpr int kAddLeftShift = 20;
constexpr int kSoftmaxScaledDiffIntegerBits = 5;

// TFLite's ADD output multiplier: twice the larger input scale over
// 2^20 * out_scale; it must be below 1 (a shift <= 0).
double add_output_multiplier(const small_quant &a, const small_quant &b,
                             const small_quant &out) {
  const double twice_max =
      2.0 * static_cast<double>(std::max(a.scale, b.scale));
  return twice_max / (static_cast<double>(1 << kAddLeftShift) *
                      static_cast<double>(out.scale));
}

} // namespace

small_status AddInt8Layer::prepare(const small_kernel_table &) {
  const double twice_max =
      2.0 * static_cast<double>(std::max(a_.scale, b_.scale));
  const QuantizedMultiplier ma = quantize_multiplier(
      static_cast<double>(a_.scale) / twice_max, single_rounding_);
  const QuantizedMultiplier mb = quantize_multiplier(
      static_cast<double>(b_.scale) / twice_max, single_rounding_);
  const QuantizedMultiplier mo = quantize_multiplier(
      add_output_multiplier(a_, b_, output_), single_rounding_);
  small_add_i8_params &p = params_;
  p.a_zero_point = a_.zero_point;
  p.b_zero_point = b_.zero_point;
  p.out_zero_point = output_.zero_point;
  p.a_multiplier = ma.multiplier;
  p.a_shift = ma.shift;
  p.b_multiplier = mb.multiplier;
  p.b_shift = mb.shift;
  p.out_multiplier = mo.multiplier;
  p.out_shift = mo.shift;
  p.left_shift = kAddLeftShift;
  p.act_min = range_.lo;
  p.act_max = range_.hi;
  p.single_rounding = single_rounding_ ? 1 : 0;
  return SMALL_OK;
}

void AddInt8Layer::run(const small_kernel_table &kernels,
                       const std::vector<const float *> &inputs,
                       float *out) const {
  const size_t count = shape_.n * shape_.item_floats(kernels.channel_block);
  kernels.add_i8(as_int8(inputs[0]), as_int8(inputs[1]), as_int8(out), count,
                 &params_);
}

bool AddInt8Layer::describe_plan_op(const small_kernel_table &kernels,
                                    PlanOp &op) const {
  op.kind = SMALL_PLAN_STEP_ADD;
  small_plan_add &a = op.add;
  a.count = static_cast<uint32_t>(shape_.n *
                                  shape_.item_floats(kernels.channel_block));
  a.a_zero_point = params_.a_zero_point;
  a.b_zero_point = params_.b_zero_point;
  a.out_zero_point = params_.out_zero_point;
  a.a_multiplier = params_.a_multiplier;
  a.b_multiplier = params_.b_multiplier;
  a.out_multiplier = params_.out_multiplier;
  a.a_shift = params_.a_shift;
  a.b_shift = params_.b_shift;
  a.out_shift = params_.out_shift;
  a.left_shift = params_.left_shift;
  a.act_min = params_.act_min;
  a.act_max = params_.act_max;
  a.single_rounding = params_.single_rounding;
  return true;
}

small_status SoftmaxInt8Layer::prepare(const small_kernel_table &) {
  // exp(beta * scale * d) with d scaled into Q5.26 (TFLite's
  // PreprocessSoftmaxScaling and CalculateInputRadius).
  const double max_real =
      single_rounding_ ? (int64_t{1} << 30) - 1.0 : (int64_t{1} << 31) - 1.0;
  const double real =
      std::min(static_cast<double>(beta_) * static_cast<double>(input_.scale) *
                   static_cast<double>(int64_t{1}
                                       << (31 - kSoftmaxScaledDiffIntegerBits)),
               max_real);
  const QuantizedMultiplier m = quantize_multiplier(real, single_rounding_);
  params_.input_multiplier = m.multiplier;
  params_.input_left_shift = m.shift;
  const double radius = std::floor(
      ((1 << kSoftmaxScaledDiffIntegerBits) - 1) *
      static_cast<double>(int64_t{1} << (31 - kSoftmaxScaledDiffIntegerBits)) /
      static_cast<double>(int64_t{1} << m.shift));
  params_.diff_min = -static_cast<int32_t>(radius);
  params_.single_rounding = single_rounding_ ? 1 : 0;
  return SMALL_OK;
}

void SoftmaxInt8Layer::run(const small_kernel_table &kernels,
                           const std::vector<const float *> &inputs,
                           float *out) const {
  const size_t cb = kernels.channel_block;
  const size_t item = shape_.item_floats(cb);
  for (size_t n = 0; n < shape_.n; ++n) {
    kernels.softmax_i8(as_int8(inputs[0]) + n * item, as_int8(out) + n * item,
                       size_t{shape_.h} * shape_.w, shape_.c,
                       shape_.block_floats(cb), cb, &params_);
  }
}

bool SoftmaxInt8Layer::describe_plan_op(const small_kernel_table &kernels,
                                        PlanOp &op) const {
  const size_t cb = kernels.channel_block;
  op.kind = SMALL_PLAN_STEP_SOFTMAX;
  small_plan_softmax &s = op.softmax;
  s.batch = shape_.n;
  s.pixels = shape_.h * shape_.w;
  s.channels = shape_.c;
  s.block_step = static_cast<uint32_t>(shape_.block_floats(cb));
  s.item = static_cast<uint32_t>(shape_.item_floats(cb));
  s.input_multiplier = params_.input_multiplier;
  s.input_left_shift = params_.input_left_shift;
  s.diff_min = params_.diff_min;
  s.single_rounding = params_.single_rounding;
  return true;
}

small_status ConcatInt8Layer::prepare(const small_kernel_table &) {
  requantize_.clear();
  params_.clear();
  for (const small_quant &q : quants_) {
    requantize_.push_back(!same_quant(q, output_));
    params_.push_back(requant_params(q, output_, single_rounding_));
  }
  return SMALL_OK;
}

void ConcatInt8Layer::run(const small_kernel_table &kernels,
                          const std::vector<const float *> &inputs,
                          float *out) const {
  const size_t cb = kernels.channel_block;
  int8_t *dst = as_int8(out);
  // Zero first so the pad lanes of the output hold defined values.
  std::memset(dst, 0, shape_.n * shape_.item_floats(cb));
  size_t first = 0;
  for (size_t i = 0; i < inputs_.size(); ++i) {
    if (requantize_[i]) {
      copy_channels(as_int8(inputs[i]), inputs_[i], dst, shape_, first, cb,
                    params_[i]);
    } else {
      copy_channels(as_int8(inputs[i]), inputs_[i], dst, shape_, first, cb);
    }
    first += inputs_[i].c;
  }
}

namespace {

small_plan_requant plan_requant(const small_requant_i8_params &p) {
  small_plan_requant r{};
  r.in_zero_point = p.in_zero_point;
  r.out_zero_point = p.out_zero_point;
  r.multiplier = p.multiplier;
  r.shift = p.shift;
  r.single_rounding = p.single_rounding;
  return r;
}

small_plan_shape plan_shape(const Shape &s) { return {s.n, s.c, s.h, s.w}; }

} // namespace

bool ConcatInt8Layer::describe_plan_op(const small_kernel_table & /*kernels*/,
                                       PlanOp &op) const {
  op.kind = SMALL_PLAN_STEP_CONCAT;
  op.concat.output = plan_shape(shape_);
  for (size_t i = 0; i < inputs_.size(); ++i) {
    small_plan_concat_input in{};
    in.shape = plan_shape(inputs_[i]);
    in.requantize = requantize_[i] ? 1 : 0;
    in.requant = plan_requant(params_[i]);
    op.concat_inputs.push_back(in);
  }
  return true;
}

small_status QuantizeLayer::prepare(const small_kernel_table &) {
  params_ = requant_params(input_, output_, single_rounding_);
  return SMALL_OK;
}

void QuantizeLayer::run(const small_kernel_table &kernels,
                        const std::vector<const float *> &inputs,
                        float *out) const {
  const size_t count = shape_.n * shape_.item_floats(kernels.channel_block);
  if (input_dtype_ == SMALL_DTYPE_INT8) {
    kernels.requant_i8(as_int8(inputs[0]), as_int8(out), count, &params_);
  } else {
    quantize_values(inputs[0], count, output_, as_int8(out));
  }
}

bool QuantizeLayer::describe_plan_op(const small_kernel_table &kernels,
                                     PlanOp &op) const {
  if (input_dtype_ != SMALL_DTYPE_INT8) {
    return false; // a float input: plans run int8 networks
  }
  op.kind = SMALL_PLAN_STEP_REQUANT;
  op.requant = plan_requant(params_);
  op.requant.count = static_cast<uint32_t>(
      shape_.n * shape_.item_floats(kernels.channel_block));
  return true;
}

void DequantizeLayer::run(const small_kernel_table &kernels,
                          const std::vector<const float *> &inputs,
                          float *out) const {
  const size_t count = shape_.n * shape_.item_floats(kernels.channel_block);
  dequantize_values(as_int8(inputs[0]), count, input_, out);
}

small_status add_add_int8(Network &net, int a, int b,
                          const small_activation &activation,
                          const small_quant &output, int &out) {
  SMALL_TRY(net.require_building("add layer"));
  const std::string name = net.next_name("add");
  Shape sa, sb;
  SMALL_TRY(net.tensor_shape(a, name + " input a", sa));
  SMALL_TRY(net.tensor_shape(b, name + " input b", sb));
  if (sa != sb) {
    return fail(SMALL_ERR_SHAPE_MISMATCH)
           << name << ": input a " << sa << " and input b " << sb << " differ";
  }
  small_quant qa, qb;
  SMALL_TRY(int8_input(net, a, name + " input a", qa));
  SMALL_TRY(int8_input(net, b, name + " input b", qb));
  SMALL_TRY(check_quant(output, name + " output"));
  if (!(add_output_multiplier(qa, qb, output) < 1.0)) {
    return fail(SMALL_ERR_UNSUPPORTED)
           << name << ": the output scale " << FloatText{output.scale}
           << " is too small for the inputs' scales (TFLite's ADD needs "
              "2 * max(input scales) < 2^20 * output scale)";
  }
  small_act_params act{};
  Int8Range range;
  SMALL_TRY(int8_activation_range(activation, output, name, act, range));
  return net.add_node(
      std::make_unique<AddInt8Layer>(sa, qa, qb, output, act, range), {a, b},
      name, out);
}

small_status add_concat_int8(Network &net, const small_tensor *inputs,
                             size_t count, const small_quant &output,
                             int &out) {
  SMALL_TRY(net.require_building("add layer"));
  const std::string name = net.next_name("concat");
  if (count == 0) {
    return fail(SMALL_ERR_INVALID_ARGUMENT) << name << ": count must be >= 1";
  }
  SMALL_TRY(check_quant(output, name + " output"));
  std::vector<Shape> shapes;
  std::vector<small_quant> quants;
  std::vector<int> ids;
  uint64_t channels = 0;
  for (size_t i = 0; i < count; ++i) {
    const std::string what = name + " inputs[" + std::to_string(i) + "]";
    Shape s;
    SMALL_TRY(net.tensor_shape(inputs[i], what, s));
    small_quant q;
    SMALL_TRY(int8_input(net, inputs[i], what, q));
    if (!shapes.empty() &&
        (s.n != shapes[0].n || s.h != shapes[0].h || s.w != shapes[0].w)) {
      return fail(SMALL_ERR_SHAPE_MISMATCH)
             << name << ": inputs[" << i << "] " << s
             << " differs from inputs[0] " << shapes[0]
             << " outside the channel axis";
    }
    channels += s.c;
    shapes.push_back(s);
    quants.push_back(q);
    ids.push_back(inputs[i]);
  }
  if (channels > std::numeric_limits<uint32_t>::max()) {
    return fail(SMALL_ERR_OVERFLOW) << name << ": too many channels";
  }
  Shape o = shapes[0];
  o.c = static_cast<uint32_t>(channels);
  return net.add_node(std::make_unique<ConcatInt8Layer>(
                          std::move(shapes), std::move(quants), o, output),
                      ids, name, out);
}

small_status add_softmax_int8(Network &net, int input, float beta,
                              const small_quant &output, int &out) {
  SMALL_TRY(net.require_building("add layer"));
  const std::string name = net.next_name("softmax");
  Shape in;
  SMALL_TRY(net.tensor_shape(input, name + " input", in));
  small_quant q;
  SMALL_TRY(int8_input(net, input, name + " input", q));
  SMALL_TRY(check_quant(output, name + " output"));
  if (std::fabs(output.scale - 1.0f / 256) > 0.001f / 256 ||
      output.zero_point != -128) {
    return fail(SMALL_ERR_UNSUPPORTED)
           << name << ": an int8 softmax output has scale 1/256 and zero "
           << "point -128 (TFLite's), got scale " << FloatText{output.scale}
           << ", zero point " << output.zero_point;
  }
  // The scaled input multiplier must exceed 1 (TFLite's
  // QuantizeMultiplierGreaterThanOne).
  const double real =
      static_cast<double>(beta) * static_cast<double>(q.scale) *
      static_cast<double>(int64_t{1} << (31 - kSoftmaxScaledDiffIntegerBits));
  if (!std::isfinite(beta) || !(real > 1.0)) {
    return fail(SMALL_ERR_UNSUPPORTED)
           << name << ": beta * input scale * 2^26 must be > 1, got beta "
           << FloatText{beta} << " and input scale " << FloatText{q.scale};
  }
  return net.add_node(std::make_unique<SoftmaxInt8Layer>(in, q, beta, output),
                      {input}, name, out);
}

small_status add_quantize(Network &net, int input, const small_quant &output,
                          int &out) {
  SMALL_TRY(net.require_building("add layer"));
  const std::string name = net.next_name("quantize");
  Shape in;
  SMALL_TRY(net.tensor_shape(input, name + " input", in));
  small_dtype dtype = SMALL_DTYPE_FLOAT32;
  small_quant q;
  SMALL_TRY(net.tensor_type(input, name + " input", dtype, q));
  SMALL_TRY(check_quant(output, name + " output"));
  return net.add_node(std::make_unique<QuantizeLayer>(in, dtype, q, output),
                      {input}, name, out);
}

small_status add_dequantize(Network &net, int input, int &out) {
  SMALL_TRY(net.require_building("add layer"));
  const std::string name = net.next_name("dequantize");
  Shape in;
  SMALL_TRY(net.tensor_shape(input, name + " input", in));
  small_quant q;
  SMALL_TRY(int8_input(net, input, name + " input", q));
  return net.add_node(std::make_unique<DequantizeLayer>(in, q), {input}, name,
                      out);
}

} // namespace small
