// What the random network generators share: the random stream of one
// network and the limits the shrinker lowers. A network depends only on its
// seed and its limits, so a (seed, limits) pair replays it exactly.
#ifndef SMALL_TESTS_RANDOM_GENERATOR_H
#define SMALL_TESTS_RANDOM_GENERATOR_H

#include <algorithm>
#include <cstdint>
#include <random>
#include <sstream>
#include <vector>

#include "small/small.h"

namespace rand_net {

class Rng {
public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  uint32_t range(uint32_t lo, uint32_t hi) { // inclusive
    return std::uniform_int_distribution<uint32_t>(lo, hi)(gen_);
  }
  float uniform(float lo, float hi) {
    return std::uniform_real_distribution<float>(lo, hi)(gen_);
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(gen_); }

private:
  std::mt19937_64 gen_;
};

// Caps on what a generator draws: a value above its cap is replaced by the
// cap (not drawn again), so a lower cap gives a smaller network of the same
// layer kinds; the random numbers after it may differ (fewer weights).
struct Limits {
  uint32_t layers = 6;    // layers after the input (the rest are cut)
  uint32_t side = 96;     // input height and width
  uint32_t channels = 64; // input channels, output channels and features
  uint32_t kernel = 5;    // kernel height and width
  uint32_t batch = 3;     // batch items (n) of the inputs
  uint32_t cap_side(uint32_t v) const { return std::min(v, side); }
  uint32_t cap_channels(uint32_t v) const { return std::min(v, channels); }
  uint32_t cap_kernel(uint32_t v) const { return std::min(v, kernel); }
  uint32_t cap_batch(uint32_t v) const { return std::min(v, batch); }
};

// Builds network `seed` under `limits` through the C API, runs it and
// compares it with its reference; false on any failure, with the network's
// description and what went wrong in `log`.
bool float_network(uint64_t seed, const Limits &limits,
                   std::ostringstream &log);
bool int8_network(uint64_t seed, const Limits &limits, std::ostringstream &log);

// After finalize, now and then: hands `net` a caller's arena held in
// `storage` (arena.cpp); false, with the reason in `log`, on any failure.
bool use_caller_arena(Rng &rng, small_network *net, std::ostringstream &log,
                      std::vector<unsigned char> &storage);

} // namespace rand_net

#endif
