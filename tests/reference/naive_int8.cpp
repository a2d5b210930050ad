#include "reference/naive_int8.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ref8 {

namespace {
// floor(a / 2^e) for any sign (the operands of the fixed-point formulas
// below stay within +-2^63: products of two int32 values plus a rounding
// term of at most 2^61).
int64_t floor_shift(int64_t a, int e) {
  const int64_t d = int64_t{1} << e;
  int64_t q = a / d;
  if (a % d != 0 && a < 0) {
    --q;
  }
  return q;
}

int32_t clamp8(int64_t v, int32_t lo = -128, int32_t hi = 127) {
  return static_cast<int32_t>(std::min<int64_t>(std::max<int64_t>(v, lo), hi));
}

// int32 wrap of a 64-bit value (x * 2^left may overflow in TFLite too).
int32_t wrap32(int64_t v) {
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v)));
}

// round-half-away-from-zero division of integers (n > 0).
int32_t round_div(int64_t s, int64_t n) {
  const int64_t a = s < 0 ? -s : s;
  const int64_t r = (a + n / 2) / n;
  return static_cast<int32_t>(s < 0 ? -r : r);
}
} // namespace

Multiplier quantize_multiplier(double m, bool single_rounding) {
  Multiplier out;
  if (m == 0.0) {
    return out;
  }
  int shift = 0;
  double f = m;
  while (f >= 1.0) {
    f /= 2.0;
    ++shift;
  }
  while (f < 0.5) {
    f *= 2.0;
    --shift;
  }
  long long fixed = std::llround(f * 2147483648.0);
  if (fixed == 2147483648LL) {
    fixed = 1073741824LL;
    ++shift;
  }
  if (shift < -31) {
    return out;
  }
  if (single_rounding && shift > 30) {
    shift = 30;
    fixed = 2147483647LL;
  }
  out.multiplier = static_cast<int32_t>(fixed);
  out.shift = shift;
  return out;
}

int32_t srdhm(int32_t a, int32_t b) {
  if (a == std::numeric_limits<int32_t>::min() && a == b) {
    return std::numeric_limits<int32_t>::max();
  }
  return static_cast<int32_t>(
      floor_shift(int64_t{a} * b + (int64_t{1} << 30), 31));
}

int32_t rounding_shift_right(int32_t x, int e) {
  if (e == 0) {
    return x;
  }
  const int64_t a = x < 0 ? -int64_t{x} : int64_t{x};
  const int64_t r = (a + (int64_t{1} << (e - 1))) >> e;
  return static_cast<int32_t>(x < 0 ? -r : r);
}

int32_t requantize(int32_t x, Multiplier m, bool single_rounding) {
  if (single_rounding) {
    const int total = 31 - m.shift;
    return static_cast<int32_t>(floor_shift(
        int64_t{x} * m.multiplier + (int64_t{1} << (total - 1)), total));
  }
  const int left = std::max(m.shift, 0);
  const int right = std::max(-m.shift, 0);
  return rounding_shift_right(
      srdhm(wrap32(int64_t{x} * (int64_t{1} << left)), m.multiplier), right);
}

Range activation_range(const small_activation &act, const small_quant &q) {
  auto quantize = [&](float f) -> int64_t {
    if (std::isinf(f)) {
      return f < 0 ? -1000 : 1000;
    }
    return q.zero_point + static_cast<int64_t>(std::round(f / q.scale));
  };
  Range r;
  switch (act.kind) {
  case SMALL_ACT_RELU:
    r.lo = clamp8(quantize(0.0f));
    break;
  case SMALL_ACT_RELU6:
    r.lo = clamp8(quantize(0.0f));
    r.hi = clamp8(quantize(6.0f));
    break;
  case SMALL_ACT_CLIP:
    r.lo = clamp8(quantize(act.min));
    r.hi = clamp8(quantize(act.max));
    break;
  default:
    break;
  }
  return r;
}

QTensor conv2d(const QTensor &in, const std::vector<int8_t> &weights,
               const std::vector<float> &scales,
               const std::vector<int32_t> &bias, int out_channels,
               const ref::Window &win, int groups, const small_quant &out_q,
               const small_activation &act, bool single_rounding) {
  const int oh =
      ref::window_out_size(in.h, win.kernel_h, win.stride_h, win.dilation_h,
                           win.pad_top, win.pad_bottom);
  const int ow =
      ref::window_out_size(in.w, win.kernel_w, win.stride_w, win.dilation_w,
                           win.pad_left, win.pad_right);
  QTensor out(in.n, out_channels, oh, ow, out_q);
  const int cin = in.c / groups, kout = out_channels / groups;
  const Range range = activation_range(act, out_q);
  for (int k = 0; k < out_channels; ++k) {
    const Multiplier m = quantize_multiplier(
        double{in.q.scale} * double{scales[k]} / double{out_q.scale},
        single_rounding);
    const int g = k / kout;
    for (int n = 0; n < in.n; ++n) {
      for (int y = 0; y < oh; ++y) {
        for (int x = 0; x < ow; ++x) {
          int64_t acc = bias.empty() ? 0 : bias[k];
          for (int i = 0; i < cin; ++i) {
            for (int r = 0; r < win.kernel_h; ++r) {
              for (int s = 0; s < win.kernel_w; ++s) {
                const int iy =
                    y * win.stride_h - win.pad_top + r * win.dilation_h;
                const int ix =
                    x * win.stride_w - win.pad_left + s * win.dilation_w;
                if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) {
                  continue;
                }
                const int32_t v =
                    in.at(n, g * cin + i, iy, ix) - in.q.zero_point;
                acc +=
                    int64_t{v} *
                    weights[((static_cast<size_t>(k) * cin + i) * win.kernel_h +
                             r) *
                                win.kernel_w +
                            s];
              }
            }
          }
          const int64_t y8 = int64_t{requantize(static_cast<int32_t>(acc), m,
                                                single_rounding)} +
                             out_q.zero_point;
          out.at(n, k, y, x) =
              static_cast<int8_t>(clamp8(y8, range.lo, range.hi));
        }
      }
    }
  }
  return out;
}

QTensor dense(const QTensor &in, const std::vector<int8_t> &weights,
              const std::vector<float> &scales,
              const std::vector<int32_t> &bias, int out_features,
              const small_quant &out_q, const small_activation &act,
              bool single_rounding) {
  ref::Window win;
  win.kernel_h = in.h;
  win.kernel_w = in.w;
  return conv2d(in, weights, scales, bias, out_features, win, 1, out_q, act,
                single_rounding);
}

namespace {
template <typename Reduce>
QTensor pool(const QTensor &in, const ref::Window &win, Reduce reduce) {
  const int oh = ref::window_out_size(in.h, win.kernel_h, win.stride_h, 1,
                                      win.pad_top, win.pad_bottom);
  const int ow = ref::window_out_size(in.w, win.kernel_w, win.stride_w, 1,
                                      win.pad_left, win.pad_right);
  QTensor out(in.n, in.c, oh, ow, in.q);
  for (int n = 0; n < in.n; ++n) {
    for (int c = 0; c < in.c; ++c) {
      for (int y = 0; y < oh; ++y) {
        for (int x = 0; x < ow; ++x) {
          std::vector<int32_t> taps;
          for (int r = 0; r < win.kernel_h; ++r) {
            for (int s = 0; s < win.kernel_w; ++s) {
              const int iy = y * win.stride_h - win.pad_top + r;
              const int ix = x * win.stride_w - win.pad_left + s;
              if (iy >= 0 && iy < in.h && ix >= 0 && ix < in.w) {
                taps.push_back(in.at(n, c, iy, ix));
              }
            }
          }
          out.at(n, c, y, x) = static_cast<int8_t>(reduce(taps));
        }
      }
    }
  }
  return out;
}
} // namespace

QTensor max_pool(const QTensor &in, const ref::Window &win,
                 const small_activation &act) {
  const Range range = activation_range(act, in.q);
  return pool(in, win, [&](const std::vector<int32_t> &taps) {
    return clamp8(*std::max_element(taps.begin(), taps.end()), range.lo,
                  range.hi);
  });
}

QTensor avg_pool(const QTensor &in, const ref::Window &win,
                 bool count_include_pad, const small_activation &act) {
  const Range range = activation_range(act, in.q);
  return pool(in, win, [&](const std::vector<int32_t> &taps) {
    int64_t sum = 0;
    for (int32_t t : taps) {
      sum += t;
    }
    const int64_t count = count_include_pad
                              ? int64_t{win.kernel_h} * win.kernel_w
                              : static_cast<int64_t>(taps.size());
    return clamp8(round_div(sum, count), range.lo, range.hi);
  });
}

QTensor mean_hw(const QTensor &in, const small_quant &out_q,
                bool single_rounding) {
  QTensor out(in.n, in.c, 1, 1, out_q);
  const Multiplier m = quantize_multiplier(
      double{in.q.scale} / double{out_q.scale}, single_rounding);
  const int64_t count = int64_t{in.h} * in.w;
  for (int n = 0; n < in.n; ++n) {
    for (int c = 0; c < in.c; ++c) {
      int64_t sum = 0;
      for (int y = 0; y < in.h; ++y) {
        for (int x = 0; x < in.w; ++x) {
          sum += in.at(n, c, y, x) - in.q.zero_point;
        }
      }
      const int32_t scaled =
          requantize(static_cast<int32_t>(sum), m, single_rounding);
      out.at(n, c, 0, 0) = static_cast<int8_t>(
          clamp8(int64_t{round_div(scaled, count)} + out_q.zero_point));
    }
  }
  return out;
}

QTensor add(const QTensor &a, const QTensor &b, const small_quant &out_q,
            const small_activation &act, bool single_rounding) {
  const double twice_max = 2.0 * std::max<double>(a.q.scale, b.q.scale);
  const Multiplier ma =
      quantize_multiplier(double{a.q.scale} / twice_max, single_rounding);
  const Multiplier mb =
      quantize_multiplier(double{b.q.scale} / twice_max, single_rounding);
  const Multiplier mo = quantize_multiplier(
      twice_max / (1048576.0 * double{out_q.scale}), single_rounding);
  const Range range = activation_range(act, out_q);
  QTensor out(a.n, a.c, a.h, a.w, out_q);
  for (size_t i = 0; i < a.data.size(); ++i) {
    const int32_t sa =
        requantize((a.data[i] - a.q.zero_point) * 1048576, ma, single_rounding);
    const int32_t sb =
        requantize((b.data[i] - b.q.zero_point) * 1048576, mb, single_rounding);
    const int64_t y =
        int64_t{requantize(sa + sb, mo, single_rounding)} + out_q.zero_point;
    out.data[i] = static_cast<int8_t>(clamp8(y, range.lo, range.hi));
  }
  return out;
}

QTensor requantize(const QTensor &in, const small_quant &out_q,
                   bool single_rounding) {
  const Multiplier m = quantize_multiplier(
      double{in.q.scale} / double{out_q.scale}, single_rounding);
  QTensor out(in.n, in.c, in.h, in.w, out_q);
  for (size_t i = 0; i < in.data.size(); ++i) {
    out.data[i] = static_cast<int8_t>(clamp8(
        int64_t{requantize(in.data[i] - in.q.zero_point, m, single_rounding)} +
        out_q.zero_point));
  }
  return out;
}

QTensor concat(const std::vector<QTensor> &inputs, const small_quant &out_q,
               bool single_rounding) {
  int channels = 0;
  for (const QTensor &t : inputs) {
    channels += t.c;
  }
  const QTensor &first = inputs[0];
  QTensor out(first.n, channels, first.h, first.w, out_q);
  int c0 = 0;
  for (const QTensor &t : inputs) {
    const bool same =
        t.q.scale == out_q.scale && t.q.zero_point == out_q.zero_point;
    const QTensor src = same ? t : requantize(t, out_q, single_rounding);
    for (int n = 0; n < t.n; ++n) {
      for (int c = 0; c < t.c; ++c) {
        for (int y = 0; y < t.h; ++y) {
          for (int x = 0; x < t.w; ++x) {
            out.at(n, c0 + c, y, x) = static_cast<int8_t>(src.at(n, c, y, x));
          }
        }
      }
    }
    c0 += t.c;
  }
  return out;
}

QTensor quantize(const ref::Tensor &in, const small_quant &q) {
  QTensor out(in.n, in.c, in.h, in.w, q);
  for (size_t i = 0; i < in.data.size(); ++i) {
    const double steps = std::round(double{in.data[i]} / double{q.scale});
    out.data[i] = static_cast<int8_t>(
        clamp8(static_cast<int64_t>(std::max(-1e6, std::min(1e6, steps))) +
               q.zero_point));
  }
  return out;
}

ref::Tensor dequantize(const QTensor &in) {
  ref::Tensor out(in.n, in.c, in.h, in.w);
  for (size_t i = 0; i < in.data.size(); ++i) {
    out.data[i] =
        static_cast<float>(double{in.q.scale} * (in.data[i] - in.q.zero_point));
  }
  return out;
}

} // namespace ref8
