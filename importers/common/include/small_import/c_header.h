// The header small-codegen writes next to the generated C: the build
// function's declaration and, per network input and output, its shape, its
// element count and, for int8 ones, its quantization as macros firmware can
// quantize and dequantize with.
#ifndef SMALL_IMPORT_C_HEADER_H
#define SMALL_IMPORT_C_HEADER_H

#include <string>

#include "small_import/network_description.h"

namespace small_import {

// The header text for `net` whose build function is <prefix>_build (prefix
// already checked to be a C identifier).
std::string c_header_text(const NetworkDescription &net,
                          const std::string &prefix);

} // namespace small_import

#endif
