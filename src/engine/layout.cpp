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

void to_blocked(const float *src, small_layout layout, const Shape &s,
                size_t cb, float *dst) {
  const size_t total = s.n * s.item_floats(cb);
  std::memset(dst, 0, total * sizeof(float));
  for (size_t n = 0; n < s.n; ++n) {
    for (size_t c = 0; c < s.c; ++c) {
      for (size_t h = 0; h < s.h; ++h) {
        for (size_t w = 0; w < s.w; ++w) {
          const size_t i = layout == SMALL_LAYOUT_NCHW
                               ? ((n * s.c + c) * s.h + h) * s.w + w
                               : ((n * s.h + h) * s.w + w) * s.c + c;
          dst[blocked_index(s, cb, n, c, h, w)] = src[i];
        }
      }
    }
  }
}

void from_blocked(const float *src, const Shape &s, size_t cb,
                  small_layout layout, float *dst) {
  for (size_t n = 0; n < s.n; ++n) {
    for (size_t c = 0; c < s.c; ++c) {
      for (size_t h = 0; h < s.h; ++h) {
        for (size_t w = 0; w < s.w; ++w) {
          const size_t i = layout == SMALL_LAYOUT_NCHW
                               ? ((n * s.c + c) * s.h + h) * s.w + w
                               : ((n * s.h + h) * s.w + w) * s.c + c;
          dst[i] = src[blocked_index(s, cb, n, c, h, w)];
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
