// The configuration a caller gives a network besides its layers: the
// kernel table it packs and runs with (use_kernels, set_packing) and the
// caller's arena (set_arena; finalize_with_arena binds one at finalize).
#include <cstdint>
#include <cstring>

#include "graph/busy_scope.h"
#include "graph/network.h"
#include "graph/targets.h"
#include "util/error.h"

namespace small {

small_status Network::use_kernels(const small_kernel_table &table) {
  SMALL_TRY(require_building("use_kernels"));
  kernels_ = table;
  return SMALL_OK;
}

small_status Network::set_packing(uint32_t channel_block, uint32_t k_group) {
  SMALL_TRY(require_building("set_packing"));
  const bool power_of_two = (channel_block & (channel_block - 1)) == 0;
  if (channel_block < 4 || channel_block > 64 || !power_of_two) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << "set_packing: channel_block must be a power of two from 4 to "
           << "64, got " << channel_block;
  }
  if (k_group == 0 || channel_block % k_group != 0) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << "set_packing: the int8 k-group must divide the channel block "
           << channel_block << ", got " << k_group;
  }
  const small_kernel_table &own = *small_kernels_active();
  if (channel_block == own.channel_block && k_group == own.conv_i8_k_group) {
    kernels_ = own;
    packing_only_ = false;
    return SMALL_OK;
  }
  // The scalar table plans the same blocks and lanes (narrow inputs follow
  // the k-group); its kernels never run on weights packed this way.
  kernels_ = small_kernels_scalar(channel_block);
  kernels_.conv_i8_k_group = k_group;
  packing_only_ = true;
  return SMALL_OK;
}

small_status Network::set_target(const char *name) {
  SMALL_TRY(require_building("set_target"));
  small_kernel_table table{};
  if (!firmware_target_table(name, table)) {
    return fail(SMALL_ERR_INVALID_ARGUMENT)
           << "set_target: unknown target '" << name
           << "' (known: " << firmware_target_names() << ")";
  }
  const small_kernel_table &own = *small_kernels_active();
  packing_only_ = std::strcmp(own.isa, table.isa) != 0;
  kernels_ = packing_only_ ? table : own;
  return SMALL_OK;
}

small_status Network::set_fusion_cache(size_t bytes) {
  SMALL_TRY(require_building("set_fusion_cache"));
  fusion_cache_bytes_ = bytes;
  fusion_cache_set_ = true;
  return SMALL_OK;
}

small_status Network::bind_caller_arena(void *buffer, size_t bytes,
                                        const char *call) {
  const uintptr_t raw = reinterpret_cast<uintptr_t>(buffer);
  const uintptr_t aligned = (raw + kAlignment - 1) / kAlignment * kAlignment;
  const size_t skip = aligned - raw;
  if (bytes < skip || bytes - skip < arena_bytes_) {
    return fail(SMALL_ERR_BUFFER_TOO_SMALL)
           << call << ": " << bytes << " bytes given, " << arena_bytes_ + skip
           << " needed at this alignment (" << arena_bytes_
           << " for a 64-byte aligned buffer)";
  }
  bind_arena(reinterpret_cast<unsigned char *>(aligned));
  owned_arena_.release();
  return SMALL_OK;
}

small_status Network::set_arena(void *buffer, size_t bytes) {
  const BusyScope busy(busy_);
  SMALL_TRY(busy.check("set_arena"));
  if (!finalized_) {
    return fail(SMALL_ERR_INVALID_STATE)
           << "set_arena: finalize the network first (its size is known then)";
  }
  return bind_caller_arena(buffer, bytes, "set_arena");
}

} // namespace small
