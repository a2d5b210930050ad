// Conv (1-D and 2-D, groups, depthwise, dilations, auto_pad) -> conv2d.
#include "onnx_importer.h"
#include "op_table.h"

namespace small_onnx {

void lower_conv(Importer &im) {
  const NodeAttributes &at = im.attributes();
  at.allow_only(
      {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
  const Dims xd = im.runtime_input(0).dims;
  if (xd.size() != 3 && xd.size() != 4) {
    im.node_fail(SMALL_ERR_UNSUPPORTED,
                 "input " + dims_str(xd) +
                     ": only 1-D and 2-D convolutions are supported");
  }
  const size_t sp = xd.size() - 2;
  auto w = im.const_input(1, false);
  if (w->dims.size() != xd.size()) {
    im.node_fail(SMALL_ERR_SHAPE_MISMATCH, "weights " + dims_str(w->dims) +
                                               " do not match input " +
                                               dims_str(xd));
  }
  const int64_t group = at.get_int("group", 1);
  if (group < 1 || group > xd[1] || xd[1] % group != 0) {
    im.node_fail(SMALL_ERR_UNSUPPORTED,
                 "attribute 'group' value " + std::to_string(group) +
                     " must divide the input channels (" +
                     std::to_string(xd[1]) + ")");
  }
  const int64_t m = w->dims[0];
  if (m < 1 || m % group != 0 || w->dims[1] != xd[1] / group) {
    im.node_fail(SMALL_ERR_SHAPE_MISMATCH,
                 "weights " + dims_str(w->dims) + " do not fit input " +
                     dims_str(xd) + " with group " + std::to_string(group));
  }
  std::vector<uint32_t> kernel;
  for (size_t k = 0; k < sp; ++k) {
    if (w->dims[2 + k] < 1 || w->dims[2 + k] > 65535) {
      im.node_fail(SMALL_ERR_UNSUPPORTED, "kernel size " +
                                              std::to_string(w->dims[2 + k]) +
                                              " is not supported");
    }
    kernel.push_back(static_cast<uint32_t>(w->dims[2 + k]));
  }
  const std::vector<int64_t> ks = at.get_ints("kernel_shape");
  if (!ks.empty() && Dims(ks) != Dims(w->dims.begin() + 2, w->dims.end())) {
    im.node_fail(SMALL_ERR_SHAPE_MISMATCH,
                 "attribute 'kernel_shape' " + dims_str(ks) +
                     " disagrees with the weights " + dims_str(w->dims));
  }
  const auto strides = at.spatial("strides", sp, 1, true);
  const auto dil = at.spatial("dilations", sp, 1, true);
  std::vector<uint32_t> pb, pe;
  at.window_padding(xd, kernel, strides, dil, pb, pe);

  // A 1-D convolution is a 2-D one over a height of 1.
  const bool two = sp == 2;
  const size_t wi = sp - 1;
  small_import::Conv2dParams p;
  small_conv2d_params_init(&p.params);
  small_conv2d_params &c = p.params;
  c.out_channels = static_cast<uint32_t>(m);
  c.groups = static_cast<uint32_t>(group);
  c.kernel_h = two ? kernel[0] : 1;
  c.kernel_w = kernel[wi];
  c.stride_h = two ? strides[0] : 1;
  c.stride_w = strides[wi];
  c.dilation_h = two ? dil[0] : 1;
  c.dilation_w = dil[wi];
  c.pad_top = two ? pb[0] : 0;
  c.pad_bottom = two ? pe[0] : 0;
  c.pad_left = pb[wi];
  c.pad_right = pe[wi];
  p.weights = w->f;
  if (im.has_input(2)) {
    auto b = im.const_input(2, false);
    if (b->count() != static_cast<size_t>(m)) {
      im.node_fail(SMALL_ERR_SHAPE_MISMATCH, "bias " + dims_str(b->dims) +
                                                 " must hold " +
                                                 std::to_string(m) + " values");
    }
    p.bias = b->f;
  }
  const TensorId t = im.add_layer(std::move(p), {im.materialize_input(0)});
  const uint32_t *o = im.shape_of(t);
  Value v;
  v.tensor = t;
  v.dims = two ? Dims{o[0], o[1], o[2], o[3]} : Dims{o[0], o[1], o[3]};
  im.set_output(0, v);
}

} // namespace small_onnx
