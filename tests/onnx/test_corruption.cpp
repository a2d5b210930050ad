// Deterministic corruption test: 500 seeded mutations of the real models
// (bit flips, byte overwrites, truncations, insertions, deletions, chunk
// duplication). Each must import cleanly or fail with an error status and a
// message; a model that imports must also run.
#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "small/small.h"
#include "small/small_onnx.h"

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
    case 1: // overwrite a span with random bytes
    {
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
    case 3: // insert random bytes
    {
      std::string ins(1 + r.below(16), '\0');
      for (char &c : ins) {
        c = static_cast<char>(r.next());
      }
      m.insert(r.below(m.size()), ins);
      break;
    }
    case 4: // delete a span
    {
      const size_t at = r.below(m.size());
      m.erase(at, 1 + r.below(64));
      break;
    }
    case 5: // duplicate a chunk elsewhere
    {
      const size_t at = r.below(m.size());
      const std::string chunk = m.substr(at, 1 + r.below(256));
      m.insert(r.below(m.size()), chunk);
      break;
    }
    default: // small varint-ish edits early in the file (the graph header)
    {
      const size_t at = r.below(std::min<size_t>(m.size(), 512));
      m[at] = static_cast<char>(r.below(2) ? 0xff : 0x00);
      break;
    }
    }
  }
  return m;
}

} // namespace

TEST_CASE("500 seeded corruptions of the real models never crash",
          "[onnx][corruption]") {
  const std::string dir = SMALL_ONNX_MODELS_DIR;
  const char *names[] = {"dscnn", "resnet8", "autoencoder", "mobilenet_vww"};
  std::vector<std::string> models;
  for (const char *n : names) {
    models.push_back(read_all(dir + "/" + n + ".onnx"));
  }
  small_onnx_options opt;
  small_onnx_options_init(&opt);
  opt.max_tensor_bytes = 64u << 20; // keep accepted corruptions cheap
  int ok = 0, refused = 0;
  Rng rng{0x5eed5eedULL};
  for (int i = 0; i < 500; ++i) {
    // Smaller models more often: they are cheaper to run.
    const size_t which = i % 10 < 5 ? 0 : i % 10 < 8 ? 1 : i % 10 < 9 ? 2 : 3;
    const std::string bytes = mutate(models[which], rng);
    small_onnx_model *m = nullptr;
    const small_status s =
        small_onnx_import_buffer(bytes.data(), bytes.size(), &opt, &m);
    INFO("mutation " << i << " of " << names[which]);
    if (s != SMALL_OK) {
      ++refused;
      CHECK(m == nullptr);
      CHECK(std::string(small_onnx_last_error()).size() > 0);
      CHECK(s != SMALL_ERR_INTERNAL);
      continue;
    }
    ++ok;
    small_network *net = small_onnx_model_network(m);
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
                            SMALL_LAYOUT_NCHW) == SMALL_OK);
    small_onnx_model_destroy(m);
  }
  std::printf("corruption test: %d mutations imported and ran, %d refused "
              "with an error status\n",
              ok, refused);
  CHECK(ok + refused == 500);
}
