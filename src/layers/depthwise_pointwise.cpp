#include "layers/depthwise_pointwise.h"

#include <algorithm>

#include "util/error.h"

namespace small {

namespace {

// Floats of `blocks` blocks of `rows` rows of `width` pixels, rounded up to
// a whole 64-byte line so that every part's ring starts aligned.
size_t ring_floats(size_t blocks, size_t rows, size_t width, size_t cb) {
  const size_t floats = blocks * rows * width * cb;
  constexpr size_t kLine = 64 / sizeof(float);
  return (floats + kLine - 1) / kLine * kLine;
}

bool same_geometry(const WindowGeometry &a, const WindowGeometry &b) {
  return a.in_h == b.in_h && a.out_h == b.out_h && a.pad_top == b.pad_top &&
         a.in_w == b.in_w && a.out_w == b.out_w;
}

} // namespace

size_t DepthwisePointwise::op_for(std::vector<WindowOp> &ops,
                                  const WindowOp &whole,
                                  const WindowGeometry &geometry,
                                  size_t in_block, size_t out_block,
                                  const small_kernel_table &kernels) {
  for (size_t i = 0; i < ops.size(); ++i) {
    if (same_geometry(ops[i].geometry, geometry)) {
      return i;
    }
  }
  WindowOp op = whole;
  op.geometry = geometry;
  op.in_block_elements = in_block;
  op.out_block_elements = out_block;
  op.partition = WindowPartition{};
  plan_window(op, kernels);
  ops.push_back(std::move(op));
  return ops.size() - 1;
}

small_status DepthwisePointwise::plan(const WindowOp &depthwise,
                                      const WindowOp &pointwise,
                                      const small_kernel_table &kernels,
                                      size_t ring_bytes) {
  const WindowGeometry &g = depthwise.geometry;
  const WindowGeometry &p = pointwise.geometry;
  const size_t cb = kernels.channel_block;
  const size_t mid_blocks = (size_t{g.out_c} + cb - 1) / cb;
  const size_t row_bytes = mid_blocks * g.out_w * cb * sizeof(float);
  band_rows_ = static_cast<uint32_t>(
      std::clamp<size_t>(ring_bytes / row_bytes, 1, g.out_h));
  ring_floats_ = ring_floats(mid_blocks, band_rows_, g.out_w, cb);
  in_row_floats_ = size_t{g.in_w} * cb;
  out_row_floats_ = size_t{g.out_w} * cb;
  in_item_floats_ = depthwise.in_item_floats;
  out_item_floats_ = pointwise.out_item_floats;
  const size_t in_block = size_t{g.in_h} * g.in_w * cb;
  const size_t out_block = size_t{p.out_h} * p.out_w * cb;
  depthwise_ops_.clear();
  pointwise_ops_.clear();
  bands_.clear();
  for (uint32_t first = 0; first < g.out_h; first += band_rows_) {
    const uint32_t rows = std::min<uint32_t>(band_rows_, g.out_h - first);
    // The input rows the band's windows reach, [top, bottom], clipped to
    // the image; what the clip removes at the top is the band's padding.
    const int64_t top = int64_t{first} * g.stride_h - g.pad_top;
    const int64_t bottom = int64_t{first + rows - 1} * g.stride_h - g.pad_top +
                           int64_t{g.kernel_h - 1} * g.dilation_h;
    const int64_t first_in = std::max<int64_t>(top, 0);
    const int64_t end_in = std::min<int64_t>(bottom + 1, g.in_h);
    WindowGeometry dw = g;
    dw.batch = 1;
    dw.in_h = static_cast<uint32_t>(end_in - first_in);
    dw.out_h = rows;
    dw.pad_top = static_cast<uint32_t>(first_in - top);
    // The band's rows are one run of pixels in every block, of the ring
    // and of the output alike: the pointwise band is one row of them, as
    // the whole layer is one row of the image (conv_geometry).
    WindowGeometry pw = p;
    pw.batch = 1;
    pw.in_h = pw.out_h = 1;
    pw.in_w = pw.out_w = rows * g.out_w;
    Band band;
    band.first_row = first;
    band.first_in_row = static_cast<uint32_t>(first_in);
    band.depthwise =
        op_for(depthwise_ops_, depthwise, dw, in_block, 0, kernels);
    band.pointwise =
        op_for(pointwise_ops_, pointwise, pw, 0, out_block, kernels);
    bands_.push_back(band);
  }
  // Every batch item's bands, item after item.
  const size_t per_item = bands_.size();
  for (uint32_t item = 1; item < g.batch; ++item) {
    for (size_t i = 0; i < per_item; ++i) {
      Band band = bands_[i];
      band.item = item;
      bands_.push_back(band);
    }
  }
  part_begin_ = {0, bands_.size()};
  return rings_.reset(ring_floats_ * sizeof(float), "depthwise-pointwise ring");
}

bool DepthwisePointwise::plan_parts(size_t parts) {
  parts = std::min(parts, bands_.size());
  if (parts < 2) {
    return false; // one band: nothing to split
  }
  // Into a buffer of its own first: on failure the layer keeps its ring.
  AlignedBuffer rings;
  if (rings.reset(parts * ring_floats_ * sizeof(float),
                  "depthwise-pointwise rings") != SMALL_OK) {
    return false;
  }
  rings_ = std::move(rings);
  part_begin_.resize(parts + 1);
  for (size_t i = 0; i <= parts; ++i) {
    part_begin_[i] = bands_.size() * i / parts;
  }
  return true;
}

void DepthwisePointwise::run_bands(const small_kernel_table &kernels,
                                   const float *in, float *out, size_t first,
                                   size_t end, float *ring) const {
  for (size_t i = first; i < end; ++i) {
    const Band &band = bands_[i];
    run_window(depthwise_ops_[band.depthwise], kernels,
               in + band.item * in_item_floats_ +
                   band.first_in_row * in_row_floats_,
               ring);
    run_window(pointwise_ops_[band.pointwise], kernels, ring,
               out + band.item * out_item_floats_ +
                   band.first_row * out_row_floats_);
  }
}

void DepthwisePointwise::run(const small_kernel_table &kernels, const float *in,
                             float *out) const {
  run_bands(kernels, in, out, 0, bands_.size(), rings_.floats());
}

void DepthwisePointwise::run_part(const small_kernel_table &kernels,
                                  const float *in, float *out,
                                  size_t part) const {
  if (part + 1 < part_begin_.size()) {
    run_bands(kernels, in, out, part_begin_[part], part_begin_[part + 1],
              rings_.floats() + part * ring_floats_);
  }
}

} // namespace small
