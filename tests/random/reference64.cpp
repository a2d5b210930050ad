#include "random/reference64.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ref64 {
namespace {

constexpr double kU = 1.0 / (1 << 24); // float32 unit roundoff

// gamma_d: the bound on d accumulated float32 roundings (docs/numerics.md).
double gamma(double d) { return d * kU / (1.0 - d * kU); }

// Roundings a term of a blocked pairwise sum goes through (blocks of 8 taps
// per row of a window taps_h x taps_w).
double pairwise_roundings(size_t taps_h, size_t taps_w) {
  const size_t blocks = taps_h * ((taps_w + 7) / 8);
  return blocks == 0 ? 0.0
                     : 7.0 + std::ceil(std::log2(static_cast<double>(blocks)));
}

// Prepares y's LinearTrace when its producer has no activation (the only
// case in which the library folds a following BatchNorm).
void start_trace(Tensor &y, const small_activation &act) {
  if (act.kind != SMALL_ACT_NONE) {
    return;
  }
  LinearTrace &t = y.linear;
  for (std::vector<double> *v :
       {&t.propagated, &t.magnitude, &t.bias, &t.folding, &t.gamma}) {
    v->assign(y.size(), 0.0);
  }
}

Tensor shaped(size_t c, size_t h, size_t w) {
  Tensor t;
  t.c = c;
  t.h = h;
  t.w = w;
  t.value.assign(t.size(), 0.0);
  t.bound.assign(t.size(), 0.0);
  return t;
}

// The activation of z, whose float32 value may be off by e: the value and
// the bound after it (docs/numerics.md, "Activations").
void activate(const small_activation &a, double z, double e, double &value,
              double &bound) {
  // The SIMD kernels' transcendental activations are held within this of
  // the scalar kernel; the scalar one is within a few u of float64.
  const auto evaluation = [](double y) {
    return 1e-5 * std::max(1.0, std::fabs(y)) + 8.0 * kU * std::fabs(y);
  };
  switch (a.kind) {
  case SMALL_ACT_RELU:
    value = std::max(z, 0.0);
    bound = e;
    return;
  case SMALL_ACT_RELU6:
    value = std::min(std::max(z, 0.0), 6.0);
    bound = e;
    return;
  case SMALL_ACT_CLIP: // exact and 1-Lipschitz; min > max gives max
    value = std::min(std::max(z, double{a.min}), double{a.max});
    bound = e;
    return;
  case SMALL_ACT_LEAKY_RELU: {
    const double alpha = a.alpha;
    value = z >= 0.0 ? z : alpha * z;
    const double slope = std::max(1.0, std::fabs(alpha));
    bound = slope * e + kU * std::fabs(alpha) * (std::fabs(z) + e);
    return;
  }
  case SMALL_ACT_SIGMOID:
    value = 1.0 / (1.0 + std::exp(-z));
    bound = 0.25 * e + evaluation(value);
    return;
  case SMALL_ACT_HARD_SWISH:
    value = z * std::min(std::max(z + 3.0, 0.0), 6.0) / 6.0;
    bound = 1.5 * e + evaluation(value) + kU * (std::fabs(z) + e) * 4.0;
    return;
  case SMALL_ACT_HARD_SIGMOID: { // alpha z + beta (two roundings), clipped
    const double alpha = a.alpha, beta = a.beta;
    value = std::min(std::max(alpha * z + beta, 0.0), 1.0);
    bound =
        std::fabs(alpha) * e +
        2.0 * kU * (std::fabs(alpha) * (std::fabs(z) + e) + std::fabs(beta));
    return;
  }
  default:
    value = z;
    bound = e;
  }
}

// bias + sum w x over `terms` taps into (value, bound) before activation.
struct Accumulator {
  double sum = 0.0, magnitude = 0.0, propagated = 0.0;
  size_t terms = 0;
  void add(double w, const Tensor &x, size_t i) {
    sum += w * x.value[i];
    magnitude += std::fabs(w) * (std::fabs(x.value[i]) + x.bound[i]);
    propagated += std::fabs(w) * x.bound[i];
    ++terms;
  }
  double bound(double bias) const {
    return propagated + gamma(static_cast<double>(terms + 1)) *
                            (std::fabs(bias) + magnitude);
  }
  void trace(Tensor &y, size_t k, double bias) const {
    if (y.linear.empty()) {
      return;
    }
    y.linear.propagated[k] = propagated;
    y.linear.magnitude[k] = magnitude;
    y.linear.bias[k] = std::fabs(bias);
    y.linear.gamma[k] = gamma(static_cast<double>(terms + 1));
  }
};

} // namespace

Tensor input(size_t c, size_t h, size_t w, const std::vector<float> &data) {
  Tensor t = shaped(c, h, w);
  for (size_t i = 0; i < t.size(); ++i) {
    t.value[i] = data[i];
  }
  return t;
}

Tensor conv2d(const Tensor &x, const small_conv2d_params &p,
              const std::vector<float> &weights,
              const std::vector<float> &bias) {
  const long kh = p.kernel_h, kw = p.kernel_w;
  const long eff_h = (kh - 1) * p.dilation_h + 1;
  const long eff_w = (kw - 1) * p.dilation_w + 1;
  const size_t oh = (x.h + p.pad_top + p.pad_bottom - eff_h) / p.stride_h + 1;
  const size_t ow = (x.w + p.pad_left + p.pad_right - eff_w) / p.stride_w + 1;
  const size_t groups = p.groups, in_per_group = x.c / groups;
  const size_t out_per_group = p.out_channels / groups;
  Tensor y = shaped(p.out_channels, oh, ow);
  start_trace(y, p.activation);
  for (size_t o = 0; o < p.out_channels; ++o) {
    const size_t g = o / out_per_group;
    for (size_t i = 0; i < oh; ++i) {
      for (size_t j = 0; j < ow; ++j) {
        Accumulator acc;
        for (size_t ci = 0; ci < in_per_group; ++ci) {
          for (long r = 0; r < kh; ++r) {
            for (long s = 0; s < kw; ++s) {
              const long yy = long(i * p.stride_h) - long(p.pad_top) +
                              r * long(p.dilation_h);
              const long xx = long(j * p.stride_w) - long(p.pad_left) +
                              s * long(p.dilation_w);
              if (yy < 0 || xx < 0 || yy >= long(x.h) || xx >= long(x.w)) {
                continue;
              }
              const double w =
                  weights[((o * in_per_group + ci) * kh + r) * kw + s];
              acc.add(w, x, x.at(g * in_per_group + ci, yy, xx));
            }
          }
        }
        const size_t k = y.at(o, i, j);
        activate(p.activation, bias[o] + acc.sum, acc.bound(bias[o]),
                 y.value[k], y.bound[k]);
        acc.trace(y, k, bias[o]);
      }
    }
  }
  return y;
}

Tensor dense(const Tensor &x, size_t out_features,
             const std::vector<float> &weights, const std::vector<float> &bias,
             const small_activation &act) {
  Tensor y = shaped(out_features, 1, 1);
  start_trace(y, act);
  for (size_t o = 0; o < out_features; ++o) {
    Accumulator acc;
    for (size_t i = 0; i < x.size(); ++i) {
      acc.add(weights[o * x.size() + i], x, i);
    }
    activate(act, bias[o] + acc.sum, acc.bound(bias[o]), y.value[o],
             y.bound[o]);
    acc.trace(y, o, bias[o]);
  }
  return y;
}

Tensor pool2d(const Tensor &x, const small_pool2d_params &p) {
  const size_t oh =
      (x.h + p.pad_top + p.pad_bottom - p.kernel_h) / p.stride_h + 1;
  const size_t ow =
      (x.w + p.pad_left + p.pad_right - p.kernel_w) / p.stride_w + 1;
  Tensor y = shaped(x.c, oh, ow);
  for (size_t c = 0; c < x.c; ++c) {
    for (size_t i = 0; i < oh; ++i) {
      for (size_t j = 0; j < ow; ++j) {
        const long y0 = long(i * p.stride_h) - long(p.pad_top);
        const long x0 = long(j * p.stride_w) - long(p.pad_left);
        const long r0 = std::max(0L, y0), s0 = std::max(0L, x0);
        const long r1 = std::min(long(x.h), y0 + long(p.kernel_h));
        const long s1 = std::min(long(x.w), x0 + long(p.kernel_w));
        double best = -INFINITY, best_bound = 0.0;
        double sum = 0.0, magnitude = 0.0, propagated = 0.0;
        for (long r = r0; r < r1; ++r) {
          for (long s = s0; s < s1; ++s) {
            const size_t k = x.at(c, r, s);
            best = std::max(best, x.value[k]);
            best_bound = std::max(best_bound, x.bound[k]);
            sum += x.value[k];
            magnitude += std::fabs(x.value[k]) + x.bound[k];
            propagated += x.bound[k];
          }
        }
        const size_t k = y.at(c, i, j);
        if (p.kind == SMALL_POOL_MAX) {
          y.value[k] = best;
          y.bound[k] = best_bound;
          continue;
        }
        const size_t taps_h = r1 - r0, taps_w = s1 - s0;
        const double divisor = p.count_include_pad
                                   ? double(p.kernel_h) * p.kernel_w
                                   : double(taps_h) * double(taps_w);
        y.value[k] = sum / divisor;
        y.bound[k] =
            (propagated +
             gamma(pairwise_roundings(taps_h, taps_w) + 2.0) * magnitude) /
            divisor;
      }
    }
  }
  return y;
}

Tensor global_avgpool(const Tensor &x) {
  small_pool2d_params p{}; // no padding
  p.kind = SMALL_POOL_AVG;
  p.stride_h = p.stride_w = 1;
  p.kernel_h = static_cast<uint32_t>(x.h);
  p.kernel_w = static_cast<uint32_t>(x.w);
  return pool2d(x, p);
}

Tensor add(const Tensor &a, const Tensor &b, const small_activation &act) {
  Tensor y = shaped(a.c, a.h, a.w);
  for (size_t i = 0; i < y.size(); ++i) {
    const double z = a.value[i] + b.value[i];
    const double e = a.bound[i] + b.bound[i];
    const double rounding =
        kU * (std::fabs(a.value[i]) + std::fabs(b.value[i]) + e);
    activate(act, z, e + rounding, y.value[i], y.bound[i]);
  }
  return y;
}

Tensor activation(const Tensor &x, const small_activation &act) {
  Tensor y = shaped(x.c, x.h, x.w);
  if (act.kind == SMALL_ACT_NONE) {
    // Fused into a Conv2D or Dense, an identity leaves it open to a
    // BatchNorm fold.
    y.linear = x.linear;
  }
  for (size_t i = 0; i < y.size(); ++i) {
    activate(act, x.value[i], x.bound[i], y.value[i], y.bound[i]);
  }
  return y;
}

Tensor softmax(const Tensor &x) {
  Tensor y = shaped(x.c, x.h, x.w);
  for (size_t p = 0; p < x.h * x.w; ++p) {
    double max_value = -INFINITY, lowest = INFINITY, worst_input = 0.0;
    for (size_t c = 0; c < x.c; ++c) {
      max_value = std::max(max_value, x.value[c * x.h * x.w + p]);
      lowest = std::min(lowest, x.value[c * x.h * x.w + p]);
      worst_input = std::max(worst_input, x.bound[c * x.h * x.w + p]);
    }
    double sum = 0.0;
    for (size_t c = 0; c < x.c; ++c) {
      sum += std::exp(x.value[c * x.h * x.w + p] - max_value);
    }
    // docs/numerics.md, "Softmax", on the float32 logits (which may be off
    // by the inputs' bounds, so their spread may be wider by 2 worst_input);
    // an input error e moves y_c by at most y_c (e_c + max_k e_k).
    const double spread = max_value - lowest + 2.0 * worst_input;
    const double common = pairwise_roundings(1, x.c) + spread + 6.0;
    for (size_t c = 0; c < x.c; ++c) {
      const size_t i = c * x.h * x.w + p;
      y.value[i] = std::exp(x.value[i] - max_value) / sum;
      const double own = common + (max_value - x.value[i]) + worst_input;
      const double moved = std::expm1(2.0 * worst_input);
      // Tiny probabilities fall in float32's subnormal range, where each of
      // the few roundings (exp, the product) is absolute: 8 subnormal steps.
      y.bound[i] = y.value[i] * (moved + (1.0 + moved) * gamma(own)) +
                   8.0 * std::numeric_limits<float>::denorm_min();
    }
  }
  return y;
}

Tensor concat(const Tensor &a, const Tensor &b) {
  Tensor y = shaped(a.c + b.c, a.h, a.w);
  std::copy(a.value.begin(), a.value.end(), y.value.begin());
  std::copy(a.bound.begin(), a.bound.end(), y.bound.begin());
  std::copy(b.value.begin(), b.value.end(), y.value.begin() + a.size());
  std::copy(b.bound.begin(), b.bound.end(), y.bound.begin() + a.size());
  return y;
}

Tensor reshape(const Tensor &x, size_t c, size_t h, size_t w) {
  Tensor y = shaped(c, h, w);
  y.value = x.value;
  y.bound = x.bound;
  return y;
}

Tensor batchnorm(const Tensor &x, const std::vector<float> &gamma,
                 const std::vector<float> &beta, const std::vector<float> &mean,
                 const std::vector<float> &var, float epsilon) {
  Tensor y = shaped(x.c, x.h, x.w);
  y.linear = x.linear;
  for (size_t c = 0; c < x.c; ++c) {
    const double scale = gamma[c] / std::sqrt(double{var[c]} + double{epsilon});
    const double shift = beta[c] - mean[c] * scale;
    // docs/numerics.md: the float32 scale within 4u, the shift within
    // u |beta| + 6u |mean scale|; then x * scale + shift with at most two
    // roundings.
    const double mean_scaled = std::fabs(mean[c] * scale);
    for (size_t p = 0; p < x.h * x.w; ++p) {
      const size_t i = c * x.h * x.w + p;
      const double input = std::fabs(x.value[i]) + x.bound[i];
      y.value[i] = x.value[i] * scale + shift;
      y.bound[i] = std::fabs(scale) * x.bound[i] +
                   6.0 * kU * std::fabs(scale) * input +
                   2.0 * kU * std::fabs(beta[c]) + 8.0 * kU * mean_scaled;
      if (y.linear.empty()) {
        continue;
      }
      // Folded (docs/numerics.md): every weight times the float32 scale
      // (within 4u, then one product: 6u with margin), the bias b * scale +
      // shift (two roundings, the shift's own error); then the same sum.
      LinearTrace &t = y.linear;
      const double s = std::fabs(scale) * (1.0 + 6.0 * kU);
      const double shift = std::fabs(beta[c]) + mean_scaled;
      t.folding[i] =
          s * t.folding[i] +
          6.0 * kU * std::fabs(scale) * (t.magnitude[i] + t.bias[i]) +
          8.0 * kU * shift;
      t.propagated[i] *= s;
      t.magnitude[i] *= s;
      t.bias[i] = s * t.bias[i] + (1.0 + 8.0 * kU) * shift;
      const double folded = t.propagated[i] +
                            t.gamma[i] * (t.bias[i] + t.magnitude[i]) +
                            t.folding[i];
      y.bound[i] = std::max(y.bound[i], folded);
    }
  }
  return y;
}

} // namespace ref64
