// A planar network input in a 64-byte aligned caller buffer is read where
// it is (no copy into the arena); any other buffer is copied. Both paths
// must give the same bits, leave the caller's buffer untouched, and a run
// after an in-place one must read the arena again when it copies.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "common/require_ok.h"
#include "common/seeded_values.h"
#include "small/small.h"

namespace {

// Floats at a chosen distance from a 64-byte boundary (0: aligned), the
// allocation exactly as long as the data so that a read past it is caught
// by the sanitizers.
class Buffer {
public:
  Buffer(const std::vector<float> &values, size_t misalign_floats)
      : bytes_((values.size() + misalign_floats) * sizeof(float)),
        raw_(static_cast<unsigned char *>(
            std::aligned_alloc(64, (bytes_ + 63) / 64 * 64))) {
    REQUIRE(raw_ != nullptr);
    data_ = reinterpret_cast<float *>(raw_.get()) + misalign_floats;
    std::memcpy(data_, values.data(), values.size() * sizeof(float));
  }
  const float *data() const { return data_; }

private:
  struct Free {
    void operator()(unsigned char *p) const { std::free(p); }
  };
  size_t bytes_;
  std::unique_ptr<unsigned char, Free> raw_;
  float *data_ = nullptr;
};

// in (1, C, H, W) -> 3x3 conv stride 2 to 16 channels -> 1x1 conv to 8:
// the first layer reads a narrow (planar) input.
struct Image {
  uint32_t h = 12, w = 10;
  size_t outputs() const { return 8u * ((h + 1) / 2) * ((w + 1) / 2); }
};

void build(small_network *net, uint32_t channels, Image image = {}) {
  small_tensor x = -1;
  REQUIRE_OK(small_network_add_input(net, 1, channels, image.h, image.w, &x));
  small_conv2d_params p;
  small_conv2d_params_init(&p);
  p.out_channels = 16;
  p.kernel_h = p.kernel_w = 3;
  p.stride_h = p.stride_w = 2;
  p.padding_mode = SMALL_PADDING_SAME;
  p.activation = small_activation_make(SMALL_ACT_RELU);
  const auto w1 = seeded_values(16u * channels * 9, 1),
             b1 = seeded_values(16, 2);
  small_tensor y = -1;
  REQUIRE_OK(small_network_add_conv2d(net, x, &p, w1.data(), b1.data(), &y));
  small_conv2d_params_init(&p);
  p.out_channels = 8;
  p.kernel_h = p.kernel_w = 1;
  p.stride_h = p.stride_w = 1;
  const auto w2 = seeded_values(8u * 16, 3), b2 = seeded_values(8, 4);
  small_tensor z = -1;
  REQUIRE_OK(small_network_add_conv2d(net, y, &p, w2.data(), b2.data(), &z));
  REQUIRE_OK(small_network_mark_output(net, z));
  REQUIRE_OK(small_network_finalize(net));
}

std::vector<float> run(small_network *net, const float *input,
                       small_layout layout = SMALL_LAYOUT_NCHW,
                       Image image = {}) {
  std::vector<float> out(image.outputs(), -7.0f);
  float *outputs[] = {out.data()};
  REQUIRE_OK(small_network_run(net, &input, 1, outputs, 1, layout));
  return out;
}

bool same_bits(const std::vector<float> &a, const std::vector<float> &b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// NCHW values of an image as NHWC.
std::vector<float> to_nhwc(const std::vector<float> &nchw, size_t c,
                           size_t plane) {
  std::vector<float> nhwc(nchw.size());
  for (size_t k = 0; k < c; ++k) {
    for (size_t p = 0; p < plane; ++p) {
      nhwc[p * c + k] = nchw[k * plane + p];
    }
  }
  return nhwc;
}

} // namespace

TEST_CASE("an aligned planar input gives the bits of a copied one",
          "[input_in_place]") {
  const uint32_t channels = GENERATE(1u, 3u);
  Net net;
  build(net, channels);
  const auto a = seeded_values(channels * 120u, 10),
             b = seeded_values(channels * 120u, 11);
  const Buffer a_aligned(a, 0), a_shifted(a, 1);
  const Buffer b_aligned(b, 0), b_shifted(b, 3);
  const auto ref_a = run(net, a_shifted.data());
  const auto ref_b = run(net, b_shifted.data());
  REQUIRE_FALSE(same_bits(ref_a, ref_b));
  CHECK(same_bits(run(net, a_aligned.data()), ref_a));
  // A copied run right after an in-place one reads the arena again.
  CHECK(same_bits(run(net, b_shifted.data()), ref_b));
  CHECK(same_bits(run(net, b_aligned.data()), ref_b));
  CHECK(same_bits(run(net, a_shifted.data()), ref_a));
  // The caller's buffers are only read.
  CHECK(std::memcmp(a_aligned.data(), a.data(), a.size() * sizeof(float)) == 0);
  CHECK(std::memcmp(b_aligned.data(), b.data(), b.size() * sizeof(float)) == 0);
}

TEST_CASE("an aligned NHWC input is read in place only when it is planar",
          "[input_in_place]") {
  // With one channel NHWC is NCHW; with three it must be converted.
  const uint32_t channels = GENERATE(1u, 3u);
  Net net;
  build(net, channels);
  const auto x = seeded_values(channels * 120u, 20);
  const Buffer nchw(x, 0), nhwc(to_nhwc(x, channels, 120), 0);
  const auto ref = run(net, nchw.data());
  // The output comes back NHWC too.
  CHECK(
      same_bits(run(net, nhwc.data(), SMALL_LAYOUT_NHWC), to_nhwc(ref, 8, 30)));
  CHECK(same_bits(run(net, nchw.data()), ref));
}

TEST_CASE("an aligned planar input read in place by two threads",
          "[input_in_place][threads]") {
  // Large enough for the pool to split the layers when a second core is free
  // (it decides by timing); the bits must match either way.
  const Image image{96, 96};
  const size_t floats = 3u * 96 * 96;
  Net net;
  build(net, 3, image);
  const auto x = seeded_values(floats, 30), y = seeded_values(floats, 31);
  const Buffer x_aligned(x, 0), x_shifted(x, 2), y_shifted(y, 1);
  const auto nchw = SMALL_LAYOUT_NCHW;
  const auto ref_x = run(net, x_shifted.data(), nchw, image);
  const auto ref_y = run(net, y_shifted.data(), nchw, image);
  small_threadpool *pool = nullptr;
  REQUIRE_OK(small_threadpool_create(2, &pool));
  REQUIRE_OK(small_network_set_threadpool(net, pool));
  // Results are bit-identical for any number of threads (small.h).
  CHECK(same_bits(run(net, x_aligned.data(), nchw, image), ref_x));
  CHECK(same_bits(run(net, y_shifted.data(), nchw, image), ref_y));
  CHECK(same_bits(run(net, x_aligned.data(), nchw, image), ref_x));
  REQUIRE_OK(small_network_set_threadpool(net, nullptr));
  REQUIRE_OK(small_threadpool_destroy(pool));
}
