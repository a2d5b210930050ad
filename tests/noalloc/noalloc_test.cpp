// small_network_run must not touch the heap once the network has a caller
// arena (firmware mode). This program replaces malloc and friends (and the
// global operator new/delete) with counting wrappers around glibc's
// __libc_* entry points, builds a network using every layer type, hands it a
// caller buffer with small_network_set_arena and counts heap calls during
// several runs: there must be none. It also checks that the results equal
// those of the library's own arena.
//
// Standalone (no Catch2: its machinery allocates). Uses only glibc symbols,
// so it also works cross-compiled for aarch64/armv7 under qemu-user.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <new>
#include <vector>

#include <errno.h>
#include <unistd.h>

#include "small/small.h"

// ---------------------------------------------------------------------------
// Counting allocator

extern "C" {
void *__libc_malloc(size_t size);
void *__libc_calloc(size_t count, size_t size);
void *__libc_realloc(void *ptr, size_t size);
void __libc_free(void *ptr);
void *__libc_memalign(size_t alignment, size_t size);
}

namespace {

// Plain counters: the test is single-threaded.
struct Counters {
  unsigned long allocations; // malloc, calloc, realloc, memalign, new, ...
  unsigned long frees;       // free, delete (of non-NULL pointers)
};
Counters counters = {0, 0};

void count_allocation() { ++counters.allocations; }
void count_free(void *p) {
  if (p != nullptr) {
    ++counters.frees;
  }
}

bool is_power_of_two(size_t v) { return v != 0 && (v & (v - 1)) == 0; }

void *counted_new(size_t size) {
  count_allocation();
  void *p = __libc_malloc(size == 0 ? 1 : size);
  if (p == nullptr) {
    throw std::bad_alloc();
  }
  return p;
}

void *counted_aligned_new(size_t size, std::align_val_t align) {
  count_allocation();
  void *p = __libc_memalign(static_cast<size_t>(align), size == 0 ? 1 : size);
  if (p == nullptr) {
    throw std::bad_alloc();
  }
  return p;
}

} // namespace

extern "C" {

void *malloc(size_t size) {
  count_allocation();
  return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
  count_allocation();
  return __libc_calloc(count, size);
}

void *realloc(void *ptr, size_t size) {
  count_allocation();
  return __libc_realloc(ptr, size);
}

void *reallocarray(void *ptr, size_t count, size_t size) {
  size_t bytes = 0;
  if (__builtin_mul_overflow(count, size, &bytes)) {
    errno = ENOMEM;
    return nullptr;
  }
  count_allocation();
  return __libc_realloc(ptr, bytes);
}

void free(void *ptr) {
  count_free(ptr);
  __libc_free(ptr);
}

void *memalign(size_t alignment, size_t size) {
  count_allocation();
  return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
  count_allocation();
  return __libc_memalign(alignment, size);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
  if (!is_power_of_two(alignment) || alignment % sizeof(void *) != 0) {
    return EINVAL;
  }
  count_allocation();
  void *p = __libc_memalign(alignment, size);
  if (p == nullptr) {
    return ENOMEM;
  }
  *out = p;
  return 0;
}

void *valloc(size_t size) {
  count_allocation();
  return __libc_memalign(static_cast<size_t>(sysconf(_SC_PAGESIZE)), size);
}

} // extern "C"

void *operator new(size_t size) { return counted_new(size); }
void *operator new[](size_t size) { return counted_new(size); }
void *operator new(size_t size, const std::nothrow_t &) noexcept {
  count_allocation();
  return __libc_malloc(size == 0 ? 1 : size);
}
void *operator new[](size_t size, const std::nothrow_t &) noexcept {
  count_allocation();
  return __libc_malloc(size == 0 ? 1 : size);
}
void *operator new(size_t size, std::align_val_t align) {
  return counted_aligned_new(size, align);
}
void *operator new[](size_t size, std::align_val_t align) {
  return counted_aligned_new(size, align);
}
void operator delete(void *p) noexcept { free(p); }
void operator delete[](void *p) noexcept { free(p); }
void operator delete(void *p, size_t) noexcept { free(p); }
void operator delete[](void *p, size_t) noexcept { free(p); }
void operator delete(void *p, std::align_val_t) noexcept { free(p); }
void operator delete[](void *p, std::align_val_t) noexcept { free(p); }
void operator delete(void *p, size_t, std::align_val_t) noexcept { free(p); }
void operator delete[](void *p, size_t, std::align_val_t) noexcept { free(p); }
void operator delete(void *p, const std::nothrow_t &) noexcept { free(p); }
void operator delete[](void *p, const std::nothrow_t &) noexcept { free(p); }

// ---------------------------------------------------------------------------
// The network

namespace {

int failures = 0;

void fail(const char *what) {
  std::printf("  FAILED: %s\n", what);
  ++failures;
}

#define CHECK_OK(call)                                                         \
  do {                                                                         \
    const small_status s_ = (call);                                            \
    if (s_ != SMALL_OK) {                                                      \
      std::printf("  FAILED: %s -> %s: %s\n", #call, small_status_string(s_),  \
                  small_last_error());                                         \
      ++failures;                                                              \
      return false;                                                            \
    }                                                                          \
  } while (0)

void fill(std::vector<float> &v, uint32_t seed, float scale) {
  uint32_t s = seed * 2654435761u + 1u;
  for (float &x : v) {
    s = s * 1664525u + 1013904223u;
    x = (static_cast<float>(s >> 8) / static_cast<float>(1u << 23) - 1.0f) *
        scale;
  }
}

struct Model {
  // Weights live here only until the layers are added (the library copies).
  std::vector<float> w[8];
};

small_conv2d_params conv_params(uint32_t out, uint32_t k, uint32_t stride,
                                uint32_t groups, small_activation_kind act) {
  small_conv2d_params p;
  small_conv2d_params_init(&p);
  p.out_channels = out;
  p.kernel_h = p.kernel_w = k;
  p.stride_h = p.stride_w = stride;
  p.groups = groups;
  p.padding_mode = SMALL_PADDING_SAME;
  p.activation = small_activation_make(act);
  return p;
}

// Two inputs: image (2,3,12,12) and side (2,6,6,6).
//   conv 3x3 (3->6) + ReLU -> depthwise 3x3/2 (6) + ReLU6 -> add(side)
//   -> BatchNorm (after add: standalone) -> concat(side) -> sigmoid
//   -> maxpool 2x2/2 -> avgpool 3x3/1 SAME -> conv 1x1 (12->10, grouped 2)
//   -> reshape (10,3,3) -> flatten -> dense 7 (+hard swish) -> softmax
// Outputs: softmax (2,7,1,1) and the concat (2,12,6,6).
bool build(small_network *net) {
  small_tensor image = -1, side = -1, t = -1, cat = -1;
  std::vector<float> w, b;
  CHECK_OK(small_network_add_input(net, 2, 3, 12, 12, &image));
  CHECK_OK(small_network_add_input(net, 2, 6, 6, 6, &side));

  small_conv2d_params p = conv_params(6, 3, 1, 1, SMALL_ACT_RELU);
  w.resize(6 * 3 * 9);
  b.resize(6);
  fill(w, 1, 0.4f);
  fill(b, 2, 0.1f);
  CHECK_OK(small_network_add_conv2d(net, image, &p, w.data(), b.data(), &t));

  p = conv_params(6, 3, 2, 6, SMALL_ACT_RELU6);
  w.resize(6 * 9);
  fill(w, 3, 0.5f);
  CHECK_OK(small_network_add_conv2d(net, t, &p, w.data(), b.data(), &t));
  CHECK_OK(small_network_add_add(net, t, side,
                                 small_activation_make(SMALL_ACT_NONE), &t));

  std::vector<float> gamma(6), beta(6), mean(6), var(6);
  fill(gamma, 4, 1.0f);
  fill(beta, 5, 0.5f);
  fill(mean, 6, 0.5f);
  fill(var, 7, 0.5f);
  for (float &v : var) {
    v = std::fabs(v) + 0.1f;
  }
  CHECK_OK(small_network_add_batchnorm(net, t, gamma.data(), beta.data(),
                                       mean.data(), var.data(), 1e-5f, &t));
  const small_tensor parts[2] = {t, side};
  CHECK_OK(small_network_add_concat(net, parts, 2, &cat));
  CHECK_OK(small_network_add_activation(
      net, cat, small_activation_make(SMALL_ACT_SIGMOID), &t));

  small_pool2d_params pp;
  small_pool2d_params_init(&pp);
  pp.kind = SMALL_POOL_MAX;
  pp.kernel_h = pp.kernel_w = 2;
  pp.stride_h = pp.stride_w = 2;
  CHECK_OK(small_network_add_pool2d(net, t, &pp, &t));
  pp.kind = SMALL_POOL_AVG;
  pp.kernel_h = pp.kernel_w = 3;
  pp.stride_h = pp.stride_w = 1;
  pp.padding_mode = SMALL_PADDING_SAME;
  CHECK_OK(small_network_add_pool2d(net, t, &pp, &t));

  p = conv_params(10, 1, 1, 2, SMALL_ACT_NONE);
  w.resize(10 * 6);
  b.resize(10);
  fill(w, 8, 0.5f);
  fill(b, 9, 0.1f);
  CHECK_OK(small_network_add_conv2d(net, t, &p, w.data(), b.data(), &t));
  CHECK_OK(small_network_add_reshape(net, t, 10, 3, 3, &t));
  CHECK_OK(small_network_add_flatten(net, t, &t));

  w.resize(7 * 90);
  b.resize(7);
  fill(w, 10, 0.3f);
  fill(b, 11, 0.1f);
  CHECK_OK(small_network_add_dense(net, t, 7, w.data(), b.data(),
                                   small_activation_make(SMALL_ACT_HARD_SWISH),
                                   &t));
  CHECK_OK(small_network_add_softmax(net, t, &t));
  CHECK_OK(small_network_mark_output(net, t));
  CHECK_OK(small_network_mark_output(net, cat));
  CHECK_OK(small_network_finalize(net));
  return true;
}

const size_t kImage = 2 * 3 * 12 * 12, kSide = 2 * 6 * 6 * 6;
const size_t kProbs = 2 * 7, kConcat = 2 * 12 * 6 * 6;

struct Buffers {
  std::vector<float> image, side, probs, concat;
  const float *ins[2];
  float *outs[2];
  explicit Buffers(uint32_t seed)
      : image(kImage), side(kSide), probs(kProbs, NAN), concat(kConcat, NAN) {
    fill(image, 100 + seed, 1.0f);
    fill(side, 200 + seed, 1.0f);
    ins[0] = image.data();
    ins[1] = side.data();
    outs[0] = probs.data();
    outs[1] = concat.data();
  }
};

bool same_bits(const std::vector<float> &a, const std::vector<float> &b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

bool plausible(const Buffers &r) {
  for (float v : r.concat) {
    if (!std::isfinite(v)) {
      return false;
    }
  }
  for (size_t n = 0; n < 2; ++n) {
    double sum = 0.0;
    for (size_t k = 0; k < 7; ++k) {
      const float v = r.probs[n * 7 + k];
      if (!(v > 0.0f && v < 1.0f)) {
        return false;
      }
      sum += v;
    }
    if (std::fabs(sum - 1.0) > 1e-5) {
      return false;
    }
  }
  return true;
}

bool run_test() {
  small_network *net = nullptr;
  CHECK_OK(small_network_create(&net));
  struct Destroy {
    small_network *&net;
    ~Destroy() { small_network_destroy(net); }
  } destroy{net};
  if (!build(net)) {
    return false;
  }

  // Reference results with the library's own arena (allocations allowed).
  const small_layout layouts[2] = {SMALL_LAYOUT_NCHW, SMALL_LAYOUT_NHWC};
  std::vector<Buffers> expected;
  for (uint32_t i = 0; i < 4; ++i) {
    expected.emplace_back(i);
    CHECK_OK(small_network_run(net, expected[i].ins, 2, expected[i].outs, 2,
                               layouts[i % 2]));
    if (!plausible(expected[i])) {
      fail("reference run gives non-finite or non-normalized outputs");
    }
  }
  if (same_bits(expected[0].probs, expected[2].probs)) {
    fail("different inputs give identical outputs");
  }

  // Firmware mode: a caller buffer, deliberately not 64-byte aligned and
  // full of garbage.
  size_t arena = 0;
  CHECK_OK(small_network_arena_size(net, &arena));
  std::vector<unsigned char> storage(arena + 64 + 8, 0xFF);
  unsigned char *buffer = storage.data() + 8;
  if (reinterpret_cast<uintptr_t>(buffer) % 64 == 0) {
    ++buffer;
  }
  CHECK_OK(small_network_set_arena(net, buffer, arena + 63));

  // Output and input buffers are prepared before counting starts.
  std::vector<Buffers> got;
  for (uint32_t i = 0; i < 4; ++i) {
    got.emplace_back(i);
  }

  const Counters before = counters;
  small_status statuses[8];
  for (uint32_t pass = 0; pass < 2; ++pass) {
    for (uint32_t i = 0; i < 4; ++i) {
      statuses[pass * 4 + i] =
          small_network_run(net, got[i].ins, 2, got[i].outs, 2, layouts[i % 2]);
    }
  }
  const Counters after = counters;

  const unsigned long allocations = after.allocations - before.allocations;
  const unsigned long frees = after.frees - before.frees;
  std::printf("  8 runs on a caller arena of %zu bytes: %lu allocation(s), "
              "%lu free(s)\n",
              arena + 63, allocations, frees);
  for (small_status s : statuses) {
    if (s != SMALL_OK) {
      std::printf("  FAILED: small_network_run -> %s\n",
                  small_status_string(s));
      ++failures;
      return false;
    }
  }
  if (allocations != 0) {
    fail("small_network_run allocated heap memory");
  }
  if (frees != 0) {
    fail("small_network_run freed heap memory");
  }
  for (uint32_t i = 0; i < 4; ++i) {
    if (!same_bits(got[i].probs, expected[i].probs) ||
        !same_bits(got[i].concat, expected[i].concat)) {
      std::printf("  FAILED: run %u (%s): results differ from the internal "
                  "arena's\n",
                  i, i % 2 ? "NHWC" : "NCHW");
      ++failures;
    }
  }

  // Profiling: its time slots are allocated when it is enabled, so profiled
  // runs allocate nothing either.
  CHECK_OK(small_network_enable_profiling(net, 1));
  const Counters before_profiled = counters;
  const small_status profiled =
      small_network_run(net, got[0].ins, 2, got[0].outs, 2, layouts[0]);
  const Counters after_profiled = counters;
  CHECK_OK(profiled);
  std::printf("  1 profiled run: %lu allocation(s), %lu free(s)\n",
              after_profiled.allocations - before_profiled.allocations,
              after_profiled.frees - before_profiled.frees);
  if (after_profiled.allocations != before_profiled.allocations ||
      after_profiled.frees != before_profiled.frees) {
    fail("a profiled small_network_run touched the heap");
  }
  double us = 0.0;
  CHECK_OK(small_network_layer_time(net, 0, &us));
  if (!(us > 0.0)) {
    fail("the profiled run recorded no time for layer 0");
  }
  return true;
}

// The int8 layers in firmware mode: an int8 network (conv, depthwise, add,
// concat with requantization, pooling, mean, dense, softmax) run with int8
// buffers and with float buffers (quantized at the boundary) on a caller
// arena allocates nothing and matches the internal arena's results.
bool run_int8_test() {
  small_network *net = nullptr;
  CHECK_OK(small_network_create(&net));
  struct Destroy {
    small_network *&net;
    ~Destroy() { small_network_destroy(net); }
  } destroy{net};
  const small_quant q{0.05f, -4}, q2{0.08f, 6};
  small_tensor x = -1, a = -1, b = -1, s = -1, c = -1, p = -1, m = -1, d = -1,
               y = -1;
  CHECK_OK(small_network_add_input_int8(net, 1, 3, 12, 12, q, &x));
  std::vector<int8_t> w(16 * 16 * 9);
  for (size_t i = 0; i < w.size(); ++i) {
    w[i] = static_cast<int8_t>(static_cast<int>(i * 53 % 255) - 127);
  }
  std::vector<float> scales(16, 0.01f);
  small_int8_weights wt{w.data(), scales.data(), 16, nullptr};
  small_conv2d_params cp;
  small_conv2d_params_init(&cp);
  cp.out_channels = 16;
  cp.kernel_h = cp.kernel_w = 3;
  cp.padding_mode = SMALL_PADDING_SAME;
  cp.activation = small_activation_make(SMALL_ACT_RELU6);
  CHECK_OK(small_network_add_conv2d_int8(net, x, &cp, &wt, q, &a));
  cp.groups = 16;
  CHECK_OK(small_network_add_conv2d_int8(net, a, &cp, &wt, q2, &b));
  CHECK_OK(small_network_add_add_int8(
      net, a, b, small_activation_make(SMALL_ACT_NONE), q, &s));
  const small_tensor parts[2] = {s, b};
  CHECK_OK(small_network_add_concat_int8(net, parts, 2, q, &c));
  small_pool2d_params pp;
  small_pool2d_params_init(&pp);
  pp.kind = SMALL_POOL_AVG;
  pp.kernel_h = pp.kernel_w = pp.stride_h = pp.stride_w = 2;
  CHECK_OK(small_network_add_pool2d_int8(
      net, c, &pp, small_activation_make(SMALL_ACT_NONE), &p));
  CHECK_OK(small_network_add_global_avgpool_int8(net, p, q2, &m));
  small_int8_weights dw{w.data(), scales.data(), 1, nullptr};
  CHECK_OK(small_network_add_dense_int8(
      net, m, 10, &dw, small_activation_make(SMALL_ACT_NONE), q, &d));
  CHECK_OK(
      small_network_add_softmax_int8(net, d, 1.0f, {1.0f / 256, -128}, &y));
  CHECK_OK(small_network_mark_output(net, y));
  CHECK_OK(small_network_finalize(net));

  std::vector<int8_t> in(3 * 12 * 12);
  std::vector<float> in_f(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    in[i] = static_cast<int8_t>(static_cast<int>(i * 29 % 255) - 128);
    in_f[i] = 0.05f * static_cast<float>(in[i] + 4);
  }
  const int8_t *ins[1] = {in.data()};
  const float *ins_f[1] = {in_f.data()};
  std::vector<int8_t> want(10), got(10);
  std::vector<float> want_f(10), got_f(10);
  int8_t *outs_want[1] = {want.data()};
  int8_t *outs_got[1] = {got.data()};
  float *outs_want_f[1] = {want_f.data()};
  float *outs_got_f[1] = {got_f.data()};
  CHECK_OK(
      small_network_run_int8(net, ins, 1, outs_want, 1, SMALL_LAYOUT_NHWC));
  CHECK_OK(small_network_run(net, ins_f, 1, outs_want_f, 1, SMALL_LAYOUT_NHWC));

  size_t arena = 0;
  CHECK_OK(small_network_arena_size(net, &arena));
  std::vector<unsigned char> storage(arena + 64, 0xFF);
  CHECK_OK(small_network_set_arena(net, storage.data(), storage.size()));
  const Counters before = counters;
  const small_status s1 =
      small_network_run_int8(net, ins, 1, outs_got, 1, SMALL_LAYOUT_NHWC);
  const small_status s2 =
      small_network_run(net, ins_f, 1, outs_got_f, 1, SMALL_LAYOUT_NHWC);
  const Counters after = counters;
  CHECK_OK(s1);
  CHECK_OK(s2);
  std::printf("  2 int8 runs on a caller arena of %zu bytes: %lu "
              "allocation(s), %lu free(s)\n",
              storage.size(), after.allocations - before.allocations,
              after.frees - before.frees);
  if (after.allocations != before.allocations || after.frees != before.frees) {
    fail("an int8 small_network_run touched the heap");
  }
  if (got != want || !same_bits(got_f, want_f)) {
    fail("int8 results on the caller arena differ from the internal arena's");
  }
  // The float buffers quantize to the same int8 input: same result.
  for (size_t i = 0; i < want.size(); ++i) {
    if (want_f[i] != (1.0f / 256) * static_cast<float>(want[i] + 128)) {
      fail("float-boundary run differs from the int8 run");
      break;
    }
  }
  return true;
}

// The counters see this program's own allocations: proves the interposition
// works, otherwise "0 allocations" would mean nothing.
bool interposition_works() {
  const Counters before = counters;
  void *volatile p = malloc(32);
  free(p);
  int *volatile q = new int(3);
  delete q;
  std::vector<float> *volatile v = new std::vector<float>(100);
  delete v;
  const Counters after = counters;
  std::printf("  interposition self-check: %lu allocation(s), %lu free(s)\n",
              after.allocations - before.allocations,
              after.frees - before.frees);
  return after.allocations - before.allocations >= 4 &&
         after.frees - before.frees >= 4;
}

} // namespace

int main() {
  std::printf("small_noalloc_test: SMaLL %s\n", small_version_string());
  if (!interposition_works()) {
    fail("malloc/new interposition does not count allocations");
  }
  run_test();
  run_int8_test();
  if (failures == 0) {
    std::printf("PASS: small_network_run allocates nothing with a caller "
                "arena and matches the internal arena\n");
    return 0;
  }
  std::printf("FAIL: %d check(s) failed\n", failures);
  return 1;
}
