// The caller's-arena path of the C API, shared by both generators.
#include <cstdint>

#include "random/generator.h"
#include "small/small.h"

namespace rand_net {

// A caller's arena (small_network_set_arena) for a finalized network, now
// and then: 64-byte aligned or not (then with the bytes alignment takes),
// filled with NaN bytes; sometimes one byte too small first, which must be
// refused and leave the network running on its own arena.
bool use_caller_arena(Rng &rng, small_network *net, std::ostringstream &log,
                      std::vector<unsigned char> &arena) {
  if (!rng.chance(0.4)) {
    return true;
  }
  size_t bytes = 0;
  if (small_network_arena_size(net, &bytes) != SMALL_OK) {
    log << "  refused: arena_size: " << small_last_error() << "\n";
    return false;
  }
  const size_t misalign = rng.chance(0.5) ? rng.range(1, 63) : 0;
  arena.assign(bytes + 128, 0xFF);
  const uintptr_t raw = reinterpret_cast<uintptr_t>(arena.data());
  const size_t to_aligned = (64 - raw % 64) % 64;
  unsigned char *start = arena.data() + to_aligned + misalign;
  const size_t needed = bytes + (misalign == 0 ? 0 : 64 - misalign);
  log << "  caller arena of " << needed << " bytes, " << misalign
      << " past 64-byte alignment\n";
  if (needed > 0 && rng.chance(0.3)) {
    const small_status s = small_network_set_arena(net, start, needed - 1);
    if (s != SMALL_ERR_BUFFER_TOO_SMALL || small_last_error()[0] == '\0') {
      log << "  an arena one byte too small gave status " << s << "\n";
      return false;
    }
    if (rng.chance(0.5)) {
      log << "  (refused an arena one byte too small; the network's own "
             "arena stays)\n";
      return true;
    }
  }
  if (small_network_set_arena(net, start, needed) != SMALL_OK) {
    log << "  refused: set_arena: " << small_last_error() << "\n";
    return false;
  }
  return true;
}

} // namespace rand_net
