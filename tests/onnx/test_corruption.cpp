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

#include "model_bytes.h"
#include "small/small.h"
#include "small/small_onnx.h"

namespace {

std::string read_all(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  REQUIRE(f);
  return std::string((std::istreambuf_iterator<char>(f)),
                     std::istreambuf_iterator<char>());
}

// Small varint-ish edits early in the file (the graph header).
std::string mutate(const std::string &in, small_test::XorShiftRng &r) {
  return small_test::mutate_model_bytes(
      in, r, [](std::string &m, small_test::XorShiftRng &rng) {
        const size_t at = rng.below(std::min<size_t>(m.size(), 512));
        m[at] = static_cast<char>(rng.below(2) ? 0xff : 0x00);
      });
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
  small_test::XorShiftRng rng{0x5eed5eedULL};
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
    CHECK(small_test::run_on_constant_inputs(small_onnx_model_network(m), 0.5f,
                                             SMALL_LAYOUT_NCHW) == SMALL_OK);
    small_onnx_model_destroy(m);
  }
  std::printf("corruption test: %d mutations imported and ran, %d refused "
              "with an error status\n",
              ok, refused);
  CHECK(ok + refused == 500);
}
