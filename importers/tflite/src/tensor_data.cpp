#include "tensor_data.h"

#include <cmath>
#include <cstring>

namespace small_tflite {
namespace {

// IEEE half -> float (subnormals, infinities and NaN included).
float half_to_float(uint16_t h) {
  const uint32_t sign = (h >> 15) & 1u;
  const uint32_t exponent = (h >> 10) & 0x1fu;
  const uint32_t mantissa = h & 0x3ffu;
  float magnitude;
  if (exponent == 0) {
    magnitude = std::ldexp(static_cast<float>(mantissa), -24);
  } else if (exponent == 31) {
    magnitude = mantissa == 0 ? INFINITY : NAN;
  } else {
    magnitude = std::ldexp(static_cast<float>(mantissa | 0x400u),
                           static_cast<int>(exponent) - 25);
  }
  return sign ? -magnitude : magnitude;
}

template <typename T> T load(const uint8_t *p) {
  T v;
  std::memcpy(&v, p, sizeof v); // file data need not be aligned
  return v;
}

void require_constant(const TensorInfo &t, const std::string &what) {
  if (t.data == nullptr) {
    fail(SMALL_ERR_UNSUPPORTED,
         what + " (" + t.label() +
             ") must be a constant tensor (computed weights are not "
             "supported)");
  }
}

// Dequantizes int8 data with per-tensor or per-channel parameters.
std::vector<float> dequantize_int8(const TensorInfo &t,
                                   const std::string &what) {
  const Quantization &q = t.quant;
  if (!q.present()) {
    fail(SMALL_ERR_UNSUPPORTED, what + " (" + t.label() +
                                    ") is INT8 without quantization "
                                    "parameters");
  }
  const size_t count = t.bytes;
  // Elements share a channel over `inner` consecutive values.
  size_t inner = 1;
  if (q.scales.size() > 1) {
    for (size_t k = static_cast<size_t>(q.dimension) + 1; k < t.dims.size();
         ++k) {
      inner *= static_cast<size_t>(t.dims[k]);
    }
  }
  std::vector<float> out(count);
  for (size_t i = 0; i < count; ++i) {
    const size_t ch = q.scales.size() > 1 ? (i / inner) % q.scales.size() : 0;
    const int32_t v = static_cast<int8_t>(t.data[i]);
    out[i] = q.scales[ch] * static_cast<float>(v - q.zero_points[ch]);
  }
  return out;
}

} // namespace

std::string dims_str(const Dims &d) {
  std::string s = "[";
  for (size_t k = 0; k < d.size(); ++k) {
    s += (k ? ", " : "") + std::to_string(d[k]);
  }
  return s + "]";
}

uint64_t element_count(const Dims &d) {
  uint64_t n = 1;
  for (int64_t x : d) {
    n *= static_cast<uint64_t>(x);
  }
  return n;
}

std::string type_name(int type) {
  static const char *const kNames[] = {
      "FLOAT32", "FLOAT16",  "INT32",     "UINT8",  "INT64",   "STRING",
      "BOOL",    "INT16",    "COMPLEX64", "INT8",   "FLOAT64", "COMPLEX128",
      "UINT64",  "RESOURCE", "VARIANT",   "UINT32", "UINT16",  "INT4"};
  if (type >= 0 && type < static_cast<int>(sizeof kNames / sizeof *kNames)) {
    return kNames[type];
  }
  return "type " + std::to_string(type);
}

size_t element_bytes(int type) {
  switch (type) {
  case 0:  // FLOAT32
  case 2:  // INT32
  case 15: // UINT32
    return 4;
  case 1:  // FLOAT16
  case 7:  // INT16
  case 16: // UINT16
    return 2;
  case 3: // UINT8
  case 6: // BOOL
  case 9: // INT8
    return 1;
  case 4:  // INT64
  case 8:  // COMPLEX64
  case 10: // FLOAT64
  case 12: // UINT64
    return 8;
  case 11: // COMPLEX128
    return 16;
  default:
    return 0;
  }
}

std::vector<float> constant_floats(const TensorInfo &t,
                                   const std::string &what) {
  require_constant(t, what);
  const size_t count = static_cast<size_t>(element_count(t.dims));
  std::vector<float> out;
  switch (t.type) {
  case kFloat32:
    out.resize(count);
    std::memcpy(out.data(), t.data, count * sizeof(float));
    return out;
  case kFloat16:
    out.resize(count);
    for (size_t i = 0; i < count; ++i) {
      out[i] = half_to_float(load<uint16_t>(t.data + 2 * i));
    }
    return out;
  case kInt8:
    return dequantize_int8(t, what);
  default:
    fail(SMALL_ERR_UNSUPPORTED, what + " (" + t.label() + ") is " +
                                    type_name(t.type) +
                                    "; float32, float16 or int8 expected");
  }
}

std::vector<int64_t> constant_ints(const TensorInfo &t,
                                   const std::string &what) {
  require_constant(t, what);
  const size_t count = static_cast<size_t>(element_count(t.dims));
  std::vector<int64_t> out(count);
  if (t.type == kInt32) {
    for (size_t i = 0; i < count; ++i) {
      out[i] = load<int32_t>(t.data + 4 * i);
    }
  } else if (t.type == kInt64) {
    for (size_t i = 0; i < count; ++i) {
      out[i] = load<int64_t>(t.data + 8 * i);
    }
  } else {
    fail(SMALL_ERR_UNSUPPORTED, what + " (" + t.label() + ") is " +
                                    type_name(t.type) +
                                    "; INT32 or INT64 expected");
  }
  return out;
}

} // namespace small_tflite
