#include "engine/layout.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "fixed_point.h"
#include "quant/quant_params.h"

namespace small {

namespace {
// Offset of (n, c, h, w) in the blocked layout.
size_t blocked_index(const Shape &s, size_t cb, size_t n, size_t c, size_t h,
                     size_t w) {
  return ((n * s.blocks(cb) + c / cb) * s.h + h) * s.w * cb + w * cb + c % cb;
}

// Element conversions at the network boundary. Same-type copies become
// memcpy for contiguous runs.
struct Copy {
  template <typename T> T operator()(T x) const { return x; }
};
struct Quantize {
  small_quant q;
  int8_t operator()(float x) const { return quantize_value(x, q); }
};
struct Dequantize {
  small_quant q;
  float operator()(int8_t x) const { return dequantize_value(x, q); }
};

template <typename Src, typename Dst, typename Convert>
void convert_run(const Src *src, Dst *dst, size_t count,
                 const Convert &convert) {
  if constexpr (std::is_same<Convert, Copy>::value) {
    std::memcpy(dst, src, count * sizeof(Dst));
  } else {
    for (size_t i = 0; i < count; ++i) {
      dst[i] = convert(src[i]);
    }
  }
}

// A narrow network input (planar, or 4-lane blocks for int8 RGB) from
// NHWC: every pixel's LANES elements, zero pad lanes. CB and LANES known at
// compile time make a pixel a few moves (no memcpy and memset calls, no
// per-lane test), which the compiler vectorizes across pixels.
template <size_t CB, size_t LANES, typename Src, typename Dst, typename Convert>
void narrow_pixels(const Src *item, size_t channels, size_t c0, size_t plane,
                   Dst *d, const Convert &convert) {
  size_t p = 0;
  if constexpr (std::is_same<Convert, Copy>::value && CB > 1) {
    // A copy reads each pixel's CB elements at once (the next pixel's first
    // ones past LANES, zeroed after): one load, mask and store per pixel,
    // for the pixels whose CB elements lie within the item.
    const size_t end = plane * channels;
    const size_t whole =
        end >= c0 + CB ? std::min(plane, (end - c0 - CB) / channels + 1) : 0;
    for (; p < whole; ++p, d += CB) {
      Dst v[CB];
      std::memcpy(v, item + p * channels + c0, sizeof v);
      for (size_t l = LANES; l < CB; ++l) {
        v[l] = Dst{0};
      }
      std::memcpy(d, v, sizeof v);
    }
  }
  for (; p < plane; ++p, d += CB) {
    const Src *x = item + p * channels + c0;
    for (size_t l = 0; l < CB; ++l) {
      d[l] = l < LANES ? convert(x[l]) : Dst{0};
    }
  }
}

template <size_t CB, typename Src, typename Dst, typename Convert>
void narrow_from_nhwc(const Src *item, size_t channels, size_t c0, size_t lanes,
                      size_t plane, Dst *d, const Convert &convert) {
  static_assert(CB == 1 || CB == 4, "planar or 4-lane blocks");
  if constexpr (CB == 1) {
    narrow_pixels<1, 1>(item, channels, c0, plane, d, convert);
  } else {
    switch (lanes) {
    case 1:
      narrow_pixels<4, 1>(item, channels, c0, plane, d, convert);
      break;
    case 2:
      narrow_pixels<4, 2>(item, channels, c0, plane, d, convert);
      break;
    case 3:
      narrow_pixels<4, 3>(item, channels, c0, plane, d, convert);
      break;
    default:
      narrow_pixels<4, 4>(item, channels, c0, plane, d, convert);
      break;
    }
  }
}

// A planar network input (cb = 1) of C channels from NHWC, all C planes in
// one pass over the input: C fixed at compile time makes the inner loop a
// strided de-interleave the compiler vectorizes (a plane at a time read
// every C-th element, C passes).
template <size_t C, typename Src, typename Dst, typename Convert>
void planes_from_nhwc(const Src *item, size_t plane, Dst *d,
                      const Convert &convert) {
  for (size_t p = 0; p < plane; ++p) {
    for (size_t c = 0; c < C; ++c) {
      d[c * plane + p] = convert(item[p * C + c]);
    }
  }
}

// Whether a planar item of `channels` channels went through
// planes_from_nhwc.
template <typename Src, typename Dst, typename Convert>
bool planes_from_nhwc(const Src *item, size_t channels, size_t plane, Dst *d,
                      const Convert &convert) {
  switch (channels) {
  case 2:
    planes_from_nhwc<2>(item, plane, d, convert);
    return true;
  case 3:
    planes_from_nhwc<3>(item, plane, d, convert);
    return true;
  case 4:
    planes_from_nhwc<4>(item, plane, d, convert);
    return true;
  default:
    return false;
  }
}

// Both conversions walk the blocked tensor in storage order, one channel
// block at a time, so the inner loop is a run of contiguous lanes (no
// per-element index arithmetic: the network input and output go through
// here on every run).
template <typename Src, typename Dst, typename Convert>
void to_blocked_as(const Src *src, small_layout layout, const Shape &s,
                   size_t cb, Dst *dst, const Convert &convert) {
  const size_t plane = size_t{s.h} * s.w;
  if ((cb == 1 && layout == SMALL_LAYOUT_NCHW) || (plane == 1 && s.n == 1)) {
    // Planar is NCHW; a single (c, 1, 1) vector is its blocked form plus
    // zeroed pad lanes.
    convert_run(src, dst, s.elements(), convert);
    std::memset(dst + s.elements(), 0,
                (s.n * s.item_floats(cb) - s.elements()) * sizeof(Dst));
    return;
  }
  const size_t blocks = s.blocks(cb);
  for (size_t n = 0; n < s.n; ++n) {
    const Src *item = src + n * plane * s.c;
    if (cb == 1 && layout == SMALL_LAYOUT_NHWC &&
        planes_from_nhwc(item, s.c, plane, dst + n * blocks * plane, convert)) {
      continue;
    }
    for (size_t b = 0; b < blocks; ++b) {
      const size_t c0 = b * cb;
      const size_t lanes = s.c - c0 < cb ? s.c - c0 : cb;
      Dst *d = dst + (n * blocks + b) * plane * cb;
      if (layout == SMALL_LAYOUT_NHWC && (cb == 1 || cb == 4)) {
        const size_t c = s.c;
        cb == 1 ? narrow_from_nhwc<1>(item, c, c0, lanes, plane, d, convert)
                : narrow_from_nhwc<4>(item, c, c0, lanes, plane, d, convert);
        continue;
      }
      for (size_t p = 0; p < plane; ++p, d += cb) {
        if (layout == SMALL_LAYOUT_NCHW) {
          const Src *x = item + c0 * plane + p;
          for (size_t l = 0; l < lanes; ++l) {
            d[l] = convert(x[l * plane]);
          }
        } else {
          convert_run(item + p * s.c + c0, d, lanes, convert);
        }
        for (size_t l = lanes; l < cb; ++l) {
          d[l] = Dst{0}; // pad lanes
        }
      }
    }
  }
}

template <typename Src, typename Dst, typename Convert>
void from_blocked_as(const Src *src, const Shape &s, size_t cb,
                     small_layout layout, Dst *dst, const Convert &convert) {
  const size_t plane = size_t{s.h} * s.w;
  if (plane == 1 && s.n == 1) {
    convert_run(src, dst, s.elements(), convert);
    return;
  }
  const size_t blocks = s.blocks(cb);
  for (size_t n = 0; n < s.n; ++n) {
    Dst *item = dst + n * plane * s.c;
    for (size_t b = 0; b < blocks; ++b) {
      const size_t c0 = b * cb;
      const size_t lanes = s.c - c0 < cb ? s.c - c0 : cb;
      const Src *x = src + (n * blocks + b) * plane * cb;
      for (size_t p = 0; p < plane; ++p, x += cb) {
        if (layout == SMALL_LAYOUT_NCHW) {
          Dst *d = item + c0 * plane + p;
          for (size_t l = 0; l < lanes; ++l) {
            d[l * plane] = convert(x[l]);
          }
        } else {
          convert_run(x, item + p * s.c + c0, lanes, convert);
        }
      }
    }
  }
}
} // namespace

void to_blocked(const float *src, small_layout layout, const Shape &s,
                size_t cb, float *dst) {
  to_blocked_as(src, layout, s, cb, dst, Copy{});
}
void to_blocked(const int8_t *src, small_layout layout, const Shape &s,
                size_t cb, int8_t *dst) {
  to_blocked_as(src, layout, s, cb, dst, Copy{});
}
void to_blocked(const float *src, small_layout layout, const Shape &s,
                size_t cb, const small_quant &q, int8_t *dst) {
  to_blocked_as(src, layout, s, cb, dst, Quantize{q});
}
void from_blocked(const float *src, const Shape &s, size_t cb,
                  small_layout layout, float *dst) {
  from_blocked_as(src, s, cb, layout, dst, Copy{});
}
void from_blocked(const int8_t *src, const Shape &s, size_t cb,
                  small_layout layout, int8_t *dst) {
  from_blocked_as(src, s, cb, layout, dst, Copy{});
}
void from_blocked(const int8_t *src, const small_quant &q, const Shape &s,
                  size_t cb, small_layout layout, float *dst) {
  from_blocked_as(src, s, cb, layout, dst, Dequantize{q});
}

template <typename T>
void copy_channels(const T *src, const Shape &src_shape, T *dst,
                   const Shape &dst_shape, size_t first_channel, size_t cb) {
  for (size_t n = 0; n < src_shape.n; ++n) {
    for (size_t c = 0; c < src_shape.c; ++c) {
      for (size_t h = 0; h < src_shape.h; ++h) {
        for (size_t w = 0; w < src_shape.w; ++w) {
          dst[blocked_index(dst_shape, cb, n, first_channel + c, h, w)] =
              src[blocked_index(src_shape, cb, n, c, h, w)];
        }
      }
    }
  }
}

void copy_channels(const int8_t *src, const Shape &src_shape, int8_t *dst,
                   const Shape &dst_shape, size_t first_channel, size_t cb,
                   const small_requant_i8_params &r) {
  const bool single = r.single_rounding != 0;
  for (size_t n = 0; n < src_shape.n; ++n) {
    for (size_t c = 0; c < src_shape.c; ++c) {
      for (size_t h = 0; h < src_shape.h; ++h) {
        for (size_t w = 0; w < src_shape.w; ++w) {
          const int32_t x = src[blocked_index(src_shape, cb, n, c, h, w)];
          const int32_t scaled = fixed::multiply_by_quantized_multiplier(
              x - r.in_zero_point, r.multiplier, r.shift, single);
          dst[blocked_index(dst_shape, cb, n, first_channel + c, h, w)] =
              static_cast<int8_t>(
                  fixed::clamp(scaled + r.out_zero_point, -128, 127));
        }
      }
    }
  }
}

void quantize_values(const float *src, size_t count, const small_quant &q,
                     int8_t *dst) {
  for (size_t i = 0; i < count; ++i) {
    dst[i] = quantize_value(src[i], q);
  }
}

void dequantize_values(const int8_t *src, size_t count, const small_quant &q,
                       float *dst) {
  for (size_t i = 0; i < count; ++i) {
    dst[i] = dequantize_value(src[i], q);
  }
}

template <typename T>
void reshape_blocked(const T *src, const Shape &src_shape, T *dst,
                     const Shape &dst_shape, size_t cb) {
  std::memset(dst, 0, dst_shape.n * dst_shape.item_floats(cb) * sizeof(T));
  const size_t src_plane = size_t{src_shape.h} * src_shape.w;
  const size_t dst_plane = size_t{dst_shape.h} * dst_shape.w;
  const size_t per_item = size_t{dst_shape.c} * dst_plane;
  for (size_t n = 0; n < dst_shape.n; ++n) {
    for (size_t f = 0; f < per_item; ++f) {
      const size_t dc = f / dst_plane, dh = f % dst_plane / dst_shape.w,
                   dw = f % dst_shape.w;
      const size_t sc = f / src_plane, sh = f % src_plane / src_shape.w,
                   sw = f % src_shape.w;
      dst[blocked_index(dst_shape, cb, n, dc, dh, dw)] =
          src[blocked_index(src_shape, cb, n, sc, sh, sw)];
    }
  }
}

template void copy_channels<float>(const float *, const Shape &, float *,
                                   const Shape &, size_t, size_t);
template void copy_channels<int8_t>(const int8_t *, const Shape &, int8_t *,
                                    const Shape &, size_t, size_t);
template void reshape_blocked<float>(const float *, const Shape &, float *,
                                     const Shape &, size_t);
template void reshape_blocked<int8_t>(const int8_t *, const Shape &, int8_t *,
                                      const Shape &, size_t);

} // namespace small
