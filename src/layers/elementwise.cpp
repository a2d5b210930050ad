#include "layers/elementwise.h"

#include <cstring>

#include <limits>
#include <memory>

#include "engine/layout.h"
#include "graph/network.h"
#include "layers/activation_params.h"
#include "plan/plan_op.h"
#include "util/error.h"

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

namespace {

// Floats [begin, end) of part `part` of `count`, cut at whole pixels of
// `cb` floats.
void part_range(size_t count, size_t cb, size_t part, size_t parts,
                size_t &begin, size_t &end) {
  const size_t pixels = count / cb;
  begin = pixels * part / parts * cb;
  end = pixels * (part + 1) / parts * cb;
}

} // namespace

void ActivationLayer::run_part(const small_kernel_table &kernels,
                               const std::vector<const float *> &inputs,
                               float *out, size_t part) const {
  const size_t cb = kernels.channel_block;
  size_t begin = 0, end = 0;
  part_range(shape_.n * shape_.item_floats(cb), cb, part, parts_, begin, end);
  kernels.activation(inputs[0] + begin, out + begin, end - begin, &act_);
}

void AddLayer::run_part(const small_kernel_table &kernels,
                        const std::vector<const float *> &inputs, float *out,
                        size_t part) const {
  const size_t cb = kernels.channel_block;
  size_t begin = 0, end = 0;
  part_range(shape_.n * shape_.item_floats(cb), cb, part, parts_, begin, end);
  kernels.add(inputs[0] + begin, inputs[1] + begin, out + begin, end - begin,
              &act_);
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
  if (dtype_ == SMALL_DTYPE_INT8) {
    reshape_blocked(as_int8(inputs[0]), input_, as_int8(out), output_,
                    kernels.channel_block);
  } else {
    reshape_blocked(inputs[0], input_, out, output_, kernels.channel_block);
  }
}

bool ReshapeLayer::describe_plan_op(const small_kernel_table & /*kernels*/,
                                    PlanOp &op) const {
  if (dtype_ != SMALL_DTYPE_INT8) {
    return false;
  }
  op.kind = SMALL_PLAN_STEP_RESHAPE;
  op.reshape.input = {input_.n, input_.c, input_.h, input_.w};
  op.reshape.output = {output_.n, output_.c, output_.h, output_.w};
  return true;
}

small_status add_add(Network &net, int a, int b,
                     const small_activation &activation, int &output) {
  SMALL_TRY(net.require_building("add layer"));
  const std::string name = net.next_name("add");
  Shape sa, sb;
  SMALL_TRY(net.tensor_shape(a, name + " input a", sa));
  SMALL_TRY(net.tensor_shape(b, name + " input b", sb));
  if (sa != sb) {
    return fail(SMALL_ERR_SHAPE_MISMATCH)
           << name << ": input a " << sa << " and input b " << sb << " differ";
  }
  small_act_params act;
  SMALL_TRY(lower_activation(activation, name, act));
  return net.add_node(std::make_unique<AddLayer>(sa, act), {a, b}, name,
                      output);
}

small_status add_concat(Network &net, const small_tensor *inputs, size_t count,
                        int &output) {
  SMALL_TRY(net.require_building("add layer"));
  const std::string name = net.next_name("concat");
  if (count == 0) {
    return fail(SMALL_ERR_INVALID_ARGUMENT) << name << ": count must be >= 1";
  }
  std::vector<Shape> shapes;
  std::vector<int> ids;
  uint64_t channels = 0;
  for (size_t i = 0; i < count; ++i) {
    Shape s;
    SMALL_TRY(net.tensor_shape(inputs[i],
                               name + " inputs[" + std::to_string(i) + "]", s));
    if (!shapes.empty() &&
        (s.n != shapes[0].n || s.h != shapes[0].h || s.w != shapes[0].w)) {
      return fail(SMALL_ERR_SHAPE_MISMATCH)
             << name << ": inputs[" << i << "] " << s
             << " differs from inputs[0] " << shapes[0]
             << " outside the channel axis";
    }
    channels += s.c;
    shapes.push_back(s);
    ids.push_back(inputs[i]);
  }
  if (channels > std::numeric_limits<uint32_t>::max()) {
    return fail(SMALL_ERR_OVERFLOW) << name << ": too many channels";
  }
  Shape o = shapes[0];
  o.c = static_cast<uint32_t>(channels);
  return net.add_node(std::make_unique<ConcatLayer>(std::move(shapes), o), ids,
                      name, output);
}

small_status add_activation(Network &net, int input,
                            const small_activation &activation, int &output) {
  SMALL_TRY(net.require_building("add layer"));
  const std::string name = net.next_name("activation");
  Shape in;
  SMALL_TRY(net.tensor_shape(input, name + " input", in));
  small_act_params act;
  SMALL_TRY(lower_activation(activation, name, act));
  return net.add_node(std::make_unique<ActivationLayer>(in, act), {input}, name,
                      output);
}

small_status add_softmax(Network &net, int input, int &output) {
  SMALL_TRY(net.require_building("add layer"));
  const std::string name = net.next_name("softmax");
  Shape in;
  SMALL_TRY(net.tensor_shape(input, name + " input", in));
  return net.add_node(std::make_unique<SoftmaxLayer>(in), {input}, name,
                      output);
}

small_status add_reshape(Network &net, int input, uint32_t c, uint32_t h,
                         uint32_t w, int &output) {
  SMALL_TRY(net.require_building("add layer"));
  const std::string name = net.next_name("reshape");
  Shape in;
  SMALL_TRY(net.tensor_shape(input, name + " input", in));
  if (c == 0 || h == 0 || w == 0) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << name << ": every target dimension must be >= 1";
  }
  const uint64_t from = uint64_t{in.c} * in.h * in.w;
  uint64_t to = 0;
  const bool overflow = __builtin_mul_overflow(uint64_t{c} * h, w, &to);
  if (overflow || to != from) {
    return fail(SMALL_ERR_SHAPE_MISMATCH)
           << name << ": cannot reshape " << in << " to (" << c << ", " << h
           << ", " << w << "): element counts differ";
  }
  const Shape o{in.n, c, h, w};
  small_dtype dtype = SMALL_DTYPE_FLOAT32;
  small_quant quant{};
  SMALL_TRY(net.tensor_type(input, name + " input", dtype, quant));
  return net.add_node(
      std::make_unique<ReshapeLayer>(SMALL_LAYER_RESHAPE, in, o, dtype, quant),
      {input}, name, output);
}

small_status add_flatten(Network &net, int input, int &output) {
  SMALL_TRY(net.require_building("add layer"));
  const std::string name = net.next_name("flatten");
  Shape in;
  SMALL_TRY(net.tensor_shape(input, name + " input", in));
  const uint64_t flat = uint64_t{in.c} * in.h * in.w;
  if (flat > std::numeric_limits<uint32_t>::max()) {
    return fail(SMALL_ERR_OVERFLOW)
           << name << ": flattened size exceeds 2^32-1";
  }
  const Shape o{in.n, static_cast<uint32_t>(flat), 1, 1};
  small_dtype dtype = SMALL_DTYPE_FLOAT32;
  small_quant quant{};
  SMALL_TRY(net.tensor_type(input, name + " input", dtype, quant));
  return net.add_node(
      std::make_unique<ReshapeLayer>(SMALL_LAYER_FLATTEN, in, o, dtype, quant),
      {input}, name, output);
}

} // namespace small
