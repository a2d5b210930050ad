// Compiled plans (small_plan.h): each int8 MLPerf Tiny model exported from
// its finalized network and run through small_plan_bind /
// small_plan_run_int8 must give TFLite's reference output bytes exactly
// (*.int8.expected.bin); plus every refusal of a malformed call or plan.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "every_kind_net.h"
#include "plan_layout_as_int.h"
#include "sample_bytes.h"
#include "small/small.h"
#include "small/small_plan.h"
#include "small/small_tflite.h"

namespace {

const std::string kDir = SMALL_TFLITE_MODELS_DIR;

// The model imported and left open (finalize: the caller's choice).
small_tflite_model *import_open(const std::string &model) {
  small_tflite_options opt;
  small_tflite_options_init(&opt);
  opt.finalize = 0;
  small_tflite_model *m = nullptr;
  const std::string path = kDir + "/" + model + ".int8.tflite";
  INFO(small_tflite_last_error());
  REQUIRE(small_tflite_import_file(path.c_str(), &opt, &m) == SMALL_OK);
  return m;
}

// A plan exported from `model` finalized for this build, bound.
struct BoundPlan {
  small_tflite_model *model = nullptr;
  small_plan_export *exported = nullptr;
  const small_plan *plan = nullptr;
  std::vector<small_plan_slot> slots;
  explicit BoundPlan(const std::string &name) : model(import_open(name)) {
    small_network *net = small_tflite_model_network(model);
    REQUIRE(small_network_finalize(net) == SMALL_OK);
    INFO(small_last_error());
    REQUIRE(small_network_export_plan(net, &exported) == SMALL_OK);
    plan = small_plan_export_get(exported);
    REQUIRE(plan != nullptr);
    slots.assign(plan->slot_count, small_plan_slot{nullptr});
    REQUIRE(small_plan_bind(plan, slots.data(), slots.size()) == SMALL_OK);
  }
  ~BoundPlan() {
    small_plan_export_destroy(exported);
    small_tflite_model_destroy(model);
  }
  BoundPlan(const BoundPlan &) = delete;
  BoundPlan &operator=(const BoundPlan &) = delete;
};

small_status run_plan(const BoundPlan &b, std::vector<unsigned char> &arena,
                      const int8_t *x, int8_t *y) {
  const int8_t *ins[1] = {x};
  int8_t *outs[1] = {y};
  return small_plan_run_int8(b.plan, b.slots.data(), arena.data(), arena.size(),
                             ins, 1, outs, 1, SMALL_LAYOUT_NHWC);
}

} // namespace

TEST_CASE("plans of the int8 models give TFLite's bytes",
          "[int8][models][plan]") {
  const char *const samples[][2] = {
      {"resnet8", "resnet8"},
      {"resnet8", "resnet8.2"},
      {"dscnn", "dscnn"},
      {"mobilenet_vww", "mobilenet_vww.2"},
      {"autoencoder", "autoencoder"},
      {"streaming_wakeword", "streaming_wakeword.class1"},
  };
  for (const auto &s : samples) {
    INFO(s[1]);
    BoundPlan b(s[0]);
    CHECK(b.plan->step_count > 0);
    CHECK(b.plan->macs > 0);
    // The arena starts one byte past a 64-byte boundary: the run aligns
    // inside it.
    std::vector<unsigned char> arena(b.plan->arena_bytes + 64);
    const std::vector<int8_t> x =
        read_int8(kDir + "/" + s[1] + ".int8.input.bin");
    const std::vector<int8_t> want =
        read_int8(kDir + "/" + s[1] + ".int8.expected.bin");
    std::vector<int8_t> y(want.size(), 0x55);
    std::vector<unsigned char> shifted(arena.size() + 1);
    const int8_t *ins[1] = {x.data()};
    int8_t *outs[1] = {y.data()};
    REQUIRE(small_plan_run_int8(b.plan, b.slots.data(), shifted.data() + 1,
                                shifted.size() - 1, ins, 1, outs, 1,
                                SMALL_LAYOUT_NHWC) == SMALL_OK);
    CHECK(y == want);
  }
}

TEST_CASE("plans refuse malformed calls and plans", "[int8][plan]") {
  BoundPlan b("dscnn");
  const small_plan &good = *b.plan;
  std::vector<unsigned char> arena(good.arena_bytes + 64);
  const std::vector<int8_t> x(49 * 10, 0);
  std::vector<int8_t> y(12);

  SECTION("bind") {
    std::vector<small_plan_slot> slots(good.slot_count);
    CHECK(small_plan_bind(nullptr, slots.data(), slots.size()) ==
          SMALL_ERR_NULL_POINTER);
    CHECK(small_plan_bind(&good, nullptr, 0) == SMALL_ERR_NULL_POINTER);
    CHECK(small_plan_bind(&good, slots.data(), slots.size() - 1) ==
          SMALL_ERR_BUFFER_TOO_SMALL);
    CHECK(std::strstr(small_last_error(), "kernel slots") != nullptr);
    small_plan other = good;
    other.version = SMALL_PLAN_VERSION + 1;
    CHECK(small_plan_bind(&other, slots.data(), slots.size()) ==
          SMALL_ERR_INVALID_ARGUMENT);
    CHECK(std::strstr(small_last_error(), "regenerate") != nullptr);
    other = good;
    other.config.channel_block *= 2;
    CHECK(small_plan_bind(&other, slots.data(), slots.size()) ==
          SMALL_ERR_INVALID_ARGUMENT);
    CHECK(std::strstr(small_last_error(), "made for") != nullptr);
    std::vector<small_plan_step> steps(good.steps,
                                       good.steps + good.step_count);
    other = good;
    other.steps = steps.data();
    steps[0].window = nullptr;
    CHECK(small_plan_bind(&other, slots.data(), slots.size()) ==
          SMALL_ERR_INVALID_ARGUMENT);
    steps[0] = good.steps[0];
    steps[0].run = nullptr;
    CHECK(small_plan_bind(&other, slots.data(), slots.size()) ==
          SMALL_ERR_INVALID_ARGUMENT);
    CHECK(std::strstr(small_last_error(), "runner") != nullptr);
    steps[0] = good.steps[0];
    steps[1].out = good.arena_bytes + 1;
    CHECK(small_plan_bind(&other, slots.data(), slots.size()) ==
          SMALL_ERR_INVALID_ARGUMENT);
    CHECK(std::strstr(small_last_error(), "past the arena") != nullptr);
    steps[1] = good.steps[1];
    small_plan_window window = *good.steps[0].window;
    window.first_slot = good.slot_count;
    steps[0].window = &window;
    CHECK(small_plan_bind(&other, slots.data(), slots.size()) ==
          SMALL_ERR_INVALID_ARGUMENT);
    window = *good.steps[0].window;
    window.family = 9;
    CHECK(small_plan_bind(&other, slots.data(), slots.size()) ==
          SMALL_ERR_INVALID_ARGUMENT);
    CHECK(std::strstr(small_last_error(), "family 9") != nullptr);
  }
  SECTION("run") {
    const int8_t *ins[1] = {x.data()};
    int8_t *outs[1] = {y.data()};
    std::vector<small_plan_slot> unbound(good.slot_count);
    CHECK(small_plan_run_int8(&good, unbound.data(), arena.data(), arena.size(),
                              ins, 1, outs, 1,
                              SMALL_LAYOUT_NHWC) == SMALL_ERR_INVALID_STATE);
    CHECK(std::strstr(small_last_error(), "small_plan_bind") != nullptr);
    CHECK(small_plan_run_int8(&good, b.slots.data(), nullptr, arena.size(), ins,
                              1, outs, 1,
                              SMALL_LAYOUT_NHWC) == SMALL_ERR_NULL_POINTER);
    CHECK(small_plan_run_int8(&good, b.slots.data(), arena.data(),
                              good.arena_bytes - 1, ins, 1, outs, 1,
                              SMALL_LAYOUT_NHWC) == SMALL_ERR_BUFFER_TOO_SMALL);
    CHECK(small_plan_run_int8(&good, b.slots.data(), arena.data(), arena.size(),
                              ins, 2, outs, 1,
                              SMALL_LAYOUT_NHWC) == SMALL_ERR_INVALID_ARGUMENT);
    const int8_t *null_in[1] = {nullptr};
    CHECK(small_plan_run_int8(&good, b.slots.data(), arena.data(), arena.size(),
                              null_in, 1, outs, 1,
                              SMALL_LAYOUT_NHWC) == SMALL_ERR_NULL_POINTER);
    CHECK(std::strstr(small_last_error(), "inputs[0]") != nullptr);
    int8_t *null_out[1] = {nullptr};
    CHECK(small_plan_run_int8(&good, b.slots.data(), arena.data(), arena.size(),
                              ins, 1, null_out, 1,
                              SMALL_LAYOUT_NHWC) == SMALL_ERR_NULL_POINTER);
    CHECK(std::strstr(small_last_error(), "outputs[0]") != nullptr);
    CHECK(plan_run_with_int_layout(&good, b.slots.data(), arena.data(),
                                   arena.size(), ins, 1, outs, 1,
                                   7) == SMALL_ERR_INVALID_ARGUMENT);
    CHECK(std::strstr(small_last_error(), "layout 7") != nullptr);
    CHECK(small_plan_run_int8(&good, b.slots.data(), arena.data(), arena.size(),
                              ins, 1, outs, 1, SMALL_LAYOUT_NHWC) == SMALL_OK);
  }
}

TEST_CASE("plans are exported from finalized int8 networks only",
          "[int8][plan]") {
  small_plan_export *e = nullptr;
  CHECK(small_network_export_plan(nullptr, &e) == SMALL_ERR_NULL_POINTER);
  small_tflite_model *m = import_open("dscnn");
  small_network *net = small_tflite_model_network(m);
  CHECK(small_network_export_plan(net, nullptr) == SMALL_ERR_NULL_POINTER);
  CHECK(small_network_export_plan(net, &e) == SMALL_ERR_INVALID_STATE);
  CHECK(e == nullptr);
  CHECK(small_network_set_target(net, "cortex-m7") ==
        SMALL_ERR_INVALID_ARGUMENT);
  CHECK(std::strstr(small_last_error(), "cortex-m4, cortex-m55") != nullptr);
  CHECK(small_network_set_target(net, nullptr) == SMALL_ERR_NULL_POINTER);
  // A plan for a firmware target: this build's bind refuses it, naming
  // both configurations.
  REQUIRE(small_network_set_target(net, "cortex-m4") == SMALL_OK);
  REQUIRE(small_network_finalize(net) == SMALL_OK);
  REQUIRE(small_network_export_plan(net, &e) == SMALL_OK);
  const small_plan *plan = small_plan_export_get(e);
  CHECK(plan->config.channel_block == 8);
  CHECK(plan->config.k_group == 4);
  CHECK(plan->config.conv_max_width == 16);
  std::vector<small_plan_slot> slots(plan->slot_count);
  CHECK(small_plan_bind(plan, slots.data(), slots.size()) ==
        SMALL_ERR_INVALID_ARGUMENT);
  CHECK(std::strstr(small_last_error(), "Cb 8, k-group 4") != nullptr);
  small_plan_export_destroy(e);
  small_tflite_model_destroy(m);

  // A float network: its layers have no plan form.
  small_tflite_options opt;
  small_tflite_options_init(&opt);
  const std::string path = kDir + "/dscnn.fp32.tflite";
  REQUIRE(small_tflite_import_file(path.c_str(), &opt, &m) == SMALL_OK);
  e = nullptr;
  CHECK(small_network_export_plan(small_tflite_model_network(m), &e) ==
        SMALL_ERR_UNSUPPORTED);
  CHECK(std::strstr(small_last_error(), "int8") != nullptr);
  CHECK(e == nullptr);
  small_tflite_model_destroy(m);
}

// The network of every step kind (every_kind_net.h): the plan must give the
// network's own output bytes in both layouts.
TEST_CASE("a plan runs every layer kind like the network", "[int8][plan]") {
  small_network *net = nullptr;
  REQUIRE(small_network_create(&net) == SMALL_OK);
  const small_status built = build_every_kind_net(net);
  INFO(small_last_error());
  REQUIRE(built == SMALL_OK);
  INFO(small_last_error());
  REQUIRE(small_network_finalize(net) == SMALL_OK);

  small_plan_export *e = nullptr;
  REQUIRE(small_network_export_plan(net, &e) == SMALL_OK);
  const small_plan *plan = small_plan_export_get(e);
  CHECK(plan->step_count == 12);
  std::vector<small_plan_slot> slots(plan->slot_count);
  REQUIRE(small_plan_bind(plan, slots.data(), slots.size()) == SMALL_OK);
  std::vector<unsigned char> arena(plan->arena_bytes + 64);
  const std::vector<int8_t> in = every_kind_input();
  REQUIRE(plan->output_count == 2);
  for (small_layout layout : {SMALL_LAYOUT_NCHW, SMALL_LAYOUT_NHWC}) {
    std::vector<int8_t> want0(10, 0x55), want1(1200, 0x55);
    std::vector<int8_t> got0(10, 0x66), got1(1200, 0x66);
    const int8_t *ins[1] = {in.data()};
    int8_t *wants[2] = {want0.data(), want1.data()};
    int8_t *gots[2] = {got0.data(), got1.data()};
    REQUIRE(small_network_run_int8(net, ins, 1, wants, 2, layout) == SMALL_OK);
    REQUIRE(small_plan_run_int8(plan, slots.data(), arena.data(), arena.size(),
                                ins, 1, gots, 2, layout) == SMALL_OK);
    CHECK(got0 == want0);
    CHECK(got1 == want1);
    // Not saturated: the softmax spreads over several classes.
    CHECK(std::count_if(want0.begin(), want0.end(),
                        [](int8_t v) { return v > -128; }) > 1);
  }
  small_plan_export_destroy(e);
  small_network_destroy(net);
}
