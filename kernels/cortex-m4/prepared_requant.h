// What the Cortex-M4 table prepares per output block of an int8 convolution
// or depthwise layer (the table's prepare_requant_i8, kernel_contract.h):
// each lane's fused rounding, derived once per layer instead of once per
// tile, and in flash with a compiled plan. Without the core's intrinsics, so
// that the host prepares the same bytes when it plans for this core
// (src/graph/targets.cpp).
#ifndef SMALL_KERNELS_CORTEX_M4_PREPARED_REQUANT_H
#define SMALL_KERNELS_CORTEX_M4_PREPARED_REQUANT_H

#include <cstdint>

#include "cortex-m/fused_rounding.h"
#include "cortex-m4/geometry.h"

namespace small::cortex_m4 {

struct PreparedBlock {
  // TFLite's double rounding fused (its high word with the zero point), or
  // general() for the lanes that cannot take it; every lane general() with
  // single rounding.
  cortex_m::FusedRounding lanes[kChannelBlock];
  uint32_t general_lanes; // bit l: lane l is general()
  uint32_t wide_lanes;    // bit l: lane l is wide() (general() too)
};

inline void prepare_requant_i8(const int32_t *multiplier, const int32_t *shift,
                               int single_rounding, int32_t out_zero_point,
                               void *out) {
  PreparedBlock block{};
  // Once per block of a layer being prepared: a loop, not 8 unrolled copies
  // of fused_rounding (0.5 KB of the runtime's flash).
#pragma GCC unroll 1
  for (uint32_t l = 0; l < kChannelBlock; ++l) {
    block.lanes[l] =
        single_rounding != 0
            ? cortex_m::FusedRounding{0, 0, cortex_m::FusedRounding::kGeneral}
            : cortex_m::fused_rounding(multiplier[l], shift[l], out_zero_point);
    block.general_lanes |= block.lanes[l].general() ? 1u << l : 0u;
    block.wide_lanes |= block.lanes[l].wide() ? 1u << l : 0u;
  }
  *static_cast<PreparedBlock *>(out) = block;
}

} // namespace small::cortex_m4

#endif
