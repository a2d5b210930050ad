#include "layers/padding.h"

#include <limits>

#include "util/error.h"

namespace small {

small_status same_padding(uint32_t in, uint32_t kernel, uint32_t stride,
                          uint32_t dilation, uint32_t &before, uint32_t &after,
                          const std::string &where) {
  if (in == 0 || kernel == 0 || stride == 0 || dilation == 0) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << where << ": in, kernel, stride and dilation must be >= 1";
  }
  const uint64_t out = (uint64_t{in} + stride - 1) / stride;
  const uint64_t extent = (uint64_t{kernel} - 1) * dilation + 1;
  const uint64_t needed = (out - 1) * stride + extent;
  const uint64_t total = needed > in ? needed - in : 0;
  if (total > std::numeric_limits<uint32_t>::max()) {
    return fail(SMALL_ERR_OVERFLOW) << where << ": SAME padding (" << total
                                    << ") does not fit in 32 bits";
  }
  before = static_cast<uint32_t>(total / 2);
  after = static_cast<uint32_t>(total - total / 2);
  return SMALL_OK;
}

small_status resolve_padding(const small_padding_mode &mode, uint32_t in,
                             uint32_t kernel, uint32_t stride,
                             uint32_t dilation, uint32_t &before,
                             uint32_t &after, const std::string &where) {
  const int value = enum_value(mode);
  switch (value) {
  case SMALL_PADDING_EXPLICIT:
    return SMALL_OK;
  case SMALL_PADDING_VALID:
    before = after = 0;
    return SMALL_OK;
  case SMALL_PADDING_SAME:
    return same_padding(in, kernel, stride, dilation, before, after, where);
  default:
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << where << ": unknown padding_mode " << value;
  }
}

small_status window_output_size(uint32_t in, uint32_t kernel, uint32_t stride,
                                uint32_t dilation, uint32_t pad_before,
                                uint32_t pad_after, uint32_t &out,
                                const std::string &where, const char *axis) {
  const uint64_t extent = (uint64_t{kernel} - 1) * dilation + 1;
  const uint64_t padded = uint64_t{in} + pad_before + pad_after;
  if (extent > padded) {
    return fail(SMALL_ERR_SHAPE_MISMATCH)
           << where << ": the " << axis << " window (" << extent
           << " with dilation) is larger than the padded input (" << padded
           << ")";
  }
  const uint64_t size = (padded - extent) / stride + 1;
  if (size > std::numeric_limits<uint32_t>::max()) {
    return fail(SMALL_ERR_OVERFLOW)
           << where << ": the " << axis << " output size (" << size
           << ") does not fit in 32 bits";
  }
  out = static_cast<uint32_t>(size);
  return SMALL_OK;
}

small_status check_conv_padding(uint32_t in, uint32_t kernel, uint32_t dilation,
                                uint32_t pad_before, uint32_t pad_after,
                                const std::string &where, const char *axis) {
  const uint64_t limit = uint64_t{in} + (uint64_t{kernel} - 1) * dilation + 1;
  if (pad_before > limit || pad_after > limit) {
    return fail(SMALL_ERR_UNSUPPORTED)
           << where << ": each " << axis << " padding must be at most " << limit
           << " (the input plus the window with dilation)";
  }
  return SMALL_OK;
}

} // namespace small
