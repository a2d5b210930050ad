// Blocked pairwise summation for the long float reductions (average pooling,
// softmax): terms are summed recursively in blocks of at most kSumBlock, and
// the block sums are combined pairwise, like a binary counter. The rounding
// error of a sum of n terms is then at most
//   (kSumBlock - 1 + ceil(log2(ceil(n / kSumBlock)))) * u * sum |x_i|
// (u = 2^-24) instead of (n - 1) * u * sum |x_i| for one running sum, so it
// grows with log n, not with n (docs/numerics.md). The cascade costs one add
// per block on average; the pooling kernels sum a window of at most
// kSumBlock taps as one block, exactly as a running sum would.
#ifndef SMALL_KERNELS_PAIRWISE_SUM_H
#define SMALL_KERNELS_PAIRWISE_SUM_H

#include <cstddef>

namespace small {

// Terms per recursively summed block: short enough that the block's own
// error (kSumBlock - 1) u stays small, long enough that the cascade's
// bookkeeping is a small fraction of the adds.
constexpr size_t kSumBlock = 8;

// The cascade of block sums. T is a float, a SIMD vector or an array of
// them; Add(a, b) returns a + b lane by lane.
template <class T, class Add> class PairwiseSum {
public:
  explicit PairwiseSum(Add add) : add_(add) {}

  // Adds the sum of one block. levels_[k] holds the sum of 2^k blocks when
  // bit k of count_ is set: pushing carries like incrementing count_.
  void push(T block) {
    size_t k = 0;
    for (size_t n = count_; (n & 1) != 0; n >>= 1, ++k) {
      block = add_(levels_[k], block);
    }
    levels_[k] = block;
    ++count_;
  }

  // The sum of every block pushed (`zero` if none), smallest levels first.
  T total(T zero) const {
    T sum = zero;
    bool any = false;
    size_t k = 0;
    for (size_t n = count_; n != 0; n >>= 1, ++k) {
      if ((n & 1) != 0) {
        sum = any ? add_(sum, levels_[k]) : levels_[k];
        any = true;
      }
    }
    return sum;
  }

private:
  // Enough levels for 2^40 blocks, far more taps than any window has.
  static constexpr size_t kLevels = 40;
  Add add_;
  T levels_[kLevels];
  size_t count_ = 0;
};

template <class T, class Add> PairwiseSum<T, Add> pairwise_sum(Add add) {
  return PairwiseSum<T, Add>(add);
}

} // namespace small

#endif
