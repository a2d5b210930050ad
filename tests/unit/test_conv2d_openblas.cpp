// Conv2D (groups = 1) against a second, unrelated oracle: im2col followed by
// OpenBLAS cblas_sgemm. The naive reference is checked against the same
// oracle, so the three implementations must agree pairwise.
//
// Tolerance: sgemm accumulates in float too, so the library and the oracle
// may each be off by testutil::accumulation_tolerance from the exact value;
// they are compared with twice that atol (rtol 1e-5 each, so 2e-5).
#include <catch2/catch.hpp>

#ifdef SMALL_TEST_HAVE_OPENBLAS

#include <algorithm>
#include <sstream>
#include <vector>

#include <cblas.h>

#include "reference/naive_ops.h"
#include "reference/test_util.h"
#include "small/small.h"

namespace {

// Rows: (c, r, s) in OIHW order of the weights; columns: output pixels.
std::vector<float> im2col(const ref::Tensor &in, int item, const ref::Window &w,
                          int oh, int ow) {
  const size_t rows = static_cast<size_t>(in.c) * w.kernel_h * w.kernel_w;
  const size_t cols = static_cast<size_t>(oh) * ow;
  std::vector<float> col(rows * cols, 0.0f);
  size_t row = 0;
  for (int c = 0; c < in.c; ++c) {
    for (int r = 0; r < w.kernel_h; ++r) {
      for (int s = 0; s < w.kernel_w; ++s, ++row) {
        for (int y = 0; y < oh; ++y) {
          for (int x = 0; x < ow; ++x) {
            const int iy = y * w.stride_h - w.pad_top + r * w.dilation_h;
            const int ix = x * w.stride_w - w.pad_left + s * w.dilation_w;
            if (iy >= 0 && iy < in.h && ix >= 0 && ix < in.w) {
              col[row * cols + static_cast<size_t>(y) * ow + x] =
                  in.at(item, c, iy, ix);
            }
          }
        }
      }
    }
  }
  return col;
}

ref::Tensor gemm_conv(const ref::Tensor &in, const std::vector<float> &w_oihw,
                      const std::vector<float> &bias, int out_channels,
                      const ref::Window &w, const small_activation &act) {
  const int oh = ref::window_out_size(in.h, w.kernel_h, w.stride_h,
                                      w.dilation_h, w.pad_top, w.pad_bottom);
  const int ow = ref::window_out_size(in.w, w.kernel_w, w.stride_w,
                                      w.dilation_w, w.pad_left, w.pad_right);
  ref::Tensor out(in.n, out_channels, oh, ow);
  const int depth = in.c * w.kernel_h * w.kernel_w;
  const int pixels = oh * ow;
  for (int item = 0; item < in.n; ++item) {
    const std::vector<float> col = im2col(in, item, w, oh, ow);
    float *dst = out.data.data() + out.index(item, 0, 0, 0);
    // Start from the bias (beta = 1), then C += W * col.
    for (int k = 0; k < out_channels; ++k) {
      std::fill(dst + static_cast<size_t>(k) * pixels,
                dst + static_cast<size_t>(k + 1) * pixels,
                bias.empty() ? 0.0f : bias[k]);
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, out_channels, pixels,
                depth, 1.0f, w_oihw.data(), depth, col.data(), pixels, 1.0f,
                dst, pixels);
  }
  for (float &v : out.data) {
    v = static_cast<float>(ref::activate(v, act));
  }
  return out;
}

} // namespace

TEST_CASE("Conv2D matches im2col + OpenBLAS sgemm on a shape sweep",
          "[conv2d][openblas]") {
  testutil::Rng rng(2001);
  const std::vector<int> channels = {1, 2, 3, 5, 7, 8, 13, 16, 17, 33, 64};
  const std::vector<small_activation_kind> acts = {
      SMALL_ACT_NONE, SMALL_ACT_RELU, SMALL_ACT_RELU6, SMALL_ACT_LEAKY_RELU};
  for (int i = 0; i < 80; ++i) {
    const int c = rng.pick(channels), k = rng.pick(channels);
    small_conv2d_params p;
    small_conv2d_params_init(&p);
    p.out_channels = static_cast<uint32_t>(k);
    if (i % 10 == 9) {
      p.kernel_h = 10;
      p.kernel_w = 4;
    } else {
      p.kernel_h = static_cast<uint32_t>(rng.range(1, 5));
      p.kernel_w = static_cast<uint32_t>(rng.range(1, 5));
    }
    p.stride_h = static_cast<uint32_t>(rng.range(1, 3));
    p.stride_w = static_cast<uint32_t>(rng.range(1, 3));
    p.dilation_h = static_cast<uint32_t>(rng.range(1, 2));
    p.dilation_w = static_cast<uint32_t>(rng.range(1, 2));
    const int ext_h =
        (static_cast<int>(p.kernel_h) - 1) * static_cast<int>(p.dilation_h) + 1;
    const int ext_w =
        (static_cast<int>(p.kernel_w) - 1) * static_cast<int>(p.dilation_w) + 1;
    if (i % 4 == 3) {
      p.padding_mode = SMALL_PADDING_SAME;
    } else {
      p.pad_top = static_cast<uint32_t>(rng.range(0, ext_h - 1));
      p.pad_bottom = static_cast<uint32_t>(rng.range(0, ext_h - 1));
      p.pad_left = static_cast<uint32_t>(rng.range(0, ext_w - 1));
      p.pad_right = static_cast<uint32_t>(rng.range(0, ext_w - 1));
    }
    p.activation = testutil::activation_with_params(rng.pick(acts));
    const int n = i % 5 == 0 ? 2 : 1;
    const int h = std::max(rng.range(1, 24), ext_h);
    const int w = std::max(rng.range(1, 24), ext_w);
    const bool use_bias = i % 3 != 2;
    const small_layout layout =
        i % 2 == 0 ? SMALL_LAYOUT_NCHW : SMALL_LAYOUT_NHWC;

    std::ostringstream desc;
    desc << "case " << i << ": input (" << n << ", " << c << ", " << h << ", "
         << w << ") -> " << k << " ch, kernel " << p.kernel_h << "x"
         << p.kernel_w << ", stride " << p.stride_h << "x" << p.stride_w
         << ", dilation " << p.dilation_h << "x" << p.dilation_w
         << (p.padding_mode == SMALL_PADDING_SAME ? ", SAME" : ", explicit")
         << ", act " << testutil::activation_name(p.activation.kind)
         << ", bias " << use_bias << ", layout "
         << (layout == SMALL_LAYOUT_NHWC ? "NHWC" : "NCHW");
    INFO(desc.str());

    const ref::Tensor x = testutil::random_tensor(rng, n, c, h, w);
    const std::vector<float> wts = testutil::random_vector(
        rng, static_cast<size_t>(k) * c * p.kernel_h * p.kernel_w);
    const std::vector<float> bias =
        use_bias ? testutil::random_vector(rng, static_cast<size_t>(k))
                 : std::vector<float>();
    const ref::Window win = testutil::window_of(p, h, w);
    const ref::Tensor oracle = gemm_conv(x, wts, bias, k, win, p.activation);

    testutil::Net net;
    const small_tensor in = net.input(n, c, h, w);
    net.output(net.conv2d(in, p, wts, bias));
    net.finalize();
    const ref::Tensor got = net.run1(x, layout);

    testutil::Tolerance tol = testutil::accumulation_tolerance(
        static_cast<size_t>(c) * p.kernel_h * p.kernel_w + 1, 1.0,
        std::max(testutil::max_abs(wts), testutil::max_abs(bias)));
    tol.atol *= 2.0;
    tol.rtol *= 2.0;
    {
      INFO("SMaLL vs OpenBLAS oracle");
      testutil::check_close(got, oracle, tol);
    }
    {
      INFO("naive reference vs OpenBLAS oracle");
      const ref::Tensor naive =
          ref::conv2d(x, wts, bias, k, win, 1, p.activation);
      testutil::check_close(oracle, naive, tol);
    }
  }
}

#else

TEST_CASE("Conv2D vs OpenBLAS oracle (skipped)", "[conv2d][openblas]") {
  WARN("OpenBLAS oracle not built: OpenBLAS was not found or this is a cross "
       "build; Conv2D is still checked against the naive reference");
  SUCCEED();
}

#endif
