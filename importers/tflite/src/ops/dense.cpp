// FULLY_CONNECTED -> dense. TFLite flattens its input in NHWC order, SMaLL's
// dense reads (c, h, w) in NCHW order: the weight columns are permuted at
// import, so no layer moves the activations.
#include <algorithm>

#include "op_table.h"
#include "tflite_importer.h"

namespace small_tflite {
namespace {

// Each row's columns from TFLite's (h, w, c) order to SMaLL's (c, h, w).
template <typename T>
std::vector<T> nhwc_columns_to_nchw(const std::vector<T> &w, int64_t rows,
                                    size_t c, size_t hw) {
  std::vector<T> out(w.size());
  const size_t cols = c * hw;
  for (int64_t r = 0; r < rows; ++r) {
    const T *src = w.data() + r * cols;
    T *dst = out.data() + r * cols;
    for (size_t p = 0; p < hw; ++p) {
      for (size_t ch = 0; ch < c; ++ch) {
        dst[ch * hw + p] = src[p * c + ch];
      }
    }
  }
  return out;
}

} // namespace

void lower_fully_connected(Importer &im) {
  im.expect_io(2, 3);
  const auto *o = im.options<fb::FullyConnectedOptions>();
  if (o != nullptr &&
      o->weights_format() != fb::FullyConnectedOptionsWeightsFormat::DEFAULT) {
    im.op_fail(SMALL_ERR_UNSUPPORTED,
               "shuffled weights (weights_format SHUFFLED4x16INT8) are not "
               "supported");
  }
  const Value &x = im.runtime_input(0, kNhwcView);
  const TensorInfo &wt = im.input_tensor(1);
  if (wt.dims.size() != 2 || wt.dims[0] < 1 || wt.dims[1] < 1) {
    im.op_fail(SMALL_ERR_PARSE, "weights " + wt.label() + " have shape " +
                                    dims_str(wt.dims) +
                                    "; expected [outputs, inputs]");
  }
  const int64_t out_f = wt.dims[0], in_f = wt.dims[1];
  // A copy: adding the layer below may move the description's storage.
  uint32_t in[4];
  std::copy(im.shape_of(x.tensor), im.shape_of(x.tensor) + 4, in);
  const uint64_t per_item = uint64_t{in[1]} * in[2] * in[3];
  if (per_item != static_cast<uint64_t>(in_f) ||
      element_count(x.dims) != uint64_t{in[0]} * per_item) {
    im.op_fail(SMALL_ERR_UNSUPPORTED,
               "input " + dims_str(x.dims) + " with weights " +
                   dims_str(wt.dims) + ": SMaLL's dense takes one row of " +
                   std::to_string(in_f) +
                   " values per batch item (rows across the batch axis are "
                   "not supported)");
  }
  // Column (h, w, c) of TFLite's flatten order is (c, h, w) in SMaLL's.
  const size_t c = in[1], hw = size_t{in[2]} * in[3];
  const small_activation act =
      im.activation(o != nullptr ? o->fused_activation_function()
                                 : fb::ActivationFunctionType::NONE);
  Value v;
  if (im.int8_input(0)) {
    small_import::DenseInt8Params p;
    p.out_features = static_cast<uint32_t>(out_f);
    p.weights = im.int8_weights(1, 2, p.out_features);
    p.weights.values = nhwc_columns_to_nchw(p.weights.values, out_f, c, hw);
    p.activation = act;
    p.output = im.output_quant();
    v.tensor = im.add_layer(std::move(p), {x.tensor});
  } else {
    small_import::DenseParams p;
    p.out_features = static_cast<uint32_t>(out_f);
    p.weights =
        nhwc_columns_to_nchw(im.constant_floats(1, "weights"), out_f, c, hw);
    if (im.has_input(2)) {
      p.bias = im.constant_floats(2, "bias");
      if (static_cast<int64_t>(p.bias.size()) != out_f) {
        im.op_fail(SMALL_ERR_SHAPE_MISMATCH,
                   "bias holds " + std::to_string(p.bias.size()) +
                       " values for " + std::to_string(out_f) + " outputs");
      }
    }
    p.activation = act;
    v.tensor = im.add_layer(std::move(p), {x.tensor});
  }
  v.dims = {static_cast<int64_t>(in[0]), out_f};
  if (o != nullptr && o->keep_num_dims()) {
    v.dims = x.dims;
    v.dims.back() = out_f;
    uint32_t want[4];
    if (!canonical(v.dims, want) || want[2] != 1 || want[3] != 1) {
      im.op_fail(SMALL_ERR_UNSUPPORTED,
                 "keep_num_dims with input " + dims_str(x.dims) +
                     " is not supported (SMaLL's dense output is one row "
                     "per batch item)");
    }
  }
  im.set_output(v);
}

} // namespace small_tflite
