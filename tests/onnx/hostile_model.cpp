// Writes an ONNX model whose names try to inject code into small-codegen's
// output, plus an input for it: hostile_model model.onnx input.bin
//
// Every name the generated C could show is hostile: comment terminators,
// newlines and preprocessor lines, quotes, backslashes, trigraphs, non-ASCII
// bytes, a 10 KB name, an empty name, and names that sanitize alike. The
// network itself is ordinary (conv, relu, conv, add, pooling, gemm,
// softmax), so the generated program must build and match the importer.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "onnx_model_builder.h"

namespace {

using small_test::attr_i;
using small_test::attr_is;
using small_test::ModelBuilder;

std::vector<float> ramp(size_t n, float scale) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) {
    v[i] = scale * static_cast<float>(static_cast<int>(i % 7) - 3);
  }
  return v;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: hostile_model model.onnx input.bin\n");
    return 2;
  }
  const std::string inject =
      "*/\nint injected_by_model(void) { return 42; }\n/*";
  ModelBuilder b;
  b.graph().set_name("g " + inject);
  const std::string in = "in\"put\\\n#define injected_macro 1\n?\?/";
  const std::string out = "out */ int injected_output(void) { return 1; } /*";
  b.input(in, {1, 3, 8, 8});
  b.init("w1", {4, 3, 3, 3}, ramp(4 * 3 * 3 * 3, 0.05f));
  b.init("w2", {4, 4, 1, 1}, ramp(4 * 4, 0.1f));
  b.init("fc", {10, 4}, ramp(40, 0.2f));
  b.init("fcb", {10}, ramp(10, 0.01f));
  b.node("Conv", {in, "w1"}, {"c1"}, {attr_is("pads", {1, 1, 1, 1})},
         "a.b " + inject);
  b.node("Relu", {"c1"}, {"r1"}, {}, "a-b\xff\xfe\xc3\xa9 ?\?= ?\?/\n");
  auto &conv2 = b.node("Conv", {"r1", "w2"}, {"c2"}, {}, "x");
  conv2.set_name(""); // the importer names it after its op
  b.node("Add", {"c2", "r1"}, {"s"}, {}, std::string(10 * 1024, 'N') + inject);
  b.node("GlobalAveragePool", {"s"}, {"p"}, {}, "a b");
  b.node("Flatten", {"p"}, {"f"}, {}, "\"\\\"");
  b.node("Gemm", {"f", "fc", "fcb"}, {"y"}, {attr_i("transB", 1)}, "a_b");
  b.node("Softmax", {"y"}, {out}, {}, "//\\\n#include <stdlib.h>\n");
  b.output(out);
  std::ofstream m(argv[1], std::ios::binary);
  m << b.bytes();
  std::vector<float> x = ramp(3 * 8 * 8, 0.3f);
  std::ofstream i(argv[2], std::ios::binary);
  i.write(reinterpret_cast<const char *>(x.data()),
          static_cast<std::streamsize>(x.size() * sizeof(float)));
  return m && i ? 0 : 1;
}
