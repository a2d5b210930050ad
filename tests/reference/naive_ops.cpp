#include "reference/naive_ops.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace ref {

namespace {

void expect(bool ok, const char *what) {
  if (!ok) {
    throw std::invalid_argument(std::string("ref: ") + what);
  }
}

} // namespace

int window_out_size(int in, int kernel, int stride, int dilation, int before,
                    int after) {
  const long extent = static_cast<long>(kernel - 1) * dilation + 1;
  const long padded = static_cast<long>(in) + before + after;
  if (extent > padded) {
    return 0;
  }
  return static_cast<int>((padded - extent) / stride + 1);
}

SamePad same_padding(int in, int kernel, int stride, int dilation) {
  const long out = (static_cast<long>(in) + stride - 1) / stride;
  const long needed =
      (out - 1) * stride + static_cast<long>(kernel - 1) * dilation + 1;
  const long total = std::max(0L, needed - in);
  SamePad p;
  p.before = static_cast<int>(total / 2);
  p.after = static_cast<int>(total - total / 2);
  return p;
}

double activate(double x, const small_activation &act) {
  switch (act.kind) {
  case SMALL_ACT_NONE:
    return x;
  case SMALL_ACT_RELU:
    return x > 0.0 ? x : 0.0;
  case SMALL_ACT_RELU6:
    return std::min(std::max(x, 0.0), 6.0);
  case SMALL_ACT_LEAKY_RELU:
    return x >= 0.0 ? x : static_cast<double>(act.alpha) * x;
  case SMALL_ACT_CLIP:
    return std::min(std::max(x, static_cast<double>(act.min)),
                    static_cast<double>(act.max));
  case SMALL_ACT_SIGMOID:
    return 1.0 / (1.0 + std::exp(-x));
  case SMALL_ACT_HARD_SWISH:
    return x * std::min(std::max(x + 3.0, 0.0), 6.0) / 6.0;
  case SMALL_ACT_HARD_SIGMOID:
    return std::max(0.0, std::min(1.0, static_cast<double>(act.alpha) * x +
                                           static_cast<double>(act.beta)));
  }
  throw std::invalid_argument("ref: unknown activation kind");
}

Tensor conv2d(const Tensor &in, const std::vector<float> &weights_oihw,
              const std::vector<float> &bias, int out_channels,
              const Window &win, int groups, const small_activation &act) {
  expect(groups >= 1 && in.c % groups == 0 && out_channels % groups == 0,
         "conv2d groups must divide in and out channels");
  const int cin_g = in.c / groups;
  const int cout_g = out_channels / groups;
  const size_t taps = static_cast<size_t>(win.kernel_h) * win.kernel_w;
  expect(weights_oihw.size() ==
             static_cast<size_t>(out_channels) * cin_g * taps,
         "conv2d weight count");
  expect(bias.empty() || bias.size() == static_cast<size_t>(out_channels),
         "conv2d bias count");
  const int oh = window_out_size(in.h, win.kernel_h, win.stride_h,
                                 win.dilation_h, win.pad_top, win.pad_bottom);
  const int ow = window_out_size(in.w, win.kernel_w, win.stride_w,
                                 win.dilation_w, win.pad_left, win.pad_right);
  expect(oh > 0 && ow > 0, "conv2d window larger than padded input");
  Tensor out(in.n, out_channels, oh, ow);
  for (int b = 0; b < in.n; ++b) {
    for (int k = 0; k < out_channels; ++k) {
      const int g = k / cout_g;
      for (int y = 0; y < oh; ++y) {
        for (int x = 0; x < ow; ++x) {
          double acc = bias.empty() ? 0.0 : static_cast<double>(bias[k]);
          for (int ci = 0; ci < cin_g; ++ci) {
            const int c = g * cin_g + ci;
            for (int r = 0; r < win.kernel_h; ++r) {
              const int iy =
                  y * win.stride_h - win.pad_top + r * win.dilation_h;
              if (iy < 0 || iy >= in.h) {
                continue;
              }
              for (int s = 0; s < win.kernel_w; ++s) {
                const int ix =
                    x * win.stride_w - win.pad_left + s * win.dilation_w;
                if (ix < 0 || ix >= in.w) {
                  continue;
                }
                const double wv =
                    weights_oihw[((static_cast<size_t>(k) * cin_g + ci) *
                                      win.kernel_h +
                                  r) *
                                     win.kernel_w +
                                 s];
                acc += wv * static_cast<double>(in.at(b, c, iy, ix));
              }
            }
          }
          out.at(b, k, y, x) = static_cast<float>(activate(acc, act));
        }
      }
    }
  }
  return out;
}

std::vector<float> oihw_to_hwio(const std::vector<float> &oihw, int out,
                                int in_per_group, int kh, int kw) {
  std::vector<float> hwio(oihw.size());
  for (int o = 0; o < out; ++o) {
    for (int i = 0; i < in_per_group; ++i) {
      for (int r = 0; r < kh; ++r) {
        for (int s = 0; s < kw; ++s) {
          hwio[((static_cast<size_t>(r) * kw + s) * in_per_group + i) * out +
               o] =
              oihw[((static_cast<size_t>(o) * in_per_group + i) * kh + r) * kw +
                   s];
        }
      }
    }
  }
  return hwio;
}

namespace {

// Shared walk of the pooling window; `reduce` sees only in-bounds taps.
template <typename Fn>
Tensor pool(const Tensor &in, const Window &win, Fn reduce) {
  const int oh = window_out_size(in.h, win.kernel_h, win.stride_h,
                                 win.dilation_h, win.pad_top, win.pad_bottom);
  const int ow = window_out_size(in.w, win.kernel_w, win.stride_w,
                                 win.dilation_w, win.pad_left, win.pad_right);
  expect(oh > 0 && ow > 0, "pool window larger than padded input");
  Tensor out(in.n, in.c, oh, ow);
  for (int b = 0; b < in.n; ++b) {
    for (int c = 0; c < in.c; ++c) {
      for (int y = 0; y < oh; ++y) {
        for (int x = 0; x < ow; ++x) {
          std::vector<double> taps;
          for (int r = 0; r < win.kernel_h; ++r) {
            const int iy = y * win.stride_h - win.pad_top + r * win.dilation_h;
            for (int s = 0; s < win.kernel_w; ++s) {
              const int ix =
                  x * win.stride_w - win.pad_left + s * win.dilation_w;
              if (iy >= 0 && iy < in.h && ix >= 0 && ix < in.w) {
                taps.push_back(in.at(b, c, iy, ix));
              }
            }
          }
          out.at(b, c, y, x) = static_cast<float>(reduce(taps));
        }
      }
    }
  }
  return out;
}

} // namespace

Tensor max_pool(const Tensor &in, const Window &win) {
  return pool(in, win, [](const std::vector<double> &taps) {
    expect(!taps.empty(), "max_pool window entirely in the padding");
    return *std::max_element(taps.begin(), taps.end());
  });
}

Tensor avg_pool(const Tensor &in, const Window &win, bool count_include_pad) {
  const double full = static_cast<double>(win.kernel_h) * win.kernel_w;
  return pool(in, win, [&](const std::vector<double> &taps) {
    expect(!taps.empty(), "avg_pool window entirely in the padding");
    double sum = 0.0;
    for (double v : taps) {
      sum += v;
    }
    return sum / (count_include_pad ? full : static_cast<double>(taps.size()));
  });
}

Tensor global_avg_pool(const Tensor &in) {
  Tensor out(in.n, in.c, 1, 1);
  for (int b = 0; b < in.n; ++b) {
    for (int c = 0; c < in.c; ++c) {
      double sum = 0.0;
      for (int y = 0; y < in.h; ++y) {
        for (int x = 0; x < in.w; ++x) {
          sum += in.at(b, c, y, x);
        }
      }
      out.at(b, c, 0, 0) =
          static_cast<float>(sum / (static_cast<double>(in.h) * in.w));
    }
  }
  return out;
}

Tensor dense(const Tensor &in, const std::vector<float> &weights,
             const std::vector<float> &bias, int out_features,
             const small_activation &act) {
  const size_t features = static_cast<size_t>(in.c) * in.h * in.w;
  expect(weights.size() == features * out_features, "dense weight count");
  expect(bias.empty() || bias.size() == static_cast<size_t>(out_features),
         "dense bias count");
  Tensor out(in.n, out_features, 1, 1);
  for (int b = 0; b < in.n; ++b) {
    // The NCHW flatten of item b is exactly its contiguous slice.
    const float *x = in.data.data() + static_cast<size_t>(b) * features;
    for (int o = 0; o < out_features; ++o) {
      double acc = bias.empty() ? 0.0 : static_cast<double>(bias[o]);
      for (size_t i = 0; i < features; ++i) {
        acc += static_cast<double>(weights[o * features + i]) * x[i];
      }
      out.at(b, o, 0, 0) = static_cast<float>(activate(acc, act));
    }
  }
  return out;
}

Tensor add(const Tensor &a, const Tensor &b, const small_activation &act) {
  expect(a.same_shape(b), "add shapes differ");
  Tensor out(a.n, a.c, a.h, a.w);
  for (size_t i = 0; i < a.size(); ++i) {
    out.data[i] = static_cast<float>(activate(
        static_cast<double>(a.data[i]) + static_cast<double>(b.data[i]), act));
  }
  return out;
}

Tensor concat(const std::vector<Tensor> &inputs) {
  expect(!inputs.empty(), "concat of nothing");
  int channels = 0;
  for (const Tensor &t : inputs) {
    expect(t.n == inputs[0].n && t.h == inputs[0].h && t.w == inputs[0].w,
           "concat shapes differ outside channels");
    channels += t.c;
  }
  Tensor out(inputs[0].n, channels, inputs[0].h, inputs[0].w);
  for (int b = 0; b < out.n; ++b) {
    int first = 0;
    for (const Tensor &t : inputs) {
      for (int c = 0; c < t.c; ++c) {
        for (int y = 0; y < t.h; ++y) {
          for (int x = 0; x < t.w; ++x) {
            out.at(b, first + c, y, x) = t.at(b, c, y, x);
          }
        }
      }
      first += t.c;
    }
  }
  return out;
}

Tensor activation(const Tensor &in, const small_activation &act) {
  Tensor out(in.n, in.c, in.h, in.w);
  for (size_t i = 0; i < in.size(); ++i) {
    out.data[i] = static_cast<float>(activate(in.data[i], act));
  }
  return out;
}

Tensor softmax(const Tensor &in) {
  Tensor out(in.n, in.c, in.h, in.w);
  for (int b = 0; b < in.n; ++b) {
    for (int y = 0; y < in.h; ++y) {
      for (int x = 0; x < in.w; ++x) {
        double mx = -std::numeric_limits<double>::infinity();
        for (int c = 0; c < in.c; ++c) {
          mx = std::max(mx, static_cast<double>(in.at(b, c, y, x)));
        }
        double sum = 0.0;
        for (int c = 0; c < in.c; ++c) {
          sum += std::exp(static_cast<double>(in.at(b, c, y, x)) - mx);
        }
        for (int c = 0; c < in.c; ++c) {
          out.at(b, c, y, x) = static_cast<float>(
              std::exp(static_cast<double>(in.at(b, c, y, x)) - mx) / sum);
        }
      }
    }
  }
  return out;
}

Tensor batchnorm(const Tensor &in, const std::vector<float> &gamma,
                 const std::vector<float> &beta, const std::vector<float> &mean,
                 const std::vector<float> &var, float epsilon) {
  const size_t c = static_cast<size_t>(in.c);
  expect(gamma.size() == c && beta.size() == c && mean.size() == c &&
             var.size() == c,
         "batchnorm parameter count");
  Tensor out(in.n, in.c, in.h, in.w);
  for (int b = 0; b < in.n; ++b) {
    for (int k = 0; k < in.c; ++k) {
      const double denom =
          std::sqrt(static_cast<double>(var[k]) + static_cast<double>(epsilon));
      for (int y = 0; y < in.h; ++y) {
        for (int x = 0; x < in.w; ++x) {
          const double v = in.at(b, k, y, x);
          out.at(b, k, y, x) = static_cast<float>(
              static_cast<double>(gamma[k]) * (v - mean[k]) / denom + beta[k]);
        }
      }
    }
  }
  return out;
}

Tensor reshape(const Tensor &in, int c, int h, int w) {
  expect(static_cast<size_t>(c) * h * w ==
             static_cast<size_t>(in.c) * in.h * in.w,
         "reshape element count");
  Tensor out(in.n, c, h, w);
  out.data = in.data;
  return out;
}

Tensor flatten(const Tensor &in) {
  return reshape(in, in.c * in.h * in.w, 1, 1);
}

std::vector<float> to_nhwc(const Tensor &t) {
  std::vector<float> out(t.size());
  for (int b = 0; b < t.n; ++b) {
    for (int c = 0; c < t.c; ++c) {
      for (int y = 0; y < t.h; ++y) {
        for (int x = 0; x < t.w; ++x) {
          out[((static_cast<size_t>(b) * t.h + y) * t.w + x) * t.c + c] =
              t.at(b, c, y, x);
        }
      }
    }
  }
  return out;
}

Tensor from_nhwc(const std::vector<float> &data, int n, int c, int h, int w) {
  Tensor t(n, c, h, w);
  expect(data.size() == t.size(), "from_nhwc element count");
  for (int b = 0; b < n; ++b) {
    for (int k = 0; k < c; ++k) {
      for (int y = 0; y < h; ++y) {
        for (int x = 0; x < w; ++x) {
          t.at(b, k, y, x) =
              data[((static_cast<size_t>(b) * h + y) * w + x) * c + k];
        }
      }
    }
  }
  return t;
}

} // namespace ref
