#include "layers/pool2d.h"

#include "layers/conv2d.h"
#include "util/error.h"

namespace small {

Pool2DLayer::Pool2DLayer(small_layer_kind kind, const std::string &name,
                         const PoolSpec &spec)
    : Layer(kind), spec_(spec) {
  const PoolSpec &s = spec_;
  if (s.kernel_h == 0 || s.kernel_w == 0 || s.stride_h == 0 ||
      s.stride_w == 0) {
    fail(SMALL_ERR_INVALID_ARGUMENT, name + ": kernel and stride must be >= 1");
  }
  // A window that lies entirely in the padding has no taps to pool; the
  // PyTorch/ONNX rule pad < kernel rules that out.
  if (s.pad_top >= s.kernel_h || s.pad_bottom >= s.kernel_h ||
      s.pad_left >= s.kernel_w || s.pad_right >= s.kernel_w) {
    fail(SMALL_ERR_UNSUPPORTED,
         name + ": each padding must be smaller than the kernel");
  }
  output_ = s.input;
  output_.h = window_output_size(s.input.h, s.kernel_h, s.stride_h, 1,
                                 s.pad_top, s.pad_bottom, name, "vertical");
  output_.w = window_output_size(s.input.w, s.kernel_w, s.stride_w, 1,
                                 s.pad_left, s.pad_right, name, "horizontal");
}

void Pool2DLayer::prepare(const small_kernel_table &kernels) {
  WindowGeometry &g = op_.geometry;
  g.batch = spec_.input.n;
  g.in_c = spec_.input.c;
  g.in_h = spec_.input.h;
  g.in_w = spec_.input.w;
  g.out_c = output_.c;
  g.out_h = output_.h;
  g.out_w = output_.w;
  g.kernel_h = spec_.kernel_h;
  g.kernel_w = spec_.kernel_w;
  g.stride_h = spec_.stride_h;
  g.stride_w = spec_.stride_w;
  g.pad_top = spec_.pad_top;
  g.pad_left = spec_.pad_left;
  op_.family = spec_.is_max ? WindowFamily::kMaxPool : WindowFamily::kAvgPool;
  op_.count_include_pad = spec_.count_include_pad;
  plan_window(op_, kernels);
}

void Pool2DLayer::run(const small_kernel_table &kernels,
                      const std::vector<const float *> &inputs,
                      float *out) const {
  run_window(op_, kernels, inputs[0], out);
}

} // namespace small
