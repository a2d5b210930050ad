// C99 code generation from a network description: the weights as const
// arrays (floats as exact hex-float literals; int8 weights with their float
// scales and int32 biases) and one function that builds the network through
// the C API with the calls NetworkBuilder makes, so the generated network is
// bit-for-bit the imported one and needs neither the model file nor its
// parser.
#ifndef SMALL_IMPORT_C_CODEGEN_H
#define SMALL_IMPORT_C_CODEGEN_H

#include <string>

#include "small_import/network_description.h"

namespace small_import {

// Writes `c_path` (arrays + `small_status <prefix>_build(small_network **)`,
// which finalizes) and `h_path` (c_header.h). A layer it cannot spell (an
// unknown enum value) fails with SMALL_ERR_UNSUPPORTED and a message naming
// the layer.
// `format` names the source format in a comment ("ONNX"). Model names reach
// the files only as escaped comments or sanitized identifier fragments.
// On failure returns the status and sets *error.
small_status write_c_source(const NetworkDescription &net,
                            const std::string &format,
                            const std::string &prefix,
                            const std::string &c_path,
                            const std::string &h_path, std::string *error);

} // namespace small_import

#endif
