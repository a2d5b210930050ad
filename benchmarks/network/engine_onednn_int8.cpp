// oneDNN int8 peer engine (oneDNN 2.6 primitives): runs an Int8Net on
// TFLite's int8 NHWC buffers, every activation s8 in plain NHWC (acdb).
// - Convolutions (depthwise and dense layers included, a dense layer being
//   the 1x1 convolution of a 1x1 image): s8 source and weights, s32 bias,
//   per-output-channel output scales in_scale * w_scale[o] / out_scale,
//   source and destination zero points (passed at run time,
//   DNNL_RUNTIME_S32_VAL), the fused clamp as an eltwise post-op in output
//   units. Weights are reordered once into the layout the primitive picked,
//   which also computes the zero-point compensation.
// - Global average pooling keeping its input's quantization: avg pooling
//   on the s8 values.
// - Add: oneDNN 2.6's binary primitive takes no zero points, so each input
//   is reordered to f32 in the output's units ((q - z) * s / s_out), added,
//   clamped and shifted by the output zero point by post-ops, into s8.
// - Softmax: 2.6 has no int8 softmax: dequantize (reorder), f32 softmax,
//   quantize to 1/256 with zero point -128 (reorder).
#include "int8_net.h"

#if defined(SMALL_BENCH_HAVE_ONEDNN)
#include <cstring>
#include <exception>
#include <limits>
#include <stdexcept>
#include <unordered_map>

#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>
#endif

namespace small_bench {

#if defined(SMALL_BENCH_HAVE_ONEDNN)
namespace {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

void require(bool ok, const std::string &what) {
  if (!ok) {
    throw std::invalid_argument(what);
  }
}

memory::dims dims_4d(const PeerShape &s) {
  return {1, memory::dim{s.c}, memory::dim{s.h}, memory::dim{s.w}};
}

memory::desc nhwc(const PeerShape &s, dt type) {
  return memory::desc(dims_4d(s), type, tag::nhwc);
}

// The clamp in output units before the zero point is added: a real bound b
// is b / scale there.
void append_clamp(dnnl::post_ops &ops, const PeerClamp &clamp, float scale) {
  if (!clamp.active()) {
    return;
  }
  const float inf = std::numeric_limits<float>::infinity();
  if (clamp.lo == 0.0f && clamp.hi == inf) {
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
    return;
  }
  const float big = std::numeric_limits<float>::max();
  ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip,
                     clamp.lo == -inf ? -big : clamp.lo / scale,
                     clamp.hi == inf ? big : clamp.hi / scale);
}

class OnednnInt8Engine final : public Int8Engine {
public:
  const char *name() const override { return "onednn"; }

  bool prepare(const Int8Net &net, std::string *why) override {
    steps_.clear();
    impls_.clear();
    try {
      omp_set_num_threads(threads_);
      if (!eng_) {
        eng_ = dnnl::engine(dnnl::engine::kind::cpu, 0);
        strm_ = dnnl::stream(eng_);
      }
      build(net);
    } catch (const dnnl::error &e) {
      *why = std::string("oneDNN: ") + e.what() + " (" + where_ + ")";
      steps_.clear();
      return false;
    } catch (const std::exception &e) {
      *why = e.what();
      steps_.clear();
      return false;
    }
    return true;
  }

  void run(const int8_t *input, int8_t *output) override {
    values_[0].set_data_handle(const_cast<int8_t *>(input));
    values_[output_].set_data_handle(output);
    // The OpenMP thread count is per calling thread and engines of several
    // counts run interleaved on this one.
    omp_set_num_threads(threads_);
    for (const Step &s : steps_) {
      if (dnnl_primitive_execute(s.prim.get(), strm_.get(),
                                 static_cast<int>(s.c_args.size()),
                                 s.c_args.data()) != dnnl_success) {
        std::memset(output, 0x55, output_bytes_); // fails the check loudly
        return;
      }
    }
    strm_.wait();
  }

  std::string detail() const override {
    std::string impls;
    for (const auto &kv : impls_) {
      impls += (impls.empty() ? "" : ",") + kv.first;
    }
    return "primitives s8 NHWC, " + std::to_string(threads_) +
           " OpenMP thread(s), impl=" + impls;
  }

  // oneDNN's int8 convolutions without VNNI (vpdpbusd) multiply with
  // vpmaddubsw, which sums pairs of u8 * s8 products into saturating int16:
  // an accumulator can be off by far more than a rounding step (oneDNN's
  // documentation of int8 computations says so, and advises 7-bit inputs).
  std::string known_inexact() const override {
    switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::avx2_vnni:
    case dnnl::cpu_isa::avx512_core_vnni:
    case dnnl::cpu_isa::avx512_core_bf16:
    case dnnl::cpu_isa::avx512_core_amx:
      return "";
    default:
      return "oneDNN's int8 convolutions without VNNI (effective ISA below "
             "avx2_vnni / avx512_core_vnni, e.g. under ONEDNN_MAX_CPU_ISA) "
             "sum u8*s8 pairs in saturating int16 (vpmaddubsw)";
    }
  }

  // oneDNN converts the scaled accumulator to s8 rounding to nearest even
  // in f32 (and averages pools the same way): like XNNPACK, a step from
  // TFLite's fixed-point arithmetic on some values, which later layers can
  // widen.
  int tolerance_steps() const override { return 2; }
  const char *tolerance_reason() const override {
    return "f32 requantization (round to nearest even) against TFLite's "
           "fixed-point multiplier";
  }

private:
  struct Step {
    dnnl::primitive prim;
    std::unordered_map<int, memory> args; // keeps the memories alive
    std::vector<dnnl_exec_arg_t> c_args;  // built once, used by run()
  };
  void add_step(const dnnl::primitive &prim,
                std::unordered_map<int, memory> args) {
    Step s{prim, std::move(args), {}};
    for (const auto &kv : s.args) {
      s.c_args.push_back({kv.first, kv.second.get()});
    }
    steps_.push_back(std::move(s));
  }

  void build(const Int8Net &net);
  void add_conv(const Int8Net &net, const Int8Op &op);
  void add_pool(const Int8Net &net, const Int8Op &op);
  void add_add(const Int8Net &net, const Int8Op &op);
  void add_softmax(const Int8Net &net, const Int8Op &op);
  // value in f32, in units of `unit_scale`: (q - z) * scale / unit_scale.
  memory dequantized(const Int8Net &net, int value, float unit_scale);
  memory s32_scalar(int32_t v);
  void note_impl(const dnnl::primitive_desc_base &pd) {
    impls_[pd.impl_info_str()] = true;
  }

  dnnl::engine eng_;
  dnnl::stream strm_;
  std::vector<memory> values_;
  std::vector<Step> steps_;
  std::vector<memory> constants_;
  std::vector<std::vector<int8_t>> weight_data_;
  std::vector<std::vector<int32_t>> bias_data_;
  std::unordered_map<std::string, bool> impls_;
  int output_ = -1;
  size_t output_bytes_ = 0;
  std::string where_;
};

memory OnednnInt8Engine::s32_scalar(int32_t v) {
  memory m(memory::desc({1}, dt::s32, tag::x), eng_);
  *static_cast<int32_t *>(m.get_data_handle()) = v;
  return m;
}

void OnednnInt8Engine::build(const Int8Net &net) {
  require(net.values.size() >= 2 && net.output > 0 &&
              size_t(net.output) < net.values.size(),
          "the network needs an input and a distinct output value");
  output_ = net.output;
  output_bytes_ = net.values[output_].shape.elements();
  values_.assign(net.values.size(), memory());
  values_[0] =
      memory(nhwc(net.values[0].shape, dt::s8), eng_, DNNL_MEMORY_NONE);
  for (size_t i = 0; i < net.ops.size(); ++i) {
    const Int8Op &op = net.ops[i];
    where_ = "op " + std::to_string(i);
    require(op.in0 >= 0 && size_t(op.in0) < values_.size() && values_[op.in0] &&
                op.out > 0 && size_t(op.out) < values_.size() &&
                !values_[op.out],
            where_ + ": bad value ids");
    values_[op.out] =
        memory(nhwc(net.values[op.out].shape, dt::s8), eng_,
               op.out == output_ ? DNNL_MEMORY_NONE : DNNL_MEMORY_ALLOCATE);
    switch (op.kind) {
    case Int8OpKind::kConv:
    case Int8OpKind::kDense:
      add_conv(net, op);
      break;
    case Int8OpKind::kGlobalAvgPool:
      add_pool(net, op);
      break;
    case Int8OpKind::kAdd:
      add_add(net, op);
      break;
    case Int8OpKind::kSoftmax:
      add_softmax(net, op);
      break;
    }
  }
  where_.clear();
}

void OnednnInt8Engine::add_conv(const Int8Net &net, const Int8Op &op) {
  const bool dense = op.kind == Int8OpKind::kDense;
  const Int8Value &in = net.values[op.in0];
  const Int8Value &out = net.values[op.out];
  require(!dense || in.shape.h * in.shape.w == 1,
          where_ + ": dense layer over a non-flat input");
  const memory::dim oc = out.shape.c, ic = in.shape.c;
  const memory::dim groups = dense ? 1 : op.groups;
  const memory::dim kh = op.kh, kw = op.kw;
  // OHWI [o][kh][kw][i/g] as oneDNN's (g)ohwi plain layout.
  const memory::dims wdims =
      groups == 1 ? memory::dims{oc, ic, kh, kw}
                  : memory::dims{groups, oc / groups, ic / groups, kh, kw};
  const memory::desc w_user(wdims, dt::s8,
                            groups == 1 ? tag::ohwi : tag::gohwi);
  const memory::desc w_any(wdims, dt::s8, tag::any);
  const memory::desc b_md({oc}, dt::s32, tag::x);
  const memory::desc src_md = nhwc(in.shape, dt::s8);
  const memory::desc dst_md = nhwc(out.shape, dt::s8);

  dnnl::primitive_attr attr;
  std::vector<float> scales(oc);
  for (memory::dim o = 0; o < oc; ++o) {
    scales[o] = in.quant.scale * op.weight_scales[o] / out.quant.scale;
  }
  attr.set_output_scales(2, scales);
  attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
  attr.set_zero_points(DNNL_ARG_DST, 0, {DNNL_RUNTIME_S32_VAL});
  dnnl::post_ops ops;
  append_clamp(ops, op.clamp, out.quant.scale);
  attr.set_post_ops(ops);

  const dnnl::convolution_forward::desc d(
      dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
      src_md, w_any, b_md, dst_md, {op.stride_h, op.stride_w},
      {op.dilation_h - 1, op.dilation_w - 1}, {op.pad_top, op.pad_left},
      {op.pad_bottom, op.pad_right});
  const dnnl::convolution_forward::primitive_desc pd(d, attr, eng_);
  note_impl(pd);

  weight_data_.push_back(op.weights);
  memory w_src(w_user, eng_, weight_data_.back().data());
  memory w(pd.weights_desc(), eng_);
  dnnl::reorder(w_src, w).execute(strm_, w_src, w);
  strm_.wait();
  constants_.push_back(w);
  bias_data_.push_back(op.bias);
  memory b(b_md, eng_, bias_data_.back().data());
  add_step(dnnl::convolution_forward(pd),
           {{DNNL_ARG_SRC, values_[op.in0]},
            {DNNL_ARG_WEIGHTS, w},
            {DNNL_ARG_BIAS, b},
            {DNNL_ARG_DST, values_[op.out]},
            {DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC,
             s32_scalar(in.quant.zero_point)},
            {DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST,
             s32_scalar(out.quant.zero_point)}});
}

void OnednnInt8Engine::add_pool(const Int8Net &net, const Int8Op &op) {
  const Int8Value &in = net.values[op.in0];
  const Int8Value &out = net.values[op.out];
  require(in.quant.scale == out.quant.scale &&
              in.quant.zero_point == out.quant.zero_point && !op.clamp.active(),
          where_ + ": average pooling that requantizes or clamps");
  const dnnl::pooling_forward::desc d(
      dnnl::prop_kind::forward_inference,
      dnnl::algorithm::pooling_avg_exclude_padding, nhwc(in.shape, dt::s8),
      nhwc(out.shape, dt::s8), {1, 1}, {in.shape.h, in.shape.w}, {0, 0},
      {0, 0});
  const dnnl::pooling_forward::primitive_desc pd(d, eng_);
  note_impl(pd);
  add_step(dnnl::pooling_forward(pd),
           {{DNNL_ARG_SRC, values_[op.in0]}, {DNNL_ARG_DST, values_[op.out]}});
}

memory OnednnInt8Engine::dequantized(const Int8Net &net, int value,
                                     float unit_scale) {
  const Int8Value &v = net.values[value];
  memory f(nhwc(v.shape, dt::f32), eng_);
  dnnl::primitive_attr attr;
  attr.set_output_scales(0, {v.quant.scale / unit_scale});
  attr.set_zero_points(DNNL_ARG_SRC, 0, {v.quant.zero_point});
  const dnnl::reorder::primitive_desc pd(values_[value], f, attr);
  add_step(dnnl::reorder(pd),
           {{DNNL_ARG_FROM, values_[value]}, {DNNL_ARG_TO, f}});
  return f;
}

void OnednnInt8Engine::add_add(const Int8Net &net, const Int8Op &op) {
  const Int8Value &out = net.values[op.out];
  const memory a = dequantized(net, op.in0, out.quant.scale);
  const memory b = dequantized(net, op.in1, out.quant.scale);
  dnnl::primitive_attr attr;
  dnnl::post_ops ops;
  append_clamp(ops, op.clamp, out.quant.scale);
  ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_linear, 1.0f,
                     static_cast<float>(out.quant.zero_point));
  attr.set_post_ops(ops);
  const dnnl::binary::desc d(dnnl::algorithm::binary_add, a.get_desc(),
                             b.get_desc(), nhwc(out.shape, dt::s8));
  const dnnl::binary::primitive_desc pd(d, attr, eng_);
  note_impl(pd);
  add_step(dnnl::binary(pd), {{DNNL_ARG_SRC_0, a},
                              {DNNL_ARG_SRC_1, b},
                              {DNNL_ARG_DST, values_[op.out]}});
}

void OnednnInt8Engine::add_softmax(const Int8Net &net, const Int8Op &op) {
  const Int8Value &out = net.values[op.out];
  const memory x = dequantized(net, op.in0, 1.0f);
  memory y(x.get_desc(), eng_);
  const dnnl::softmax_forward::desc d(dnnl::prop_kind::forward_inference,
                                      x.get_desc(), 1);
  const dnnl::softmax_forward::primitive_desc pd(d, eng_);
  note_impl(pd);
  add_step(dnnl::softmax_forward(pd), {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, y}});
  dnnl::primitive_attr attr;
  attr.set_output_scales(0, {1.0f / out.quant.scale});
  attr.set_zero_points(DNNL_ARG_DST, 0, {out.quant.zero_point});
  const dnnl::reorder::primitive_desc rd(y, values_[op.out], attr);
  add_step(dnnl::reorder(rd),
           {{DNNL_ARG_FROM, y}, {DNNL_ARG_TO, values_[op.out]}});
}

} // namespace

std::unique_ptr<Int8Engine> make_onednn_int8_engine(std::string *) {
  return std::make_unique<OnednnInt8Engine>();
}

#else

std::unique_ptr<Int8Engine> make_onednn_int8_engine(std::string *why) {
  *why = "not built (libdnnl-dev or OpenMP was not found at configure time)";
  return nullptr;
}

#endif

} // namespace small_bench
