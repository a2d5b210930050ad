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

#include "model_bytes.h"
#include "small/small.h"
#include "small/small_tflite.h"

namespace {

std::string read_all(const std::string &path) {
  std::ifstream f(path, std::ios::binary);
  REQUIRE(f);
  return std::string((std::istreambuf_iterator<char>(f)),
                     std::istreambuf_iterator<char>());
}

// A 32-bit word near the start (root table, vtables, vector lengths) set to
// an extreme or small value.
std::string mutate(const std::string &in, small_test::XorShiftRng &r) {
  return small_test::mutate_model_bytes(
      in, r, [](std::string &m, small_test::XorShiftRng &rng) {
        const size_t at =
            rng.below(std::min<size_t>(m.size(), 1024)) & ~size_t{3};
        const uint32_t v =
            rng.below(2) ? 0xffffffffu : static_cast<uint32_t>(rng.below(64));
        for (size_t i = 0; i < 4 && at + i < m.size(); ++i) {
          m[at + i] = static_cast<char>(v >> (8 * i));
        }
      });
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
  small_test::XorShiftRng rng{0x7f11e5eedULL};
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
    CHECK(small_test::run_on_constant_inputs(small_tflite_model_network(m),
                                             0.5f,
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
