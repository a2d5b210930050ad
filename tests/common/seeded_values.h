// Deterministic test values in [-1, 1) with no simple pattern, from a seed
// (weights, biases and inputs of the C API tests).
#ifndef SMALL_TESTS_COMMON_SEEDED_VALUES_H
#define SMALL_TESTS_COMMON_SEEDED_VALUES_H

#include <cstddef>
#include <cstdint>
#include <vector>

inline std::vector<float> seeded_values(size_t count, uint32_t seed) {
  std::vector<float> v(count);
  uint32_t s = seed * 2654435761u + 12345u;
  for (float &x : v) {
    s = s * 1664525u + 1013904223u;
    x = static_cast<float>(s >> 8) / static_cast<float>(1u << 23) - 1.0f;
  }
  return v;
}

#endif
