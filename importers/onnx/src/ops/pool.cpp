// MaxPool, AveragePool (1-D and 2-D) and the global pools -> pool2d /
// global_avgpool.
#include "onnx_importer.h"
#include "op_table.h"

namespace small_onnx {
namespace {

void lower_pool(Importer &im, bool is_max) {
  const NodeAttributes &at = im.attributes();
  if (is_max) {
    at.allow_only({"auto_pad", "kernel_shape", "pads", "strides", "ceil_mode",
                   "dilations", "storage_order"});
  } else {
    at.allow_only({"auto_pad", "kernel_shape", "pads", "strides", "ceil_mode",
                   "count_include_pad"});
  }
  const Dims xd = im.runtime_input(0).dims;
  if (xd.size() != 3 && xd.size() != 4) {
    im.node_fail(SMALL_ERR_UNSUPPORTED,
                 "input " + dims_str(xd) +
                     ": only 1-D and 2-D pooling is supported");
  }
  const size_t sp = xd.size() - 2;
  if (at.get_int("ceil_mode", 0) != 0) {
    im.node_fail(SMALL_ERR_UNSUPPORTED,
                 "attribute 'ceil_mode' = " +
                     std::to_string(at.get_int("ceil_mode", 0)) +
                     " is not supported (only 0)");
  }
  if (at.find("kernel_shape") == nullptr) {
    im.node_fail(SMALL_ERR_PARSE, "attribute 'kernel_shape' is required");
  }
  const auto kernel = at.spatial("kernel_shape", sp, 1, true);
  for (uint32_t k : kernel) {
    if (k > 65535) {
      im.node_fail(SMALL_ERR_UNSUPPORTED, "attribute 'kernel_shape' too large");
    }
  }
  const auto strides = at.spatial("strides", sp, 1, true);
  const auto dil = at.spatial("dilations", sp, 1, true);
  for (uint32_t d : dil) {
    if (d != 1) {
      im.node_fail(SMALL_ERR_UNSUPPORTED, "attribute 'dilations' value " +
                                              std::to_string(d) +
                                              " is not supported (only 1)");
    }
  }
  const int64_t cip = at.get_int("count_include_pad", 0);
  if (cip != 0 && cip != 1) {
    im.node_fail(SMALL_ERR_UNSUPPORTED, "attribute 'count_include_pad' value " +
                                            std::to_string(cip) +
                                            " is not supported");
  }
  std::vector<uint32_t> pb, pe;
  at.window_padding(xd, kernel, strides, dil, pb, pe);
  small_import::Pool2dParams p;
  small_pool2d_params_init(&p.params);
  small_pool2d_params &q = p.params;
  q.kind = is_max ? SMALL_POOL_MAX : SMALL_POOL_AVG;
  const bool two = sp == 2;
  const size_t wi = sp - 1;
  q.kernel_h = two ? kernel[0] : 1;
  q.kernel_w = kernel[wi];
  q.stride_h = two ? strides[0] : 1;
  q.stride_w = strides[wi];
  q.pad_top = two ? pb[0] : 0;
  q.pad_bottom = two ? pe[0] : 0;
  q.pad_left = pb[wi];
  q.pad_right = pe[wi];
  q.count_include_pad = static_cast<int>(cip);
  const TensorId t = im.add_layer(p, {im.materialize_input(0)});
  const uint32_t *o = im.shape_of(t);
  Value v;
  v.tensor = t;
  v.dims = two ? Dims{o[0], o[1], o[2], o[3]} : Dims{o[0], o[1], o[3]};
  im.set_output(0, v);
  im.mark_extra_outputs_unusable(1, "MaxPool indices are not supported");
}

void lower_global_pool(Importer &im, bool is_max) {
  im.attributes().allow_only({});
  const Dims xd = im.runtime_input(0).dims;
  if (xd.size() != 3 && xd.size() != 4) {
    im.node_fail(SMALL_ERR_UNSUPPORTED,
                 "input " + dims_str(xd) + " must have rank 3 or 4");
  }
  uint32_t s[4];
  canonical(xd, s);
  Value v;
  if (is_max) {
    small_import::Pool2dParams p;
    small_pool2d_params_init(&p.params);
    p.params.kind = SMALL_POOL_MAX;
    p.params.kernel_h = s[2];
    p.params.kernel_w = s[3];
    v.tensor = im.add_layer(p, {im.materialize_input(0)});
  } else {
    v.tensor = im.add_layer(small_import::GlobalAvgPoolParams{},
                            {im.materialize_input(0)});
  }
  v.dims = xd;
  for (size_t k = 2; k < v.dims.size(); ++k) {
    v.dims[k] = 1;
  }
  im.set_output(0, v);
}

} // namespace

void lower_max_pool(Importer &im) { lower_pool(im, true); }
void lower_average_pool(Importer &im) { lower_pool(im, false); }
void lower_global_average_pool(Importer &im) { lower_global_pool(im, false); }
void lower_global_max_pool(Importer &im) { lower_global_pool(im, true); }

} // namespace small_onnx
