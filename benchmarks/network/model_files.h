// Reading the benchmark's model, input and expected-output files.
#ifndef SMALL_BENCH_MODEL_FILES_H
#define SMALL_BENCH_MODEL_FILES_H

#include <cstdint>
#include <string>
#include <vector>

namespace small_bench {

// Whole file into *bytes; false if it cannot be read.
bool read_file(const std::string &path, std::string *bytes);

// A raw little-endian float32 file (the models' *.input.bin /
// *.expected.bin); false if unreadable or its size is not a multiple of 4.
bool read_floats(const std::string &path, std::vector<float> *values);

// A raw int8 file (the .tflite models' *.int8.input.bin / *.expected.bin);
// false if unreadable.
bool read_int8(const std::string &path, std::vector<int8_t> *values);

} // namespace small_bench

#endif
