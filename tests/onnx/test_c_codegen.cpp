// The C code generator on small hand-made descriptions: int8 layers spelled
// exactly (quantization in the header, the rounding, INT32_MIN biases) and
// refusals that name the layer; weights packed for a firmware target. The
// generated code itself is compiled and run against reference outputs by
// the round-trip tests (tool_tests.cmake).
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>

#include "small_import/c_codegen.h"

namespace {

using small_import::Layer;
using small_import::NetworkDescription;

std::string read_text(const std::string &path) {
  std::ifstream f(path);
  REQUIRE(f);
  return std::string(std::istreambuf_iterator<char>(f),
                     std::istreambuf_iterator<char>());
}

// A scratch directory removed (with the two files written) at scope exit.
struct Scratch {
  Scratch() {
    char pattern[] = "/tmp/small_codegen_test_XXXXXX";
    REQUIRE(mkdtemp(pattern) != nullptr);
    dir = pattern;
  }
  ~Scratch() {
    std::remove(c().c_str());
    std::remove(h().c_str());
    rmdir(dir.c_str());
  }
  std::string c() const { return dir + "/net.c"; }
  std::string h() const { return dir + "/net.h"; }
  std::string dir;
};

// int8 input (1, 2, 1, 1) -> 1x1 int8 conv (one output channel) -> flatten.
NetworkDescription int8_network() {
  NetworkDescription net;
  small_import::InputParams in;
  in.dims[0] = 1;
  in.dims[1] = 2;
  in.dims[2] = 1;
  in.dims[3] = 1;
  in.dtype = SMALL_DTYPE_INT8;
  in.quant = {0.1f, -3};
  Layer input;
  input.name = "in";
  input.params = in;
  net.layers.push_back(input);

  small_import::Conv2dInt8Params conv;
  small_conv2d_params_init(&conv.params);
  conv.params.out_channels = 1;
  conv.weights.values = {-128, 127};
  conv.weights.scales = {0.5f};
  conv.weights.bias = {INT32_MIN};
  conv.output = {0.00390625f, -128};
  Layer c;
  c.name = "conv";
  c.inputs = {0};
  c.params = conv;
  net.layers.push_back(c);

  Layer flat;
  flat.name = "flat";
  flat.inputs = {1};
  flat.params = small_import::FlattenParams{};
  net.layers.push_back(flat);

  net.outputs = {2};
  net.input_names = {"in"};
  net.output_names = {"out"};
  net.output_dims = {{1, 1}};
  return net;
}

} // namespace

TEST_CASE("int8 networks are generated with their exact quantization",
          "[onnx][codegen]") {
  Scratch files;
  NetworkDescription net = int8_network();
  std::string error;
  REQUIRE(small_import::write_c_source(net, "test", "net", files.c(), files.h(),
                                       &error) == SMALL_OK);
  const std::string h = read_text(files.h());
  // 0.1f is 0x1.99999ap-4 exactly; the flatten keeps the conv's quantization.
  CHECK(h.find("#define NET_INPUT0_SCALE 0x1.99999ap-4f\n") !=
        std::string::npos);
  CHECK(h.find("#define NET_INPUT0_ZERO_POINT (-3)\n") != std::string::npos);
  CHECK(h.find("#define NET_OUTPUT0_SCALE 0x1p-8f\n") != std::string::npos);
  CHECK(h.find("#define NET_OUTPUT0_ZERO_POINT (-128)\n") != std::string::npos);
  CHECK(h.find("small_network_run_int8") != std::string::npos);

  const std::string c = read_text(files.c());
  CHECK(c.find("small_network_add_input_int8(net, 1, 2, 1, 1, q, &t[0])") !=
        std::string::npos);
  CHECK(c.find("static const int8_t l1_conv_weights[2] = {\n    -128, 127,") !=
        std::string::npos);
  CHECK(c.find("static const float l1_conv_scales[1] = {\n    0x1p-1f,") !=
        std::string::npos);
  CHECK(c.find("static const int32_t l1_conv_bias[1] = {\n"
               "    (-2147483647 - 1),") != std::string::npos);
  CHECK(c.find("small_network_add_conv2d_int8(net, t[0], &cp, &w8, q, "
               "&t[1])") != std::string::npos);
  CHECK(c.find("small_network_set_rounding") == std::string::npos);

  net.rounding = SMALL_ROUNDING_SINGLE;
  REQUIRE(small_import::write_c_source(net, "test", "net", files.c(), files.h(),
                                       &error) == SMALL_OK);
  CHECK(read_text(files.c()).find(
            "CHECK(small_network_set_rounding(net, SMALL_ROUNDING_SINGLE));") !=
        std::string::npos);
}

TEST_CASE("The C generator refuses what it cannot spell, naming the layer",
          "[onnx][codegen]") {
  Scratch files;
  NetworkDescription net = int8_network();
  auto &conv = std::get<small_import::Conv2dInt8Params>(net.layers[1].params);
  // As a C caller may store any int in an enum (set bytewise: converting
  // 99 to the enum type would be undefined in C++).
  const int bad_kind = 99, bad_rounding = 5;
  std::memcpy(&conv.params.activation.kind, &bad_kind, sizeof bad_kind);
  std::string error;
  CHECK(small_import::write_c_source(net, "test", "net", files.c(), files.h(),
                                     &error) == SMALL_ERR_UNSUPPORTED);
  CHECK(error ==
        "codegen: layer 1 'conv' (conv2d_int8): unknown activation kind 99");

  net = int8_network();
  std::memcpy(&net.rounding, &bad_rounding, sizeof bad_rounding);
  CHECK(small_import::write_c_source(net, "test", "net", files.c(), files.h(),
                                     &error) == SMALL_ERR_UNSUPPORTED);
  CHECK(error == "codegen: unknown rounding 5");
}

TEST_CASE("Packed for a target: the packed arrays, the _packed calls and a "
          "static arena; packed entries must match the int8 layers",
          "[onnx][codegen]") {
  Scratch files;
  const NetworkDescription net = int8_network();
  small_import::PackedTarget target;
  target.name = "cortex-m4";
  target.channel_block = 8;
  target.k_group = 4;
  target.arena_bytes = 128;
  target.layers.push_back({{1, -2, 3, 0, 0, 0, 0, 0}, 0x50080402u});
  std::string error;
  REQUIRE(small_import::write_c_source(net, "test", "net", files.c(), files.h(),
                                       &error, &target) == SMALL_OK);
  const std::string c = read_text(files.c());
  CHECK(c.find("packed for cortex-m4 (channel block 8, int8 k-group 4)") !=
        std::string::npos);
  CHECK(c.find("static unsigned char net_arena[191];") != std::string::npos);
  CHECK(c.find("static const int8_t l1_conv_packed[8] = {\n"
               "    1, -2, 3, 0, 0, 0, 0, 0,") != std::string::npos);
  CHECK(c.find("l1_conv_weights") == std::string::npos);
  CHECK(c.find("  w8p.packed = l1_conv_packed;\n  w8p.bytes = 8;\n"
               "  w8p.layout = 0x50080402u;\n") != std::string::npos);
  CHECK(c.find("small_network_add_conv2d_int8_packed(net, t[0], &cp, &w8p, "
               "q, &t[1])") != std::string::npos);
  CHECK(c.find("CHECK(small_network_finalize_with_arena(net, net_arena, "
               "sizeof net_arena));") != std::string::npos);
  CHECK(c.find("small_network_finalize(net)") == std::string::npos);

  target.layers.push_back(target.layers.front());
  CHECK(small_import::write_c_source(net, "test", "net", files.c(), files.h(),
                                     &error,
                                     &target) == SMALL_ERR_INVALID_ARGUMENT);
  CHECK(error == "codegen: fewer int8 Conv2D/Dense layers than packed weights");

  target.layers.clear();
  CHECK(small_import::write_c_source(net, "test", "net", files.c(), files.h(),
                                     &error, &target) == SMALL_ERR_UNSUPPORTED);
  CHECK(error == "codegen: layer 1 'conv' (conv2d_int8): more int8 "
                 "Conv2D/Dense layers than packed weights");
}
