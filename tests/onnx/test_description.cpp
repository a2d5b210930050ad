// The format-neutral parts every importer shares: MAC counts with checked
// arithmetic, and the text helpers that keep model names out of generated
// code.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "small_import/c_text.h"
#include "small_import/network_description.h"

namespace {

using small_import::Layer;

Layer conv_layer(uint32_t groups, uint32_t kh, uint32_t kw) {
  small_import::Conv2dParams p;
  small_conv2d_params_init(&p.params);
  p.params.groups = groups;
  p.params.kernel_h = kh;
  p.params.kernel_w = kw;
  Layer layer;
  layer.params = p;
  return layer;
}

} // namespace

TEST_CASE("Layer MACs are exact and refuse 64-bit overflow",
          "[onnx][description]") {
  const uint32_t in[4] = {1, 16, 32, 32};
  const uint32_t out[4] = {1, 32, 32, 32};
  uint64_t macs = 0;
  REQUIRE(small_import::layer_macs(conv_layer(1, 3, 3), in, out, &macs));
  CHECK(macs == 32ull * 32 * 32 * 16 * 9);
  REQUIRE(small_import::layer_macs(conv_layer(16, 3, 3), in, out, &macs));
  CHECK(macs == 32ull * 32 * 32 * 1 * 9);

  // (2^32-1)^2 output elements times 2^16 input channels times a 65535^2
  // kernel: about 2^112, which used to wrap silently.
  const uint32_t big_in[4] = {1, 65536, 1, 1};
  const uint32_t big_out[4] = {UINT32_MAX, UINT32_MAX, 1, 1};
  macs = 7;
  CHECK_FALSE(small_import::layer_macs(conv_layer(1, 65535, 65535), big_in,
                                       big_out, &macs));
  CHECK(macs == 7); // untouched on failure

  Layer dense;
  dense.params = small_import::DenseParams{};
  const uint32_t wide_in[4] = {1, UINT32_MAX, UINT32_MAX, 2};
  const uint32_t one_out[4] = {1, 1, 1, 1};
  CHECK_FALSE(small_import::layer_macs(dense, wide_in, one_out, &macs));
  const uint32_t fits_in[4] = {1, UINT32_MAX, UINT32_MAX, 1};
  REQUIRE(small_import::layer_macs(dense, fits_in, one_out, &macs));
  CHECK(macs == uint64_t{UINT32_MAX} * UINT32_MAX);
}

TEST_CASE("Model text in comments cannot end them or splice lines",
          "[onnx][description]") {
  const std::string hostile =
      std::string("a */ b /* c \\\n d ?\?/ e \" f \xff\xfe g") + '\0' + "h";
  const std::string text = small_import::c_comment_text(hostile, 1000);
  CHECK(text.find("*/") == std::string::npos);
  CHECK(text.find("/*") == std::string::npos);
  CHECK(text.find("??") == std::string::npos);
  CHECK(text.find('\n') == std::string::npos);
  CHECK(text.find('"') == std::string::npos);
  for (char c : text) {
    CHECK(static_cast<unsigned char>(c) >= 0x20);
    CHECK(static_cast<unsigned char>(c) < 0x7f);
  }
  CHECK(small_import::c_comment_text("/conv2d/Conv") == "/conv2d/Conv");
  CHECK(small_import::c_comment_text("a*b") == "a\\x2ab");

  const std::string long_name(10 * 1024, 'x');
  const std::string cut = small_import::c_comment_text(long_name, 16);
  CHECK(cut == std::string(16, 'x') + "...(10240 bytes)");
}

TEST_CASE("Model text in identifiers keeps only identifier characters",
          "[onnx][description]") {
  CHECK(small_import::c_identifier_part("/conv2d/Conv") == "_conv2d_Conv");
  CHECK(small_import::c_identifier_part("a.b") ==
        small_import::c_identifier_part("a-b"));
  CHECK(small_import::c_identifier_part(std::string(10 * 1024, 'y'), 40) ==
        std::string(40, 'y'));
  CHECK(small_import::c_identifier_part("") == "");
  const std::string odd = small_import::c_identifier_part("\xff\n*/\"");
  CHECK(odd == "_____");
}
