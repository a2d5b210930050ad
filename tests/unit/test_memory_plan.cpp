// Arena planning through the public API: the arena against the liveness
// lower bound (recomputed here from the tensor shapes), caller-provided
// arenas at every alignment, and independence of networks and runs. The
// planner itself (small::plan_arena) is checked on random inputs too.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/network_queries.h"
#include "common/require_ok.h"
#include "common/seeded_conv.h"
#include "common/seeded_values.h"
#include "graph/memory_plan.h"
#include "kernel_contract.h"
#include "small/small.h"

namespace {

size_t channel_block() {
  small_kernel_info info{};
  REQUIRE_OK(small_kernel_config(&info));
  REQUIRE(info.channel_block >= 1);
  return info.channel_block;
}

size_t round64(size_t v) { return (v + 63) / 64 * 64; }

// Arena bytes of a tensor: [n][ceil(c/Cb)][h][w][Cb] floats, in 64-byte
// units (the planner aligns every tensor to 64 bytes).
size_t tensor_bytes(small_network *net, small_tensor t) {
  uint32_t d[4] = {0, 0, 0, 0};
  REQUIRE_OK(small_network_tensor_shape(net, t, d));
  const size_t cb = channel_block();
  return round64(size_t{d[0]} * ((d[1] + cb - 1) / cb) * d[2] * d[3] * cb *
                 sizeof(float));
}

// Arena bytes of a network input read only by (non-grouped) convolutions:
// with c < Cb it is stored unpadded, [n][1][h][w][c].
size_t conv_input_bytes(small_network *net, small_tensor t) {
  uint32_t d[4] = {0, 0, 0, 0};
  REQUIRE_OK(small_network_tensor_shape(net, t, d));
  if (d[1] >= channel_block()) {
    return tensor_bytes(net, t);
  }
  return round64(size_t{d[0]} * d[1] * d[2] * d[3] * sizeof(float));
}

// A tensor's lifetime in execution steps: step 0 converts the inputs, layer
// k (in the order added, after fusion) runs at step k; outputs are read back
// at the step after the last layer.
struct Live {
  size_t bytes;
  int first, last;
};

size_t liveness_bound(const std::vector<Live> &tensors) {
  int steps = 0;
  for (const Live &t : tensors) {
    steps = std::max(steps, t.last);
  }
  size_t bound = 0;
  for (int s = 0; s <= steps; ++s) {
    size_t live = 0;
    for (const Live &t : tensors) {
      if (t.first <= s && s <= t.last) {
        live += t.bytes;
      }
    }
    bound = std::max(bound, live);
  }
  return bound;
}

// input (1,3,16,16) -> conv 3x3 + ReLU (8) -> maxpool 2/2 -> conv 3x3/2 (8)
// -> global avgpool -> dense (10) -> softmax: every tensor is at most as
// large as the one before it for any Cb. Returns the materialized tensors in
// execution order. finalize false: stops before finalize.
std::vector<small_tensor> build_chain(small_network *net,
                                      bool finalize = true) {
  std::vector<small_tensor> t;
  small_tensor x = -1;
  REQUIRE_OK(small_network_add_input(net, 1, 3, 16, 16, &x));
  t.push_back(x);
  t.push_back(seeded_conv(net, x, 3, 8, 3, 1, SMALL_ACT_RELU, 1));
  small_pool2d_params pp;
  small_pool2d_params_init(&pp);
  pp.kind = SMALL_POOL_MAX;
  pp.kernel_h = pp.kernel_w = 2;
  pp.stride_h = pp.stride_w = 2;
  small_tensor y = -1;
  REQUIRE_OK(small_network_add_pool2d(net, t.back(), &pp, &y));
  t.push_back(y);
  t.push_back(seeded_conv(net, y, 8, 8, 3, 2, SMALL_ACT_NONE, 2));
  REQUIRE_OK(small_network_add_global_avgpool(net, t.back(), &y));
  t.push_back(y);
  const std::vector<float> fc = seeded_values(10 * 8, 3);
  REQUIRE_OK(small_network_add_dense(net, y, 10, fc.data(), nullptr,
                                     small_activation_make(SMALL_ACT_NONE),
                                     &y));
  t.push_back(y);
  REQUIRE_OK(small_network_add_softmax(net, y, &y));
  t.push_back(y);
  REQUIRE_OK(small_network_mark_output(net, y));
  if (finalize) {
    REQUIRE_OK(small_network_finalize(net));
  }
  return t;
}

// input (1,5,6,6) -> conv+ReLU (t1) -> conv (t2) -> add(t1, t2)+ReLU (t3)
// -> conv 1x1 (t4, output). All tensors have the same size.
std::vector<small_tensor> build_residual(small_network *net) {
  small_tensor x = -1, sum = -1;
  REQUIRE_OK(small_network_add_input(net, 1, 5, 6, 6, &x));
  const small_tensor t1 = seeded_conv(net, x, 5, 5, 3, 1, SMALL_ACT_RELU, 11);
  const small_tensor t2 = seeded_conv(net, t1, 5, 5, 3, 1, SMALL_ACT_NONE, 12);
  REQUIRE_OK(small_network_add_add(
      net, t1, t2, small_activation_make(SMALL_ACT_NONE), &sum));
  small_tensor r = -1; // a standalone ReLU, fused into the add
  REQUIRE_OK(small_network_add_activation(
      net, sum, small_activation_make(SMALL_ACT_RELU), &r));
  const small_tensor t4 = seeded_conv(net, r, 5, 5, 1, 1, SMALL_ACT_NONE, 13);
  REQUIRE_OK(small_network_mark_output(net, t4));
  REQUIRE_OK(small_network_finalize(net));
  return {x, t1, t2, r, t4};
}

// Runs a finalized network on inputs made from `seed`; every output buffer
// is pre-filled with a NaN pattern so unwritten elements show.
std::vector<std::vector<float>> run(small_network *net, uint32_t seed,
                                    small_layout layout = SMALL_LAYOUT_NCHW) {
  size_t n_in = 0, n_out = 0;
  REQUIRE_OK(small_network_input_count(net, &n_in));
  REQUIRE_OK(small_network_output_count(net, &n_out));
  std::vector<std::vector<float>> ins(n_in), outs(n_out);
  std::vector<const float *> in_ptrs;
  std::vector<float *> out_ptrs;
  for (size_t i = 0; i < n_in; ++i) {
    uint32_t d[4];
    REQUIRE_OK(small_network_input_shape(net, i, d));
    ins[i] = seeded_values(size_t{d[0]} * d[1] * d[2] * d[3],
                           seed + static_cast<uint32_t>(i));
    in_ptrs.push_back(ins[i].data());
  }
  for (size_t i = 0; i < n_out; ++i) {
    uint32_t d[4];
    REQUIRE_OK(small_network_output_shape(net, i, d));
    outs[i].assign(size_t{d[0]} * d[1] * d[2] * d[3],
                   std::numeric_limits<float>::quiet_NaN());
    out_ptrs.push_back(outs[i].data());
  }
  REQUIRE_OK(small_network_run(net, in_ptrs.data(), n_in, out_ptrs.data(),
                               n_out, layout));
  return outs;
}

// Bitwise equality (NaN-safe, and stricter than ==: -0 vs +0 differ).
bool same_bits(const std::vector<std::vector<float>> &a,
               const std::vector<std::vector<float>> &b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].size() != b[i].size() ||
        std::memcmp(a[i].data(), b[i].data(), a[i].size() * sizeof(float)) !=
            0) {
      return false;
    }
  }
  return true;
}

bool all_finite(const std::vector<std::vector<float>> &v) {
  for (const auto &o : v) {
    for (float x : o) {
      if (!std::isfinite(x)) {
        return false;
      }
    }
  }
  return true;
}

size_t lower_bound_of(small_network *net) {
  size_t bytes = 0;
  REQUIRE_OK(small_network_arena_lower_bound(net, &bytes));
  return bytes;
}

} // namespace

// ---------------------------------------------------------------------------
// Arena size against the liveness lower bound

TEST_CASE("chain: arena equals the liveness lower bound", "[memory_plan]") {
  Net net;
  const std::vector<small_tensor> t = build_chain(net);
  size_t layers = 0;
  REQUIRE_OK(small_network_layer_count(net, &layers));
  REQUIRE(layers == t.size() - 1); // the ReLU is fused into the conv

  std::vector<Live> live;
  for (size_t i = 0; i < t.size(); ++i) {
    const int step = static_cast<int>(i);
    live.push_back({tensor_bytes(net, t[i]), step, step + 1});
  }
  // The 3-channel input feeds only a convolution, so it is stored unpadded
  // ([n][1][h][w][3]) whenever 3 < Cb.
  live[0].bytes = conv_input_bytes(net, t[0]);
  if (channel_block() > 3) {
    CHECK(live[0].bytes == round64(size_t{1} * 16 * 16 * 3 * sizeof(float)));
  }
  for (size_t i = 2; i < live.size(); ++i) {
    INFO("tensor " << i);
    REQUIRE(live[i].bytes <= live[i - 1].bytes); // non-increasing after conv
  }
  const size_t bound = liveness_bound(live);
  CHECK(bound ==
        std::max(live[0].bytes + live[1].bytes, live[1].bytes + live[2].bytes));
  CHECK(lower_bound_of(net) == bound);
  CHECK(arena_of(net) >= lower_bound_of(net));
  CHECK(arena_of(net) == bound);
}

TEST_CASE("chain of equal tensors: two tensors' worth", "[memory_plan]") {
  Net net;
  small_tensor x = -1;
  REQUIRE_OK(small_network_add_input(net, 2, 5, 7, 7, &x));
  small_tensor y = x;
  for (uint32_t i = 0; i < 4; ++i) {
    y = seeded_conv(net, y, 5, 5, 3, 1, SMALL_ACT_RELU6, 20 + i);
  }
  REQUIRE_OK(small_network_mark_output(net, y));
  REQUIRE_OK(small_network_finalize(net));
  // Every convolution output has the same size s; the input (read only by
  // a convolution) is at most that.
  const size_t s = tensor_bytes(net, y);
  REQUIRE(conv_input_bytes(net, x) <= s);
  const std::vector<Live> live = {{conv_input_bytes(net, x), 0, 1},
                                  {s, 1, 2},
                                  {s, 2, 3},
                                  {s, 3, 4},
                                  {s, 4, 5}};
  CHECK(liveness_bound(live) == 2 * s);
  CHECK(lower_bound_of(net) == 2 * s);
  CHECK(arena_of(net) == 2 * s);
}

TEST_CASE("residual: arena against the liveness lower bound", "[memory_plan]") {
  Net net;
  const std::vector<small_tensor> t = build_residual(net);
  size_t layers = 0;
  REQUIRE_OK(small_network_layer_count(net, &layers));
  if (small_kernels_active()->conv_residual != 0) {
    // The add (+ReLU) folds into the second conv, which reads t1 at step 2.
    REQUIRE(layers == 3);
    const std::vector<Live> live = {{conv_input_bytes(net, t[0]), 0, 1},
                                    {tensor_bytes(net, t[1]), 1, 2},
                                    {tensor_bytes(net, t[3]), 2, 3},
                                    {tensor_bytes(net, t[4]), 3, 4}};
    const size_t bound = liveness_bound(live);
    CHECK(bound == 2 * live[1].bytes); // t1 and the sum at the fused conv
    CHECK(lower_bound_of(net) == bound);
    CHECK(arena_of(net) == bound);
    return;
  }
  REQUIRE(layers == 4); // conv, conv, add (+ReLU), conv
  // x: step 0-1; t1: produced at 1, read by the add at 3; t2: 2-3;
  // the add's output: 3-4; the output: 4 and read back at 5.
  const std::vector<Live> live = {{conv_input_bytes(net, t[0]), 0, 1},
                                  {tensor_bytes(net, t[1]), 1, 3},
                                  {tensor_bytes(net, t[2]), 2, 3},
                                  {tensor_bytes(net, t[3]), 3, 4},
                                  {tensor_bytes(net, t[4]), 4, 5}};
  const size_t bound = liveness_bound(live);
  CHECK(bound == 3 * live[1].bytes); // t1, t2 and the sum at the add
  CHECK(lower_bound_of(net) == bound);
  CHECK(arena_of(net) >= bound);
  CHECK(arena_of(net) == bound); // equal sizes: the greedy plan is optimal
}

TEST_CASE("an input that is also the output", "[memory_plan]") {
  Net net;
  small_tensor x = -1;
  REQUIRE_OK(small_network_add_input(net, 1, 3, 2, 5, &x));
  REQUIRE_OK(small_network_mark_output(net, x));
  REQUIRE_OK(small_network_finalize(net));
  size_t layers = 9;
  REQUIRE_OK(small_network_layer_count(net, &layers));
  CHECK(layers == 0);
  CHECK(arena_of(net) == tensor_bytes(net, x));
  CHECK(lower_bound_of(net) == tensor_bytes(net, x));
  const auto out = run(net, 5);
  CHECK(out[0] == seeded_values(30, 5)); // a layout round trip, unchanged
}

TEST_CASE("layers that reach no output cost no arena", "[memory_plan]") {
  // The same network twice, the second with a large dead branch that
  // finalize prunes. The pruned layer's tensor must not be planned.
  Net lean, dead;
  for (small_network *net : {lean.p, dead.p}) {
    small_tensor x = -1, r = -1;
    REQUIRE_OK(small_network_add_input(net, 1, 4, 8, 8, &x));
    if (net == dead.p) {
      seeded_conv(net, x, 4, 64, 3, 1, SMALL_ACT_NONE,
                  30); // 16 KiB, never used
    }
    REQUIRE_OK(small_network_add_activation(
        net, x, small_activation_make(SMALL_ACT_RELU), &r));
    REQUIRE_OK(small_network_mark_output(net, r));
    REQUIRE_OK(small_network_finalize(net));
  }
  size_t layers = 0;
  REQUIRE_OK(small_network_layer_count(dead, &layers));
  CHECK(layers == 1);
  CHECK(lower_bound_of(dead) == lower_bound_of(lean));
  CHECK(arena_of(lean) == lower_bound_of(lean));
  CHECK(arena_of(dead) == arena_of(lean));
  CHECK(same_bits(run(dead, 7), run(lean, 7)));
}

// ---------------------------------------------------------------------------
// The planner on its own

TEST_CASE("plan_arena: random plans are valid and tight", "[memory_plan]") {
  std::mt19937 rng(20240601u);
  for (int trial = 0; trial < 300; ++trial) {
    const size_t count = rng() % 24;
    std::vector<small::PlanItem> items;
    for (size_t i = 0; i < count; ++i) {
      const int first = static_cast<int>(rng() % 16);
      const int last = first + static_cast<int>(rng() % 6);
      const size_t bytes = 1 + rng() % (rng() % 2 ? 300 : 9000);
      items.push_back({bytes, first, last, 0});
    }
    small::MemoryPlan plan;
    REQUIRE(small::plan_arena(items, plan) == SMALL_OK);
    INFO("trial " << trial << ", " << count << " items");
    REQUIRE(plan.offsets.size() == count);
    size_t end = 0;
    std::vector<Live> live;
    for (size_t i = 0; i < count; ++i) {
      CHECK(plan.offsets[i] % 64 == 0);
      end = std::max(end, plan.offsets[i] + round64(items[i].bytes));
      live.push_back(
          {round64(items[i].bytes), items[i].first_step, items[i].last_step});
      for (size_t j = 0; j < i; ++j) {
        const bool same_time = items[i].first_step <= items[j].last_step &&
                               items[j].first_step <= items[i].last_step;
        const bool disjoint =
            plan.offsets[i] + items[i].bytes <= plan.offsets[j] ||
            plan.offsets[j] + items[j].bytes <= plan.offsets[i];
        if (same_time && !disjoint) {
          FAIL("items " << i << " and " << j << " are alive together but "
                        << "overlap: [" << plan.offsets[i] << ", +"
                        << items[i].bytes << ") and [" << plan.offsets[j]
                        << ", +" << items[j].bytes << ")");
        }
      }
    }
    CHECK(plan.arena_bytes == end);
    CHECK(plan.lower_bound == liveness_bound(live));
    CHECK(plan.arena_bytes >= plan.lower_bound);
  }
  small::MemoryPlan empty, one;
  REQUIRE(small::plan_arena({}, empty) == SMALL_OK);
  CHECK(empty.arena_bytes == 0);
  CHECK(empty.lower_bound == 0);
  REQUIRE(small::plan_arena({{100, 0, 3, 0}}, one) == SMALL_OK);
  CHECK(one.offsets == std::vector<size_t>{0});
  CHECK(one.arena_bytes == 128);
  CHECK(one.lower_bound == 128);
}

TEST_CASE("plan_arena: MobileNet's first layers reach the liveness bound",
          "[memory_plan]") {
  // The int8 MobileNet VWW at Cb = 8: a 36 KB input, two 18 KB maps, a
  // 36 KB map, a 9 KB one. Largest first puts the second 18 KB map above
  // the others (72 KB); placing in order of first use reuses the dead input
  // and fits the bound: 54 KB, where the 36 KB map lies beside the live
  // 18 KB one.
  const std::vector<small::PlanItem> items = {{36864, 0, 0, 0},
                                              {18432, 0, 1, 0},
                                              {18432, 1, 2, 0},
                                              {36864, 2, 3, 0},
                                              {9216, 3, 4, 0}};
  small::MemoryPlan plan;
  REQUIRE(small::plan_arena(items, plan) == SMALL_OK);
  CHECK(plan.lower_bound == 55296);
  CHECK(plan.arena_bytes == 55296);
}

// ---------------------------------------------------------------------------
// Caller-provided arenas

TEST_CASE("set_arena: any alignment, dirty memory, same results",
          "[memory_plan][arena]") {
  Net net;
  build_chain(net);
  const auto reference = run(net, 42);
  REQUIRE(all_finite(reference));
  const size_t arena = arena_of(net);

  for (size_t misalign : {0, 1, 4, 17, 32, 60, 63}) {
    INFO("buffer at 64-byte boundary + " << misalign);
    // Guard zones on both sides; everything starts as 0xFF bytes (NaN
    // floats) so results must not depend on the arena's initial contents.
    std::vector<unsigned char> storage(arena + 512, 0xFF);
    const uintptr_t raw = reinterpret_cast<uintptr_t>(storage.data());
    unsigned char *base = storage.data() + (64 - raw % 64) % 64 + 128;
    unsigned char *buffer = base + misalign;
    const size_t skip = (64 - misalign) % 64;
    unsigned char *aligned = buffer + skip;

    if (skip > 0) { // one byte short at this alignment
      CHECK(small_network_set_arena(net, buffer, arena + skip - 1) ==
            SMALL_ERR_BUFFER_TOO_SMALL);
    }
    CHECK(small_network_set_arena(net, buffer, arena - 1) ==
          SMALL_ERR_BUFFER_TOO_SMALL);
    // Exactly enough, and the documented worst case arena + 63.
    REQUIRE_OK(small_network_set_arena(net, buffer, arena + skip));
    CHECK(same_bits(run(net, 42), reference));
    REQUIRE_OK(small_network_set_arena(net, buffer, arena + 63));
    CHECK(same_bits(run(net, 42), reference));
    CHECK(same_bits(run(net, 42), reference));

    // Nothing outside [aligned, aligned + arena) was written.
    const size_t lo = static_cast<size_t>(aligned - storage.data());
    const size_t hi = lo + arena;
    size_t touched = 0;
    for (size_t i = 0; i < storage.size(); ++i) {
      if ((i < lo || i >= hi) && storage[i] != 0xFF) {
        ++touched;
      }
    }
    CHECK(touched == 0);
    // The arena really was used.
    CHECK(std::count(storage.begin() + lo, storage.begin() + hi, 0xFF) <
          static_cast<std::ptrdiff_t>(arena));
  }
}

TEST_CASE("finalize_with_arena runs the network in the caller's buffer, or "
          "refuses one too small",
          "[memory_plan][arena]") {
  Net plain;
  build_chain(plain);
  const auto reference = run(plain, 42);
  const size_t arena = arena_of(plain);
  // Any alignment: the documented worst case is arena + 63 bytes.
  std::vector<unsigned char> storage(arena + 63 + 64, 0xFF);
  unsigned char *buffer = storage.data() + 1;

  Net net;
  build_chain(net, false);
  REQUIRE_OK(small_network_finalize_with_arena(net, buffer, arena + 63));
  CHECK(arena_of(net) == arena);
  CHECK(same_bits(run(net, 42), reference));
  // The buffer was used, and nothing past its end was written.
  CHECK(std::count(buffer, buffer + arena + 63, 0xFF) <
        static_cast<std::ptrdiff_t>(arena + 63));
  CHECK(std::count(buffer + arena + 63, storage.data() + storage.size(),
                   0xFF) == 63);

  Net short_of_one;
  build_chain(short_of_one, false);
  const size_t skip = (64 - reinterpret_cast<uintptr_t>(buffer) % 64) % 64;
  CHECK(small_network_finalize_with_arena(short_of_one, buffer,
                                          arena + skip - 1) ==
        SMALL_ERR_BUFFER_TOO_SMALL);
  CHECK(std::string(small_last_error()).find("finalize: ") !=
        std::string::npos);
  size_t bytes = 0;
  CHECK(small_network_arena_size(short_of_one, &bytes) ==
        SMALL_ERR_INVALID_STATE);

  Net null_buffer;
  build_chain(null_buffer, false);
  CHECK(small_network_finalize_with_arena(nullptr, buffer, arena) ==
        SMALL_ERR_NULL_POINTER);
  CHECK(small_network_finalize_with_arena(null_buffer, nullptr, arena) ==
        SMALL_ERR_NULL_POINTER);
  REQUIRE_OK(small_network_finalize(null_buffer)); // still unfinalized
  CHECK(same_bits(run(null_buffer, 42), reference));
  CHECK(small_network_finalize_with_arena(null_buffer, buffer, arena + 63) ==
        SMALL_ERR_INVALID_STATE);
}

TEST_CASE("set_arena: switching buffers and failed calls",
          "[memory_plan][arena]") {
  Net net;
  build_residual(net);
  const auto reference = run(net, 3);
  const size_t arena = arena_of(net);

  auto first = std::make_unique<std::vector<unsigned char>>(arena + 63, 0xA5);
  REQUIRE_OK(small_network_set_arena(net, first->data(), first->size()));
  CHECK(same_bits(run(net, 3), reference));
  // A failed set_arena keeps the current buffer.
  std::vector<unsigned char> tiny(16);
  CHECK(small_network_set_arena(net, tiny.data(), tiny.size()) ==
        SMALL_ERR_BUFFER_TOO_SMALL);
  CHECK(same_bits(run(net, 3), reference));
  // Switch to a second buffer, then free the first: it must not be used
  // anymore (valgrind/ASan see any access).
  std::vector<unsigned char> second(arena + 63, 0x5A);
  REQUIRE_OK(small_network_set_arena(net, second.data(), second.size()));
  first.reset();
  CHECK(same_bits(run(net, 3), reference));
  CHECK(arena_of(net) == arena); // the plan does not change
}

// ---------------------------------------------------------------------------
// Independence

TEST_CASE("two networks share nothing", "[memory_plan]") {
  // Built from the same caller arrays, which are then overwritten: the
  // library copied them.
  auto build = [](small_network *net, std::vector<float> &w,
                  std::vector<float> &b) {
    small_tensor x = -1, y = -1;
    REQUIRE_OK(small_network_add_input(net, 1, 3, 9, 9, &x));
    small_conv2d_params p;
    small_conv2d_params_init(&p);
    p.out_channels = 6;
    p.kernel_h = p.kernel_w = 3;
    p.activation = small_activation_make(SMALL_ACT_RELU);
    REQUIRE_OK(small_network_add_conv2d(net, x, &p, w.data(), b.data(), &y));
    REQUIRE_OK(small_network_add_global_avgpool(net, y, &y));
    REQUIRE_OK(small_network_add_softmax(net, y, &y));
    REQUIRE_OK(small_network_mark_output(net, y));
    REQUIRE_OK(small_network_finalize(net));
  };
  std::vector<float> w = seeded_values(6 * 3 * 9, 50), b = seeded_values(6, 51);
  auto a = std::make_unique<Net>();
  build(*a, w, b);
  const auto ref_a = run(*a, 1);
  const auto ref_a2 = run(*a, 2);
  REQUIRE_FALSE(same_bits(ref_a, ref_a2));
  Net other;
  build(other, w, b);
  std::fill(w.begin(), w.end(), 1e30f);
  std::fill(b.begin(), b.end(), -1e30f);

  CHECK(same_bits(run(other, 1), ref_a));
  // Interleaved runs on different inputs do not disturb each other.
  CHECK(same_bits(run(other, 2), ref_a2));
  CHECK(same_bits(run(*a, 1), ref_a));
  CHECK(same_bits(run(other, 2), ref_a2));
  // One network on a caller arena, the other on its own.
  std::vector<unsigned char> buf(arena_of(other) + 63);
  REQUIRE_OK(small_network_set_arena(other, buf.data(), buf.size()));
  CHECK(same_bits(run(*a, 2), ref_a2));
  CHECK(same_bits(run(other, 1), ref_a));
  // Destroying one leaves the other intact.
  a.reset();
  CHECK(same_bits(run(other, 1), ref_a));
  CHECK(same_bits(run(other, 2), ref_a2));
}

TEST_CASE("running again gives identical results", "[memory_plan]") {
  Net net;
  build_chain(net);
  const auto first = run(net, 9);
  REQUIRE(all_finite(first));
  const auto other = run(net, 10);
  REQUIRE_FALSE(same_bits(first, other));
  CHECK(same_bits(run(net, 9), first));
  CHECK(same_bits(run(net, 10), other));
  CHECK(same_bits(run(net, 9), first));
  // NHWC with a (c,1,1) output: same memory order as NCHW, and the input is
  // read in another order, so only the output order is comparable here.
  const auto nhwc = run(net, 9, SMALL_LAYOUT_NHWC);
  CHECK(nhwc[0].size() == first[0].size());
  CHECK(all_finite(nhwc));
  CHECK(same_bits(run(net, 9), first)); // NHWC in between changed nothing
}
