// The active table's int8 element-wise kernels (add, requantize, the RGB
// input's 4-lane pixels) against the scalar ones, BIT FOR BIT, and the x86
// int8 capability cap; the window families are in
// test_kernel_families_i8.cpp.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "kernels/int8_tile_check.h"

using namespace int8_tile_check;

TEST_CASE("int8 add and requantize match scalar bit for bit",
          "[kernels][int8][elementwise]") {
  std::mt19937 rng(31);
  std::uniform_int_distribution<int> byte(-128, 127);
  std::uniform_int_distribution<int32_t> mult(1 << 30, INT32_MAX);
  std::uniform_int_distribution<int> shift(-12, 0);
  const small_kernel_table scalar =
      small_kernels_scalar(active().channel_block);
  const auto qs = quants();
  size_t n = 0;
  // 257 and 1003: past the Cortex-M table threshold (256), with a tail.
  for (size_t count :
       {1, 3, 7, 8, 15, 16, 17, 31, 33, 64, 100, 257, 1000, 1003}) {
    for (int single = 0; single <= 1; ++single) {
      std::vector<int8_t> a(count), b(count);
      for (size_t i = 0; i < count; ++i) {
        a[i] = static_cast<int8_t>(byte(rng));
        b[i] = static_cast<int8_t>(byte(rng));
      }
      const Quant &q = qs[n++ % qs.size()];
      // ADD's shifts: inputs <= 0 (scale ratio <= 1/2), output any.
      small_add_i8_params add{};
      add.a_zero_point = q.in_zp;
      add.b_zero_point = byte(rng);
      add.out_zero_point = q.out_zp;
      add.a_multiplier = mult(rng);
      add.b_multiplier = mult(rng);
      add.out_multiplier = mult(rng);
      add.a_shift = shift(rng);
      add.b_shift = shift(rng);
      add.out_shift = shift(rng) - 8;
      add.left_shift = 20;
      add.act_min = q.act_min;
      add.act_max = q.act_max;
      add.single_rounding = single;
      small_requant_i8_params rq{};
      rq.in_zero_point = q.in_zp;
      rq.out_zero_point = q.out_zp;
      rq.multiplier = mult(rng);
      rq.shift = shift(rng) + 3;
      rq.single_rounding = single;
      INFO("count " << count << " single " << single);
      std::vector<int8_t> got(count + 2 * kGuard, kUntouched), want(got);
      active().add_i8(a.data(), b.data(), got.data() + kGuard, count, &add);
      scalar.add_i8(a.data(), b.data(), want.data() + kGuard, count, &add);
      REQUIRE(got == want);
      std::vector<int8_t> sum_in_place(a); // out aliasing a, as allowed
      active().add_i8(sum_in_place.data(), b.data(), sum_in_place.data(), count,
                      &add);
      REQUIRE(std::equal(sum_in_place.begin(), sum_in_place.end(),
                         want.begin() + kGuard));
      std::vector<int8_t> got_rq(count + 2 * kGuard, kUntouched),
          want_rq(got_rq);
      active().requant_i8(a.data(), got_rq.data() + kGuard, count, &rq);
      scalar.requant_i8(a.data(), want_rq.data() + kGuard, count, &rq);
      REQUIRE(got_rq == want_rq);
      // In place, as the contract allows.
      std::vector<int8_t> in_place(a);
      active().requant_i8(in_place.data(), in_place.data(), count, &rq);
      REQUIRE(std::equal(in_place.begin(), in_place.end(),
                         want_rq.begin() + kGuard));
    }
  }
}

TEST_CASE("int8 add matches scalar on every input pair at extreme "
          "parameters",
          "[kernels][int8][elementwise]") {
  // Every (a, b) byte pair, at the edges of what TFLite's ADD produces:
  // input shifts 0 (the larger scale) to -31, multipliers from 0 to
  // INT32_MAX, zero points -128 and 127, an output shift on either side.
  // Multiplier 2^30 at shift -20 halves d = x - zp exactly, so every odd d
  // is a rounding tie, and output shift -2 keeps such ties visible.
  std::vector<int8_t> a, b;
  for (int x = -128; x <= 127; ++x) {
    for (int y = -128; y <= 127; ++y) {
      a.push_back(static_cast<int8_t>(x));
      b.push_back(static_cast<int8_t>(y));
    }
  }
  const small_kernel_table scalar =
      small_kernels_scalar(active().channel_block);
  struct Input {
    int32_t zero_point, multiplier, shift;
  };
  const Input inputs[] = {{-128, 1 << 30, 0},   {127, INT32_MAX, -1},
                          {0, 1518500250, -31}, {-5, 1073741825, -12},
                          {77, 0, -3},          {-128, INT32_MAX, 0},
                          {3, 2147483000, -30}, {-3, 1 << 30, -20}};
  const int32_t out_shifts[] = {-20, -8, 0, 3, -2};
  size_t n = 0;
  for (const Input &x : inputs) {
    for (const Input &y : inputs) {
      for (int single = 0; single <= 1; ++single) {
        small_add_i8_params p{};
        p.a_zero_point = x.zero_point;
        p.a_multiplier = x.multiplier;
        p.a_shift = x.shift;
        p.b_zero_point = y.zero_point;
        p.b_multiplier = y.multiplier;
        p.b_shift = y.shift;
        p.out_zero_point = static_cast<int32_t>(n % 7) * 40 - 128;
        p.out_multiplier = n % 2 == 0 ? 1 << 30 : 1900000000;
        p.out_shift = out_shifts[n % 5];
        p.left_shift = 20;
        p.act_min = n % 3 == 0 ? 0 : -128;
        p.act_max = 127;
        p.single_rounding = single;
        ++n;
        INFO("a " << x.zero_point << "/" << x.multiplier << "/" << x.shift
                  << " b " << y.zero_point << "/" << y.multiplier << "/"
                  << y.shift << " single " << single);
        std::vector<int8_t> got(a.size()), want(a.size());
        active().add_i8(a.data(), b.data(), got.data(), a.size(), &p);
        scalar.add_i8(a.data(), b.data(), want.data(), a.size(), &p);
        REQUIRE(got == want);
      }
    }
  }
}

TEST_CASE("int8 RGB to 4-lane pixels is the pixels with a zero 4th lane",
          "[kernels][int8]") {
  if (active().rgb_to_lanes4_i8 == nullptr) {
    WARN("table " << active().isa
                  << " has no rgb_to_lanes4_i8: the engine "
                     "converts (tested with the networks)");
    return;
  }
  std::mt19937 rng(77);
  std::uniform_int_distribution<int> byte(-128, 127);
  for (size_t pixels :
       {0, 1, 2, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 9216}) {
    // Exactly 3 bytes per pixel: a read past the end shows under ASan.
    std::vector<int8_t> rgb(3 * pixels);
    for (int8_t &x : rgb) {
      x = static_cast<int8_t>(byte(rng));
    }
    std::vector<int8_t> got(4 * pixels + 2 * kGuard, kUntouched);
    std::vector<int8_t> want(got);
    for (size_t p = 0; p < pixels; ++p) {
      for (size_t l = 0; l < 3; ++l) {
        want[kGuard + 4 * p + l] = rgb[3 * p + l];
      }
      want[kGuard + 4 * p + 3] = 0;
    }
    active().rgb_to_lanes4_i8(rgb.data(), got.data() + kGuard, pixels);
    INFO("pixels " << pixels);
    REQUIRE(got == want);
  }
}

// SMALL_X86_INT8 (kernels/x86/int8_extensions.h) caps an x86 table's int8
// extensions, so that this machine runs the kernels of older CPUs. ctest
// reruns the int8 tests under each cap, with this hidden case, which checks
// that the cap took (tests/CMakeLists.txt).
TEST_CASE("SMALL_X86_INT8 caps the int8 kernel table", "[.][int8cap]") {
  const char *cap = std::getenv("SMALL_X86_INT8");
  REQUIRE(cap != nullptr);
  const std::string value = cap;
  INFO("SMALL_X86_INT8=" << value);
  if (value == "pairs") { // 16-bit pair products, no weight sums, no VBMI
    CHECK(active().conv_i8_k_group == 2);
    CHECK(active().conv_i8_weight_sums == 0);
    CHECK(active().rgb_to_lanes4_i8 == nullptr);
  } else {
    REQUIRE(value == "vnni"); // byte dot products, no VBMI
    CHECK(active().conv_i8_k_group == 4);
    CHECK(active().rgb_to_lanes4_i8 == nullptr);
  }
}
