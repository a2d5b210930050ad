// RESHAPE (a view, a reshape layer only when SMaLL's split changes),
// CONCATENATION on channels -> concat, and PAD (zeros around H and W, kept
// pending until the convolution that reads it).
#include <algorithm>

#include "op_table.h"
#include "tflite_importer.h"

namespace small_tflite {
namespace {

// Whether NCHW and NHWC orders of (n, c, h, w) list the elements alike.
bool orders_agree(const uint32_t d[4]) {
  return d[1] == 1 || (d[2] == 1 && d[3] == 1);
}

// Largest PAD SMaLL accepts on one side: far beyond any real model, small
// enough that sums of pads and sizes stay in 32 bits.
constexpr int64_t kMaxPad = 1 << 16;

} // namespace

void lower_reshape(Importer &im) {
  // The optional shape input is not read: the output tensor's shape is the
  // reshape's result.
  im.expect_io(1, 2);
  const Value &x = im.runtime_input(0, kNhwcView);
  const Dims &out = im.output_tensor().dims;
  if (element_count(out) != element_count(x.dims)) {
    im.op_fail(SMALL_ERR_SHAPE_MISMATCH,
               "cannot reshape " + dims_str(x.dims) + " to " + dims_str(out));
  }
  uint32_t o[4];
  if (!canonical(out, o)) {
    im.op_fail(SMALL_ERR_UNSUPPORTED,
               "output shape " + dims_str(out) +
                   " is not supported (SMaLL tensors are [C], [N, C] or "
                   "[N, H, W, C] with dimensions of at least 1)");
  }
  const uint32_t *in = im.shape_of(x.tensor);
  if (o[0] != in[0]) {
    im.op_fail(SMALL_ERR_UNSUPPORTED, "reshaping " + dims_str(x.dims) + " to " +
                                          dims_str(out) +
                                          " changes the batch size");
  }
  Value v = x;
  v.dims = out;
  if (x.nhwc_view || !orders_agree(in) || !orders_agree(o)) {
    v.nhwc_view = true; // the data stays where it is; a dense may read it
    im.set_output(v);
    return;
  }
  if (in[1] != o[1] || in[2] != o[2] || in[3] != o[3]) {
    small_import::ReshapeParams r;
    r.c = o[1], r.h = o[2], r.w = o[3];
    v.tensor = im.add_layer(r, {x.tensor});
  }
  im.set_output(v);
}

void lower_concatenation(Importer &im) {
  im.expect_io(1, std::max<size_t>(1, im.op().inputs.size()));
  const auto *o = im.options<fb::ConcatenationOptions>();
  if (o == nullptr) {
    im.op_fail(SMALL_ERR_PARSE, "has no ConcatenationOptions");
  }
  std::vector<TensorId> inputs;
  Dims out;
  for (size_t k = 0; k < im.op().inputs.size(); ++k) {
    const Value &x = im.runtime_input(k);
    if (k == 0) {
      out = x.dims;
    } else if (x.dims.size() != out.size()) {
      im.op_fail(SMALL_ERR_SHAPE_MISMATCH, "inputs differ in rank");
    } else if (!out.empty()) {
      out.back() += x.dims.back();
    }
    inputs.push_back(x.tensor);
  }
  const int64_t rank = static_cast<int64_t>(out.size());
  const int64_t axis = o->axis() < 0 ? o->axis() + rank : o->axis();
  if ((rank != 2 && rank != 4) || axis != rank - 1) {
    im.op_fail(SMALL_ERR_UNSUPPORTED,
               "only a concatenation on the channel (last) axis of [N, C] or "
               "[N, H, W, C] tensors is supported (axis " +
                   std::to_string(o->axis()) + ", rank " +
                   std::to_string(rank) + ")");
  }
  bool int8 = false;
  for (size_t k = 0; k < im.op().inputs.size(); ++k) {
    int8 = int8 || im.int8_input(k);
  }
  TensorId y = 0;
  if (int8) {
    small_import::ConcatInt8Params p;
    p.output = im.output_quant();
    y = im.add_layer(p, inputs);
  } else {
    y = im.add_layer(small_import::ConcatParams{}, inputs);
  }
  const small_activation act = im.activation(o->fused_activation_function());
  if (act.kind != SMALL_ACT_NONE) {
    small_import::ActivationParams a;
    a.activation = act;
    y = im.add_layer(a, {y});
  }
  Value v;
  v.tensor = y;
  v.dims = out;
  im.set_output(v);
}

void lower_pad(Importer &im) {
  im.expect_io(2, 2);
  const Value &x = im.runtime_input(0, kPadded);
  if (x.dims.size() != 4) {
    im.op_fail(SMALL_ERR_UNSUPPORTED,
               "input " + dims_str(x.dims) + " must be [N, H, W, C]");
  }
  if (im.int8_input(0)) {
    // TFLite pads int8 with the zero point: real zeros, as the int8
    // convolution's skipped taps are, when the quantization is kept.
    const small_quant in = im.input_quant(0), out = im.output_quant();
    if (in.scale != out.scale || in.zero_point != out.zero_point) {
      im.op_fail(SMALL_ERR_UNSUPPORTED,
                 "an int8 PAD must keep its input's quantization");
    }
  }
  const TensorInfo &pt = im.input_tensor(1);
  const std::vector<int64_t> pads = im.constant_ints(1, "paddings");
  if (pt.dims != Dims{4, 2}) {
    im.op_fail(SMALL_ERR_PARSE,
               "paddings " + dims_str(pt.dims) + " must be [4, 2]");
  }
  if (pads[0] != 0 || pads[1] != 0 || pads[6] != 0 || pads[7] != 0) {
    im.op_fail(SMALL_ERR_UNSUPPORTED,
               "only padding of H and W is supported (not of N or C)");
  }
  Value v = x;
  for (int k = 0; k < 4; ++k) {
    const int64_t p = pads[2 + k];
    if (p < 0 || p > kMaxPad || v.pad[k] + p > kMaxPad) {
      im.op_fail(SMALL_ERR_UNSUPPORTED, "padding " + std::to_string(p) +
                                            " is outside 0.." +
                                            std::to_string(kMaxPad));
    }
    v.pad[k] += static_cast<uint32_t>(p);
  }
  v.dims[1] += pads[2] + pads[3];
  v.dims[2] += pads[4] + pads[5];
  im.set_output(v);
}

} // namespace small_tflite
