// The oneDNN peer engine: runs a PeerNet through oneDNN's CPU primitives,
// single-threaded. Every primitive is created with format_tag::any so oneDNN
// picks its preferred (usually blocked) layouts; activations stay in those
// layouts between layers and a reorder is inserted only where a consumer
// wants a different layout than its producer wrote. Weights are reordered
// once in prepare(); run() only re-points the input and output buffers and
// executes the prepared primitive list.
#include "peer_net.h"

#if defined(SMALL_BENCH_HAVE_ONEDNN)

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

namespace small_bench {
namespace {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

const char *isa_name(dnnl::cpu_isa isa) {
  switch (isa) {
  case dnnl::cpu_isa::all:
    return "all";
  case dnnl::cpu_isa::sse41:
    return "sse41";
  case dnnl::cpu_isa::avx:
    return "avx";
  case dnnl::cpu_isa::avx2:
    return "avx2";
  case dnnl::cpu_isa::avx2_vnni:
    return "avx2_vnni";
  case dnnl::cpu_isa::avx512_mic:
    return "avx512_mic";
  case dnnl::cpu_isa::avx512_mic_4ops:
    return "avx512_mic_4ops";
  case dnnl::cpu_isa::avx512_core:
    return "avx512_core";
  case dnnl::cpu_isa::avx512_core_vnni:
    return "avx512_core_vnni";
  case dnnl::cpu_isa::avx512_core_bf16:
    return "avx512_core_bf16";
  case dnnl::cpu_isa::avx512_core_amx:
    return "avx512_core_amx";
  }
  return "unknown";
}

void require(bool ok, const std::string &what) {
  if (!ok) {
    throw std::invalid_argument(what);
  }
}

memory::dims dims_4d(const PeerShape &s) {
  return {1, memory::dim{s.c}, memory::dim{s.h}, memory::dim{s.w}};
}

// A plain (non-blocked) desc with the same dimensions as md: nc or nchw.
memory::desc plain_like(const memory::desc &md) {
  const memory::dims d = md.dims();
  return memory::desc(d, dt::f32, d.size() == 2 ? tag::nc : tag::nchw);
}

uint32_t conv_out_size(uint32_t in, uint32_t k, uint32_t stride,
                       uint32_t dilation, uint32_t pad_before,
                       uint32_t pad_after) {
  const int64_t span = int64_t{dilation} * (k - 1) + 1;
  const int64_t padded = int64_t{in} + pad_before + pad_after;
  return padded < span ? 0
                       : static_cast<uint32_t>((padded - span) / stride + 1);
}

// All primitives share one user-provided scratchpad (see finish()), so
// execution never makes the library allocate one.
dnnl::primitive_attr base_attr() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

// The fused clamp as an eltwise post-op: ReLU when it is exactly
// max(x, 0), a clip otherwise (infinite bounds are fine for clip).
dnnl::primitive_attr epilogue_attr(const PeerClamp &clamp) {
  dnnl::primitive_attr attr = base_attr();
  if (!clamp.active()) {
    return attr;
  }
  dnnl::post_ops ops;
  if (clamp.lo == 0.0f && clamp.hi == std::numeric_limits<float>::infinity()) {
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
  } else {
    ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, clamp.lo, clamp.hi);
  }
  attr.set_post_ops(ops);
  return attr;
}

class OnednnEngine final : public PeerEngine {
public:
  const char *name() const override { return "onednn"; }
  bool supports_threads() const override { return true; }
  bool prepare(const PeerNet &net, std::string *why) override;
  void run(const float *input, float *output) override;
  std::string detail() const override { return detail_; }

private:
  struct Step {
    dnnl::primitive prim;
    std::unordered_map<int, memory> args; // keeps the memories alive
    memory::desc scratchpad;
    std::vector<dnnl_exec_arg_t> c_args; // built once, used by run()
  };
  // A value already converted to the layout some consumer wanted, so a
  // second consumer with the same wish reuses it.
  struct Converted {
    int value;
    memory mem;
  };

  void reset();
  void build(const PeerNet &net);
  void add_conv(const PeerOp &op);
  void add_dense(const PeerOp &op);
  void add_avg_pool(const PeerOp &op);
  void add_add(const PeerOp &op);
  void add_softmax(const PeerOp &op);
  void add_output(const PeerNet &net);
  void finish();
  void warm_up(const PeerNet &net);

  void add_step(const dnnl::primitive &prim,
                const dnnl::primitive_desc_base &pd,
                std::unordered_map<int, memory> args);
  memory input(int value) const;
  memory input_as(int value, const memory::desc &want);
  memory as_4d(int value);
  memory constant(const std::vector<float> &data, const memory::desc &user,
                  const memory::desc &want);
  void produce(const PeerOp &op, const memory::desc &md);
  void note_conv_impl(const dnnl::primitive_desc &pd);

  dnnl::engine eng_;
  dnnl::stream strm_;
  std::vector<PeerShape> shapes_;
  std::vector<memory> values_; // one per value, in the producer's layout
  std::vector<Converted> converted_;
  std::vector<memory> constants_; // packed weights and biases
  std::vector<Step> steps_;
  memory scratch_;
  memory out_user_; // the caller's output; values_[output] when aliased
  std::vector<memory> input_views_; // reshaped views of the input
  bool ready_ = false;
  std::vector<std::string> conv_impls_;
  std::string detail_;
};

void OnednnEngine::reset() {
  ready_ = false;
  shapes_.clear();
  values_.clear();
  converted_.clear();
  constants_.clear();
  steps_.clear();
  scratch_ = memory();
  out_user_ = memory();
  input_views_.clear();
  conv_impls_.clear();
  detail_.clear();
}

bool OnednnEngine::prepare(const PeerNet &net, std::string *why) {
  reset();
  try {
    // oneDNN's OpenMP runtime sizes its blocking and parallel regions from
    // the thread count seen at creation, so pin it before any primitive.
    omp_set_num_threads(threads_);
    if (!eng_) {
      eng_ = dnnl::engine(dnnl::engine::kind::cpu, 0);
      strm_ = dnnl::stream(eng_);
    }
    build(net);
    ready_ = true;
    warm_up(net);
  } catch (const dnnl::error &e) {
    if (why) {
      *why = std::string("oneDNN: ") + e.what();
    }
    reset();
    return false;
  } catch (const std::exception &e) {
    if (why) {
      *why = e.what();
    }
    reset();
    return false;
  }
  return true;
}

// One run on zeros, so first-call work (some implementations generate
// their JIT kernels lazily) happens here and not in the first timed run().
void OnednnEngine::warm_up(const PeerNet &net) {
  const std::vector<float> in(net.values[0].elements(), 0.0f);
  std::vector<float> out(net.values[net.output].elements());
  run(in.data(), out.data());
}

void OnednnEngine::build(const PeerNet &net) {
  require(!net.values.empty(), "network has no values");
  require(net.output >= 0 && size_t(net.output) < net.values.size(),
          "output value out of range");
  shapes_ = net.values;
  values_.assign(net.values.size(), memory());
  // The input wraps the caller's buffer; run() sets the pointer.
  values_[0] = memory(memory::desc(dims_4d(shapes_[0]), dt::f32, tag::nchw),
                      eng_, DNNL_MEMORY_NONE);
  for (const PeerOp &op : net.ops) {
    require(op.out > 0 && size_t(op.out) < values_.size() && !values_[op.out],
            "op output value invalid or written twice");
    switch (op.kind) {
    case PeerOpKind::kConv:
      add_conv(op);
      break;
    case PeerOpKind::kDense:
      add_dense(op);
      break;
    case PeerOpKind::kAvgPool:
      add_avg_pool(op);
      break;
    case PeerOpKind::kAdd:
      add_add(op);
      break;
    case PeerOpKind::kSoftmax:
      add_softmax(op);
      break;
    }
  }
  require(bool(values_[net.output]), "output value is never produced");
  add_output(net);
  finish();

  detail_ = std::string("isa=") + isa_name(dnnl::get_effective_cpu_isa());
  std::string impls;
  for (const std::string &s : conv_impls_) {
    impls += (impls.empty() ? "" : ",") + s;
  }
  if (!impls.empty()) {
    detail_ += " conv=" + impls;
  }
}

memory OnednnEngine::input(int value) const {
  require(value >= 0 && size_t(value) < values_.size() && values_[value],
          "op input value " + std::to_string(value) + " not produced yet");
  return values_[value];
}

// The value in exactly the desc `want`: the value itself, a zero-copy view
// when only the rank differs (a dense output read as 4-D), or a reordered
// copy made right before the consumer.
memory OnednnEngine::input_as(int value, const memory::desc &want) {
  memory src = input(value);
  if (src.get_desc() == want) {
    return src;
  }
  for (const Converted &c : converted_) {
    if (c.value == value && c.mem.get_desc() == want) {
      return c.mem;
    }
  }
  if (src.get_desc().dims() != want.dims()) {
    src = memory(src.get_desc().reshape(want.dims()), eng_,
                 src.get_data_handle());
    // The input's buffer changes every run(), so its views follow it.
    if (value == 0) {
      input_views_.push_back(src);
    }
  }
  memory dst = src;
  if (src.get_desc() != want) {
    dst = memory(want, eng_);
    const dnnl::reorder::primitive_desc pd(src, dst, base_attr());
    add_step(dnnl::reorder(pd), pd, {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}});
  }
  converted_.push_back({value, dst});
  return dst;
}

// The value as an N x C x H x W tensor in whatever layout it already has.
memory OnednnEngine::as_4d(int value) {
  const memory src = input(value);
  if (src.get_desc().dims().size() == 4) {
    return src;
  }
  return input_as(value,
                  memory::desc(dims_4d(shapes_[value]), dt::f32, tag::nchw));
}

// Packs constant data (given in the `user` plain layout) into `want`, once.
memory OnednnEngine::constant(const std::vector<float> &data,
                              const memory::desc &user,
                              const memory::desc &want) {
  require(data.size() * sizeof(float) == user.get_size(),
          "weight or bias size does not match the layer");
  // The reorder only reads the source; oneDNN's handle is just non-const.
  memory src(user, eng_, const_cast<float *>(data.data()));
  memory dst(want, eng_);
  dnnl::reorder(src, dst).execute(strm_, src, dst);
  strm_.wait();
  constants_.push_back(dst);
  return dst;
}

void OnednnEngine::produce(const PeerOp &op, const memory::desc &md) {
  memory::dim elements = 1;
  for (const memory::dim d : md.dims()) {
    elements *= d;
  }
  require(size_t(elements) == shapes_[op.out].elements(),
          "op output size does not match its value shape");
  values_[op.out] = memory(md, eng_);
}

void OnednnEngine::add_step(const dnnl::primitive &prim,
                            const dnnl::primitive_desc_base &pd,
                            std::unordered_map<int, memory> args) {
  steps_.push_back({prim, std::move(args), pd.scratchpad_desc(), {}});
}

void OnednnEngine::note_conv_impl(const dnnl::primitive_desc &pd) {
  const std::string impl = pd.impl_info_str();
  if (std::find(conv_impls_.begin(), conv_impls_.end(), impl) ==
      conv_impls_.end()) {
    conv_impls_.push_back(impl);
  }
}

void OnednnEngine::add_conv(const PeerOp &op) {
  const PeerShape in = shapes_[op.in0], out = shapes_[op.out];
  const uint32_t g = op.groups;
  require(g > 0 && in.c % g == 0 && out.c % g == 0,
          "conv channels not divisible by groups");
  require(op.stride_h > 0 && op.stride_w > 0 && op.dilation_h > 0 &&
              op.dilation_w > 0,
          "conv stride and dilation must be positive");
  require(conv_out_size(in.h, op.kh, op.stride_h, op.dilation_h, op.pad_top,
                        op.pad_bottom) == out.h &&
              conv_out_size(in.w, op.kw, op.stride_w, op.dilation_w,
                            op.pad_left, op.pad_right) == out.w,
          "conv output shape does not match its value");

  const memory::dim oc = out.c, ic = in.c, kh = op.kh, kw = op.kw;
  const memory::dims w_dims =
      g == 1 ? memory::dims{oc, ic, kh, kw}
             : memory::dims{memory::dim{g}, oc / g, ic / g, kh, kw};
  const memory::desc src_md(dims_4d(in), dt::f32, tag::any);
  const memory::desc w_md(w_dims, dt::f32, tag::any);
  const memory::desc b_md =
      op.bias.empty() ? memory::desc() : memory::desc({oc}, dt::f32, tag::any);
  const memory::desc dst_md(dims_4d(out), dt::f32, tag::any);
  // oneDNN counts dilation as the gap between taps: 0 is a dense kernel.
  const dnnl::convolution_forward::desc desc(
      dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
      src_md, w_md, b_md, dst_md, {op.stride_h, op.stride_w},
      {op.dilation_h - 1, op.dilation_w - 1}, {op.pad_top, op.pad_left},
      {op.pad_bottom, op.pad_right});
  const dnnl::convolution_forward::primitive_desc pd(
      desc, epilogue_attr(op.clamp), eng_);
  note_conv_impl(pd);

  // OIHW and GOIHW are the same bytes for [out][in/groups][kh][kw].
  const memory weights =
      constant(op.weights,
               memory::desc(w_dims, dt::f32, g == 1 ? tag::oihw : tag::goihw),
               pd.weights_desc());
  std::unordered_map<int, memory> args = {
      {DNNL_ARG_SRC, input_as(op.in0, pd.src_desc())},
      {DNNL_ARG_WEIGHTS, weights}};
  if (!op.bias.empty()) {
    args[DNNL_ARG_BIAS] =
        constant(op.bias, memory::desc({oc}, dt::f32, tag::x), pd.bias_desc());
  }
  produce(op, pd.dst_desc());
  args[DNNL_ARG_DST] = values_[op.out];
  add_step(dnnl::convolution_forward(pd), pd, std::move(args));
}

void OnednnEngine::add_dense(const PeerOp &op) {
  const memory src = input(op.in0);
  const memory::desc src_have = src.get_desc();
  const memory::dims src_dims = src_have.dims();
  const memory::dim out = shapes_[op.out].c;
  // Weights are [out][in] with `in` flattened CHW: for a 4-D source that is
  // OIHW {out, c, h, w}, so the source never needs flattening.
  memory::dims w_dims = src_dims;
  w_dims[0] = out;
  const tag w_user_tag = w_dims.size() == 4 ? tag::oihw : tag::oi;
  const memory::desc w_md(w_dims, dt::f32, tag::any);
  const memory::desc b_md =
      op.bias.empty() ? memory::desc() : memory::desc({out}, dt::f32, tag::any);
  const memory::desc dst_md({1, out}, dt::f32, tag::any);
  const dnnl::primitive_attr attr = epilogue_attr(op.clamp);

  // Prefer reading the producer's layout as is; fall back to letting
  // oneDNN choose (and reordering) when no implementation takes it.
  dnnl::inner_product_forward::primitive_desc pd(
      dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_inference,
                                        src_have, w_md, b_md, dst_md),
      attr, eng_, true);
  if (!pd) {
    const memory::desc src_any(src_dims, dt::f32, tag::any);
    pd = dnnl::inner_product_forward::primitive_desc(
        dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_inference,
                                          src_any, w_md, b_md, dst_md),
        attr, eng_);
  }

  std::unordered_map<int, memory> args = {
      {DNNL_ARG_SRC, input_as(op.in0, pd.src_desc())},
      {DNNL_ARG_WEIGHTS,
       constant(op.weights, memory::desc(w_dims, dt::f32, w_user_tag),
                pd.weights_desc())}};
  if (!op.bias.empty()) {
    args[DNNL_ARG_BIAS] =
        constant(op.bias, memory::desc({out}, dt::f32, tag::x), pd.bias_desc());
  }
  produce(op, pd.dst_desc());
  args[DNNL_ARG_DST] = values_[op.out];
  add_step(dnnl::inner_product_forward(pd), pd, std::move(args));
}

void OnednnEngine::add_avg_pool(const PeerOp &op) {
  const memory src = as_4d(op.in0);
  const PeerShape in = shapes_[op.in0];
  require(shapes_[op.out].c == in.c && shapes_[op.out].h == 1 &&
              shapes_[op.out].w == 1,
          "global average pool output must be c x 1 x 1");
  const memory::desc dst_md(dims_4d(shapes_[op.out]), dt::f32, tag::any);
  const memory::dim kh = in.h, kw = in.w;
  const dnnl::pooling_forward::desc desc(
      dnnl::prop_kind::forward_inference,
      dnnl::algorithm::pooling_avg_exclude_padding, src.get_desc(), dst_md,
      {1, 1}, {kh, kw}, {0, 0}, {0, 0});
  const dnnl::pooling_forward::primitive_desc pd(desc, base_attr(), eng_);
  const memory pool_src = input_as(op.in0, pd.src_desc());
  produce(op, pd.dst_desc());
  add_step(dnnl::pooling_forward(pd), pd,
           {{DNNL_ARG_SRC, pool_src}, {DNNL_ARG_DST, values_[op.out]}});
}

void OnednnEngine::add_add(const PeerOp &op) {
  const memory a = input(op.in0);
  require(shapes_[op.in1].elements() == shapes_[op.in0].elements(),
          "add operands differ in shape");
  // The second operand follows the first one's layout; the result gets it
  // too. Not in place: the first operand may still be read later.
  const memory b = input_as(op.in1, a.get_desc());
  const dnnl::binary::desc desc(dnnl::algorithm::binary_add, a.get_desc(),
                                b.get_desc(), a.get_desc());
  const dnnl::binary::primitive_desc pd(desc, epilogue_attr(op.clamp), eng_);
  produce(op, pd.dst_desc());
  add_step(dnnl::binary(pd), pd,
           {{DNNL_ARG_SRC_0, a},
            {DNNL_ARG_SRC_1, b},
            {DNNL_ARG_DST, values_[op.out]}});
}

void OnednnEngine::add_softmax(const PeerOp &op) {
  // Softmax over channels on a plain tensor: (1, c) or (1, c, h, w).
  const memory src = input_as(op.in0, plain_like(input(op.in0).get_desc()));
  const dnnl::softmax_forward::desc desc(dnnl::prop_kind::forward_inference,
                                         src.get_desc(), 1);
  const dnnl::softmax_forward::primitive_desc pd(desc, base_attr(), eng_);
  produce(op, pd.dst_desc());
  add_step(dnnl::softmax_forward(pd), pd,
           {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, values_[op.out]}});
}

// The caller wants plain NCHW. When the output value already is plain and
// nothing else reads it, its producer writes straight into the caller's
// buffer; otherwise a final reorder (or copy) fills it.
void OnednnEngine::add_output(const PeerNet &net) {
  const memory out = values_[net.output];
  const memory::desc plain = plain_like(out.get_desc());
  bool read_later = net.output == 0;
  for (const PeerOp &op : net.ops) {
    read_later = read_later || op.in0 == net.output || op.in1 == net.output;
  }
  if (!read_later && out.get_desc() == plain) {
    out_user_ = out;
    return;
  }
  out_user_ = memory(plain, eng_, DNNL_MEMORY_NONE);
  const dnnl::reorder::primitive_desc pd(out, out_user_, base_attr());
  add_step(dnnl::reorder(pd), pd,
           {{DNNL_ARG_FROM, out}, {DNNL_ARG_TO, out_user_}});
}

// Steps run one after another on one stream, so one scratchpad buffer of
// the largest size serves them all. Then the C argument arrays are built so
// run() hands them to oneDNN without building containers per call.
void OnednnEngine::finish() {
  size_t bytes = 0;
  for (const Step &s : steps_) {
    bytes = std::max(bytes, s.scratchpad.get_size());
  }
  if (bytes > 0) {
    scratch_ = memory(memory::desc({memory::dim(bytes)}, dt::u8, tag::x), eng_);
  }
  for (Step &s : steps_) {
    if (s.scratchpad.get_size() > 0) {
      s.args[DNNL_ARG_SCRATCHPAD] =
          memory(s.scratchpad, eng_, scratch_.get_data_handle());
    }
    s.c_args.clear();
    for (const auto &a : s.args) {
      s.c_args.push_back({a.first, a.second.get()});
    }
  }
}

void OnednnEngine::run(const float *input, float *output) {
  if (!ready_) {
    return;
  }
  // The input is only ever read; oneDNN's handle is just non-const.
  void *const in = const_cast<float *>(input);
  values_[0].set_data_handle(in);
  for (const memory &view : input_views_) {
    view.set_data_handle(in);
  }
  out_user_.set_data_handle(output);
  // The OpenMP thread count is per calling thread and engines of several
  // counts run interleaved on this one.
  omp_set_num_threads(threads_);
  for (const Step &s : steps_) {
    const dnnl_status_t status = dnnl_primitive_execute(
        s.prim.get(), strm_.get(), static_cast<int>(s.c_args.size()),
        s.c_args.data());
    if (status != dnnl_success) {
      // A prepared primitive failing is a broken install, not a result.
      std::fprintf(stderr, "oneDNN engine: primitive execution failed (%d)\n",
                   static_cast<int>(status));
      std::abort();
    }
  }
  strm_.wait();
}

} // namespace

std::unique_ptr<PeerEngine> make_onednn_engine() {
  return std::make_unique<OnednnEngine>();
}

} // namespace small_bench

#else

namespace small_bench {

std::unique_ptr<PeerEngine> make_onednn_engine() { return nullptr; }

} // namespace small_bench

#endif
