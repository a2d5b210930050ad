#include "graph/targets.h"

#include <cstring>

#include "cortex-m4/geometry.h"
#include "cortex-m4/prepared_requant.h"
#include "helium/geometry.h"

namespace small {

namespace {

struct Geometry {
  size_t channel_block, k_group;
  size_t conv_max_width, conv_max_out_blocks, conv_width_multiple;
  size_t window_max_width;
  bool depthwise_across_blocks;
};

// The scalar table with a target's geometry (as its active_table.cpp sets
// it) and ISA name.
small_kernel_table planning_table(const char *isa, const Geometry &g) {
  small_kernel_table t = small_kernels_scalar(g.channel_block);
  t.isa = isa;
  t.conv_max_width = g.conv_max_width;
  t.conv_max_out_blocks = g.conv_max_out_blocks;
  t.conv_width_multiple = g.conv_width_multiple;
  t.window_max_width = g.window_max_width;
  t.depthwise_across_blocks = g.depthwise_across_blocks ? 1 : 0;
  t.conv_i8_k_group = g.k_group;
  return t;
}

} // namespace

bool firmware_target_table(const char *name, small_kernel_table &table) {
  if (std::strcmp(name, "cortex-m4") == 0) {
    using namespace cortex_m4;
    table =
        planning_table("cortex-m4", {kChannelBlock, kConvGroup, kConvMaxWidth,
                                     kConvMaxOutBlocks, kConvWidthMultiple,
                                     kWindowMaxWidth, kDepthwiseAcrossBlocks});
    // The bytes the device's table prepares, prepared here the same way.
    table.requant_i8_bytes = sizeof(PreparedBlock);
    table.prepare_requant_i8 = prepare_requant_i8;
    return true;
  }
  if (std::strcmp(name, "cortex-m55") == 0) {
    using namespace helium;
    table = planning_table("helium", {kChannelBlock, kConvGroup, kConvMaxWidth,
                                      kConvMaxOutBlocks, kConvWidthMultiple,
                                      kWindowMaxWidth, kDepthwiseAcrossBlocks});
    return true;
  }
  return false;
}

const char *firmware_target_names() { return "cortex-m4, cortex-m55"; }

} // namespace small
