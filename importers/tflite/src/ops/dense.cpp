// FULLY_CONNECTED -> dense. TFLite flattens its input in NHWC order, SMaLL's
// dense reads (c, h, w) in NCHW order: the weight columns are permuted at
// import, so no layer moves the activations.
#include <algorithm>

#include "op_table.h"
#include "tflite_importer.h"

namespace small_tflite {

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
  const std::vector<float> w = im.constant_floats(1, "weights");
  const size_t c = in[1], hw = size_t{in[2]} * in[3];
  std::vector<float> permuted(w.size());
  for (int64_t r = 0; r < out_f; ++r) {
    const float *src = w.data() + r * in_f;
    float *dst = permuted.data() + r * in_f;
    for (size_t p = 0; p < hw; ++p) {
      for (size_t ch = 0; ch < c; ++ch) {
        dst[ch * hw + p] = src[p * c + ch];
      }
    }
  }
  small_import::DenseParams p;
  p.out_features = static_cast<uint32_t>(out_f);
  p.weights = std::move(permuted);
  if (im.has_input(2)) {
    p.bias = im.constant_floats(2, "bias");
    if (static_cast<int64_t>(p.bias.size()) != out_f) {
      im.op_fail(SMALL_ERR_SHAPE_MISMATCH,
                 "bias holds " + std::to_string(p.bias.size()) +
                     " values for " + std::to_string(out_f) + " outputs");
    }
  }
  p.activation = im.activation(o != nullptr ? o->fused_activation_function()
                                            : fb::ActivationFunctionType::NONE);
  const TensorId y = im.add_layer(std::move(p), {x.tensor});
  Value v;
  v.tensor = y;
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
