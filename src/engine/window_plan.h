// Where a windowed layer's filter window is clipped by the image border, in
// runs: the output positions along one axis split into runs that see one
// range of filter taps (the left/top border runs, the interior, the
// right/bottom border runs). Planning costs one step per run, never one per
// output position, so an absurdly wide or padded layer plans instantly.
#ifndef SMALL_ENGINE_WINDOW_PLAN_H
#define SMALL_ENGINE_WINDOW_PLAN_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace small {

struct WindowGeometry {
  uint32_t batch = 1;
  uint32_t in_c = 0, in_h = 0, in_w = 0;
  uint32_t out_c = 0, out_h = 0, out_w = 0;
  uint32_t kernel_h = 1, kernel_w = 1;
  uint32_t stride_h = 1, stride_w = 1;
  uint32_t dilation_h = 1, dilation_w = 1;
  uint32_t pad_top = 0, pad_left = 0;
};

// The valid filter taps [begin, end) for output position `out` along one axis.
struct TapRange {
  uint32_t begin = 0, end = 0;
};
TapRange clip_taps(uint32_t out, uint32_t stride, uint32_t pad,
                   uint32_t dilation, uint32_t kernel, uint32_t in_size);

// `count` consecutive column tiles of `width` output columns each, starting
// at first_column, all with one filter-column range. A run of columns is cut
// into the fewest tiles of at most the kernel's max width, of near-equal
// widths (30 columns at max 12 are 10+10+10, not 12+12+6: a narrow last tile
// has too few accumulators to hide the FMA latency), so it is at most two
// ColumnTiles: the wider tiles first, then the ones a column narrower (three
// with a width multiple: split_widths).
struct ColumnTile {
  uint32_t first_column = 0;
  uint32_t width = 0;
  uint32_t count = 1;
  uint32_t tap_begin = 0, tap_end = 0;
};

// A run of output rows that share one clipped filter-row range: the top
// border rows, the interior, the bottom border rows.
struct RowBand {
  uint32_t first_row = 0;
  uint32_t height = 0;
  uint32_t tap_begin = 0, tap_end = 0;
};

// `count` pieces of `width` positions (count 0: none).
struct WidthSplit {
  uint32_t width = 0;
  uint32_t count = 0;
};

// Cuts `length` consecutive positions into the fewest pieces of at most
// max_width, in order. With multiple 1 the widths are near-equal (the
// wider ones first). With a larger multiple (a divisor of max_width, for
// kernels that compute pixels in groups of that many) every piece is a
// near-equal multiple of it, except the last, which also takes the
// remainder of length / multiple (30 at max 16, multiple 4: 16 + 14, where
// near-equal widths give 15 + 15). A multiple that does not divide
// max_width is taken as 1. At most three distinct pieces.
std::array<WidthSplit, 3> split_widths(uint32_t length, size_t max_width,
                                       size_t multiple);

// Splits the output row into column tiles of at most max_width columns (cut
// by split_widths with `multiple`), each with one filter-column range.
// Called once when the layer is prepared.
std::vector<ColumnTile> plan_columns(const WindowGeometry &g, size_t max_width,
                                     size_t multiple = 1);

// Groups the output rows into bands with one filter-row range each.
std::vector<RowBand> plan_rows(const WindowGeometry &g);

} // namespace small

#endif
