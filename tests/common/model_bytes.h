// What the importers' robustness tests share, whatever the model format:
// seeded mutations of a model file's bytes (the corruption tests) and one
// run of an imported network on constant inputs (the corruption tests and
// the libFuzzer loaders). Header-only and free of Catch2, so the fuzz
// targets can use it.
#ifndef SMALL_TESTS_COMMON_MODEL_BYTES_H
#define SMALL_TESTS_COMMON_MODEL_BYTES_H

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "small/small.h"

namespace small_test {

// xorshift64: the same mutations on every machine and standard library.
struct XorShiftRng {
  uint64_t s;
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  size_t below(size_t n) { return n == 0 ? 0 : next() % n; }
};

// 1 to 4 rounds of bit flips, random overwrites, truncation, insertion,
// deletion, chunk duplication, or the format's own edit near the start of
// the file, where it keeps its header or root table:
// header_edit(bytes, rng), bytes never empty.
template <class HeaderEdit>
std::string mutate_model_bytes(const std::string &in, XorShiftRng &r,
                               const HeaderEdit &header_edit) {
  std::string m = in;
  const int rounds = 1 + static_cast<int>(r.below(4));
  for (int k = 0; k < rounds && !m.empty(); ++k) {
    switch (r.below(7)) {
    case 0: // flip bits
      for (size_t i = 0, n = 1 + r.below(8); i < n; ++i) {
        m[r.below(m.size())] ^= static_cast<char>(1u << r.below(8));
      }
      break;
    case 1: { // overwrite a span with random bytes
      const size_t at = r.below(m.size());
      const size_t n = std::min(m.size() - at, 1 + r.below(64));
      for (size_t i = 0; i < n; ++i) {
        m[at + i] = static_cast<char>(r.next());
      }
      break;
    }
    case 2: // truncate
      m.resize(r.below(m.size()));
      break;
    case 3: { // insert random bytes
      std::string ins(1 + r.below(16), '\0');
      for (char &c : ins) {
        c = static_cast<char>(r.next());
      }
      m.insert(r.below(m.size()), ins);
      break;
    }
    case 4: { // delete a span
      const size_t at = r.below(m.size());
      m.erase(at, 1 + r.below(64));
      break;
    }
    case 5: { // duplicate a chunk elsewhere
      const size_t at = r.below(m.size());
      const std::string chunk = m.substr(at, 1 + r.below(256));
      m.insert(r.below(m.size()), chunk);
      break;
    }
    default:
      header_edit(m, r);
      break;
    }
  }
  return m;
}

// Runs `net` once with every input element `value` (float buffers in
// `layout`); returns the run's status.
inline small_status run_on_constant_inputs(small_network *net, float value,
                                           small_layout layout) {
  size_t n_in = 0, n_out = 0;
  if (small_network_input_count(net, &n_in) != SMALL_OK ||
      small_network_output_count(net, &n_out) != SMALL_OK) {
    return SMALL_ERR_INVALID_ARGUMENT;
  }
  std::vector<std::vector<float>> ins(n_in), outs(n_out);
  std::vector<const float *> ip;
  std::vector<float *> op;
  for (size_t k = 0; k < n_in; ++k) {
    uint32_t d[4] = {0, 0, 0, 0};
    small_network_input_shape(net, k, d);
    ins[k].assign(size_t{d[0]} * d[1] * d[2] * d[3], value);
    ip.push_back(ins[k].data());
  }
  for (size_t k = 0; k < n_out; ++k) {
    uint32_t d[4] = {0, 0, 0, 0};
    small_network_output_shape(net, k, d);
    outs[k].assign(size_t{d[0]} * d[1] * d[2] * d[3], 0.0f);
    op.push_back(outs[k].data());
  }
  return small_network_run(net, ip.data(), ip.size(), op.data(), op.size(),
                           layout);
}

} // namespace small_test

#endif
