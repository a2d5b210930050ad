#include "small_import/c_literals.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>

namespace small_import {
namespace {

// The array text: `per_line` elements a line, each spelled by `spell`.
template <typename T, typename Spell>
void append_values(std::string &out, const char *type, const std::string &name,
                   const std::vector<T> &values, size_t per_line, Spell spell,
                   const char *attribute) {
  appendf(out, "static const %s %s[%zu]%s = {", type, name.c_str(),
          std::max<size_t>(values.size(), 1), attribute);
  for (size_t i = 0; i < values.size(); ++i) {
    out += i % per_line == 0 ? "\n    " : " ";
    out += spell(values[i]);
    out += ',';
  }
  out += values.empty() ? "0};\n" : "\n};\n";
}

} // namespace

void appendf(std::string &out, const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  va_list again;
  va_copy(again, args);
  const int n = std::vsnprintf(nullptr, 0, fmt, args);
  va_end(args);
  if (n > 0) {
    const size_t at = out.size();
    out.resize(at + static_cast<size_t>(n) + 1);
    std::vsnprintf(&out[at], static_cast<size_t>(n) + 1, fmt, again);
    out.resize(at + static_cast<size_t>(n));
  }
  va_end(again);
}

std::string float_literal(float v) {
  if (std::isnan(v)) {
    return "NAN";
  }
  if (std::isinf(v)) {
    return v > 0 ? "INFINITY" : "-INFINITY";
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%af", static_cast<double>(v));
  return buf;
}

std::string int32_literal(int32_t v) {
  return v == INT32_MIN ? "(-2147483647 - 1)" : std::to_string(v);
}

void append_array(std::string &out, const std::string &name,
                  const std::vector<float> &values) {
  append_values(out, "float", name, values, 6, float_literal, "");
}

void append_array(std::string &out, const std::string &name,
                  const std::vector<int8_t> &values, const char *attribute) {
  append_values(
      out, "int8_t", name, values, 16,
      [](int8_t v) { return std::to_string(v); }, attribute);
}

void append_array(std::string &out, const std::string &name,
                  const std::vector<int32_t> &values, const char *attribute) {
  append_values(out, "int32_t", name, values, 8, int32_literal, attribute);
}

void append_array(std::string &out, const std::string &name,
                  const std::vector<uint8_t> &values, const char *attribute) {
  append_values(
      out, "unsigned char", name, values, 16,
      [](uint8_t v) { return std::to_string(v); }, attribute);
}

const char *padding_mode_name(const small_padding_mode &m) {
  switch (enum_int(m)) {
  case SMALL_PADDING_EXPLICIT:
    return "SMALL_PADDING_EXPLICIT";
  case SMALL_PADDING_SAME:
    return "SMALL_PADDING_SAME";
  case SMALL_PADDING_VALID:
    return "SMALL_PADDING_VALID";
  }
  return nullptr;
}

const char *activation_kind_name(const small_activation_kind &k) {
  switch (enum_int(k)) {
  case SMALL_ACT_NONE:
    return "SMALL_ACT_NONE";
  case SMALL_ACT_RELU:
    return "SMALL_ACT_RELU";
  case SMALL_ACT_RELU6:
    return "SMALL_ACT_RELU6";
  case SMALL_ACT_LEAKY_RELU:
    return "SMALL_ACT_LEAKY_RELU";
  case SMALL_ACT_CLIP:
    return "SMALL_ACT_CLIP";
  case SMALL_ACT_SIGMOID:
    return "SMALL_ACT_SIGMOID";
  case SMALL_ACT_HARD_SWISH:
    return "SMALL_ACT_HARD_SWISH";
  case SMALL_ACT_HARD_SIGMOID:
    return "SMALL_ACT_HARD_SIGMOID";
  }
  return nullptr;
}

const char *rounding_name(const small_rounding &r) {
  switch (enum_int(r)) {
  case SMALL_ROUNDING_DOUBLE:
    return "SMALL_ROUNDING_DOUBLE";
  case SMALL_ROUNDING_SINGLE:
    return "SMALL_ROUNDING_SINGLE";
  }
  return nullptr;
}

} // namespace small_import
