#include "model_files.h"

#include <cstring>
#include <fstream>
#include <sstream>

namespace small_bench {

bool read_file(const std::string &path, std::string *bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return false;
  }
  std::ostringstream all;
  all << in.rdbuf();
  *bytes = all.str();
  return static_cast<bool>(in) || in.eof();
}

bool read_floats(const std::string &path, std::vector<float> *values) {
  std::string bytes;
  if (!read_file(path, &bytes) || bytes.size() % sizeof(float) != 0) {
    return false;
  }
  values->resize(bytes.size() / sizeof(float));
  std::memcpy(values->data(), bytes.data(), bytes.size());
  return true;
}

bool read_int8(const std::string &path, std::vector<int8_t> *values) {
  std::string bytes;
  if (!read_file(path, &bytes)) {
    return false;
  }
  values->resize(bytes.size());
  std::memcpy(values->data(), bytes.data(), bytes.size());
  return true;
}

} // namespace small_bench
