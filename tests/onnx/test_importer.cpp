// Importer behaviour on small hand-built models: supported mappings
// (Constant-node weights, Clip by opset, views, options) and refusals
// (every one with a status and a message naming node, op and attribute).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "onnx_model_builder.h"
#include "small/small.h"
#include "small/small_onnx.h"

using small_test::attr_f;
using small_test::attr_i;
using small_test::attr_is;
using small_test::attr_s;
using small_test::ModelBuilder;

namespace {

struct Imported {
  small_status status = SMALL_ERR_INTERNAL;
  std::string message;
  small_onnx_model *model = nullptr;
  ~Imported() { small_onnx_model_destroy(model); }
};

void import(const ModelBuilder &b, Imported &r,
            const small_onnx_options *opt = nullptr) {
  const std::string bytes = b.bytes();
  r.status =
      small_onnx_import_buffer(bytes.data(), bytes.size(), opt, &r.model);
  r.message = small_onnx_last_error();
}

std::vector<float> run1(small_onnx_model *m, const std::vector<float> &in) {
  small_network *net = small_onnx_model_network(m);
  uint32_t d[4];
  REQUIRE(small_network_output_shape(net, 0, d) == SMALL_OK);
  std::vector<float> out(size_t{d[0]} * d[1] * d[2] * d[3]);
  const float *ins[] = {in.data()};
  float *outs[] = {out.data()};
  REQUIRE(small_network_run(net, ins, 1, outs, 1, SMALL_LAYOUT_NCHW) ==
          SMALL_OK);
  return out;
}

bool contains(const std::string &s, const std::string &part) {
  return s.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("Weights from Constant nodes; bias Add folded", "[onnx]") {
  // y = relu(conv1x1(x) + bias), x [1,2,2,2], W [3,2,1,1].
  ModelBuilder b(13);
  b.input("x", {1, 2, 2, 2});
  b.constant("w", {3, 2, 1, 1}, {1, 2, -1, 0, 0.5f, 0.5f});
  b.constant("bias", {3, 1, 1}, {0.5f, -10, 1});
  b.node("Conv", {"x", "w"}, {"c"}, {attr_is("kernel_shape", {1, 1})});
  b.node("Add", {"c", "bias"}, {"a"});
  b.node("Relu", {"a"}, {"y"});
  b.output("y");
  Imported r;
  import(b, r);
  INFO(r.message);
  REQUIRE(r.status == SMALL_OK);
  const std::vector<float> x = {1, 2, 3, 4, 10, 20, 30, 40};
  const std::vector<float> y = run1(r.model, x);
  std::vector<float> want(12);
  const float w[3][2] = {{1, 2}, {-1, 0}, {0.5f, 0.5f}};
  const float bias[3] = {0.5f, -10, 1};
  for (int o = 0; o < 3; ++o) {
    for (int p = 0; p < 4; ++p) {
      want[o * 4 + p] =
          std::fmax(0.0f, w[o][0] * x[p] + w[o][1] * x[4 + p] + bias[o]);
    }
  }
  CHECK(y == want);
  // Conv + Add(bias) + Relu run as one layer.
  size_t layers = 0;
  small_network_layer_count(small_onnx_model_network(r.model), &layers);
  CHECK(layers == 1);
}

TEST_CASE("Clip bounds: attributes before opset 11, inputs after", "[onnx]") {
  const std::vector<float> x = {-5, -1, 0, 2, 7, 100};
  const std::vector<float> want = {-1, -1, 0, 2, 6, 6};
  {
    ModelBuilder b(6);
    b.input("x", {1, 6});
    b.node("Clip", {"x"}, {"y"}, {attr_f("min", -1), attr_f("max", 6)});
    b.output("y");
    Imported r;
    import(b, r);
    INFO(r.message);
    REQUIRE(r.status == SMALL_OK);
    CHECK(run1(r.model, x) == want);
  }
  {
    ModelBuilder b(13);
    b.input("x", {1, 6});
    b.init("lo", {}, {-1});
    b.init("hi", {}, {6});
    b.node("Clip", {"x", "lo", "hi"}, {"y"});
    b.output("y");
    Imported r;
    import(b, r);
    INFO(r.message);
    REQUIRE(r.status == SMALL_OK);
    CHECK(run1(r.model, x) == want);
  }
  {
    // min > max is valid ONNX: every value becomes max.
    ModelBuilder b(13);
    b.input("x", {1, 6});
    b.init("lo", {}, {3});
    b.init("hi", {}, {-2});
    b.node("Clip", {"x", "lo", "hi"}, {"y"});
    b.output("y");
    Imported r;
    import(b, r);
    INFO(r.message);
    REQUIRE(r.status == SMALL_OK);
    CHECK(run1(r.model, x) == std::vector<float>(6, -2.0f));
  }
  {
    ModelBuilder b(13); // attributes are not allowed any more
    b.input("x", {1, 6});
    b.node("Clip", {"x"}, {"y"}, {attr_f("min", -1)}, "clip0");
    b.output("y");
    Imported r;
    import(b, r);
    CHECK(r.status == SMALL_ERR_UNSUPPORTED);
    CHECK(contains(r.message, "node 'clip0' (Clip)"));
    CHECK(contains(r.message, "'min'"));
  }
}

TEST_CASE("Flatten and MatMul+Add need no copy; symbolic batch", "[onnx]") {
  ModelBuilder b(13);
  b.input("x", {-1, 2, 2, 1});
  b.node("Flatten", {"x"}, {"f"}, {attr_i("axis", 1)});
  b.init("w", {4, 2}, {1, 0, 0, 1, 1, 0, 0, 1});
  b.init("bias", {2}, {100, 200});
  b.node("MatMul", {"f", "w"}, {"m"});
  b.node("Add", {"m", "bias"}, {"y"});
  b.output("y");
  Imported r;
  small_onnx_options opt;
  small_onnx_options_init(&opt);
  opt.batch = 2;
  import(b, r, &opt);
  INFO(r.message);
  REQUIRE(r.status == SMALL_OK);
  const std::vector<float> y = run1(r.model, {1, 2, 3, 4, 10, 20, 30, 40});
  CHECK(y == std::vector<float>{104, 206, 140, 260});
  size_t layers = 0;
  small_network_layer_count(small_onnx_model_network(r.model), &layers);
  CHECK(layers == 1); // dense with the bias folded in
}

TEST_CASE("finalize = 0 returns an open network", "[onnx]") {
  ModelBuilder b(13);
  b.input("x", {1, 4});
  b.node("Relu", {"x"}, {"y"});
  b.output("y");
  small_onnx_options opt;
  small_onnx_options_init(&opt);
  opt.finalize = 0;
  Imported r;
  import(b, r, &opt);
  REQUIRE(r.status == SMALL_OK);
  small_network *net = small_onnx_model_take_network(r.model);
  CHECK(small_onnx_model_network(r.model) == nullptr);
  size_t bytes = 0;
  CHECK(small_network_arena_size(net, &bytes) == SMALL_ERR_INVALID_STATE);
  REQUIRE(small_network_finalize(net) == SMALL_OK);
  std::vector<float> x = {-1, 2, -3, 4}, y(4);
  const float *ins[] = {x.data()};
  float *outs[] = {y.data()};
  REQUIRE(small_network_run(net, ins, 1, outs, 1, SMALL_LAYOUT_NCHW) ==
          SMALL_OK);
  CHECK(y == std::vector<float>{0, 2, 0, 4});
  small_network_destroy(net);
}

TEST_CASE("Unsorted nodes are put in order", "[onnx]") {
  ModelBuilder b(13);
  b.input("x", {1, 3});
  b.node("Relu", {"a"}, {"y"});
  b.node("Sigmoid", {"x"}, {"a"});
  b.output("y");
  Imported r;
  import(b, r);
  INFO(r.message);
  REQUIRE(r.status == SMALL_OK);
}

TEST_CASE("Refusals name the node, the op and the attribute", "[onnx]") {
  struct Bad {
    const char *what;
    small_status status;
    std::vector<std::string> parts;
    void (*build)(ModelBuilder &);
  };
  const Bad cases[] = {
      {"ceil_mode",
       SMALL_ERR_UNSUPPORTED,
       {"node 'pool' (MaxPool)", "'ceil_mode'"},
       [](ModelBuilder &b) {
         b.input("x", {1, 1, 4, 4});
         b.node("MaxPool", {"x"}, {"y"},
                {attr_is("kernel_shape", {2, 2}), attr_i("ceil_mode", 1)},
                "pool");
         b.output("y");
       }},
      {"unknown op",
       SMALL_ERR_UNSUPPORTED,
       {"node 'lrn' (LRN)", "not supported"},
       [](ModelBuilder &b) {
         b.input("x", {1, 1, 4, 4});
         b.node("LRN", {"x"}, {"y"}, {attr_i("size", 3)}, "lrn");
         b.output("y");
       }},
      {"unknown attribute",
       SMALL_ERR_UNSUPPORTED,
       {"node 'r' (Relu)", "'bogus'"},
       [](ModelBuilder &b) {
         b.input("x", {1, 4});
         b.node("Relu", {"x"}, {"y"}, {attr_i("bogus", 1)}, "r");
         b.output("y");
       }},
      {"auto_pad value",
       SMALL_ERR_UNSUPPORTED,
       {"node 'c' (Conv)", "'auto_pad'"},
       [](ModelBuilder &b) {
         b.input("x", {1, 1, 4, 4});
         b.init("w", {1, 1, 3, 3}, std::vector<float>(9, 1));
         b.node("Conv", {"x", "w"}, {"y"}, {attr_s("auto_pad", "WEIRD")}, "c");
         b.output("y");
       }},
      {"non-constant weight",
       SMALL_ERR_UNSUPPORTED,
       {"node 'c' (Conv)", "'w'", "constant"},
       [](ModelBuilder &b) {
         b.input("x", {1, 1, 4, 4});
         b.input("w", {1, 1, 3, 3});
         b.node("Conv", {"x", "w"}, {"y"}, {}, "c");
         b.output("y");
       }},
      {"missing initializer",
       SMALL_ERR_PARSE,
       {"node 'c' (Conv)", "'w'", "missing initializer"},
       [](ModelBuilder &b) {
         b.input("x", {1, 1, 4, 4});
         b.node("Conv", {"x", "w"}, {"y"}, {}, "c");
         b.output("y");
       }},
      {"wrong weight size",
       SMALL_ERR_PARSE,
       {"initializer 'w'", "holds 5 values"},
       [](ModelBuilder &b) {
         b.input("x", {1, 1, 4, 4});
         b.init("w", {1, 1, 3, 3}, {1, 2, 3, 4, 5});
         b.node("Conv", {"x", "w"}, {"y"}, {}, "c");
         b.output("y");
       }},
      {"weights do not fit the input",
       SMALL_ERR_SHAPE_MISMATCH,
       {"node 'c' (Conv)", "weights [1, 2, 3, 3]"},
       [](ModelBuilder &b) {
         b.input("x", {1, 1, 4, 4});
         b.init("w", {1, 2, 3, 3}, std::vector<float>(18, 1));
         b.node("Conv", {"x", "w"}, {"y"}, {}, "c");
         b.output("y");
       }},
      {"shapes that do not chain",
       SMALL_ERR_SHAPE_MISMATCH,
       {"node 'g' (Gemm)", "do not chain"},
       [](ModelBuilder &b) {
         b.input("x", {1, 4});
         b.init("w", {5, 2}, std::vector<float>(10, 1));
         b.node("Gemm", {"x", "w"}, {"y"}, {}, "g");
         b.output("y");
       }},
      {"kernel larger than the input",
       SMALL_ERR_SHAPE_MISMATCH,
       {"node 'c' (Conv)", "larger than the padded input"},
       [](ModelBuilder &b) {
         b.input("x", {1, 1, 2, 2});
         b.init("w", {1, 1, 3, 3}, std::vector<float>(9, 1));
         b.node("Conv", {"x", "w"}, {"y"}, {}, "c");
         b.output("y");
       }},
      {"declared output shape differs",
       SMALL_ERR_SHAPE_MISMATCH,
       {"graph output 'y'", "declared [1, 5]"},
       [](ModelBuilder &b) {
         b.input("x", {1, 4});
         b.node("Relu", {"x"}, {"y"});
         b.output("y", {1, 5}, true);
       }},
      {"huge dims",
       SMALL_ERR_UNSUPPORTED,
       {"graph input 'x'", "max_tensor_bytes"},
       [](ModelBuilder &b) {
         b.input("x", {1, 3, 100000, 100000});
         b.node("Relu", {"x"}, {"y"});
         b.output("y");
       }},
      {"dims beyond 32 bits",
       SMALL_ERR_UNSUPPORTED,
       {"graph input 'x'"},
       [](ModelBuilder &b) {
         b.input("x", {1, int64_t{1} << 40});
         b.node("Relu", {"x"}, {"y"});
         b.output("y");
       }},
      {"dynamic spatial dimension",
       SMALL_ERR_UNSUPPORTED,
       {"graph input 'x'", "dynamic"},
       [](ModelBuilder &b) {
         b.input("x", {1, 3, -1, 8});
         b.node("Relu", {"x"}, {"y"});
         b.output("y");
       }},
      {"cycle",
       SMALL_ERR_PARSE,
       {"cycle"},
       [](ModelBuilder &b) {
         b.input("x", {1, 4});
         b.node("Add", {"x", "b"}, {"a"});
         b.node("Relu", {"a"}, {"b"});
         b.output("b");
       }},
      {"value defined twice",
       SMALL_ERR_PARSE,
       {"already defined"},
       [](ModelBuilder &b) {
         b.input("x", {1, 4});
         b.node("Relu", {"x"}, {"y"});
         b.node("Sigmoid", {"x"}, {"y"});
         b.output("y");
       }},
      {"opset too new",
       SMALL_ERR_UNSUPPORTED,
       {"opset 18"},
       [](ModelBuilder &b) {
         b.model().mutable_opset_import(0)->set_version(18);
         b.input("x", {1, 4});
         b.node("Relu", {"x"}, {"y"});
         b.output("y");
       }},
      {"reshape of the batch axis",
       SMALL_ERR_UNSUPPORTED,
       {"node 'rs' (Reshape)", "batch axis"},
       [](ModelBuilder &b) {
         b.input("x", {2, 4});
         b.init_i64("s", {2}, {4, 2});
         b.node("Reshape", {"x", "s"}, {"y"}, {}, "rs");
         b.output("y");
       }},
      {"runtime + runtime broadcast",
       SMALL_ERR_UNSUPPORTED,
       {"node 'add' (Add)", "broadcasting"},
       [](ModelBuilder &b) {
         b.input("x", {1, 4, 2, 2});
         b.input("z", {1, 4, 1, 1});
         b.node("Add", {"x", "z"}, {"y"}, {}, "add");
         b.output("y");
       }},
      {"non-channel bias",
       SMALL_ERR_UNSUPPORTED,
       {"node 'add' (Add)", "per-channel"},
       [](ModelBuilder &b) {
         b.input("x", {1, 2, 1, 2});
         b.init("c", {2}, {1, 2});
         b.node("Add", {"x", "c"}, {"y"}, {}, "add");
         b.output("y");
       }},
      {"graph output is a constant",
       SMALL_ERR_UNSUPPORTED,
       {"graph output 'c'", "constant"},
       [](ModelBuilder &b) {
         b.input("x", {1, 4});
         b.init("c", {1, 4}, {1, 2, 3, 4});
         b.node("Relu", {"x"}, {"y"});
         b.output("c");
       }},
      {"external data",
       SMALL_ERR_UNSUPPORTED,
       {"external"},
       [](ModelBuilder &b) {
         b.input("x", {1, 1, 4, 4});
         b.init("w", {1, 1, 1, 1}, {});
         auto *w = b.graph().mutable_initializer(0);
         w->set_data_location(onnx::TensorProto::EXTERNAL);
         auto *e = w->add_external_data();
         e->set_key("location");
         e->set_value("w.bin");
         b.node("Conv", {"x", "w"}, {"y"});
         b.output("y");
       }},
      {"float64 weights",
       SMALL_ERR_UNSUPPORTED,
       {"DOUBLE"},
       [](ModelBuilder &b) {
         b.input("x", {1, 1, 4, 4});
         auto *t = b.graph().add_initializer();
         t->set_name("w");
         t->set_data_type(onnx::TensorProto::DOUBLE);
         t->add_dims(1);
         t->add_dims(1);
         t->add_dims(1);
         t->add_dims(1);
         t->add_double_data(1.0);
         b.node("Conv", {"x", "w"}, {"y"});
         b.output("y");
       }},
      {"pads larger than the kernel (pool)",
       SMALL_ERR_UNSUPPORTED,
       {"node 'p' (AveragePool)"},
       [](ModelBuilder &b) {
         b.input("x", {1, 1, 4, 4});
         b.node(
             "AveragePool", {"x"}, {"y"},
             {attr_is("kernel_shape", {2, 2}), attr_is("pads", {2, 2, 2, 2})},
             "p");
         b.output("y");
       }},
  };
  for (const Bad &c : cases) {
    SECTION(c.what) {
      ModelBuilder b(13);
      c.build(b);
      Imported r;
      import(b, r);
      INFO(r.message);
      CHECK(r.status == c.status);
      CHECK(r.model == nullptr);
      for (const auto &p : c.parts) {
        CHECK(contains(r.message, p));
      }
      CHECK(std::string(small_last_error()) == r.message);
    }
  }
}

TEST_CASE("Malformed bytes and files", "[onnx]") {
  small_network *net = nullptr;
  CHECK(small_onnx_load_buffer("", 0, &net) == SMALL_ERR_PARSE);
  CHECK(net == nullptr);
  const char junk[] = "\x08\x07\x12\xff\xff\xff\xff\x0f garbage";
  CHECK(small_onnx_load_buffer(junk, sizeof junk, &net) == SMALL_ERR_PARSE);
  CHECK(contains(small_onnx_last_error(), "not a valid ONNX model"));
  CHECK(small_onnx_load_file("/nonexistent/model.onnx", &net) == SMALL_ERR_IO);
  CHECK(small_onnx_load_file(nullptr, &net) == SMALL_ERR_NULL_POINTER);
  CHECK(small_onnx_load_buffer(junk, sizeof junk, nullptr) ==
        SMALL_ERR_NULL_POINTER);
  // A valid protobuf that is not a model with a graph.
  ModelBuilder b(13);
  b.model().clear_graph();
  const std::string s = b.bytes();
  CHECK(small_onnx_load_buffer(s.data(), s.size(), &net) == SMALL_ERR_PARSE);
  // Success clears the message.
  ModelBuilder ok(13);
  ok.input("x", {1, 2});
  ok.node("Relu", {"x"}, {"y"});
  ok.output("y");
  const std::string okb = ok.bytes();
  REQUIRE(small_onnx_load_buffer(okb.data(), okb.size(), &net) == SMALL_OK);
  CHECK(std::string(small_onnx_last_error()).empty());
  small_network_destroy(net);
}

TEST_CASE("Softmax: opset 11 flattens from the axis, opset 13 is per axis",
          "[onnx]") {
  std::vector<float> x(2 * 3 * 2);
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = 0.1f * static_cast<float>(i * i % 7);
  }
  for (int opset : {11, 13}) {
    ModelBuilder b(opset);
    b.input("x", {1, 2, 3, 2});
    b.node("Softmax", {"x"}, {"y"}, {attr_i("axis", 1)});
    b.node("Relu", {"y"}, {"z"}); // consumes the view: forces the reshape
    b.output("z");
    Imported r;
    import(b, r);
    INFO(r.message);
    REQUIRE(r.status == SMALL_OK);
    const std::vector<float> y = run1(r.model, x);
    std::vector<double> want(x.size());
    if (opset == 11) { // over all 12 values
      double sum = 0;
      for (float v : x) {
        sum += std::exp(double{v});
      }
      for (size_t i = 0; i < x.size(); ++i) {
        want[i] = std::exp(double{x[i]}) / sum;
      }
    } else { // over the 2 channels at each of the 6 pixels
      for (size_t p = 0; p < 6; ++p) {
        const double a = std::exp(double{x[p]}), c = std::exp(double{x[6 + p]});
        want[p] = a / (a + c);
        want[6 + p] = c / (a + c);
      }
    }
    for (size_t i = 0; i < x.size(); ++i) {
      CHECK(y[i] == Approx(want[i]).margin(1e-6));
    }
  }
}

TEST_CASE("Concat on channels after Reshape views", "[onnx]") {
  ModelBuilder b(13);
  b.input("x", {1, 4});
  b.input("z", {1, 2, 1, 2});
  b.init_i64("s", {4}, {1, 2, 1, 2});
  b.node("Reshape", {"x", "s"}, {"xr"});
  b.node("Concat", {"xr", "z"}, {"y"}, {attr_i("axis", 1)});
  b.output("y");
  Imported r;
  import(b, r);
  INFO(r.message);
  REQUIRE(r.status == SMALL_OK);
  small_network *net = small_onnx_model_network(r.model);
  std::vector<float> x = {1, 2, 3, 4}, z = {5, 6, 7, 8}, y(8);
  const float *ins[] = {x.data(), z.data()};
  float *outs[] = {y.data()};
  REQUIRE(small_network_run(net, ins, 2, outs, 1, SMALL_LAYOUT_NCHW) ==
          SMALL_OK);
  CHECK(y == std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8});
}

TEST_CASE("Layer table: fusion and pruning as finalize did them", "[onnx]") {
  // conv -> batchnorm -> relu (one executed layer), plus a sigmoid on the
  // input that reaches no output (pruned). Depthwise: groups = channels.
  ModelBuilder b(13);
  b.input("x", {1, 2, 4, 4});
  b.init("w", {2, 1, 3, 3}, std::vector<float>(18, 0.5f));
  for (const char *p : {"scale", "beta", "mean", "var"}) {
    b.init(p, {2}, {1.0f, 2.0f});
  }
  b.node("Conv", {"x", "w"}, {"c"},
         {attr_i("group", 2), attr_is("pads", {1, 1, 1, 1})}, "conv");
  b.node("BatchNormalization", {"c", "scale", "beta", "mean", "var"}, {"n"}, {},
         "bn");
  b.node("Relu", {"n"}, {"y"}, {}, "relu");
  b.node("Sigmoid", {"x"}, {"dead"}, {}, "unused");
  b.output("y");

  Imported r;
  import(b, r);
  INFO(r.message);
  REQUIRE(r.status == SMALL_OK);
  REQUIRE(small_onnx_model_layer_count(r.model) == 4);
  small_onnx_layer_info rows[4];
  for (size_t i = 0; i < 4; ++i) {
    REQUIRE(small_onnx_model_layer(r.model, i, &rows[i]) == SMALL_OK);
  }
  CHECK(std::string(rows[0].name) == "conv");
  CHECK(std::string(rows[0].op) == "depthwise");
  CHECK(std::string(rows[0].fused_into).empty());
  CHECK(std::string(rows[0].fused_ops) == "BatchNormalization(batchnorm)+Relu");
  CHECK(rows[0].macs == 2ull * 4 * 4 * 9);
  CHECK(std::string(rows[1].fused_into) == "conv");
  CHECK(std::string(rows[2].fused_into) == "conv");
  CHECK(std::string(rows[3].name) == "unused");
  CHECK(std::string(rows[3].fused_into) == "(pruned: reaches no output)");
  CHECK(small_onnx_model_macs(r.model) == 2ull * 4 * 4 * 9);
  CHECK(std::string(small_onnx_model_executed_layer_name(r.model, 0)) ==
        "conv");
  CHECK(small_onnx_model_executed_layer_name(r.model, 1) == nullptr);

  // Not finalized: the layers as added, nothing fused or pruned yet.
  small_onnx_options opt;
  small_onnx_options_init(&opt);
  opt.finalize = 0;
  Imported open;
  import(b, open, &opt);
  REQUIRE(open.status == SMALL_OK);
  REQUIRE(small_onnx_model_layer_count(open.model) == 4);
  for (size_t i = 0; i < 4; ++i) {
    small_onnx_layer_info li{};
    REQUIRE(small_onnx_model_layer(open.model, i, &li) == SMALL_OK);
    CHECK(std::string(li.fused_into).empty());
  }
  CHECK(small_onnx_model_executed_layer_name(open.model, 0) == nullptr);
  // conv + batchnorm (one MAC per output element) as described.
  CHECK(small_onnx_model_macs(open.model) == 2ull * 4 * 4 * 9 + 2 * 4 * 4);
}
