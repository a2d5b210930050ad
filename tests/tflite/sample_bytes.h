// The raw sample files of models/mlperf_tiny_tflite (inputs, expected
// outputs) as int8 bytes, for the Catch2 tests of this folder.
#ifndef SMALL_TESTS_TFLITE_SAMPLE_BYTES_H
#define SMALL_TESTS_TFLITE_SAMPLE_BYTES_H

#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

inline std::vector<int8_t> read_int8(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  REQUIRE(f);
  std::vector<char> b((std::istreambuf_iterator<char>(f)),
                      std::istreambuf_iterator<char>());
  return std::vector<int8_t>(b.begin(), b.end());
}

#endif
