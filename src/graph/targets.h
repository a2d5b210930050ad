// The kernel configurations a host build can plan and pack for besides its
// own: the firmware targets (small_network_set_target). Each is the scalar
// table with the target table's geometry (kernels/<isa>/geometry.h, the
// numbers the device's table is built from), so the host cuts the same
// tiles and packs the same weights; its kernels never run such a plan.
#ifndef SMALL_GRAPH_TARGETS_H
#define SMALL_GRAPH_TARGETS_H

#include "kernel_contract.h"

namespace small {

// The table that plans for `name` ("cortex-m4", "cortex-m55"); false for
// an unknown name.
bool firmware_target_table(const char *name, small_kernel_table &table);

// The names firmware_target_table knows, for messages.
const char *firmware_target_names();

} // namespace small

#endif
