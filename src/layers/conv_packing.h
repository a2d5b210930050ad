// Packing of convolution weights into the engine's blocked form, for float
// and int8 weights alike (the same shapes, one element type each), and the
// window geometry every convolution layer hands the engine.
#ifndef SMALL_LAYERS_CONV_PACKING_H
#define SMALL_LAYERS_CONV_PACKING_H

#include <algorithm>
#include <string>
#include <vector>

#include "engine/window_loop.h"
#include "layers/conv2d.h"
#include "layers/window_geometry.h"
#include "util/aligned_buffer.h"
#include "util/checked_math.h"

namespace small {

// Where input lane i, output lane o sits in one lanes x Cb matrix when the
// input lanes come in groups of k_group per output lane (the int8 kernels'
// dot-product layout, kernel_contract.h: small_kernel_table.conv_i8_k_group).
// k_group 1 is the plain [lane][Cb] layout; a planar input (one lane) has
// a single row whatever the group.
inline size_t packed_lane_index(size_t i, size_t o, size_t cb, size_t k_group) {
  return (i / k_group) * cb * k_group + o * k_group + i % k_group;
}

// The layout of packed convolution weights (see pack_conv_weights) without
// the values: fills `ranges` (one per output block) and `elements`, the
// packed weights' count. Weights packed elsewhere (on the host for this
// kernel table: small_network_add_conv2d_int8_packed) use it to check their
// size and to find their blocks.
[[nodiscard]] inline small_status
plan_conv_packing(const ConvSpec &s, size_t lanes, size_t cb,
                  std::vector<InputBlockRange> &ranges, size_t &elements) {
  const size_t C = s.input.c, K = s.out_channels;
  const size_t Cg = C / s.groups, Kg = K / s.groups;
  const size_t taps = size_t{s.kernel_h} * s.kernel_w;
  const size_t out_blocks = ceil_div(K, cb);
  const std::string what = "conv2d packed weights";

  ranges.assign(out_blocks, {});
  size_t total = 0;
  for (size_t ob = 0; ob < out_blocks; ++ob) {
    const size_t k0 = ob * cb, k1 = std::min(K, k0 + cb);
    const size_t c0 = k0 / Kg * Cg, c1 = ((k1 - 1) / Kg + 1) * Cg;
    InputBlockRange &r = ranges[ob];
    r.first_block = c0 / lanes;
    const size_t end_block = ceil_div(c1, lanes);
    r.count = end_block - r.first_block;
    r.last_channels = std::min(C, end_block * lanes) - (end_block - 1) * lanes;
    r.weight_offset = total;
    size_t block_elements = 0;
    SMALL_TRY(checked_mul(r.count, taps, block_elements, what));
    SMALL_TRY(checked_mul(block_elements, lanes * cb, block_elements, what));
    SMALL_TRY(checked_add(total, block_elements, total, what));
  }
  elements = total;
  return SMALL_OK;
}

// Packed convolution weights: [out block][input block][tap][lanes x Cb],
// one lanes x Cb matrix per (input block, tap), [lane][Cb] or grouped by
// k_group (packed_lane_index). Input blocks hold Cb channels, or one
// channel for a planar network input (lanes == 1). Fills `ranges` (one per
// output block).
template <typename T>
[[nodiscard]] small_status
pack_conv_weights(const ConvSpec &s, size_t lanes, size_t cb,
                  const std::vector<T> &oihw,
                  std::vector<InputBlockRange> &ranges, AlignedBuffer &packed,
                  size_t k_group = 1) {
  const size_t group = lanes == 1 ? 1 : k_group;
  const size_t C = s.input.c, K = s.out_channels;
  const size_t Cg = C / s.groups, Kg = K / s.groups;
  const size_t taps = size_t{s.kernel_h} * s.kernel_w;
  const size_t out_blocks = ceil_div(K, cb);
  const std::string what = "conv2d packed weights";
  size_t total = 0;
  SMALL_TRY(plan_conv_packing(s, lanes, cb, ranges, total));
  size_t bytes = 0;
  SMALL_TRY(checked_mul(total, sizeof(T), bytes, what));
  SMALL_TRY(packed.reset(bytes, "conv2d packed weights"));
  T *dst_base = packed.as<T>();
  for (size_t ob = 0; ob < out_blocks; ++ob) {
    const InputBlockRange &r = ranges[ob];
    for (size_t b = 0; b < r.count; ++b) {
      for (size_t t = 0; t < taps; ++t) {
        T *dst = dst_base + r.weight_offset + (b * taps + t) * lanes * cb;
        for (size_t i = 0; i < lanes; ++i) {
          const size_t c = (r.first_block + b) * lanes + i;
          for (size_t o = 0; o < cb; ++o) {
            const size_t k = ob * cb + o;
            if (c >= C || k >= K || c / Cg != k / Kg) {
              continue; // stays zero: padding or another group
            }
            dst[packed_lane_index(i, o, cb, group)] =
                oihw[(k * Cg + (c - k / Kg * Cg)) * taps + t];
          }
        }
      }
    }
  }
  return SMALL_OK;
}

// The element count of packed depthwise weights ([C/Cb][tap][Cb]).
[[nodiscard]] inline small_status
depthwise_packed_elements(const ConvSpec &s, size_t cb, size_t &elements) {
  return checked_mul(ceil_div(s.input.c, cb) * cb,
                     size_t{s.kernel_h} * s.kernel_w, elements,
                     "depthwise packed weights");
}

// Depthwise weights: [C/Cb][tap][Cb].
template <typename T>
[[nodiscard]] small_status pack_depthwise_weights(const ConvSpec &s, size_t cb,
                                                  const std::vector<T> &oihw,
                                                  AlignedBuffer &packed) {
  const size_t C = s.input.c;
  const size_t taps = size_t{s.kernel_h} * s.kernel_w;
  size_t bytes = 0;
  SMALL_TRY(depthwise_packed_elements(s, cb, bytes));
  SMALL_TRY(checked_mul(bytes, sizeof(T), bytes, "depthwise packed weights"));
  SMALL_TRY(packed.reset(bytes, "depthwise packed weights"));
  T *dst = packed.as<T>();
  for (size_t c = 0; c < C; ++c) {
    for (size_t t = 0; t < taps; ++t) {
      dst[(c / cb * taps + t) * cb + c % cb] = oihw[c * taps + t];
    }
  }
  return SMALL_OK;
}

// The engine's geometry of a convolution. A 1x1, stride-1, unpadded window
// maps pixel p to pixel p: view the image as one row of h*w pixels so tiles
// stay full on small images (a 3x3 image is one 9-wide tile instead of
// three 3-wide ones). Only when h*w fits the geometry's 32-bit width.
inline WindowGeometry conv_geometry(const ConvSpec &spec, const Shape &output) {
  WindowGeometry g = window_geometry(spec, output);
  const uint64_t pixels = uint64_t{g.in_h} * g.in_w;
  if (g.kernel_h == 1 && g.kernel_w == 1 && g.stride_h == 1 &&
      g.stride_w == 1 && spec.pad_top == 0 && spec.pad_bottom == 0 &&
      spec.pad_left == 0 && spec.pad_right == 0 && pixels <= UINT32_MAX) {
    g.in_w = g.out_w = static_cast<uint32_t>(pixels);
    g.in_h = g.out_h = 1;
  }
  return g;
}

} // namespace small

#endif
