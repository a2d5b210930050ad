// API-surface tests: every entry point of small.h fed bad input (NULL
// pointers, zero and huge dimensions, unknown ids, shape mismatches, invalid
// enums, wrong call order), plus the library-information functions and
// small_padding_same. Each failure is checked for the exact status, a
// non-empty small_last_error() naming the layer or parameter, and that the
// network is still usable and destroyable afterwards (run under valgrind to
// check the "no leak" half).
#include <catch2/catch.hpp>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "enum_as_int.h"
#include "small/small.h"

// The status values are part of the ABI.
static_assert(SMALL_OK == 0, "status values are pinned");
static_assert(SMALL_ERR_NULL_POINTER == 1, "status values are pinned");
static_assert(SMALL_ERR_INVALID_ARGUMENT == 2, "status values are pinned");
static_assert(SMALL_ERR_SHAPE_MISMATCH == 3, "status values are pinned");
static_assert(SMALL_ERR_UNSUPPORTED == 4, "status values are pinned");
static_assert(SMALL_ERR_OUT_OF_MEMORY == 5, "status values are pinned");
static_assert(SMALL_ERR_OVERFLOW == 6, "status values are pinned");
static_assert(SMALL_ERR_INVALID_STATE == 7, "status values are pinned");
static_assert(SMALL_ERR_BUFFER_TOO_SMALL == 8, "status values are pinned");
static_assert(SMALL_ERR_NOT_FOUND == 9, "status values are pinned");
static_assert(SMALL_ERR_PARSE == 10, "status values are pinned");
static_assert(SMALL_ERR_IO == 11, "status values are pinned");
static_assert(SMALL_ERR_INTERNAL == 12, "status values are pinned");
// The other public enums are ABI too.
static_assert(SMALL_LAYOUT_NCHW == 0 && SMALL_LAYOUT_NHWC == 1, "layout");
static_assert(SMALL_WEIGHTS_OIHW == 0 && SMALL_WEIGHTS_HWIO == 1, "weights");
static_assert(SMALL_ACT_NONE == 0 && SMALL_ACT_RELU == 1 &&
                  SMALL_ACT_RELU6 == 2 && SMALL_ACT_LEAKY_RELU == 3 &&
                  SMALL_ACT_CLIP == 4 && SMALL_ACT_SIGMOID == 5 &&
                  SMALL_ACT_HARD_SWISH == 6 && SMALL_ACT_HARD_SIGMOID == 7,
              "activation kinds");
static_assert(SMALL_PADDING_EXPLICIT == 0 && SMALL_PADDING_SAME == 1 &&
                  SMALL_PADDING_VALID == 2,
              "padding modes");
static_assert(SMALL_POOL_MAX == 0 && SMALL_POOL_AVG == 1, "pool kinds");
// Invalid enum values are written through memcpy (see with_raw_value).
static_assert(sizeof(small_activation_kind) == sizeof(int) &&
                  sizeof(small_padding_mode) == sizeof(int) &&
                  sizeof(small_weight_layout) == sizeof(int) &&
                  sizeof(small_pool_kind) == sizeof(int) &&
                  sizeof(small_layout) == sizeof(int),
              "C enums are int-sized on every supported ABI");

namespace {

// ---------------------------------------------------------------------------
// Helpers

// Checks a failed call: exact status, non-empty last error containing every
// fragment (the function, layer or parameter it must name).
void check_error(small_status got, small_status want,
                 std::initializer_list<const char *> fragments) {
  const std::string msg = small_last_error();
  INFO("got status " << static_cast<int>(got) << " ("
                     << small_status_string(got) << "), want "
                     << static_cast<int>(want) << " ("
                     << small_status_string(want) << "); last error: \"" << msg
                     << "\"");
  CHECK(got == want);
  CHECK_FALSE(msg.empty());
  for (const char *f : fragments) {
    INFO("the last error should contain \"" << f << "\"");
    CHECK(msg.find(f) != std::string::npos);
  }
}

#define EXPECT_ERROR(call, status, ...)                                        \
  do {                                                                         \
    INFO("line " << __LINE__ << ": " #call);                                   \
    const small_status got_ = (call);                                          \
    check_error(got_, status, {__VA_ARGS__});                                  \
  } while (0)

#define REQUIRE_OK(call)                                                       \
  do {                                                                         \
    const small_status s_ = (call);                                            \
    INFO(#call << " -> " << small_status_string(s_) << ": "                    \
               << small_last_error());                                         \
    REQUIRE(s_ == SMALL_OK);                                                   \
    REQUIRE(std::string(small_last_error()).empty());                          \
  } while (0)

// Stores an arbitrary int (e.g. 99) in a C enum object without a C++
// out-of-range enum conversion.
template <typename Enum> void with_raw_value(Enum &e, int value) {
  std::memcpy(&e, &value, sizeof e);
}

struct Net {
  small_network *p = nullptr;
  Net() {
    REQUIRE_OK(small_network_create(&p));
    REQUIRE(p != nullptr);
  }
  ~Net() { small_network_destroy(p); }
  Net(const Net &) = delete;
  Net &operator=(const Net &) = delete;
  operator small_network *() const { return p; }

  small_tensor input(uint32_t n, uint32_t c, uint32_t h, uint32_t w) {
    small_tensor t = -1;
    REQUIRE_OK(small_network_add_input(p, n, c, h, w, &t));
    REQUIRE(t >= 0);
    return t;
  }
  small_tensor relu(small_tensor in) {
    small_tensor t = -1;
    REQUIRE_OK(small_network_add_activation(
        p, in, small_activation_make(SMALL_ACT_RELU), &t));
    return t;
  }
};

size_t count_of(const uint32_t d[4]) {
  return size_t{d[0]} * d[1] * d[2] * d[3];
}

// Deterministic data with both signs and no two neighbours equal.
std::vector<float> test_data(size_t count, float offset = 0.0f) {
  std::vector<float> v(count);
  for (size_t i = 0; i < count; ++i) {
    v[i] =
        static_cast<float>(static_cast<int>((i * 7 + 3) % 23) - 11) * 0.125f +
        offset;
  }
  return v;
}

std::vector<float> relu_of(const std::vector<float> &v) {
  std::vector<float> r(v.size());
  std::transform(v.begin(), v.end(), r.begin(),
                 [](float x) { return x > 0.0f ? x : 0.0f; });
  return r;
}

// Runs a finalized single-input single-output network on test_data.
std::vector<float> run_single(small_network *net, float offset = 0.0f) {
  uint32_t in_dims[4] = {0, 0, 0, 0}, out_dims[4] = {0, 0, 0, 0};
  REQUIRE_OK(small_network_input_shape(net, 0, in_dims));
  REQUIRE_OK(small_network_output_shape(net, 0, out_dims));
  const std::vector<float> x = test_data(count_of(in_dims), offset);
  std::vector<float> y(count_of(out_dims), -999.0f);
  const float *ins[1] = {x.data()};
  float *outs[1] = {y.data()};
  REQUIRE_OK(small_network_run(net, ins, 1, outs, 1, SMALL_LAYOUT_NCHW));
  return y;
}

// The network is still usable: `in` is its only input, no output is marked
// yet. Appends a ReLU, finalizes, runs and checks the values.
void check_usable(small_network *net, small_tensor in) {
  small_tensor r = -1;
  REQUIRE_OK(small_network_add_activation(
      net, in, small_activation_make(SMALL_ACT_RELU), &r));
  REQUIRE_OK(small_network_mark_output(net, r));
  REQUIRE_OK(small_network_finalize(net));
  uint32_t d[4];
  REQUIRE_OK(small_network_input_shape(net, 0, d));
  CHECK(run_single(net) == relu_of(test_data(count_of(d))));
}

// A finalized network input (1, 3, 4, 5) -> ReLU -> output.
void build_relu_net(Net &net) {
  const small_tensor x = net.input(1, 3, 4, 5);
  REQUIRE_OK(small_network_mark_output(net, net.relu(x)));
  REQUIRE_OK(small_network_finalize(net));
}

// A finalized relu net still runs and gives the right values.
void check_relu_net_runs(small_network *net) {
  CHECK(run_single(net) == relu_of(test_data(3 * 4 * 5)));
}

small_conv2d_params conv_params(uint32_t out_channels, uint32_t kh,
                                uint32_t kw) {
  small_conv2d_params p;
  small_conv2d_params_init(&p);
  p.out_channels = out_channels;
  p.kernel_h = kh;
  p.kernel_w = kw;
  return p;
}

small_pool2d_params pool_params(small_pool_kind kind, uint32_t k,
                                uint32_t stride) {
  small_pool2d_params p;
  small_pool2d_params_init(&p);
  p.kind = kind;
  p.kernel_h = p.kernel_w = k;
  p.stride_h = p.stride_w = stride;
  return p;
}

const small_activation kNoAct = small_activation_make(SMALL_ACT_NONE);

} // namespace

// ---------------------------------------------------------------------------
// Library information

TEST_CASE("small_status_string describes every status and unknown ones",
          "[api][status]") {
  std::vector<std::string> texts;
  for (int s = SMALL_OK; s <= SMALL_ERR_INTERNAL; ++s) {
    const char *text = small_status_string(static_cast<small_status>(s));
    INFO("status " << s);
    REQUIRE(text != nullptr);
    CHECK(std::strlen(text) > 3);
    texts.emplace_back(text);
  }
  // Distinct texts for distinct codes.
  std::vector<std::string> sorted = texts;
  std::sort(sorted.begin(), sorted.end());
  CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
  CHECK(texts[SMALL_OK] == "success");
  CHECK(texts[SMALL_ERR_NULL_POINTER].find("NULL") != std::string::npos);
  CHECK(texts[SMALL_ERR_OUT_OF_MEMORY].find("memory") != std::string::npos);
  CHECK(texts[SMALL_ERR_BUFFER_TOO_SMALL].find("small") != std::string::npos);
  CHECK(texts[SMALL_ERR_INTERNAL].find("bug") != std::string::npos);

  // Unknown codes (13..15 stay inside the enum's value range in C++; the C
  // and Python tests pass -1 and 99).
  for (int s : {13, 14, 15}) {
    INFO("unknown status " << s);
    const char *text = small_status_string(static_cast<small_status>(s));
    REQUIRE(text != nullptr);
    CHECK(std::string(text).find("unknown") != std::string::npos);
    CHECK(std::find(texts.begin(), texts.end(), text) == texts.end());
  }
}

TEST_CASE("small_version matches the header macros", "[api][version]") {
  CHECK(small_version() == SMALL_VERSION_NUMBER);
  CHECK(small_version() == SMALL_VERSION_MAJOR * 10000u +
                               SMALL_VERSION_MINOR * 100u +
                               SMALL_VERSION_PATCH);
  const std::string expected = std::to_string(SMALL_VERSION_MAJOR) + "." +
                               std::to_string(SMALL_VERSION_MINOR) + "." +
                               std::to_string(SMALL_VERSION_PATCH);
  REQUIRE(small_version_string() != nullptr);
  CHECK(std::string(small_version_string()) == expected);
  // Static storage: the same pointer every time.
  CHECK(small_version_string() == small_version_string());
}

TEST_CASE("small_kernel_config reports a known ISA and tile sizes",
          "[api][kernel_config]") {
  small_kernel_info info{};
  REQUIRE_OK(small_kernel_config(&info));
  REQUIRE(info.isa != nullptr);
  const std::string isa = info.isa;
  INFO("isa " << isa);
  // tests/CMakeLists.txt passes the build's ISA and the ISA folder list.
  CHECK(isa == SMALL_TEST_BUILD_ISA);
  const std::string folders = "," + std::string(SMALL_TEST_ISA_FOLDERS) + ",";
  INFO("ISA folders " << SMALL_TEST_ISA_FOLDERS);
  CHECK(folders.find("," + isa + ",") != std::string::npos);
  CHECK(info.channel_block >= 1);
  CHECK(info.channel_block <= 64);
  CHECK(info.conv_tile_width >= 1);
  CHECK(info.conv_tile_channels >= 1);

  EXPECT_ERROR(small_kernel_config(nullptr), SMALL_ERR_NULL_POINTER,
               "small_kernel_config", "info");
}

TEST_CASE("small_last_error is empty after a successful call",
          "[api][last_error]") {
  Net net;
  small_tensor t = -1;
  EXPECT_ERROR(small_network_add_input(net, 0, 1, 1, 1, &t),
               SMALL_ERR_INVALID_ARGUMENT, "small_network_add_input");
  REQUIRE_OK(small_network_add_input(net, 1, 1, 1, 1, &t));
  CHECK(std::string(small_last_error()).empty());

  // Also after calls that only read: the error of a failed call is cleared
  // by the next successful call of any kind.
  EXPECT_ERROR(small_network_layer_count(net, nullptr), SMALL_ERR_NULL_POINTER,
               "count");
  small_kernel_info info;
  REQUIRE_OK(small_kernel_config(&info));
  CHECK(std::string(small_last_error()).empty());

  uint32_t before = 7, after = 7;
  EXPECT_ERROR(small_padding_same(0, 1, 1, 1, &before, &after),
               SMALL_ERR_INVALID_ARGUMENT, "small_padding_same");
  REQUIRE_OK(small_padding_same(4, 3, 1, 1, &before, &after));
  CHECK(std::string(small_last_error()).empty());
}

TEST_CASE("small_last_error is per thread", "[api][last_error]") {
  EXPECT_ERROR(small_kernel_config(nullptr), SMALL_ERR_NULL_POINTER, "info");
  const std::string main_error = small_last_error();

  std::string thread_before = "unset", thread_after_fail;
  small_status thread_status = SMALL_OK;
  std::thread worker([&] {
    thread_before = small_last_error();
    uint32_t a = 0;
    thread_status = small_padding_same(1, 1, 1, 1, &a, nullptr);
    thread_after_fail = small_last_error();
  });
  worker.join();
  CHECK(thread_before.empty());
  CHECK(thread_status == SMALL_ERR_NULL_POINTER);
  CHECK(thread_after_fail.find("pad_after") != std::string::npos);
  // The worker's failure did not touch this thread's message.
  CHECK(std::string(small_last_error()) == main_error);
}

TEST_CASE("destroying NULL and initializing NULL params are no-ops",
          "[api][lifecycle]") {
  small_network_destroy(nullptr);
  small_conv2d_params_init(nullptr);
  small_pool2d_params_init(nullptr);
  EXPECT_ERROR(small_network_create(nullptr), SMALL_ERR_NULL_POINTER,
               "small_network_create", "network is NULL");

  small_network *net = reinterpret_cast<small_network *>(&net); // garbage
  REQUIRE_OK(small_network_create(&net));
  REQUIRE(net != nullptr);
  small_network_destroy(net);
}

TEST_CASE("parameter helpers fill the documented defaults", "[api][params]") {
  small_conv2d_params c;
  std::memset(&c, 0xA5, sizeof c);
  small_conv2d_params_init(&c);
  CHECK(c.out_channels == 0);
  CHECK(c.kernel_h == 0);
  CHECK(c.kernel_w == 0);
  CHECK(c.stride_h == 1);
  CHECK(c.stride_w == 1);
  CHECK(c.dilation_h == 1);
  CHECK(c.dilation_w == 1);
  CHECK(c.padding_mode == SMALL_PADDING_EXPLICIT);
  CHECK(c.pad_top == 0);
  CHECK(c.pad_bottom == 0);
  CHECK(c.pad_left == 0);
  CHECK(c.pad_right == 0);
  CHECK(c.groups == 1);
  CHECK(c.weight_layout == SMALL_WEIGHTS_OIHW);
  CHECK(c.activation.kind == SMALL_ACT_NONE);

  small_pool2d_params p;
  std::memset(&p, 0xA5, sizeof p);
  small_pool2d_params_init(&p);
  CHECK(p.kind == SMALL_POOL_MAX);
  CHECK(p.stride_h == 1);
  CHECK(p.stride_w == 1);
  CHECK(p.padding_mode == SMALL_PADDING_EXPLICIT);
  CHECK(p.pad_top == 0);
  CHECK(p.pad_bottom == 0);
  CHECK(p.pad_left == 0);
  CHECK(p.pad_right == 0);
  CHECK(p.count_include_pad == 0);

  const small_activation leaky = small_activation_make(SMALL_ACT_LEAKY_RELU);
  CHECK(leaky.kind == SMALL_ACT_LEAKY_RELU);
  CHECK(leaky.alpha == 0.01f);
  const small_activation hs = small_activation_make(SMALL_ACT_HARD_SIGMOID);
  CHECK(hs.alpha == 0.2f);
  CHECK(hs.beta == 0.5f);
  const small_activation clip = small_activation_make(SMALL_ACT_CLIP);
  CHECK(clip.min == -std::numeric_limits<float>::infinity());
  CHECK(clip.max == std::numeric_limits<float>::infinity());
}

// ---------------------------------------------------------------------------
// NULL arguments

TEST_CASE("every network entry point rejects a NULL network", "[api][null]") {
  small_tensor t = -1;
  small_conv2d_params cp = conv_params(2, 1, 1);
  small_pool2d_params pp = pool_params(SMALL_POOL_MAX, 1, 1);
  const float w[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  float out[8] = {0};
  const float *ins[1] = {w};
  float *outs[1] = {out};
  const small_tensor ids[1] = {0};
  size_t n = 0;
  uint32_t dims[4] = {0, 0, 0, 0};
  const char *null_net = "network is NULL";

  EXPECT_ERROR(small_network_add_input(nullptr, 1, 1, 1, 1, &t),
               SMALL_ERR_NULL_POINTER, "small_network_add_input", null_net);
  EXPECT_ERROR(small_network_add_conv2d(nullptr, 0, &cp, w, nullptr, &t),
               SMALL_ERR_NULL_POINTER, "small_network_add_conv2d", null_net);
  EXPECT_ERROR(small_network_add_dense(nullptr, 0, 2, w, nullptr, kNoAct, &t),
               SMALL_ERR_NULL_POINTER, "small_network_add_dense", null_net);
  EXPECT_ERROR(small_network_add_pool2d(nullptr, 0, &pp, &t),
               SMALL_ERR_NULL_POINTER, "small_network_add_pool2d", null_net);
  EXPECT_ERROR(small_network_add_global_avgpool(nullptr, 0, &t),
               SMALL_ERR_NULL_POINTER, "small_network_add_global_avgpool",
               null_net);
  EXPECT_ERROR(small_network_add_add(nullptr, 0, 0, kNoAct, &t),
               SMALL_ERR_NULL_POINTER, "small_network_add_add", null_net);
  EXPECT_ERROR(small_network_add_concat(nullptr, ids, 1, &t),
               SMALL_ERR_NULL_POINTER, "small_network_add_concat", null_net);
  EXPECT_ERROR(small_network_add_activation(nullptr, 0, kNoAct, &t),
               SMALL_ERR_NULL_POINTER, "small_network_add_activation",
               null_net);
  EXPECT_ERROR(small_network_add_softmax(nullptr, 0, &t),
               SMALL_ERR_NULL_POINTER, "small_network_add_softmax", null_net);
  EXPECT_ERROR(small_network_add_batchnorm(nullptr, 0, w, w, w, w, 1e-5f, &t),
               SMALL_ERR_NULL_POINTER, "small_network_add_batchnorm", null_net);
  EXPECT_ERROR(small_network_add_reshape(nullptr, 0, 1, 1, 1, &t),
               SMALL_ERR_NULL_POINTER, "small_network_add_reshape", null_net);
  EXPECT_ERROR(small_network_add_flatten(nullptr, 0, &t),
               SMALL_ERR_NULL_POINTER, "small_network_add_flatten", null_net);
  EXPECT_ERROR(small_network_mark_output(nullptr, 0), SMALL_ERR_NULL_POINTER,
               "small_network_mark_output", null_net);
  EXPECT_ERROR(small_network_finalize(nullptr), SMALL_ERR_NULL_POINTER,
               "small_network_finalize", null_net);
  EXPECT_ERROR(small_network_arena_size(nullptr, &n), SMALL_ERR_NULL_POINTER,
               "small_network_arena_size", null_net);
  EXPECT_ERROR(small_network_arena_lower_bound(nullptr, &n),
               SMALL_ERR_NULL_POINTER, "small_network_arena_lower_bound",
               null_net);
  EXPECT_ERROR(small_network_weight_bytes(nullptr, &n), SMALL_ERR_NULL_POINTER,
               "small_network_weight_bytes", null_net);
  EXPECT_ERROR(small_network_set_arena(nullptr, out, sizeof out),
               SMALL_ERR_NULL_POINTER, "small_network_set_arena", null_net);
  EXPECT_ERROR(small_network_run(nullptr, ins, 1, outs, 1, SMALL_LAYOUT_NCHW),
               SMALL_ERR_NULL_POINTER, "small_network_run", null_net);
  EXPECT_ERROR(small_network_input_count(nullptr, &n), SMALL_ERR_NULL_POINTER,
               "small_network_input_count", null_net);
  EXPECT_ERROR(small_network_output_count(nullptr, &n), SMALL_ERR_NULL_POINTER,
               "small_network_output_count", null_net);
  EXPECT_ERROR(small_network_input_shape(nullptr, 0, dims),
               SMALL_ERR_NULL_POINTER, "small_network_input_shape", null_net);
  EXPECT_ERROR(small_network_output_shape(nullptr, 0, dims),
               SMALL_ERR_NULL_POINTER, "small_network_output_shape", null_net);
  EXPECT_ERROR(small_network_tensor_shape(nullptr, 0, dims),
               SMALL_ERR_NULL_POINTER, "small_network_tensor_shape", null_net);
  EXPECT_ERROR(small_network_layer_count(nullptr, &n), SMALL_ERR_NULL_POINTER,
               "small_network_layer_count", null_net);
  // Nothing was written through the out pointers.
  CHECK(t == -1);
  CHECK(n == 0);
  CHECK(out[0] == 0.0f);
}

TEST_CASE("builders reject NULL out pointers, params and arrays",
          "[api][null]") {
  Net net;
  const small_tensor x = net.input(1, 4, 6, 6);
  small_tensor t = -1;
  small_conv2d_params cp = conv_params(4, 3, 3);
  small_pool2d_params pp = pool_params(SMALL_POOL_MAX, 2, 2);
  const std::vector<float> w = test_data(4 * 4 * 3 * 3);
  const std::vector<float> fc = test_data(3 * 4 * 6 * 6);
  const std::vector<float> ones(4, 1.0f), zeros(4, 0.0f);
  const small_tensor ids[2] = {x, x};

  EXPECT_ERROR(small_network_add_input(net, 1, 1, 1, 1, nullptr),
               SMALL_ERR_NULL_POINTER, "small_network_add_input",
               "out is NULL");
  EXPECT_ERROR(small_network_add_conv2d(net, x, nullptr, w.data(), nullptr, &t),
               SMALL_ERR_NULL_POINTER, "params is NULL");
  EXPECT_ERROR(small_network_add_conv2d(net, x, &cp, nullptr, nullptr, &t),
               SMALL_ERR_NULL_POINTER, "weights is NULL");
  EXPECT_ERROR(
      small_network_add_conv2d(net, x, &cp, w.data(), nullptr, nullptr),
      SMALL_ERR_NULL_POINTER, "out is NULL");
  EXPECT_ERROR(small_network_add_dense(net, x, 3, nullptr, nullptr, kNoAct, &t),
               SMALL_ERR_NULL_POINTER, "small_network_add_dense",
               "weights is NULL");
  EXPECT_ERROR(
      small_network_add_dense(net, x, 3, fc.data(), nullptr, kNoAct, nullptr),
      SMALL_ERR_NULL_POINTER, "small_network_add_dense", "out is NULL");
  EXPECT_ERROR(small_network_add_pool2d(net, x, nullptr, &t),
               SMALL_ERR_NULL_POINTER, "small_network_add_pool2d",
               "params is NULL");
  EXPECT_ERROR(small_network_add_pool2d(net, x, &pp, nullptr),
               SMALL_ERR_NULL_POINTER, "small_network_add_pool2d",
               "out is NULL");
  EXPECT_ERROR(small_network_add_global_avgpool(net, x, nullptr),
               SMALL_ERR_NULL_POINTER, "out is NULL");
  EXPECT_ERROR(small_network_add_add(net, x, x, kNoAct, nullptr),
               SMALL_ERR_NULL_POINTER, "small_network_add_add", "out is NULL");
  EXPECT_ERROR(small_network_add_concat(net, nullptr, 2, &t),
               SMALL_ERR_NULL_POINTER, "small_network_add_concat",
               "inputs is NULL");
  EXPECT_ERROR(small_network_add_concat(net, ids, 2, nullptr),
               SMALL_ERR_NULL_POINTER, "small_network_add_concat",
               "out is NULL");
  EXPECT_ERROR(small_network_add_activation(net, x, kNoAct, nullptr),
               SMALL_ERR_NULL_POINTER, "out is NULL");
  EXPECT_ERROR(small_network_add_softmax(net, x, nullptr),
               SMALL_ERR_NULL_POINTER, "out is NULL");
  const float *g = ones.data(), *b = zeros.data(), *m = zeros.data(),
              *v = ones.data();
  EXPECT_ERROR(small_network_add_batchnorm(net, x, nullptr, b, m, v, 0, &t),
               SMALL_ERR_NULL_POINTER, "small_network_add_batchnorm",
               "gamma is NULL");
  EXPECT_ERROR(small_network_add_batchnorm(net, x, g, nullptr, m, v, 0, &t),
               SMALL_ERR_NULL_POINTER, "beta is NULL");
  EXPECT_ERROR(small_network_add_batchnorm(net, x, g, b, nullptr, v, 0, &t),
               SMALL_ERR_NULL_POINTER, "mean is NULL");
  EXPECT_ERROR(small_network_add_batchnorm(net, x, g, b, m, nullptr, 0, &t),
               SMALL_ERR_NULL_POINTER, "var is NULL");
  EXPECT_ERROR(small_network_add_batchnorm(net, x, g, b, m, v, 0, nullptr),
               SMALL_ERR_NULL_POINTER, "out is NULL");
  EXPECT_ERROR(small_network_add_reshape(net, x, 4, 36, 1, nullptr),
               SMALL_ERR_NULL_POINTER, "small_network_add_reshape",
               "out is NULL");
  EXPECT_ERROR(small_network_add_flatten(net, x, nullptr),
               SMALL_ERR_NULL_POINTER, "small_network_add_flatten",
               "out is NULL");
  size_t n = 0;
  uint32_t dims[4];
  EXPECT_ERROR(small_network_input_count(net, nullptr), SMALL_ERR_NULL_POINTER,
               "count is NULL");
  EXPECT_ERROR(small_network_output_count(net, nullptr), SMALL_ERR_NULL_POINTER,
               "count is NULL");
  EXPECT_ERROR(small_network_input_shape(net, 0, nullptr),
               SMALL_ERR_NULL_POINTER, "dims is NULL");
  EXPECT_ERROR(small_network_output_shape(net, 0, nullptr),
               SMALL_ERR_NULL_POINTER, "dims is NULL");
  EXPECT_ERROR(small_network_tensor_shape(net, x, nullptr),
               SMALL_ERR_NULL_POINTER, "dims is NULL");
  EXPECT_ERROR(small_network_layer_count(net, nullptr), SMALL_ERR_NULL_POINTER,
               "count is NULL");
  // NULL is checked before the state: unfinalized network, NULL bytes.
  EXPECT_ERROR(small_network_arena_size(net, nullptr), SMALL_ERR_NULL_POINTER,
               "bytes is NULL");
  EXPECT_ERROR(small_network_arena_lower_bound(net, nullptr),
               SMALL_ERR_NULL_POINTER, "bytes is NULL");

  // No failed call added a layer.
  REQUIRE_OK(small_network_layer_count(net, &n));
  CHECK(n == 0);
  REQUIRE_OK(small_network_input_count(net, &n));
  CHECK(n == 1);
  REQUIRE_OK(small_network_tensor_shape(net, x, dims));
  CHECK(dims[1] == 4);
  // A NULL bias is allowed.
  REQUIRE_OK(small_network_add_conv2d(net, x, &cp, w.data(), nullptr, &t));
  check_usable(net, x);
}

TEST_CASE("run, set_arena and queries reject NULL buffers after finalize",
          "[api][null]") {
  Net net;
  build_relu_net(net);
  std::vector<float> x(60, 1.0f), y(60, 0.0f);
  const float *ins[1] = {x.data()};
  float *outs[1] = {y.data()};
  const float *null_ins[1] = {nullptr};
  float *null_outs[1] = {nullptr};

  EXPECT_ERROR(small_network_run(net, nullptr, 1, outs, 1, SMALL_LAYOUT_NCHW),
               SMALL_ERR_NULL_POINTER, "small_network_run", "inputs is NULL");
  EXPECT_ERROR(small_network_run(net, ins, 1, nullptr, 1, SMALL_LAYOUT_NCHW),
               SMALL_ERR_NULL_POINTER, "small_network_run", "outputs is NULL");
  EXPECT_ERROR(small_network_run(net, null_ins, 1, outs, 1, SMALL_LAYOUT_NCHW),
               SMALL_ERR_NULL_POINTER, "inputs[0] is NULL");
  EXPECT_ERROR(small_network_run(net, ins, 1, null_outs, 1, SMALL_LAYOUT_NHWC),
               SMALL_ERR_NULL_POINTER, "outputs[0] is NULL");
  EXPECT_ERROR(small_network_set_arena(net, nullptr, 1 << 20),
               SMALL_ERR_NULL_POINTER, "small_network_set_arena",
               "buffer is NULL");
  EXPECT_ERROR(small_network_arena_size(net, nullptr), SMALL_ERR_NULL_POINTER,
               "bytes is NULL");
  EXPECT_ERROR(small_network_arena_lower_bound(net, nullptr),
               SMALL_ERR_NULL_POINTER, "bytes is NULL");
  CHECK(y == std::vector<float>(60, 0.0f)); // no failed run wrote anything
  check_relu_net_runs(net);
}

// ---------------------------------------------------------------------------
// Dimensions

TEST_CASE("add_input rejects zero dimensions", "[api][dims]") {
  Net net;
  small_tensor t = -1;
  const uint32_t shapes[4][4] = {
      {0, 2, 3, 3}, {1, 0, 3, 3}, {1, 2, 0, 3}, {1, 2, 3, 0}};
  for (const auto &s : shapes) {
    EXPECT_ERROR(small_network_add_input(net, s[0], s[1], s[2], s[3], &t),
                 SMALL_ERR_INVALID_ARGUMENT, "small_network_add_input",
                 "input 0", "dimension");
  }
  // The failed declarations did not consume input numbers.
  const small_tensor x = net.input(1, 2, 3, 3);
  CHECK(x == 0);
  size_t n = 9;
  REQUIRE_OK(small_network_input_count(net, &n));
  CHECK(n == 1);
  check_usable(net, x);
}

TEST_CASE("huge shapes fail with SMALL_ERR_OVERFLOW", "[api][dims]") {
  Net net;
  small_tensor t = -1;
  // 1e9^4 elements: the byte count overflows size_t.
  EXPECT_ERROR(small_network_add_input(net, 1000000000u, 1000000000u,
                                       1000000000u, 1000000000u, &t),
               SMALL_ERR_OVERFLOW, "small_network_add_input", "input 0");
  // 2^44 elements: fits in 64-bit size_t but is above the tensor size limit
  // (and overflows 32-bit size_t).
  EXPECT_ERROR(small_network_add_input(net, 1, 1u << 20, 1u << 20, 16, &t),
               SMALL_ERR_OVERFLOW, "input 0");
  EXPECT_ERROR(small_network_add_input(net, UINT32_MAX, UINT32_MAX, UINT32_MAX,
                                       UINT32_MAX, &t),
               SMALL_ERR_OVERFLOW, "input 0");

  const small_tensor x = net.input(1, 1, 4, 4);
  // Convolution weights: (2^32-1)^3 floats overflow size_t (weights are not
  // read: the size is checked first).
  const float dummy[4] = {0, 0, 0, 0};
  small_conv2d_params cp = conv_params(UINT32_MAX, UINT32_MAX, UINT32_MAX);
  EXPECT_ERROR(small_network_add_conv2d(net, x, &cp, dummy, nullptr, &t),
               SMALL_ERR_OVERFLOW, "small_network_add_conv2d", "conv2d #0",
               "weights");

  // Dense weights: 2^31 out_features * 2^26 inputs = 2^57 floats.
  const small_tensor big = net.input(1, 1024, 256, 256);
  EXPECT_ERROR(
      small_network_add_dense(net, big, 1u << 31, dummy, nullptr, kNoAct, &t),
      SMALL_ERR_OVERFLOW, "small_network_add_dense", "dense #0", "weights");

  // Concatenation whose channel count exceeds 2^32 - 1.
  const small_tensor wide = net.input(1, 1u << 20, 1, 1);
  const std::vector<small_tensor> many(4097, wide);
  EXPECT_ERROR(small_network_add_concat(net, many.data(), many.size(), &t),
               SMALL_ERR_OVERFLOW, "concat #0", "channels");

  if (sizeof(size_t) >= 8) {
    // Flatten of (65536, 256, 256): 2^32 features do not fit a uint32 dim.
    const small_tensor flat_in = net.input(1, 65536, 256, 256);
    EXPECT_ERROR(small_network_add_flatten(net, flat_in, &t),
                 SMALL_ERR_OVERFLOW, "flatten #0");
  } else {
    // 2^32 floats cannot even be declared on a 32-bit target.
    Net fresh;
    EXPECT_ERROR(small_network_add_input(fresh, 1, 65536, 256, 256, &t),
                 SMALL_ERR_OVERFLOW, "input 0");
  }

  // None of this left a layer behind; the network still builds and runs
  // (the unused big inputs are fine: only their shapes exist).
  size_t layers = 99;
  REQUIRE_OK(small_network_layer_count(net, &layers));
  CHECK(layers == 0);
  small_tensor r = -1;
  REQUIRE_OK(small_network_add_activation(
      net, x, small_activation_make(SMALL_ACT_RELU), &r));
  uint32_t dims[4];
  REQUIRE_OK(small_network_tensor_shape(net, r, dims));
  CHECK(dims[0] == 1);
  CHECK(dims[1] == 1);
  CHECK(dims[2] == 4);
  CHECK(dims[3] == 4);
}

TEST_CASE("channel counts near 2^32 do not wrap the size computation",
          "[api][dims]") {
  // (1, c, 1, 1) with c close to 2^32 is 16 GiB in the blocked layout: a
  // valid shape on 64-bit targets (below the 1 TiB limit), an overflow on
  // 32-bit ones. Rounding c up to whole channel blocks must not wrap around
  // to zero blocks (and zero bytes) on the way.
  for (uint32_t c : {UINT32_MAX, UINT32_MAX - 6, UINT32_MAX - 62, 1u << 31}) {
    INFO("c = " << c);
    Net net;
    small_tensor t = -1;
    if (sizeof(size_t) < 8) {
      EXPECT_ERROR(small_network_add_input(net, 1, c, 1, 1, &t),
                   SMALL_ERR_OVERFLOW, "input 0");
      CHECK(t == -1);
    } else {
      REQUIRE_OK(small_network_add_input(net, 1, c, 1, 1, &t));
      uint32_t dims[4];
      REQUIRE_OK(small_network_tensor_shape(net, t, dims));
      CHECK(dims[1] == c);
    }
  }
}

TEST_CASE("zero-valued layer parameters are invalid arguments", "[api][dims]") {
  Net net;
  const small_tensor x = net.input(1, 4, 6, 6);
  small_tensor t = -1;
  const std::vector<float> w = test_data(4 * 4 * 3 * 3 * 4);

  struct Case {
    const char *field;
    uint32_t small_conv2d_params::*member;
  };
  const Case cases[] = {
      {"out_channels", &small_conv2d_params::out_channels},
      {"kernel_h", &small_conv2d_params::kernel_h},
      {"kernel_w", &small_conv2d_params::kernel_w},
      {"stride_h", &small_conv2d_params::stride_h},
      {"stride_w", &small_conv2d_params::stride_w},
      {"dilation_h", &small_conv2d_params::dilation_h},
      {"dilation_w", &small_conv2d_params::dilation_w},
      {"groups", &small_conv2d_params::groups},
  };
  for (const Case &c : cases) {
    INFO("zero " << c.field);
    small_conv2d_params cp = conv_params(4, 3, 3);
    cp.*c.member = 0;
    EXPECT_ERROR(small_network_add_conv2d(net, x, &cp, w.data(), nullptr, &t),
                 SMALL_ERR_INVALID_ARGUMENT, "conv2d #0", ">= 1");
  }
  EXPECT_ERROR(
      small_network_add_dense(net, x, 0, w.data(), nullptr, kNoAct, &t),
      SMALL_ERR_INVALID_ARGUMENT, "dense #0", "out_features");
  small_pool2d_params pp = pool_params(SMALL_POOL_MAX, 0, 1);
  EXPECT_ERROR(small_network_add_pool2d(net, x, &pp, &t),
               SMALL_ERR_INVALID_ARGUMENT, "maxpool #0", "kernel");
  pp = pool_params(SMALL_POOL_AVG, 2, 0);
  EXPECT_ERROR(small_network_add_pool2d(net, x, &pp, &t),
               SMALL_ERR_INVALID_ARGUMENT, "avgpool #0", "stride");
  const small_tensor none[1] = {x};
  EXPECT_ERROR(small_network_add_concat(net, none, 0, &t),
               SMALL_ERR_INVALID_ARGUMENT, "concat #0", "count");
  EXPECT_ERROR(small_network_add_reshape(net, x, 0, 144, 1, &t),
               SMALL_ERR_INVALID_ARGUMENT, "reshape #0", "dimension");
  EXPECT_ERROR(small_network_add_reshape(net, x, 144, 1, 0, &t),
               SMALL_ERR_INVALID_ARGUMENT, "reshape #0");
  uint32_t a = 0, b = 0;
  for (int which = 0; which < 4; ++which) {
    INFO("zero argument " << which << " of small_padding_same");
    const uint32_t in = which == 0 ? 0 : 5, k = which == 1 ? 0 : 3,
                   s = which == 2 ? 0 : 1, d = which == 3 ? 0 : 1;
    EXPECT_ERROR(small_padding_same(in, k, s, d, &a, &b),
                 SMALL_ERR_INVALID_ARGUMENT, "small_padding_same", ">= 1");
  }
  check_usable(net, x);
}

// ---------------------------------------------------------------------------
// Unknown tensor ids

TEST_CASE("unknown tensor ids fail with SMALL_ERR_NOT_FOUND", "[api][ids]") {
  // Another network with more tensors: its last id is out of range here.
  Net other;
  small_tensor foreign = other.input(1, 2, 3, 3);
  for (int i = 0; i < 5; ++i) {
    foreign = other.relu(foreign);
  }
  REQUIRE(foreign == 5);

  Net net;
  const small_tensor x = net.input(1, 2, 3, 3);
  REQUIRE(x == 0);
  small_tensor t = -1;
  small_conv2d_params cp = conv_params(2, 1, 1);
  small_pool2d_params pp = pool_params(SMALL_POOL_MAX, 1, 1);
  const std::vector<float> w = test_data(64);
  const std::vector<float> ones(2, 1.0f), zeros(2, 0.0f);
  const char *nf = "does not belong to this network";

  for (small_tensor bad : {small_tensor{-1}, small_tensor{1}, foreign,
                           small_tensor{INT32_MAX}, small_tensor{INT32_MIN}}) {
    INFO("bad id " << bad);
    EXPECT_ERROR(small_network_add_conv2d(net, bad, &cp, w.data(), nullptr, &t),
                 SMALL_ERR_NOT_FOUND, "conv2d #0 input", nf);
    EXPECT_ERROR(
        small_network_add_dense(net, bad, 2, w.data(), nullptr, kNoAct, &t),
        SMALL_ERR_NOT_FOUND, "dense #0 input", nf);
    EXPECT_ERROR(small_network_add_pool2d(net, bad, &pp, &t),
                 SMALL_ERR_NOT_FOUND, "maxpool #0 input", nf);
    EXPECT_ERROR(small_network_add_global_avgpool(net, bad, &t),
                 SMALL_ERR_NOT_FOUND, "global_avgpool #0 input", nf);
    EXPECT_ERROR(small_network_add_add(net, bad, x, kNoAct, &t),
                 SMALL_ERR_NOT_FOUND, "add #0 input a", nf);
    EXPECT_ERROR(small_network_add_add(net, x, bad, kNoAct, &t),
                 SMALL_ERR_NOT_FOUND, "add #0 input b", nf);
    const small_tensor ids[3] = {x, x, bad};
    EXPECT_ERROR(small_network_add_concat(net, ids, 3, &t), SMALL_ERR_NOT_FOUND,
                 "concat #0 inputs[2]", nf);
    EXPECT_ERROR(small_network_add_activation(net, bad, kNoAct, &t),
                 SMALL_ERR_NOT_FOUND, "activation #0 input", nf);
    EXPECT_ERROR(small_network_add_softmax(net, bad, &t), SMALL_ERR_NOT_FOUND,
                 "softmax #0 input", nf);
    EXPECT_ERROR(small_network_add_batchnorm(net, bad, ones.data(),
                                             zeros.data(), zeros.data(),
                                             ones.data(), 1e-5f, &t),
                 SMALL_ERR_NOT_FOUND, "batchnorm #0 input", nf);
    EXPECT_ERROR(small_network_add_reshape(net, bad, 18, 1, 1, &t),
                 SMALL_ERR_NOT_FOUND, "reshape #0 input", nf);
    EXPECT_ERROR(small_network_add_flatten(net, bad, &t), SMALL_ERR_NOT_FOUND,
                 "flatten #0 input", nf);
    EXPECT_ERROR(small_network_mark_output(net, bad), SMALL_ERR_NOT_FOUND,
                 "small_network_mark_output", nf);
    uint32_t dims[4];
    EXPECT_ERROR(small_network_tensor_shape(net, bad, dims),
                 SMALL_ERR_NOT_FOUND, "small_network_tensor_shape", nf);
  }
  size_t n = 99;
  REQUIRE_OK(small_network_output_count(net, &n));
  CHECK(n == 0);
  // Both networks are still usable.
  check_usable(net, x);
  REQUIRE_OK(small_network_mark_output(other, foreign));
  REQUIRE_OK(small_network_finalize(other));
  CHECK(run_single(other) == relu_of(test_data(18)));
}

TEST_CASE("input_shape and output_shape indices out of range", "[api][ids]") {
  Net net;
  build_relu_net(net);
  uint32_t dims[4] = {7, 7, 7, 7};
  EXPECT_ERROR(small_network_input_shape(net, 1, dims), SMALL_ERR_NOT_FOUND,
               "small_network_input_shape", "input index 1");
  EXPECT_ERROR(small_network_output_shape(net, 1, dims), SMALL_ERR_NOT_FOUND,
               "small_network_output_shape", "output index 1");
  EXPECT_ERROR(small_network_output_shape(net, SIZE_MAX, dims),
               SMALL_ERR_NOT_FOUND, "output index");
  CHECK(dims[0] == 7); // untouched by the failures
  REQUIRE_OK(small_network_output_shape(net, 0, dims));
  CHECK(dims[0] == 1);
  CHECK(dims[1] == 3);
  CHECK(dims[2] == 4);
  CHECK(dims[3] == 5);
  // Before anything is marked, index 0 is out of range too.
  Net fresh;
  fresh.input(1, 1, 1, 1);
  EXPECT_ERROR(small_network_output_shape(fresh, 0, dims), SMALL_ERR_NOT_FOUND,
               "output index 0");
  check_relu_net_runs(net);
}

// ---------------------------------------------------------------------------
// Shape mismatches

TEST_CASE("add needs equal shapes", "[api][shape]") {
  Net net;
  const small_tensor a = net.input(1, 3, 4, 4);
  const small_tensor b = net.input(1, 3, 4, 5);
  const small_tensor c = net.input(2, 3, 4, 4);
  const small_tensor d = net.input(1, 4, 4, 4);
  small_tensor t = -1;
  EXPECT_ERROR(small_network_add_add(net, a, b, kNoAct, &t),
               SMALL_ERR_SHAPE_MISMATCH, "add #0", "(1, 3, 4, 4)",
               "(1, 3, 4, 5)");
  EXPECT_ERROR(small_network_add_add(net, a, c, kNoAct, &t),
               SMALL_ERR_SHAPE_MISMATCH, "add #0", "(2, 3, 4, 4)");
  EXPECT_ERROR(small_network_add_add(net, d, a, kNoAct, &t),
               SMALL_ERR_SHAPE_MISMATCH, "add #0");
  // Equal shapes are fine, including a tensor added to itself.
  REQUIRE_OK(small_network_add_add(net, a, a, kNoAct, &t));
  REQUIRE_OK(small_network_mark_output(net, t));
  REQUIRE_OK(small_network_finalize(net));
  std::vector<float> xa = test_data(48), xb(60), xc(96), xd(64), y(48);
  const float *ins[4] = {xa.data(), xb.data(), xc.data(), xd.data()};
  float *outs[1] = {y.data()};
  REQUIRE_OK(small_network_run(net, ins, 4, outs, 1, SMALL_LAYOUT_NCHW));
  for (size_t i = 0; i < y.size(); ++i) {
    CHECK(y[i] == 2.0f * xa[i]);
  }
}

TEST_CASE("concat needs equal n, h and w", "[api][shape]") {
  Net net;
  const small_tensor a = net.input(1, 3, 4, 4);
  const small_tensor h5 = net.input(1, 2, 5, 4);
  const small_tensor w5 = net.input(1, 2, 4, 5);
  const small_tensor n2 = net.input(2, 2, 4, 4);
  small_tensor t = -1;
  const small_tensor bad_h[2] = {a, h5};
  EXPECT_ERROR(small_network_add_concat(net, bad_h, 2, &t),
               SMALL_ERR_SHAPE_MISMATCH, "concat #0", "inputs[1]",
               "(1, 2, 5, 4)");
  const small_tensor bad_w[3] = {a, a, w5};
  EXPECT_ERROR(small_network_add_concat(net, bad_w, 3, &t),
               SMALL_ERR_SHAPE_MISMATCH, "concat #0", "inputs[2]");
  const small_tensor bad_n[2] = {n2, a};
  EXPECT_ERROR(small_network_add_concat(net, bad_n, 2, &t),
               SMALL_ERR_SHAPE_MISMATCH, "concat #0", "inputs[1]");
  // Different channel counts are what concat is for.
  const small_tensor c2 = net.input(1, 2, 4, 4);
  const small_tensor ok[3] = {a, c2, a};
  REQUIRE_OK(small_network_add_concat(net, ok, 3, &t));
  uint32_t dims[4];
  REQUIRE_OK(small_network_tensor_shape(net, t, dims));
  CHECK(dims[0] == 1);
  CHECK(dims[1] == 8);
  CHECK(dims[2] == 4);
  CHECK(dims[3] == 4);
}

TEST_CASE("reshape needs the same element count", "[api][shape]") {
  Net net;
  const small_tensor x = net.input(2, 3, 4, 5);
  small_tensor t = -1;
  EXPECT_ERROR(small_network_add_reshape(net, x, 3, 4, 6, &t),
               SMALL_ERR_SHAPE_MISMATCH, "reshape #0", "(2, 3, 4, 5)",
               "(3, 4, 6)");
  EXPECT_ERROR(small_network_add_reshape(net, x, 120, 1, 1, &t),
               SMALL_ERR_SHAPE_MISMATCH, "reshape #0");
  // c*h*w overflowing 64 bits must not wrap around to a match.
  EXPECT_ERROR(
      small_network_add_reshape(net, x, UINT32_MAX, UINT32_MAX, UINT32_MAX, &t),
      SMALL_ERR_SHAPE_MISMATCH, "reshape #0");
  REQUIRE_OK(small_network_add_reshape(net, x, 5, 3, 4, &t));
  uint32_t dims[4];
  REQUIRE_OK(small_network_tensor_shape(net, t, dims));
  CHECK(dims[0] == 2); // the batch is kept
  CHECK(dims[1] == 5);
  CHECK(dims[2] == 3);
  CHECK(dims[3] == 4);
}

TEST_CASE("conv2d window larger than the padded input", "[api][shape]") {
  Net net;
  const small_tensor x = net.input(1, 2, 4, 4);
  small_tensor t = -1;
  const std::vector<float> w = test_data(2 * 2 * 5 * 5);

  small_conv2d_params cp = conv_params(2, 5, 1);
  EXPECT_ERROR(small_network_add_conv2d(net, x, &cp, w.data(), nullptr, &t),
               SMALL_ERR_SHAPE_MISMATCH, "conv2d #0", "vertical", "(4)");
  cp = conv_params(2, 1, 5);
  EXPECT_ERROR(small_network_add_conv2d(net, x, &cp, w.data(), nullptr, &t),
               SMALL_ERR_SHAPE_MISMATCH, "conv2d #0", "horizontal");
  // Dilation widens the window: 3 taps at dilation 2 span 5 pixels.
  cp = conv_params(2, 3, 3);
  cp.dilation_h = cp.dilation_w = 2;
  EXPECT_ERROR(small_network_add_conv2d(net, x, &cp, w.data(), nullptr, &t),
               SMALL_ERR_SHAPE_MISMATCH, "conv2d #0", "(5 with dilation)");
  // One pixel of padding on each side makes it fit: out = (6 - 5) + 1 = 2.
  cp.pad_top = cp.pad_bottom = cp.pad_left = cp.pad_right = 1;
  REQUIRE_OK(small_network_add_conv2d(net, x, &cp, w.data(), nullptr, &t));
  uint32_t dims[4];
  REQUIRE_OK(small_network_tensor_shape(net, t, dims));
  CHECK(dims[1] == 2);
  CHECK(dims[2] == 2);
  CHECK(dims[3] == 2);
  // Padding on one side only (bottom) is counted too.
  cp = conv_params(2, 5, 1);
  cp.pad_bottom = 1;
  REQUIRE_OK(small_network_add_conv2d(net, x, &cp, w.data(), nullptr, &t));
  REQUIRE_OK(small_network_tensor_shape(net, t, dims));
  CHECK(dims[2] == 1);
  CHECK(dims[3] == 4);
  // Dense covers the whole input, pooling has the same window check.
  small_pool2d_params pp = pool_params(SMALL_POOL_AVG, 5, 1);
  EXPECT_ERROR(small_network_add_pool2d(net, x, &pp, &t),
               SMALL_ERR_SHAPE_MISMATCH, "avgpool #2", "vertical");
  check_usable(net, x);
}

TEST_CASE("conv2d groups must divide the channels", "[api][shape]") {
  Net net;
  const small_tensor x = net.input(1, 6, 3, 3);
  small_tensor t = -1;
  const std::vector<float> w = test_data(12 * 6 * 3 * 3);
  small_conv2d_params cp = conv_params(8, 3, 3);
  cp.groups = 4; // 6 % 4 != 0
  EXPECT_ERROR(small_network_add_conv2d(net, x, &cp, w.data(), nullptr, &t),
               SMALL_ERR_SHAPE_MISMATCH, "conv2d #0", "groups (4)",
               "input channels (6)");
  cp = conv_params(4, 3, 3);
  cp.groups = 3; // divides 6 but not out_channels 4
  EXPECT_ERROR(small_network_add_conv2d(net, x, &cp, w.data(), nullptr, &t),
               SMALL_ERR_SHAPE_MISMATCH, "conv2d #0", "groups (3)",
               "out_channels (4)");
  cp.groups = 12; // larger than the channel count
  cp.out_channels = 12;
  EXPECT_ERROR(small_network_add_conv2d(net, x, &cp, w.data(), nullptr, &t),
               SMALL_ERR_SHAPE_MISMATCH, "conv2d #0", "groups");
  // The layer number follows the layers actually added.
  const small_tensor r = net.relu(x);
  cp.groups = 5;
  cp.out_channels = 5;
  EXPECT_ERROR(small_network_add_conv2d(net, r, &cp, w.data(), nullptr, &t),
               SMALL_ERR_SHAPE_MISMATCH, "conv2d #1", "groups");
  // Valid grouped and depthwise convolutions.
  cp.groups = 2;
  cp.out_channels = 4;
  REQUIRE_OK(small_network_add_conv2d(net, x, &cp, w.data(), nullptr, &t));
  cp.groups = 6;
  cp.out_channels = 12;
  REQUIRE_OK(small_network_add_conv2d(net, x, &cp, w.data(), nullptr, &t));
  uint32_t dims[4];
  REQUIRE_OK(small_network_tensor_shape(net, t, dims));
  CHECK(dims[1] == 12);
  CHECK(dims[2] == 1);
  CHECK(dims[3] == 1);
}

// ---------------------------------------------------------------------------
// Unsupported and invalid parameters

TEST_CASE("pool padding must be smaller than the kernel", "[api][params]") {
  Net net;
  const small_tensor x = net.input(1, 3, 6, 6);
  small_tensor t = -1;
  uint32_t small_pool2d_params::*sides[4] = {
      &small_pool2d_params::pad_top, &small_pool2d_params::pad_bottom,
      &small_pool2d_params::pad_left, &small_pool2d_params::pad_right};
  for (small_pool_kind kind : {SMALL_POOL_MAX, SMALL_POOL_AVG}) {
    for (auto side : sides) {
      small_pool2d_params pp = pool_params(kind, 2, 2);
      pp.*side = 2;
      EXPECT_ERROR(
          small_network_add_pool2d(net, x, &pp, &t), SMALL_ERR_UNSUPPORTED,
          kind == SMALL_POOL_MAX ? "maxpool #" : "avgpool #", "padding");
      pp.*side = 1; // pad < kernel: fine
      REQUIRE_OK(small_network_add_pool2d(net, x, &pp, &t));
    }
  }
  check_usable(net, x);
}

TEST_CASE("invalid enum values are rejected", "[api][enums]") {
  Net net;
  const small_tensor x = net.input(1, 2, 4, 4);
  small_tensor t = -1;
  const std::vector<float> w = test_data(2 * 2 * 3 * 3 * 16);
  small_activation bad_act = small_activation_make(SMALL_ACT_RELU);
  with_raw_value(bad_act.kind, 99);

  EXPECT_ERROR(small_network_add_activation(net, x, bad_act, &t),
               SMALL_ERR_INVALID_ARGUMENT, "activation #0",
               "unknown activation kind 99");
  EXPECT_ERROR(small_network_add_add(net, x, x, bad_act, &t),
               SMALL_ERR_INVALID_ARGUMENT, "add #0",
               "unknown activation kind 99");
  EXPECT_ERROR(
      small_network_add_dense(net, x, 2, w.data(), nullptr, bad_act, &t),
      SMALL_ERR_INVALID_ARGUMENT, "dense #0", "unknown activation kind 99");
  small_conv2d_params cp = conv_params(2, 3, 3);
  cp.activation = bad_act;
  EXPECT_ERROR(small_network_add_conv2d(net, x, &cp, w.data(), nullptr, &t),
               SMALL_ERR_INVALID_ARGUMENT, "conv2d #0",
               "unknown activation kind 99");
  with_raw_value(bad_act.kind, -1);
  EXPECT_ERROR(small_network_add_activation(net, x, bad_act, &t),
               SMALL_ERR_INVALID_ARGUMENT, "unknown activation kind -1");

  cp = conv_params(2, 3, 3);
  with_raw_value(cp.padding_mode, 99);
  EXPECT_ERROR(small_network_add_conv2d(net, x, &cp, w.data(), nullptr, &t),
               SMALL_ERR_INVALID_ARGUMENT, "conv2d #0",
               "unknown padding_mode 99");
  cp = conv_params(2, 3, 3);
  with_raw_value(cp.weight_layout, 99);
  EXPECT_ERROR(small_network_add_conv2d(net, x, &cp, w.data(), nullptr, &t),
               SMALL_ERR_INVALID_ARGUMENT, "conv2d #0",
               "unknown weight_layout 99");

  small_pool2d_params pp = pool_params(SMALL_POOL_MAX, 2, 2);
  with_raw_value(pp.kind, 99);
  EXPECT_ERROR(small_network_add_pool2d(net, x, &pp, &t),
               SMALL_ERR_INVALID_ARGUMENT, "pool2d #0", "unknown pool kind 99");
  pp = pool_params(SMALL_POOL_AVG, 2, 2);
  with_raw_value(pp.padding_mode, 99);
  EXPECT_ERROR(small_network_add_pool2d(net, x, &pp, &t),
               SMALL_ERR_INVALID_ARGUMENT, "avgpool #0",
               "unknown padding_mode 99");

  size_t layers = 99;
  REQUIRE_OK(small_network_layer_count(net, &layers));
  CHECK(layers == 0);
  check_usable(net, x);

  // The run layout.
  std::vector<float> in = test_data(32), out(32, 0.0f);
  const float *ins[1] = {in.data()};
  float *outs[1] = {out.data()};
  EXPECT_ERROR(network_run_with_int_layout(net, ins, 1, outs, 1, 99),
               SMALL_ERR_INVALID_ARGUMENT, "small_network_run",
               "unknown layout 99");
  EXPECT_ERROR(network_run_with_int_layout(net, ins, 1, outs, 1, -1),
               SMALL_ERR_INVALID_ARGUMENT, "unknown layout -1");
  CHECK(out == std::vector<float>(32, 0.0f));
  CHECK(run_single(net) == relu_of(test_data(32)));
}

TEST_CASE("activation constants are validated", "[api][params]") {
  Net net;
  const small_tensor x = net.input(1, 2, 2, 2);
  small_tensor t = -1;
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();

  small_activation a = small_activation_make(SMALL_ACT_CLIP);
  a.min = nan;
  a.max = 1.0f;
  EXPECT_ERROR(small_network_add_activation(net, x, a, &t),
               SMALL_ERR_INVALID_ARGUMENT, "activation #0", "Clip");
  a.min = -1.0f;
  a.max = nan;
  EXPECT_ERROR(small_network_add_activation(net, x, a, &t),
               SMALL_ERR_INVALID_ARGUMENT, "activation #0", "Clip");
  // The same check applies where an activation is fused.
  a.min = 2.0f;
  a.max = nan;
  EXPECT_ERROR(small_network_add_add(net, x, x, a, &t),
               SMALL_ERR_INVALID_ARGUMENT, "add #0", "NaN");

  a = small_activation_make(SMALL_ACT_LEAKY_RELU);
  a.alpha = inf;
  EXPECT_ERROR(small_network_add_activation(net, x, a, &t),
               SMALL_ERR_INVALID_ARGUMENT, "activation #0", "alpha");
  a = small_activation_make(SMALL_ACT_HARD_SIGMOID);
  a.beta = nan;
  EXPECT_ERROR(small_network_add_activation(net, x, a, &t),
               SMALL_ERR_INVALID_ARGUMENT, "activation #0", "beta");

  // min == max is a valid (constant) clip.
  a = small_activation_make(SMALL_ACT_CLIP);
  a.min = a.max = 0.5f;
  REQUIRE_OK(small_network_add_activation(net, x, a, &t));
  REQUIRE_OK(small_network_mark_output(net, t));
  REQUIRE_OK(small_network_finalize(net));
  CHECK(run_single(net) == std::vector<float>(8, 0.5f));
}

TEST_CASE("Clip with min > max makes every value max wherever it runs",
          "[api][params][clip]") {
  // min(max(x, 2), -0.5) is -0.5 for every x (PyTorch's clamp, numpy's
  // clip): standalone, fused into add, into a convolution (regular and
  // depthwise, both kernel families) and into dense.
  small_activation inverted = small_activation_make(SMALL_ACT_CLIP);
  inverted.min = 2.0f;
  inverted.max = -0.5f;
  const uint32_t channels = 19; // more than one channel block on every ISA
  std::vector<float> weights(channels * channels * 5 * 6); // dense: all
  for (size_t i = 0; i < weights.size(); ++i) {
    weights[i] = static_cast<float>(static_cast<int>(i % 7) - 3) * 0.25f;
  }
  const std::vector<float> bias(channels, 0.75f);
  for (int kind = 0; kind < 5; ++kind) {
    Net net;
    const small_tensor x = net.input(1, channels, 5, 6);
    small_tensor t = -1;
    small_conv2d_params p = conv_params(channels, 3, 3);
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    p.activation = inverted;
    switch (kind) {
    case 0:
      REQUIRE_OK(small_network_add_activation(net, x, inverted, &t));
      break;
    case 1:
      REQUIRE_OK(small_network_add_add(net, x, x, inverted, &t));
      break;
    case 2:
      REQUIRE_OK(small_network_add_conv2d(net, x, &p, weights.data(),
                                          bias.data(), &t));
      break;
    case 3:
      p.groups = channels;
      REQUIRE_OK(small_network_add_conv2d(net, x, &p, weights.data(),
                                          bias.data(), &t));
      break;
    default:
      REQUIRE_OK(small_network_add_dense(net, x, channels, weights.data(),
                                         bias.data(), inverted, &t));
    }
    REQUIRE_OK(small_network_mark_output(net, t));
    REQUIRE_OK(small_network_finalize(net));
    const std::vector<float> y = run_single(net);
    INFO("layer kind " << kind);
    REQUIRE(!y.empty());
    CHECK(y == std::vector<float>(y.size(), -0.5f));
  }
}

TEST_CASE("batchnorm needs var + epsilon > 0 and a valid epsilon",
          "[api][params]") {
  Net net;
  const small_tensor x = net.input(1, 3, 2, 2);
  small_tensor t = -1;
  const float gamma[3] = {1, 2, 3}, beta[3] = {0, 1, 0}, mean[3] = {0, 0, 1};
  const float nan = std::numeric_limits<float>::quiet_NaN();

  const float var_neg[3] = {1.0f, -1.0f, 1.0f};
  EXPECT_ERROR(
      small_network_add_batchnorm(net, x, gamma, beta, mean, var_neg, 0.5f, &t),
      SMALL_ERR_INVALID_ARGUMENT, "batchnorm #0", "var + epsilon", "channel 1");
  const float var_zero[3] = {1.0f, 1.0f, 0.0f};
  EXPECT_ERROR(small_network_add_batchnorm(net, x, gamma, beta, mean, var_zero,
                                           0.0f, &t),
               SMALL_ERR_INVALID_ARGUMENT, "batchnorm #0", "channel 2");
  const float var_nan[3] = {nan, 1.0f, 1.0f};
  EXPECT_ERROR(small_network_add_batchnorm(net, x, gamma, beta, mean, var_nan,
                                           1e-5f, &t),
               SMALL_ERR_INVALID_ARGUMENT, "batchnorm #0", "channel 0");
  const float var_ok[3] = {1.0f, 4.0f, 0.0f};
  EXPECT_ERROR(small_network_add_batchnorm(net, x, gamma, beta, mean, var_ok,
                                           -1e-3f, &t),
               SMALL_ERR_INVALID_ARGUMENT, "batchnorm #0", "epsilon");
  EXPECT_ERROR(
      small_network_add_batchnorm(net, x, gamma, beta, mean, var_ok, nan, &t),
      SMALL_ERR_INVALID_ARGUMENT, "batchnorm #0", "epsilon");
  EXPECT_ERROR(
      small_network_add_batchnorm(net, x, gamma, beta, mean, var_ok,
                                  std::numeric_limits<float>::infinity(), &t),
      SMALL_ERR_INVALID_ARGUMENT, "batchnorm #0", "epsilon");

  // var 0 with epsilon > 0 is valid: y = gamma (x - mean) / sqrt(var + eps)
  // + beta with var + eps in {1, 4, 1}.
  REQUIRE_OK(
      small_network_add_batchnorm(net, x, gamma, beta, mean, var_ok, 1.0f, &t));
  REQUIRE_OK(small_network_mark_output(net, t));
  REQUIRE_OK(small_network_finalize(net));
  const std::vector<float> in = test_data(12);
  const std::vector<float> y = run_single(net);
  REQUIRE(y.size() == 12);
  const float denom[3] = {std::sqrt(2.0f), std::sqrt(5.0f), 1.0f};
  for (size_t i = 0; i < 12; ++i) {
    const size_t c = i / 4;
    const float want = gamma[c] * (in[i] - mean[c]) / denom[c] + beta[c];
    INFO("element " << i);
    CHECK(y[i] == Approx(want).margin(1e-6).epsilon(1e-5));
  }
}

// ---------------------------------------------------------------------------
// Call order

TEST_CASE("building after finalize is an invalid state", "[api][state]") {
  Net net;
  build_relu_net(net);
  small_tensor t = -1;
  const std::vector<float> w = test_data(256); // >= 2 x 60 dense weights
  small_conv2d_params cp = conv_params(3, 1, 1);
  small_pool2d_params pp = pool_params(SMALL_POOL_MAX, 2, 1);
  const float ones[3] = {1, 1, 1}, zeros[3] = {0, 0, 0};
  const small_tensor ids[2] = {0, 1};
  const char *fin = "already finalized";

  EXPECT_ERROR(small_network_add_input(net, 1, 1, 1, 1, &t),
               SMALL_ERR_INVALID_STATE, "small_network_add_input", fin);
  EXPECT_ERROR(small_network_add_conv2d(net, 0, &cp, w.data(), nullptr, &t),
               SMALL_ERR_INVALID_STATE, "small_network_add_conv2d", fin);
  EXPECT_ERROR(
      small_network_add_dense(net, 0, 2, w.data(), nullptr, kNoAct, &t),
      SMALL_ERR_INVALID_STATE, "small_network_add_dense", fin);
  EXPECT_ERROR(small_network_add_pool2d(net, 0, &pp, &t),
               SMALL_ERR_INVALID_STATE, fin);
  EXPECT_ERROR(small_network_add_global_avgpool(net, 0, &t),
               SMALL_ERR_INVALID_STATE, fin);
  EXPECT_ERROR(small_network_add_add(net, 0, 0, kNoAct, &t),
               SMALL_ERR_INVALID_STATE, fin);
  EXPECT_ERROR(small_network_add_concat(net, ids, 2, &t),
               SMALL_ERR_INVALID_STATE, fin);
  EXPECT_ERROR(small_network_add_activation(net, 0, kNoAct, &t),
               SMALL_ERR_INVALID_STATE, fin);
  EXPECT_ERROR(small_network_add_softmax(net, 0, &t), SMALL_ERR_INVALID_STATE,
               fin);
  EXPECT_ERROR(
      small_network_add_batchnorm(net, 0, ones, zeros, zeros, ones, 1e-5f, &t),
      SMALL_ERR_INVALID_STATE, fin);
  EXPECT_ERROR(small_network_add_reshape(net, 0, 60, 1, 1, &t),
               SMALL_ERR_INVALID_STATE, fin);
  EXPECT_ERROR(small_network_add_flatten(net, 0, &t), SMALL_ERR_INVALID_STATE,
               fin);
  EXPECT_ERROR(small_network_mark_output(net, 0), SMALL_ERR_INVALID_STATE,
               "small_network_mark_output", fin);
  EXPECT_ERROR(small_network_finalize(net), SMALL_ERR_INVALID_STATE,
               "small_network_finalize", fin);
  CHECK(t == -1);

  size_t n = 0;
  REQUIRE_OK(small_network_output_count(net, &n));
  CHECK(n == 1);
  REQUIRE_OK(small_network_input_count(net, &n));
  CHECK(n == 1);
  check_relu_net_runs(net);
}

TEST_CASE("using a network before finalize is an invalid state",
          "[api][state]") {
  Net net;
  const small_tensor x = net.input(1, 2, 3, 3);
  const small_tensor r = net.relu(x);
  REQUIRE_OK(small_network_mark_output(net, r));
  std::vector<float> in = test_data(18), out(18, 0.0f);
  std::vector<unsigned char> arena(1 << 16);
  const float *ins[1] = {in.data()};
  float *outs[1] = {out.data()};
  size_t bytes = 0;

  EXPECT_ERROR(small_network_run(net, ins, 1, outs, 1, SMALL_LAYOUT_NCHW),
               SMALL_ERR_INVALID_STATE, "small_network_run", "finalize");
  EXPECT_ERROR(small_network_set_arena(net, arena.data(), arena.size()),
               SMALL_ERR_INVALID_STATE, "small_network_set_arena", "finalize");
  EXPECT_ERROR(small_network_arena_size(net, &bytes), SMALL_ERR_INVALID_STATE,
               "small_network_arena_size", "finalize");
  EXPECT_ERROR(small_network_arena_lower_bound(net, &bytes),
               SMALL_ERR_INVALID_STATE, "small_network_arena_lower_bound",
               "finalize");
  EXPECT_ERROR(small_network_weight_bytes(net, &bytes), SMALL_ERR_INVALID_STATE,
               "small_network_weight_bytes", "finalize");
  CHECK(bytes == 0);
  CHECK(out == std::vector<float>(18, 0.0f));

  // Queries work while building.
  size_t layers = 0;
  REQUIRE_OK(small_network_layer_count(net, &layers));
  CHECK(layers == 1);
  uint32_t dims[4];
  REQUIRE_OK(small_network_output_shape(net, 0, dims));
  CHECK(dims[1] == 2);

  REQUIRE_OK(small_network_finalize(net));
  REQUIRE_OK(small_network_arena_size(net, &bytes));
  CHECK(bytes > 0);
  CHECK(run_single(net) == relu_of(in));
}

TEST_CASE("finalize needs an input and an output", "[api][state]") {
  SECTION("an empty network") {
    Net net;
    EXPECT_ERROR(small_network_finalize(net), SMALL_ERR_INVALID_STATE,
                 "small_network_finalize", "no input");
    // Still buildable afterwards.
    const small_tensor x = net.input(1, 2, 2, 2);
    check_usable(net, x);
  }
  SECTION("no output marked") {
    Net net;
    const small_tensor x = net.input(1, 2, 2, 2);
    net.relu(x);
    EXPECT_ERROR(small_network_finalize(net), SMALL_ERR_INVALID_STATE,
                 "small_network_finalize", "no output");
    EXPECT_ERROR(small_network_finalize(net), SMALL_ERR_INVALID_STATE,
                 "no output");
    // A failed finalize leaves the network buildable.
    check_usable(net, x);
  }
}

TEST_CASE("marking the same output twice fails", "[api][state]") {
  Net net;
  const small_tensor x = net.input(1, 2, 3, 3);
  const small_tensor r = net.relu(x);
  REQUIRE_OK(small_network_mark_output(net, r));
  EXPECT_ERROR(small_network_mark_output(net, r), SMALL_ERR_INVALID_ARGUMENT,
               "small_network_mark_output", "already an output");
  size_t n = 0;
  REQUIRE_OK(small_network_output_count(net, &n));
  CHECK(n == 1);
  REQUIRE_OK(small_network_finalize(net));
  CHECK(run_single(net) == relu_of(test_data(18)));
}

TEST_CASE("run checks the buffer counts", "[api][run]") {
  Net net;
  const small_tensor a = net.input(1, 2, 2, 2);
  const small_tensor b = net.input(1, 2, 2, 2);
  small_tensor s = -1;
  REQUIRE_OK(small_network_add_add(net, a, b, kNoAct, &s));
  REQUIRE_OK(small_network_mark_output(net, s));
  REQUIRE_OK(small_network_finalize(net));

  std::vector<float> xa = test_data(8), xb = test_data(8, 1.0f), y(8, 0.0f),
                     y2(8, 0.0f);
  const float *ins[3] = {xa.data(), xb.data(), xa.data()};
  float *outs[2] = {y.data(), y2.data()};
  EXPECT_ERROR(small_network_run(net, ins, 1, outs, 1, SMALL_LAYOUT_NCHW),
               SMALL_ERR_INVALID_ARGUMENT, "small_network_run",
               "2 input(s), 1 given");
  EXPECT_ERROR(small_network_run(net, ins, 3, outs, 1, SMALL_LAYOUT_NCHW),
               SMALL_ERR_INVALID_ARGUMENT, "2 input(s), 3 given");
  EXPECT_ERROR(small_network_run(net, ins, 0, outs, 1, SMALL_LAYOUT_NCHW),
               SMALL_ERR_INVALID_ARGUMENT, "2 input(s), 0 given");
  EXPECT_ERROR(small_network_run(net, ins, 2, outs, 0, SMALL_LAYOUT_NCHW),
               SMALL_ERR_INVALID_ARGUMENT, "1 output(s), 0 given");
  EXPECT_ERROR(small_network_run(net, ins, 2, outs, 2, SMALL_LAYOUT_NHWC),
               SMALL_ERR_INVALID_ARGUMENT, "1 output(s), 2 given");
  const float *second_null[2] = {xa.data(), nullptr};
  EXPECT_ERROR(
      small_network_run(net, second_null, 2, outs, 1, SMALL_LAYOUT_NCHW),
      SMALL_ERR_NULL_POINTER, "inputs[1] is NULL");
  CHECK(y == std::vector<float>(8, 0.0f));

  REQUIRE_OK(small_network_run(net, ins, 2, outs, 1, SMALL_LAYOUT_NCHW));
  for (size_t i = 0; i < 8; ++i) {
    CHECK(y[i] == xa[i] + xb[i]);
  }
}

TEST_CASE("set_arena with a too small buffer", "[api][arena]") {
  Net net;
  build_relu_net(net);
  size_t need = 0;
  REQUIRE_OK(small_network_arena_size(net, &need));
  REQUIRE(need > 0);
  // 64-byte aligned storage, so no alignment slack is needed.
  std::vector<float> storage((need + 128) / sizeof(float));
  unsigned char *base = reinterpret_cast<unsigned char *>(storage.data());
  unsigned char *aligned =
      base + (64 - reinterpret_cast<uintptr_t>(base) % 64) % 64;

  EXPECT_ERROR(small_network_set_arena(net, aligned, 0),
               SMALL_ERR_BUFFER_TOO_SMALL, "small_network_set_arena",
               "0 bytes given");
  EXPECT_ERROR(small_network_set_arena(net, aligned, need - 1),
               SMALL_ERR_BUFFER_TOO_SMALL, "small_network_set_arena",
               std::to_string(need - 1).c_str(), std::to_string(need).c_str());
  EXPECT_ERROR(small_network_set_arena(net, aligned + 1, need),
               SMALL_ERR_BUFFER_TOO_SMALL, "alignment");
  // The internal arena is still in use.
  check_relu_net_runs(net);
  REQUIRE_OK(small_network_set_arena(net, aligned, need));
  check_relu_net_runs(net);
}

// ---------------------------------------------------------------------------
// small_padding_same

namespace {
// The smallest total padding that gives TensorFlow's SAME output size
// ceil(in / stride), found by search rather than by formula.
uint32_t brute_force_same_total(uint32_t in, uint32_t kernel, uint32_t stride,
                                uint32_t dilation) {
  const uint64_t extent = uint64_t{kernel - 1} * dilation + 1;
  const uint64_t want = (in + stride - 1) / stride;
  for (uint64_t total = 0;; ++total) {
    const uint64_t padded = in + total;
    if (padded >= extent && (padded - extent) / stride + 1 >= want) {
      return static_cast<uint32_t>(total);
    }
  }
}
} // namespace

TEST_CASE("small_padding_same matches TensorFlow SAME", "[api][padding]") {
  // Known TensorFlow values (in, kernel, stride, dilation, before, after).
  const uint32_t known[][6] = {
      {224, 3, 2, 1, 0, 1}, // MobileNet stem: extra pixel after
      {6, 3, 2, 1, 0, 1},   // even input, stride 2
      {5, 3, 2, 1, 1, 1},   // odd input, stride 2
      {4, 2, 2, 1, 0, 0},   // exact tiling
      {7, 7, 1, 1, 3, 3},   {8, 4, 1, 1, 1, 2},
      {1, 3, 2, 1, 1, 1},   {5, 3, 1, 2, 2, 2}, // dilation 2: extent 5
      {10, 1, 3, 1, 0, 0},                      // 1x1 kernel never pads
      {3, 5, 4, 1, 1, 1},                       // window larger than the input
  };
  for (const auto &k : known) {
    uint32_t before = 99, after = 99;
    INFO("in " << k[0] << " kernel " << k[1] << " stride " << k[2]
               << " dilation " << k[3]);
    REQUIRE_OK(small_padding_same(k[0], k[1], k[2], k[3], &before, &after));
    CHECK(before == k[4]);
    CHECK(after == k[5]);
  }

  // A sweep against the search above.
  for (uint32_t in = 1; in <= 20; ++in) {
    for (uint32_t kernel = 1; kernel <= 6; ++kernel) {
      for (uint32_t stride = 1; stride <= 4; ++stride) {
        for (uint32_t dilation = 1; dilation <= 3; ++dilation) {
          uint32_t before = 99, after = 99;
          const small_status s =
              small_padding_same(in, kernel, stride, dilation, &before, &after);
          const uint32_t total =
              brute_force_same_total(in, kernel, stride, dilation);
          const uint64_t extent = uint64_t{kernel - 1} * dilation + 1;
          const uint64_t out = (in + before + after - extent) / stride + 1;
          if (s != SMALL_OK || before + after != total || before != total / 2 ||
              after != total - total / 2 || out != (in + stride - 1) / stride) {
            FAIL("in " << in << " kernel " << kernel << " stride " << stride
                       << " dilation " << dilation << ": status " << s
                       << ", got (" << before << ", " << after
                       << "), want total " << total << " split (" << total / 2
                       << ", " << total - total / 2 << ")");
          }
        }
      }
    }
  }

  uint32_t before = 0, after = 0;
  EXPECT_ERROR(small_padding_same(4, 3, 1, 1, nullptr, &after),
               SMALL_ERR_NULL_POINTER, "small_padding_same", "pad_before");
  EXPECT_ERROR(small_padding_same(4, 3, 1, 1, &before, nullptr),
               SMALL_ERR_NULL_POINTER, "small_padding_same", "pad_after");
  // A window of (2^20 - 1) * 2^20 + 1 pixels needs padding beyond 32 bits.
  EXPECT_ERROR(small_padding_same(1, 1u << 20, 1, 1u << 20, &before, &after),
               SMALL_ERR_OVERFLOW, "small_padding_same", "32 bits");
  // At the 32-bit boundary: total 2^32 overflows, 2^32 - 1 fits.
  EXPECT_ERROR(small_padding_same(1, 3, 1, 1u << 31, &before, &after),
               SMALL_ERR_OVERFLOW, "32 bits");
  REQUIRE_OK(small_padding_same(1, 2, 1, UINT32_MAX, &before, &after));
  CHECK(before == 0x7FFFFFFFu);
  CHECK(after == 0x80000000u);
  REQUIRE_OK(small_padding_same(1, UINT32_MAX, 1, 1, &before, &after));
  CHECK(before == 0x7FFFFFFFu);
  CHECK(after == 0x7FFFFFFFu);
  // Large strides: the output is 1 and nothing needs padding.
  REQUIRE_OK(small_padding_same(UINT32_MAX, UINT32_MAX, UINT32_MAX, 1, &before,
                                &after));
  CHECK(before == 0);
  CHECK(after == 0);
}

namespace {
// Naive single-channel 2-D convolution (cross-correlation) with explicit
// asymmetric padding; the reference for the SAME tests below.
std::vector<float> naive_conv1(const std::vector<float> &x, uint32_t h,
                               uint32_t w, const std::vector<float> &k,
                               uint32_t kh, uint32_t kw, uint32_t stride,
                               uint32_t pt, uint32_t pb, uint32_t pl,
                               uint32_t pr, uint32_t &oh, uint32_t &ow) {
  oh = (h + pt + pb - kh) / stride + 1;
  ow = (w + pl + pr - kw) / stride + 1;
  std::vector<float> y(size_t{oh} * ow, 0.0f);
  for (uint32_t i = 0; i < oh; ++i) {
    for (uint32_t j = 0; j < ow; ++j) {
      double acc = 0.0;
      for (uint32_t r = 0; r < kh; ++r) {
        for (uint32_t s = 0; s < kw; ++s) {
          const int64_t ih = int64_t{i} * stride + r - pt;
          const int64_t iw = int64_t{j} * stride + s - pl;
          if (ih >= 0 && ih < h && iw >= 0 && iw < w) {
            acc += double{x[ih * w + iw]} * k[r * kw + s];
          }
        }
      }
      y[size_t{i} * ow + j] = static_cast<float>(acc);
    }
  }
  return y;
}
} // namespace

TEST_CASE("SAME conv and pool put the odd padding pixel bottom/right",
          "[api][padding]") {
  // 6x6 input, 3x3 kernel, stride 2: out 3x3, total padding 1 per axis,
  // all of it after (TensorFlow), none before.
  std::vector<float> x(36), k(9);
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = static_cast<float>(i + 1);
  }
  for (size_t i = 0; i < k.size(); ++i) {
    k[i] = static_cast<float>(i) - 4.0f; // asymmetric filter
  }
  uint32_t oh = 0, ow = 0;
  const std::vector<float> want =
      naive_conv1(x, 6, 6, k, 3, 3, 2, 0, 1, 0, 1, oh, ow);
  REQUIRE(oh == 3);
  REQUIRE(ow == 3);
  const std::vector<float> wrong_side =
      naive_conv1(x, 6, 6, k, 3, 3, 2, 1, 0, 1, 0, oh, ow);
  REQUIRE(want != wrong_side); // the test can tell the sides apart

  Net net;
  const small_tensor in = net.input(1, 1, 6, 6);
  small_conv2d_params cp = conv_params(1, 3, 3);
  cp.stride_h = cp.stride_w = 2;
  cp.padding_mode = SMALL_PADDING_SAME;
  cp.pad_top = cp.pad_left = 5; // ignored in SAME mode
  small_tensor conv = -1;
  REQUIRE_OK(small_network_add_conv2d(net, in, &cp, k.data(), nullptr, &conv));
  // Max pool 3x3, stride 2, SAME on the same input: padding (0, 1) too.
  small_pool2d_params pp = pool_params(SMALL_POOL_MAX, 3, 2);
  pp.padding_mode = SMALL_PADDING_SAME;
  small_tensor pool = -1;
  REQUIRE_OK(small_network_add_pool2d(net, in, &pp, &pool));
  REQUIRE_OK(small_network_mark_output(net, conv));
  REQUIRE_OK(small_network_mark_output(net, pool));
  REQUIRE_OK(small_network_finalize(net));
  uint32_t dims[4];
  REQUIRE_OK(small_network_output_shape(net, 0, dims));
  CHECK(dims[2] == 3);
  CHECK(dims[3] == 3);
  REQUIRE_OK(small_network_output_shape(net, 1, dims));
  CHECK(dims[2] == 3);
  CHECK(dims[3] == 3);

  std::vector<float> y_conv(9, 0.0f), y_pool(9, 0.0f);
  const float *ins[1] = {x.data()};
  float *outs[2] = {y_conv.data(), y_pool.data()};
  REQUIRE_OK(small_network_run(net, ins, 1, outs, 2, SMALL_LAYOUT_NCHW));
  for (size_t i = 0; i < 9; ++i) {
    INFO("conv output " << i);
    CHECK(y_conv[i] == Approx(want[i]).epsilon(1e-6));
  }
  // Max pool 3x3/2 with padding (0, 1): window rows {0,1,2}, {2,3,4},
  // {4,5}; the input increases along rows and columns, so each maximum is
  // the window's bottom-right pixel.
  const uint32_t last[3] = {2, 4, 5};
  for (uint32_t i = 0; i < 3; ++i) {
    for (uint32_t j = 0; j < 3; ++j) {
      INFO("pool output (" << i << ", " << j << ")");
      CHECK(y_pool[i * 3 + j] == x[last[i] * 6 + last[j]]);
    }
  }
}

TEST_CASE("conv2d SAME padding that does not fit 32 bits is an overflow",
          "[api][padding]") {
  // small_padding_same reports SMALL_ERR_OVERFLOW for this geometry (see
  // above); add_conv2d in SAME mode must not turn it into a claim that some
  // parameter is zero.
  Net net;
  const small_tensor x = net.input(1, 1, 1, 1);
  small_conv2d_params cp = conv_params(1, 3, 1);
  cp.dilation_h = 1u << 31; // extent 2^32 + 1: 2^32 rows of padding
  cp.padding_mode = SMALL_PADDING_SAME;
  const float w[3] = {1, 2, 3};
  small_tensor t = -1;
  const small_status s = small_network_add_conv2d(net, x, &cp, w, nullptr, &t);
  const std::string msg = small_last_error();
  INFO("status " << small_status_string(s) << ", last error: " << msg);
  CHECK(s == SMALL_ERR_OVERFLOW);
  CHECK(msg.find("conv2d #0") != std::string::npos);
  CHECK(msg.find("must be >= 1") == std::string::npos);
  check_usable(net, x);
}
