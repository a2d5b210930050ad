#include "random/reference_int8.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ref8 {
namespace {

struct Multiplier {
  int32_t value = 0;
  int shift = 0;
};

// QuantizeMultiplier: real = value * 2^(shift - 31), value in [2^30, 2^31).
Multiplier quantize_multiplier(double real, small_rounding rounding) {
  Multiplier m;
  if (real == 0.0) {
    return m;
  }
  int exponent = 0;
  const double fraction = std::frexp(real, &exponent);
  int64_t fixed = std::llround(fraction * 2147483648.0); // half away
  if (fixed == (int64_t{1} << 31)) {
    fixed /= 2;
    ++exponent;
  }
  if (exponent < -31) {
    return m; // flushed to zero
  }
  if (rounding == SMALL_ROUNDING_SINGLE && exponent > 30) {
    m.value = std::numeric_limits<int32_t>::max();
    m.shift = 30;
    return m;
  }
  m.value = static_cast<int32_t>(fixed);
  m.shift = exponent;
  return m;
}

// SaturatingRoundingDoublingHighMul.
int32_t doubling_high_mul(int32_t a, int32_t b) {
  if (a == std::numeric_limits<int32_t>::min() && a == b) {
    return std::numeric_limits<int32_t>::max();
  }
  const int64_t product = int64_t{a} * b;
  const int64_t nudge = product >= 0 ? (1 << 30) : (1 - (1 << 30));
  return static_cast<int32_t>((product + nudge) / (int64_t{1} << 31));
}

// RoundingDivideByPOT: x / 2^e rounded half away from zero.
int32_t divide_by_pot(int32_t x, int e) {
  const int64_t mask = (int64_t{1} << e) - 1;
  const int64_t remainder = x & mask;
  const int64_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return static_cast<int32_t>((x >> e) + (remainder > threshold ? 1 : 0));
}

int32_t multiply(int32_t x, Multiplier m, small_rounding rounding) {
  if (rounding == SMALL_ROUNDING_SINGLE) {
    const int total = 31 - m.shift;
    const int64_t round = int64_t{1} << (total - 1);
    return static_cast<int32_t>((int64_t{x} * m.value + round) >> total);
  }
  const int left = std::max(m.shift, 0), right = std::max(-m.shift, 0);
  const int32_t shifted =
      static_cast<int32_t>(static_cast<uint32_t>(x) << left);
  return divide_by_pot(doubling_high_mul(shifted, m.value), right);
}

int32_t clamp(int32_t v, int32_t lo, int32_t hi) {
  return std::min(std::max(v, lo), hi); // in that order: lo > hi gives hi
}

struct Range {
  int32_t lo = -128, hi = 127;
};

// The quantized clamp of a fused activation (NONE, RELU, RELU6, CLIP): zp +
// round(bound / scale), the division in float, limited to int8.
Range range_of(const small_activation &a, small_quant out) {
  const auto bound = [&](float x) {
    const double steps = std::round(x / out.scale);
    return static_cast<int32_t>(
        std::min(127.0, std::max(-128.0, out.zero_point + steps)));
  };
  Range r;
  switch (a.kind) {
  case SMALL_ACT_RELU:
    r.lo = bound(0.0f);
    break;
  case SMALL_ACT_RELU6:
    r.lo = bound(0.0f);
    r.hi = bound(6.0f);
    break;
  case SMALL_ACT_CLIP:
    r.lo = bound(a.min);
    r.hi = bound(a.max);
    break;
  default:
    break;
  }
  return r;
}

Tensor shaped(size_t c, size_t h, size_t w, small_quant quant) {
  Tensor t;
  t.c = c;
  t.h = h;
  t.w = w;
  t.q.assign(t.size(), 0);
  t.quant = quant;
  return t;
}

// Division rounding half away from zero, as TFLite's average pooling.
int32_t rounded_divide(int32_t s, int32_t n) {
  return s > 0 ? (s + n / 2) / n : (s - n / 2) / n;
}

} // namespace

Tensor quantize(size_t c, size_t h, size_t w, const std::vector<float> &data,
                small_quant quant) {
  Tensor t = shaped(c, h, w, quant);
  for (size_t i = 0; i < t.size(); ++i) {
    const double steps =
        std::round(static_cast<double>(data[i]) / double{quant.scale});
    t.q[i] = static_cast<int32_t>(
        std::min(127.0, std::max(-128.0, steps + quant.zero_point)));
  }
  return t;
}

Tensor conv2d(const Tensor &x, const small_conv2d_params &p, const Weights &w,
              small_quant out, small_rounding rounding) {
  const long kh = p.kernel_h, kw = p.kernel_w;
  const long eff_h = (kh - 1) * p.dilation_h + 1;
  const long eff_w = (kw - 1) * p.dilation_w + 1;
  const size_t oh = (x.h + p.pad_top + p.pad_bottom - eff_h) / p.stride_h + 1;
  const size_t ow = (x.w + p.pad_left + p.pad_right - eff_w) / p.stride_w + 1;
  const size_t in_per_group = x.c / p.groups;
  const size_t out_per_group = p.out_channels / p.groups;
  const Range range = range_of(p.activation, out);
  Tensor y = shaped(p.out_channels, oh, ow, out);
  for (size_t o = 0; o < p.out_channels; ++o) {
    const size_t g = o / out_per_group;
    const double w_scale = w.scales[w.scales.size() == 1 ? 0 : o];
    const Multiplier m = quantize_multiplier(
        double{x.quant.scale} * w_scale / double{out.scale}, rounding);
    for (size_t i = 0; i < oh; ++i) {
      for (size_t j = 0; j < ow; ++j) {
        int32_t acc = w.bias.empty() ? 0 : w.bias[o];
        for (size_t ci = 0; ci < in_per_group; ++ci) {
          for (long r = 0; r < kh; ++r) {
            for (long s = 0; s < kw; ++s) {
              const long yy = long(i * p.stride_h) - long(p.pad_top) +
                              r * long(p.dilation_h);
              const long xx = long(j * p.stride_w) - long(p.pad_left) +
                              s * long(p.dilation_w);
              if (yy < 0 || xx < 0 || yy >= long(x.h) || xx >= long(x.w)) {
                continue; // as padding with the input zero point
              }
              const int32_t wv =
                  w.values[((o * in_per_group + ci) * kh + r) * kw + s];
              acc += (x.q[x.at(g * in_per_group + ci, yy, xx)] -
                      x.quant.zero_point) *
                     wv;
            }
          }
        }
        y.q[y.at(o, i, j)] = clamp(multiply(acc, m, rounding) + out.zero_point,
                                   range.lo, range.hi);
      }
    }
  }
  return y;
}

Tensor dense(const Tensor &x, size_t out_features, const Weights &w,
             const small_activation &act, small_quant out,
             small_rounding rounding) {
  const Range range = range_of(act, out);
  Tensor y = shaped(out_features, 1, 1, out);
  for (size_t o = 0; o < out_features; ++o) {
    const double w_scale = w.scales[w.scales.size() == 1 ? 0 : o];
    const Multiplier m = quantize_multiplier(
        double{x.quant.scale} * w_scale / double{out.scale}, rounding);
    int32_t acc = w.bias.empty() ? 0 : w.bias[o];
    for (size_t i = 0; i < x.size(); ++i) {
      acc += (x.q[i] - x.quant.zero_point) * w.values[o * x.size() + i];
    }
    y.q[o] =
        clamp(multiply(acc, m, rounding) + out.zero_point, range.lo, range.hi);
  }
  return y;
}

Tensor pool2d(const Tensor &x, const small_pool2d_params &p,
              const small_activation &act) {
  const size_t oh =
      (x.h + p.pad_top + p.pad_bottom - p.kernel_h) / p.stride_h + 1;
  const size_t ow =
      (x.w + p.pad_left + p.pad_right - p.kernel_w) / p.stride_w + 1;
  const Range range = range_of(act, x.quant);
  Tensor y = shaped(x.c, oh, ow, x.quant);
  for (size_t c = 0; c < x.c; ++c) {
    for (size_t i = 0; i < oh; ++i) {
      for (size_t j = 0; j < ow; ++j) {
        const long y0 = long(i * p.stride_h) - long(p.pad_top);
        const long x0 = long(j * p.stride_w) - long(p.pad_left);
        int32_t best = -128, sum = 0, taps = 0;
        for (long r = std::max(0L, y0);
             r < std::min(long(x.h), y0 + long(p.kernel_h)); ++r) {
          for (long s = std::max(0L, x0);
               s < std::min(long(x.w), x0 + long(p.kernel_w)); ++s) {
            best = std::max(best, x.q[x.at(c, r, s)]);
            sum += x.q[x.at(c, r, s)];
            ++taps;
          }
        }
        const int32_t n =
            p.count_include_pad ? int32_t(p.kernel_h * p.kernel_w) : taps;
        const int32_t v =
            p.kind == SMALL_POOL_MAX ? best : rounded_divide(sum, n);
        y.q[y.at(c, i, j)] = clamp(v, range.lo, range.hi);
      }
    }
  }
  return y;
}

Tensor global_avgpool(const Tensor &x, small_quant out,
                      small_rounding rounding) {
  const Multiplier m =
      quantize_multiplier(double{x.quant.scale} / double{out.scale}, rounding);
  const int32_t n = static_cast<int32_t>(x.h * x.w);
  Tensor y = shaped(x.c, 1, 1, out);
  for (size_t c = 0; c < x.c; ++c) {
    int32_t sum = 0;
    for (size_t p = 0; p < x.h * x.w; ++p) {
      sum += x.q[c * x.h * x.w + p] - x.quant.zero_point;
    }
    const int32_t s = multiply(sum, m, rounding);
    y.q[c] = clamp(rounded_divide(s, n) + out.zero_point, -128, 127);
  }
  return y;
}

Tensor add(const Tensor &a, const Tensor &b, const small_activation &act,
           small_quant out, small_rounding rounding) {
  const int left_shift = 20;
  const double twice_max =
      2.0 * std::max(double{a.quant.scale}, double{b.quant.scale});
  const Multiplier ma =
      quantize_multiplier(double{a.quant.scale} / twice_max, rounding);
  const Multiplier mb =
      quantize_multiplier(double{b.quant.scale} / twice_max, rounding);
  const Multiplier mo = quantize_multiplier(
      twice_max / (double(1 << left_shift) * double{out.scale}), rounding);
  const Range range = range_of(act, out);
  Tensor y = shaped(a.c, a.h, a.w, out);
  for (size_t i = 0; i < y.size(); ++i) {
    const int32_t sa = multiply(
        (a.q[i] - a.quant.zero_point) * (1 << left_shift), ma, rounding);
    const int32_t sb = multiply(
        (b.q[i] - b.quant.zero_point) * (1 << left_shift), mb, rounding);
    y.q[i] = clamp(multiply(sa + sb, mo, rounding) + out.zero_point, range.lo,
                   range.hi);
  }
  return y;
}

Tensor requantize(const Tensor &x, small_quant out, small_rounding rounding) {
  const Multiplier m =
      quantize_multiplier(double{x.quant.scale} / double{out.scale}, rounding);
  Tensor y = shaped(x.c, x.h, x.w, out);
  for (size_t i = 0; i < y.size(); ++i) {
    y.q[i] = clamp(multiply(x.q[i] - x.quant.zero_point, m, rounding) +
                       out.zero_point,
                   -128, 127);
  }
  return y;
}

Tensor concat(const Tensor &a, const Tensor &b, small_quant out,
              small_rounding rounding) {
  const auto as_out = [&](const Tensor &t) {
    const bool same =
        t.quant.scale == out.scale && t.quant.zero_point == out.zero_point;
    return same ? t : requantize(t, out, rounding);
  };
  const Tensor ra = as_out(a), rb = as_out(b);
  Tensor y = shaped(a.c + b.c, a.h, a.w, out);
  std::copy(ra.q.begin(), ra.q.end(), y.q.begin());
  std::copy(rb.q.begin(), rb.q.end(), y.q.begin() + ra.size());
  return y;
}

Tensor reshape(const Tensor &x, size_t c, size_t h, size_t w) {
  Tensor y = x;
  y.c = c;
  y.h = h;
  y.w = w;
  return y;
}

Tensor softmax(const Tensor &x, float beta) {
  Tensor y = shaped(x.c, x.h, x.w, {1.0f / 256, -128});
  std::vector<double> &p = y.probability;
  p.resize(x.size());
  const size_t pixels = x.h * x.w;
  for (size_t i = 0; i < pixels; ++i) {
    int32_t max_q = -128;
    for (size_t c = 0; c < x.c; ++c) {
      max_q = std::max(max_q, x.q[c * pixels + i]);
    }
    const double step = double{beta} * double{x.quant.scale};
    double sum = 0.0;
    for (size_t c = 0; c < x.c; ++c) {
      sum += std::exp(step * (x.q[c * pixels + i] - max_q));
    }
    for (size_t c = 0; c < x.c; ++c) {
      p[c * pixels + i] = std::exp(step * (x.q[c * pixels + i] - max_q)) / sum;
    }
  }
  return y;
}

} // namespace ref8
