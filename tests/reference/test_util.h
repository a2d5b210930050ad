// Shared helpers of the layer correctness tests: seeded random data, a thin
// RAII wrapper that builds and runs networks through the public C API, and
// the one comparison every test uses.
//
// Comparison rule (stated once, used everywhere):
//
//     |got - want| <= atol + rtol * |want|,    rtol = 1e-5,
//
// where `want` comes from the double-precision reference (tests/reference/
// naive_ops.h) and `got` from SMaLL. atol depends on how many float terms
// SMaLL accumulated; see accumulation_tolerance() for the reasoning.
#ifndef SMALL_TESTS_REFERENCE_TEST_UTIL_H
#define SMALL_TESTS_REFERENCE_TEST_UTIL_H

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "reference/naive_ops.h"
#include "small/small.h"

namespace testutil {

// ---------------------------------------------------------------------------
// Random data. Every test constructs its own Rng with a fixed seed, so each
// test case is reproducible on its own and independent of test order.
class Rng {
public:
  explicit Rng(uint32_t seed) : gen_(seed) {}
  // Uniform in [lo, hi).
  float uniform(float lo, float hi);
  // Uniform integer in [lo, hi] (both inclusive).
  int range(int lo, int hi);
  bool coin() { return range(0, 1) == 1; }
  template <typename T> const T &pick(const std::vector<T> &v) {
    return v[static_cast<size_t>(range(0, static_cast<int>(v.size()) - 1))];
  }

private:
  std::mt19937 gen_;
};

ref::Tensor random_tensor(Rng &rng, int n, int c, int h, int w,
                          float lo = -1.0f, float hi = 1.0f);
std::vector<float> random_vector(Rng &rng, size_t count, float lo = -1.0f,
                                 float hi = 1.0f);

double max_abs(const std::vector<float> &v);
double max_abs(const ref::Tensor &t);
// The largest L1 norm of one row of a [rows][cols] matrix: the factor by
// which a linear layer can amplify an absolute error of its input.
double max_row_l1(const std::vector<float> &m, size_t rows);

// ---------------------------------------------------------------------------
// Tolerances.
struct Tolerance {
  double atol = 0.0;
  double rtol = 1e-5;
};

// Tolerance for a float dot product of `terms` products |x| <= max_in,
// |w| <= max_w (a bias counts as one more term with x = 1).
//
// Reasoning: SMaLL sums in float (unit roundoff u = 2^-24 ~ 6e-8) in an
// order of its choosing (blocked by channels and taps, FMA or not), while
// the reference sums in double and rounds once. The rounding errors of a
// sum of n random-sign terms behave like a random walk: the partial sums
// grow like sqrt(n) * m_rms, each addition contributes an error of at most
// u times its partial sum, so the total error has a standard deviation of
// about u * n * m_rms / sqrt(2), with m_rms ~ max_in * max_w / 3 for the
// uniform data used here. The stated tolerance
//     atol = 1e-5 * sqrt(n) * max_in * max_w
// is therefore ~700 / sqrt(n) standard deviations: more than 12 for every
// n these tests use (n <= ~3000), i.e. no false alarms; yet a real bug (a
// missing, duplicated or misplaced tap) changes a result by about one term
// of typical size m_rms, ~3e4 / sqrt(n) times atol (> 500 for n <= 3000).
// Plus a floor of 1e-6 for the final rounding of results of order 1.
// (Measured on the scalar, AVX2, AVX-512 and NEON builds when this suite
// was written: the worst error seen was about 0.1 * the tolerance.)
Tolerance accumulation_tolerance(size_t terms, double max_in, double max_w);

// Tolerance for layers that do O(1) float operations per element (pooling
// max, add, activations, softmax): a few ulps of the largest magnitude.
Tolerance elementwise_tolerance(double max_magnitude);

// Fails (CHECK) if any element violates the tolerance or the shapes differ;
// on failure the worst element (index, n/c/h/w, got, want) and the number of
// violating elements are reported through INFO.
void check_close(const ref::Tensor &got, const ref::Tensor &want,
                 const Tolerance &tol);
// Bitwise equality (for results that must not depend on how they were
// requested: weight layout, run layout, batch splitting).
void check_identical(const ref::Tensor &got, const ref::Tensor &want);

// ---------------------------------------------------------------------------
// The reference window of a public conv/pool parameter struct, with SAME and
// VALID resolved by the reference's own ref::same_padding.
ref::Window window_of(const small_conv2d_params &p, int in_h, int in_w);
ref::Window window_of(const small_pool2d_params &p, int in_h, int in_w);

// Activation with non-default constants for the kinds that have any, so
// that tests notice if alpha/beta/min/max are ignored.
small_activation activation_with_params(small_activation_kind kind);
const std::vector<small_activation_kind> &all_activation_kinds();
const char *activation_name(small_activation_kind kind);
// |f(a) - f(b)| <= lipschitz(kind) * |a - b| for the activation f.
double activation_lipschitz(const small_activation &act);

// ---------------------------------------------------------------------------
// A network built through the C API. Every call REQUIREs SMALL_OK and shows
// small_last_error() on failure.
class Net {
public:
  Net();
  ~Net();
  Net(const Net &) = delete;
  Net &operator=(const Net &) = delete;

  small_network *get() { return net_; }

  small_tensor input(int n, int c, int h, int w);
  // Empty bias means NULL.
  small_tensor conv2d(small_tensor in, const small_conv2d_params &p,
                      const std::vector<float> &weights,
                      const std::vector<float> &bias);
  small_tensor dense(small_tensor in, int out_features,
                     const std::vector<float> &weights,
                     const std::vector<float> &bias,
                     const small_activation &act);
  small_tensor pool2d(small_tensor in, const small_pool2d_params &p);
  small_tensor global_avgpool(small_tensor in);
  small_tensor add(small_tensor a, small_tensor b, const small_activation &act);
  small_tensor concat(const std::vector<small_tensor> &inputs);
  small_tensor activation(small_tensor in, const small_activation &act);
  small_tensor softmax(small_tensor in);
  small_tensor batchnorm(small_tensor in, const std::vector<float> &gamma,
                         const std::vector<float> &beta,
                         const std::vector<float> &mean,
                         const std::vector<float> &var, float epsilon);
  small_tensor reshape(small_tensor in, int c, int h, int w);
  small_tensor flatten(small_tensor in);
  void output(small_tensor t);
  void finalize();
  size_t layer_count();
  // Shape (n, c, h, w) of any tensor.
  std::vector<uint32_t> shape(small_tensor t);
  // After finalize: hands the network a caller arena filled with NaN
  // (small_network_set_arena). Any value a layer reads without some layer
  // having written it first (e.g. pad lanes of a channel block) then
  // poisons the results instead of silently reading a harmless 0.
  void use_nan_arena();

  // Runs with NCHW reference tensors; for NHWC the data is converted to
  // NHWC before and back after the call, so results are always NCHW.
  std::vector<ref::Tensor> run(const std::vector<const ref::Tensor *> &inputs,
                               small_layout layout = SMALL_LAYOUT_NCHW);
  ref::Tensor run1(const ref::Tensor &in,
                   small_layout layout = SMALL_LAYOUT_NCHW);

private:
  small_network *net_ = nullptr;
  std::vector<float> arena_;
};

} // namespace testutil

#endif
