#include "random/shapes.h"

#include <algorithm>
#include <sstream>

namespace rand_net {
namespace {

// TensorFlow SAME padding from its definition: out = ceil(in / stride), the
// odd pixel after.
void same_padding(uint32_t in, uint32_t kernel, uint32_t stride,
                  uint32_t dilation, uint32_t &before, uint32_t &after) {
  const uint32_t out = (in + stride - 1) / stride;
  const uint32_t span = (kernel - 1) * dilation + 1;
  const uint32_t needed = (out - 1) * stride + span;
  const uint32_t total = needed > in ? needed - in : 0;
  before = total / 2;
  after = total - before;
}

small_padding_mode padding_mode(Rng &rng) {
  const uint32_t mode = rng.range(0, 4);
  return mode == 3   ? SMALL_PADDING_SAME
         : mode == 4 ? SMALL_PADDING_VALID
                     : SMALL_PADDING_EXPLICIT;
}

// The explicit padding of `ref` for its padding mode (dilation 1 for pools).
template <typename Params>
void explicit_padding(Params &ref, uint32_t h, uint32_t w, uint32_t dilation_h,
                      uint32_t dilation_w) {
  if (ref.padding_mode == SMALL_PADDING_SAME) {
    same_padding(h, ref.kernel_h, ref.stride_h, dilation_h, ref.pad_top,
                 ref.pad_bottom);
    same_padding(w, ref.kernel_w, ref.stride_w, dilation_w, ref.pad_left,
                 ref.pad_right);
  } else if (ref.padding_mode == SMALL_PADDING_VALID) {
    ref.pad_top = ref.pad_bottom = ref.pad_left = ref.pad_right = 0;
  }
}

const char *mode_name(small_padding_mode m) {
  return m == SMALL_PADDING_SAME    ? "same"
         : m == SMALL_PADDING_VALID ? "valid"
                                    : "explicit";
}

} // namespace

bool draw_conv(Rng &rng, const Limits &limits, uint32_t c, uint32_t h,
               uint32_t w, ConvDraw &d) {
  small_conv2d_params &p = d.api;
  small_conv2d_params_init(&p);
  const uint32_t big = rng.chance(0.1) ? 5 : 3;
  p.kernel_h = limits.cap_kernel(rng.range(1, big));
  p.kernel_w = limits.cap_kernel(rng.range(1, big));
  const uint32_t far = rng.chance(0.1) ? 3 : 2; // strides, dilations
  p.stride_h = rng.range(1, far);
  p.stride_w = rng.range(1, far);
  p.dilation_h = rng.range(1, far);
  p.dilation_w = rng.range(1, far);
  // Explicit padding (asymmetric as drawn; SAME and VALID ignore the fields)
  // below the kernel size, or now and then up to it: then windows that lie
  // wholly in the padding give the bias alone.
  const uint32_t wide = rng.chance(0.1) ? 1 : 0;
  p.pad_top = rng.range(0, p.kernel_h - 1 + wide);
  p.pad_bottom = rng.range(0, p.kernel_h - 1 + wide);
  p.pad_left = rng.range(0, p.kernel_w - 1 + wide);
  p.pad_right = rng.range(0, p.kernel_w - 1 + wide);
  p.padding_mode = padding_mode(rng);
  const uint32_t shape = rng.range(0, 3);
  if (shape == 0) { // depthwise, depth multiplier 1 to 3
    p.groups = c;
    const uint32_t multiplier = rng.chance(0.5) ? 1 : rng.range(2, 3);
    p.out_channels =
        c * std::max<uint32_t>(1, std::min(multiplier, limits.channels / c));
  } else if (shape == 1 && c % 2 == 0) { // two groups
    p.groups = 2;
    p.out_channels = 2 * limits.cap_channels(rng.range(1, 10));
  } else {
    p.out_channels = limits.cap_channels(rng.range(1, 24));
  }
  p.weight_layout = rng.chance(0.3) ? SMALL_WEIGHTS_HWIO : SMALL_WEIGHTS_OIHW;
  d.ref = p;
  explicit_padding(d.ref, h, w, p.dilation_h, p.dilation_w);
  const uint32_t span_h = (p.kernel_h - 1) * p.dilation_h + 1;
  const uint32_t span_w = (p.kernel_w - 1) * p.dilation_w + 1;
  return h + d.ref.pad_top + d.ref.pad_bottom >= span_h &&
         w + d.ref.pad_left + d.ref.pad_right >= span_w;
}

void draw_pool(Rng &rng, const Limits &limits, uint32_t h, uint32_t w,
               PoolDraw &d) {
  small_pool2d_params &p = d.api;
  small_pool2d_params_init(&p);
  p.kind = rng.chance(0.5) ? SMALL_POOL_MAX : SMALL_POOL_AVG;
  p.padding_mode = padding_mode(rng);
  // SAME windows always hold an input pixel, whatever the kernel; the
  // others need a kernel no larger than the input.
  const bool same = p.padding_mode == SMALL_PADDING_SAME;
  const uint32_t largest = rng.chance(0.15) ? 5 : 3;
  p.kernel_h = limits.cap_kernel(
      rng.range(1, same ? largest : std::min<uint32_t>(largest, h)));
  p.kernel_w = limits.cap_kernel(
      rng.range(1, same ? largest : std::min<uint32_t>(largest, w)));
  p.stride_h = rng.range(1, 3);
  p.stride_w = rng.range(1, 3);
  // Explicit padding below the kernel size: every window holds an input
  // pixel.
  p.pad_top = rng.range(0, p.kernel_h - 1);
  p.pad_bottom = rng.range(0, p.kernel_h - 1);
  p.pad_left = rng.range(0, p.kernel_w - 1);
  p.pad_right = rng.range(0, p.kernel_w - 1);
  p.count_include_pad = rng.chance(0.5) ? 1 : 0;
  d.ref = p;
  explicit_padding(d.ref, h, w, 1, 1);
}

void draw_reshape(Rng &rng, uint32_t size, uint32_t &c, uint32_t &h,
                  uint32_t &w) {
  const auto divisor = [&rng](uint32_t n) {
    std::vector<uint32_t> d;
    for (uint32_t i = 1; i <= n; ++i) {
      if (n % i == 0) {
        d.push_back(i);
      }
    }
    return d[rng.range(0, static_cast<uint32_t>(d.size()) - 1)];
  };
  c = divisor(size);
  h = divisor(size / c);
  w = size / c / h;
}

std::string describe(const ConvDraw &d) {
  const small_conv2d_params &p = d.api, &r = d.ref;
  std::ostringstream s;
  s << p.out_channels << " out, " << p.kernel_h << "x" << p.kernel_w
    << " stride " << p.stride_h << "," << p.stride_w << " dilation "
    << p.dilation_h << "," << p.dilation_w << " pad "
    << mode_name(p.padding_mode) << " " << r.pad_top << "," << r.pad_bottom
    << "," << r.pad_left << "," << r.pad_right << " groups " << p.groups
    << (p.weight_layout == SMALL_WEIGHTS_HWIO ? " HWIO" : " OIHW") << " act "
    << p.activation.kind << " [" << p.activation.min << ", " << p.activation.max
    << "]";
  return s.str();
}

std::string describe(const PoolDraw &d) {
  const small_pool2d_params &p = d.api, &r = d.ref;
  std::ostringstream s;
  s << (p.kind == SMALL_POOL_MAX ? "max " : "avg ") << p.kernel_h << "x"
    << p.kernel_w << " stride " << p.stride_h << "," << p.stride_w << " pad "
    << mode_name(p.padding_mode) << " " << r.pad_top << "," << r.pad_bottom
    << "," << r.pad_left << "," << r.pad_right << " include_pad "
    << p.count_include_pad;
  return s.str();
}

} // namespace rand_net
