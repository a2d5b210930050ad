// Scalar softmax over channels: subtract the max first so exp never
// overflows, then normalize by the sum.
#include <algorithm>
#include <cmath>
#include <cstddef>

#include "kernel_contract.h"
#include "pairwise_sum.h"
#include "scalar_kernels.h"

namespace small::scalar {

void softmax_f32__scalar(const float *in, float *out, size_t pixels,
                         size_t channels, size_t block_step, size_t cb) {
  const size_t blocks = (channels + cb - 1) / cb;
  auto at = [&](size_t p, size_t c) {
    return (c / cb) * block_step + p * cb + c % cb;
  };
  for (size_t p = 0; p < pixels; ++p) {
    float max_value = in[at(p, 0)];
    for (size_t c = 1; c < channels; ++c) {
      max_value = std::fmax(max_value, in[at(p, c)]);
    }
    // Blocked pairwise sum (pairwise_sum.h): the error bound of
    // docs/numerics.md grows with log(channels), not with channels.
    auto sum = pairwise_sum<float>([](float a, float b) { return a + b; });
    for (size_t c0 = 0; c0 < channels; c0 += kSumBlock) {
      const size_t c1 = std::min(channels, c0 + kSumBlock);
      float block = 0.0f;
      for (size_t c = c0; c < c1; ++c) {
        const float e = std::exp(in[at(p, c)] - max_value);
        out[at(p, c)] = e;
        block += e;
      }
      sum.push(block);
    }
    const float inv = 1.0f / sum.total(0.0f);
    for (size_t c = 0; c < channels; ++c) {
      out[at(p, c)] *= inv;
    }
    for (size_t c = channels; c < blocks * cb; ++c) {
      out[at(p, c)] = 0.0f;
    }
  }
}

} // namespace small::scalar
