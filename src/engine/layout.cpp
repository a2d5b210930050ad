#include "engine/layout.h"

#include <cstring>

namespace small {

namespace {
// Offset of (n, c, h, w) in the blocked layout.
size_t blocked_index(const Shape &s, size_t cb, size_t n, size_t c, size_t h,
                     size_t w) {
  return ((n * s.blocks(cb) + c / cb) * s.h + h) * s.w * cb + w * cb + c % cb;
}
} // namespace

// Both conversions walk the blocked tensor in storage order, one channel
// block at a time, so the inner loop is a run of contiguous lanes (no
// per-element index arithmetic: the network input and output go through here
// on every run).
void to_blocked(const float *src, small_layout layout, const Shape &s,
                size_t cb, float *dst) {
  const size_t plane = size_t{s.h} * s.w;
  if ((cb == 1 && layout == SMALL_LAYOUT_NCHW) || (plane == 1 && s.n == 1)) {
    // Planar is NCHW; a single (c, 1, 1) vector is its blocked form plus
    // zeroed pad lanes.
    std::memcpy(dst, src, s.elements() * sizeof(float));
    std::memset(dst + s.elements(), 0,
                (s.n * s.item_floats(cb) - s.elements()) * sizeof(float));
    return;
  }
  const size_t blocks = s.blocks(cb);
  for (size_t n = 0; n < s.n; ++n) {
    const float *item = src + n * plane * s.c;
    for (size_t b = 0; b < blocks; ++b) {
      const size_t c0 = b * cb;
      const size_t lanes = s.c - c0 < cb ? s.c - c0 : cb;
      float *d = dst + (n * blocks + b) * plane * cb;
      for (size_t p = 0; p < plane; ++p, d += cb) {
        if (layout == SMALL_LAYOUT_NCHW) {
          const float *x = item + c0 * plane + p;
          for (size_t l = 0; l < lanes; ++l) {
            d[l] = x[l * plane];
          }
        } else {
          std::memcpy(d, item + p * s.c + c0, lanes * sizeof(float));
        }
        for (size_t l = lanes; l < cb; ++l) {
          d[l] = 0.0f; // pad lanes
        }
      }
    }
  }
}

void from_blocked(const float *src, const Shape &s, size_t cb,
                  small_layout layout, float *dst) {
  const size_t plane = size_t{s.h} * s.w;
  if (plane == 1 && s.n == 1) {
    std::memcpy(dst, src, s.elements() * sizeof(float));
    return;
  }
  const size_t blocks = s.blocks(cb);
  for (size_t n = 0; n < s.n; ++n) {
    float *item = dst + n * plane * s.c;
    for (size_t b = 0; b < blocks; ++b) {
      const size_t c0 = b * cb;
      const size_t lanes = s.c - c0 < cb ? s.c - c0 : cb;
      const float *x = src + (n * blocks + b) * plane * cb;
      for (size_t p = 0; p < plane; ++p, x += cb) {
        if (layout == SMALL_LAYOUT_NCHW) {
          float *d = item + c0 * plane + p;
          for (size_t l = 0; l < lanes; ++l) {
            d[l * plane] = x[l];
          }
        } else {
          std::memcpy(item + p * s.c + c0, x, lanes * sizeof(float));
        }
      }
    }
  }
}

void copy_channels(const float *src, const Shape &src_shape, float *dst,
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

void reshape_blocked(const float *src, const Shape &src_shape, float *dst,
                     const Shape &dst_shape, size_t cb) {
  std::memset(dst, 0, dst_shape.n * dst_shape.item_floats(cb) * sizeof(float));
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

} // namespace small
