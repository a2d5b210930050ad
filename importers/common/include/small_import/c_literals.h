// How values are spelled in generated C: exact literals, constant arrays and
// the names of small.h's enum values. The C code generator writes with these.
#ifndef SMALL_IMPORT_C_LITERALS_H
#define SMALL_IMPORT_C_LITERALS_H

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "small/small.h"

namespace small_import {

// printf onto the end of a string.
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void appendf(std::string &out, const char *fmt, ...);

// A float literal that reads back as exactly `v`: hex floats ("0x1.8p-3f"),
// NAN, INFINITY and -INFINITY (<math.h>).
std::string float_literal(float v);

// A literal of type int for any int32_t: INT32_MIN cannot be written as
// -2147483648 (2147483648 does not fit an int).
std::string int32_literal(int32_t v);

// Appends `static const <type> <name>[n]<attribute> = {...};` holding
// `values` (one element, zero, when empty: C has no empty arrays).
void append_array(std::string &out, const std::string &name,
                  const std::vector<float> &values);
void append_array(std::string &out, const std::string &name,
                  const std::vector<int8_t> &values,
                  const char *attribute = "");
void append_array(std::string &out, const std::string &name,
                  const std::vector<int32_t> &values,
                  const char *attribute = "");
void append_array(std::string &out, const std::string &name,
                  const std::vector<uint8_t> &values,
                  const char *attribute = "");

// The int a C enum object holds: C lets any int into it, and reading an
// out-of-range value as the enum type is undefined in C++.
template <typename Enum> int enum_int(const Enum &e) {
  static_assert(sizeof(Enum) == sizeof(int), "C enums are int-sized");
  int v;
  std::memcpy(&v, &e, sizeof v);
  return v;
}

// The enumerator names ("SMALL_PADDING_SAME") of the value an enum object
// holds; nullptr for a value small.h does not define.
const char *padding_mode_name(const small_padding_mode &m);
const char *activation_kind_name(const small_activation_kind &k);
const char *rounding_name(const small_rounding &r);

} // namespace small_import

#endif
