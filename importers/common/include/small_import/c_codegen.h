// C99 code generation from a network description: the weights as const
// arrays (floats as exact hex-float literals; int8 weights with their float
// scales and int32 biases) and one function that builds the network through
// the C API with the calls NetworkBuilder makes, so the generated network is
// bit-for-bit the imported one and needs neither the model file nor its
// parser.
#ifndef SMALL_IMPORT_C_CODEGEN_H
#define SMALL_IMPORT_C_CODEGEN_H

#include <cstdint>
#include <string>
#include <vector>

#include "small_import/network_description.h"

namespace small_import {

// int8 weights packed on the host for a firmware target's kernels
// (small_network_set_packing, then small_network_packed_weights): one entry
// per int8 Conv2D or Dense layer of the description, in its order.
struct PackedInt8Layer {
  std::vector<int8_t> bytes;
  uint32_t layout = 0;
  // Bias, multiplier and shift, each padded to whole channel blocks.
  std::vector<int32_t> requant;
};
struct PackedTarget {
  std::string name; // "cortex-m4", for the generated comment
  uint32_t channel_block = 0, k_group = 0;
  std::vector<PackedInt8Layer> layers;
  // The arena the target's network plans (small_network_arena_size): the
  // generated code finalizes in a static buffer of that size.
  size_t arena_bytes = 0;
};

// Writes `c_path` (arrays + `small_status <prefix>_build(small_network **)`,
// which finalizes) and `h_path` (c_header.h). A layer it cannot spell (an
// unknown enum value) fails with SMALL_ERR_UNSUPPORTED and a message naming
// the layer.
// `format` names the source format in a comment ("ONNX"). Model names reach
// the files only as escaped comments or sanitized identifier fragments.
// With `packed`, the int8 Conv2D and Dense layers are built from its
// packed arrays (small_network_add_*_int8_packed: borrowed in place, no
// copy on the device), which only that target's build accepts, and the
// network runs in a static arena (small_network_finalize_with_arena).
// On failure returns the status and sets *error.
small_status write_c_source(const NetworkDescription &net,
                            const std::string &format,
                            const std::string &prefix,
                            const std::string &c_path,
                            const std::string &h_path, std::string *error,
                            const PackedTarget *packed = nullptr);

} // namespace small_import

#endif
