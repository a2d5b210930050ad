#include "onnx_values.h"

#include <limits>

namespace small_onnx {

std::string dims_str(const Dims &d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) {
    s += (i ? ", " : "") + std::to_string(d[i]);
  }
  return s + "]";
}

uint64_t product(const Dims &d, size_t first, size_t last) {
  uint64_t p = 1;
  for (size_t i = first; i < last && i < d.size(); ++i) {
    if (d[i] < 0) {
      fail(SMALL_ERR_PARSE, "negative dimension in " + dims_str(d));
    }
    if (d[i] != 0 && p > std::numeric_limits<uint64_t>::max() /
                             static_cast<uint64_t>(d[i])) {
      fail(SMALL_ERR_OVERFLOW,
           "element count of " + dims_str(d) + " overflows 64 bits");
    }
    p *= static_cast<uint64_t>(d[i]);
  }
  return p;
}

void canonical(const Dims &d, uint32_t out[4]) {
  if (d.size() == 1) { // [C]: a single item without a batch axis
    out[0] = 1;
    out[1] = static_cast<uint32_t>(d[0]);
    out[2] = out[3] = 1;
    return;
  }
  out[0] = static_cast<uint32_t>(d[0]);
  out[1] = static_cast<uint32_t>(d[1]);
  out[2] = d.size() == 4 ? static_cast<uint32_t>(d[2]) : 1;
  out[3] = d.size() == 2 ? 1 : static_cast<uint32_t>(d.back());
}

} // namespace small_onnx
