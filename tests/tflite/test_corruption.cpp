// Deterministic corruption test: 500 seeded mutations of the real .tflite
// models (bit flips, byte overwrites, truncations, insertions, deletions,
// chunk duplication, edits of the flatbuffer's offsets near the start).
// Each must import cleanly or fail with an error status and a message; a
// model that imports must also run.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "small/small.h"
#include "small/small_tflite.h"

namespace {

struct Rng {
  uint64_t s;
  uint64_t next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  size_t below(size_t n) { return n == 0 ? 0 : next() % n; }
};

std::string read_all(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  REQUIRE(f);
  return std::string((std::istreambuf_iterator<char>(f)),
                     std::istreambuf_iterator<char>());
}

std::string mutate(const std::string &in, Rng &r) {
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
    case 3: { // insert random bytes (shifts every later offset)
      std::string ins(1 + r.below(16), '\0');
      for (char &c : ins) {
        c = static_cast<char>(r.next());
      }
      m.insert(r.below(m.size()), ins);
      break;
    }
    case 4: // delete a span
      m.erase(r.below(m.size()), 1 + r.below(64));
      break;
    case 5: { // duplicate a chunk elsewhere
      const std::string chunk = m.substr(r.below(m.size()), 1 + r.below(256));
      m.insert(r.below(m.size()), chunk);
      break;
    }
    default: { // a 32-bit word near the start (root table, vtables,
               // vector lengths) set to an extreme or small value
      const size_t at = r.below(std::min<size_t>(m.size(), 1024)) & ~size_t{3};
      const uint32_t v =
          r.below(2) ? 0xffffffffu : static_cast<uint32_t>(r.below(64));
      for (size_t i = 0; i < 4 && at + i < m.size(); ++i) {
        m[at + i] = static_cast<char>(v >> (8 * i));
      }
      break;
    }
    }
  }
  return m;
}

} // namespace

TEST_CASE("500 seeded corruptions of the real .tflite models never crash",
          "[tflite][corruption]") {
  const std::string dir = SMALL_TFLITE_MODELS_DIR;
  // Small fp32 and int8 models first: cheap to import and run.
  const char *names[] = {"dscnn.fp32", "resnet8.fp32",
                         "streaming_wakeword.int8", "dscnn.int8"};
  std::vector<std::string> models;
  for (const char *n : names) {
    models.push_back(read_all(dir + "/" + n + ".tflite"));
  }
  small_tflite_options opt;
  small_tflite_options_init(&opt);
  opt.max_tensor_bytes = 64u << 20; // keep accepted corruptions cheap
  int ok = 0, refused = 0;
  Rng rng{0x7f11e5eedULL};
  for (int i = 0; i < 500; ++i) {
    const size_t which = i % 10 < 5 ? 0 : i % 10 < 7 ? 1 : i % 10 < 9 ? 2 : 3;
    const std::string bytes = mutate(models[which], rng);
    small_tflite_model *m = nullptr;
    const small_status s =
        small_tflite_import_buffer(bytes.data(), bytes.size(), &opt, &m);
    INFO("mutation " << i << " of " << names[which]);
    if (s != SMALL_OK) {
      ++refused;
      CHECK(m == nullptr);
      CHECK(std::string(small_tflite_last_error()).size() > 0);
      CHECK(s != SMALL_ERR_INTERNAL);
      continue;
    }
    ++ok;
    small_network *net = small_tflite_model_network(m);
    size_t n_in = 0, n_out = 0;
    REQUIRE(small_network_input_count(net, &n_in) == SMALL_OK);
    REQUIRE(small_network_output_count(net, &n_out) == SMALL_OK);
    std::vector<std::vector<float>> ins(n_in), outs(n_out);
    std::vector<const float *> ip;
    std::vector<float *> op;
    for (size_t k = 0; k < n_in; ++k) {
      uint32_t d[4];
      small_network_input_shape(net, k, d);
      ins[k].assign(size_t{d[0]} * d[1] * d[2] * d[3], 0.5f);
      ip.push_back(ins[k].data());
    }
    for (size_t k = 0; k < n_out; ++k) {
      uint32_t d[4];
      small_network_output_shape(net, k, d);
      outs[k].assign(size_t{d[0]} * d[1] * d[2] * d[3], 0.0f);
      op.push_back(outs[k].data());
    }
    CHECK(small_network_run(net, ip.data(), ip.size(), op.data(), op.size(),
                            SMALL_LAYOUT_NHWC) == SMALL_OK);
    small_tflite_model_destroy(m);
  }
  std::printf("tflite corruption test: %d mutations imported and ran, %d "
              "refused with an error status\n",
              ok, refused);
  CHECK(ok + refused == 500);
  // The mutations must reach past the verifier: some still import.
  CHECK(ok > 0);
}
