#include "engine/window_plan.h"

#include <algorithm>

namespace small {

TapRange clip_taps(uint32_t out, uint32_t stride, uint32_t pad,
                   uint32_t dilation, uint32_t kernel, uint32_t in_size) {
  // Input index of tap t: start + t * dilation, valid when in [0, in_size).
  const int64_t start = int64_t{out} * stride - pad;
  int64_t begin = 0;
  if (start < 0) {
    begin = (-start + dilation - 1) / dilation;
  }
  int64_t end = 0;
  const int64_t last_in = int64_t{in_size} - 1 - start;
  if (last_in >= 0) {
    end = last_in / dilation + 1;
  }
  end = std::min<int64_t>(end, kernel);
  begin = std::min<int64_t>(begin, kernel);
  if (end < begin) {
    end = begin;
  }
  return {static_cast<uint32_t>(begin), static_cast<uint32_t>(end)};
}

namespace {

// The first output position after `out` whose tap range may differ from
// out's. As the output position grows, the window slides right: the first
// valid tap (clipped by the left border) and the last one (clipped by the
// right border) only ever move down, each at most `kernel` times, and where
// each next moves follows from the same formulas as clip_taps. No overflow:
// (begin - 1) * dilation < -start <= pad and (end - 1) * dilation <= last_in.
int64_t next_tap_change(int64_t out, int64_t stride, int64_t pad,
                        int64_t dilation, int64_t kernel, int64_t in_size) {
  const int64_t start = out * stride - pad;
  int64_t next = INT64_MAX;
  if (start < 0) {
    // begin = min(ceil(-start / dilation), kernel) drops by one once
    // -start <= (begin - 1) * dilation.
    const int64_t begin = std::min((-start + dilation - 1) / dilation, kernel);
    const int64_t until = pad - (begin - 1) * dilation;
    next = (until + stride - 1) / stride;
  }
  const int64_t last_in = in_size - 1 - start;
  if (last_in >= 0) {
    // end = min(last_in / dilation + 1, kernel) drops by one once
    // last_in < (end - 1) * dilation.
    const int64_t end = std::min(last_in / dilation + 1, kernel);
    const int64_t limit = in_size - 1 + pad - (end - 1) * dilation;
    next = std::min(next, limit / stride + 1);
  }
  return next;
}

bool same(TapRange a, TapRange b) {
  return a.begin == b.begin && a.end == b.end;
}

struct TapRun {
  uint32_t first = 0, length = 0;
  TapRange taps;
};

std::vector<TapRun> tap_runs(uint32_t out_size, uint32_t stride, uint32_t pad,
                             uint32_t dilation, uint32_t kernel,
                             uint32_t in_size) {
  std::vector<TapRun> runs;
  int64_t out = 0;
  while (out < out_size) {
    const auto position = static_cast<uint32_t>(out);
    const TapRange r =
        clip_taps(position, stride, pad, dilation, kernel, in_size);
    // A clamped end (end < begin) can move without changing the range:
    // skip such changes so that one range is one run.
    int64_t next = next_tap_change(out, stride, pad, dilation, kernel, in_size);
    while (next < out_size &&
           same(clip_taps(static_cast<uint32_t>(next), stride, pad, dilation,
                          kernel, in_size),
                r)) {
      next = next_tap_change(next, stride, pad, dilation, kernel, in_size);
    }
    next = std::min<int64_t>(next, out_size);
    runs.push_back({position, static_cast<uint32_t>(next - out), r});
    out = next;
  }
  return runs;
}

} // namespace

std::array<WidthSplit, 3> split_widths(uint32_t length, size_t max_width,
                                       size_t multiple) {
  std::array<WidthSplit, 3> split{};
  if (length == 0) {
    return split;
  }
  if (multiple == 0 || max_width % multiple != 0) {
    multiple = 1;
  }
  const auto count =
      static_cast<uint32_t>((size_t{length} + max_width - 1) / max_width);
  const auto m = static_cast<uint32_t>(multiple);
  // Whole multiples shared near-equally; the remainder joins the last of
  // the narrower pieces (there is one: wide < count). It fits: with
  // max_width a multiple of m, narrow * m + remainder <= max_width.
  const uint32_t units = length / m, remainder = length % m;
  const uint32_t narrow = units / count, wide = units % count;
  split[0] = {(narrow + 1) * m, wide};
  split[1] = {narrow * m, count - wide - 1};
  split[2] = {narrow * m + remainder, 1};
  if (remainder == 0) {
    split[1].count += 1;
    split[2] = {};
  }
  return split;
}

std::vector<ColumnTile> plan_columns(const WindowGeometry &g, size_t max_width,
                                     size_t multiple) {
  std::vector<ColumnTile> tiles;
  for (const TapRun &run : tap_runs(g.out_w, g.stride_w, g.pad_left,
                                    g.dilation_w, g.kernel_w, g.in_w)) {
    uint32_t first = run.first;
    for (const WidthSplit &piece :
         split_widths(run.length, max_width, multiple)) {
      if (piece.count != 0) {
        tiles.push_back(
            {first, piece.width, piece.count, run.taps.begin, run.taps.end});
        first += piece.width * piece.count;
      }
    }
  }
  return tiles;
}

std::vector<RowBand> plan_rows(const WindowGeometry &g) {
  std::vector<RowBand> bands;
  for (const TapRun &run : tap_runs(g.out_h, g.stride_h, g.pad_top,
                                    g.dilation_h, g.kernel_h, g.in_h)) {
    bands.push_back({run.first, run.length, run.taps.begin, run.taps.end});
  }
  return bands;
}

} // namespace small
