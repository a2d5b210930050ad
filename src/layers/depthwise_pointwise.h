// Depthwise-pointwise fusion: a depthwise convolution and the 1x1
// convolution that alone reads its output run band of rows by band of rows.
// The depthwise writes a band of its output into a ring, a small blocked
// tensor of those rows sized to stay in the L1 data cache, and the pointwise
// reads the band from there right away, so the depthwise output never goes
// out to the arena and back (MobileNet's first depthwise output is 147 KB
// with AVX-512's 16-lane blocks: three times the L1 cache).
//
// Both still run through the engine's one loop nest: a band is the layer's
// own WindowOp over the band's rows (the geometry clipped to the input rows
// the band reads, the block steps the whole tensor's), planned once per
// distinct band shape when the layer is prepared. Each output element sums
// the same products as unfused; a band's tiles are cut from its own rows,
// so a narrow one may split a sum over other partial sums (x86/conv_tile.h):
// equal up to float rounding. Thread parts run whole bands, so every split
// gives the same floats.
#ifndef SMALL_LAYERS_DEPTHWISE_POINTWISE_H
#define SMALL_LAYERS_DEPTHWISE_POINTWISE_H

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/window_loop.h"
#include "kernel_contract.h"
#include "small/small.h"
#include "util/aligned_buffer.h"

namespace small {

class DepthwisePointwise {
public:
  // Plans the bands of `depthwise` and `pointwise` (both planned for the
  // whole tensors already; the pointwise reads exactly the depthwise
  // output): bands of as many rows as fit ring_bytes (at least one), one
  // part (no threads).
  [[nodiscard]] small_status plan(const WindowOp &depthwise,
                                  const WindowOp &pointwise,
                                  const small_kernel_table &kernels,
                                  size_t ring_bytes);
  // Threads: `parts` pieces (fewer when there are fewer bands) of
  // near-equal numbers of bands, each with a ring of its own. False, the
  // layer staying whole, for a single band or when the rings cannot be
  // allocated.
  [[nodiscard]] bool plan_parts(size_t parts);
  void run(const small_kernel_table &kernels, const float *in,
           float *out) const;
  void run_part(const small_kernel_table &kernels, const float *in, float *out,
                size_t part) const;
  // Output rows per band, and the rings' bytes (every part's).
  uint32_t band_rows() const { return band_rows_; }
  size_t ring_bytes() const { return rings_.size_bytes(); }

private:
  struct Band {
    uint32_t first_row = 0;    // output rows [first_row, + the op's out_h)
    uint32_t first_in_row = 0; // the first input row it reads
    uint32_t item = 0;         // batch item
    size_t depthwise = 0, pointwise = 0; // indexes into the ops
  };
  void run_bands(const small_kernel_table &kernels, const float *in, float *out,
                 size_t first, size_t end, float *ring) const;
  // The index of an op in `ops` with `geometry`, planned and appended if
  // new: bands of one shape share it.
  static size_t op_for(std::vector<WindowOp> &ops, const WindowOp &whole,
                       const WindowGeometry &geometry, size_t in_block,
                       size_t out_block, const small_kernel_table &kernels);

  std::vector<WindowOp> depthwise_ops_, pointwise_ops_;
  std::vector<Band> bands_;
  std::vector<size_t> part_begin_; // part p: bands [p], [p + 1])
  // Scratch the const run() writes, as it writes the arena.
  mutable AlignedBuffer rings_;
  size_t ring_floats_ = 0; // one part's
  uint32_t band_rows_ = 0;
  size_t in_row_floats_ = 0, out_row_floats_ = 0;
  size_t in_item_floats_ = 0, out_item_floats_ = 0;
};

} // namespace small

#endif
