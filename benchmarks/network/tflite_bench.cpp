// Each .tflite engine is checked before it is timed: SMaLL's int8 output
// byte for byte against TFLite's reference arithmetic (double rounding,
// *.int8.expected.bin) or LiteRT's (single rounding, *.int8.litert.bin);
// a peer's within the tolerance its own requantization explains, against
// LiteRT's; SMaLL fp32 against LiteRT's fp32 output within the README's
// tolerance.
#include "tflite_bench.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

#include "int8_net.h"
#include "lower_tflite.h"
#include "model_files.h"
#include "small/small_tflite.h"

namespace small_bench {
namespace {

int max_steps(const std::vector<int8_t> &a, const std::vector<int8_t> &b) {
  int d = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    d = std::max(d, std::abs(int{a[i]} - int{b[i]}));
  }
  return d;
}

// A SMaLL network imported from a .tflite file, its pool and its buffers;
// the model goes first, which detaches the network from the pool.
struct SmallTflite {
  small_tflite_model *model = nullptr;
  small_threadpool *pool = nullptr;
  std::vector<int8_t> in8, out8;
  std::vector<float> in32, out32;
  SmallTflite() = default;
  SmallTflite(const SmallTflite &) = delete;
  SmallTflite &operator=(const SmallTflite &) = delete;
  ~SmallTflite() {
    small_tflite_model_destroy(model);
    small_threadpool_destroy(pool);
  }
  small_network *net() { return small_tflite_model_network(model); }
  void run_int8() {
    const int8_t *in = in8.data();
    int8_t *out = out8.data();
    small_network_run_int8(net(), &in, 1, &out, 1, SMALL_LAYOUT_NHWC);
  }
  void run_fp32() {
    const float *in = in32.data();
    float *out = out32.data();
    small_network_run(net(), &in, 1, &out, 1, SMALL_LAYOUT_NHWC);
  }
};

struct Setting {
  const char *engine, *dtype;
  small_rounding rounding;
};

// Imports `path` for `s` at `threads`; nullptr after printing why.
std::shared_ptr<SmallTflite> import_small(const std::string &net,
                                          const std::string &path,
                                          const Setting &s, int threads,
                                          Runner *r) {
  auto small = std::make_shared<SmallTflite>();
  small_tflite_options options;
  small_tflite_options_init(&options);
  options.rounding = s.rounding;
  std::string why;
  if (small_tflite_import_file(path.c_str(), &options, &small->model) !=
      SMALL_OK) {
    why = small_tflite_last_error();
  } else if (!attach_threadpool(small->net(), threads, &small->pool, &r->detail,
                                &why)) {
    why = std::to_string(threads) + " threads: " + why;
  }
  if (!why.empty()) {
    std::printf("net=%s dtype=%s format=tflite engine=%s threads=%d "
                "failed: %s\n",
                net.c_str(), s.dtype, s.engine, threads, why.c_str());
    return nullptr;
  }
  r->engine = s.engine;
  r->dtype = s.dtype;
  r->format = "tflite";
  r->threads = threads;
  r->macs = small_tflite_model_macs(small->model);
  if (s.rounding == SMALL_ROUNDING_DOUBLE) { // same arena either rounding
    size_t arena = 0, bound = 0;
    small_network_arena_size(small->net(), &arena);
    small_network_arena_lower_bound(small->net(), &bound);
    std::printf("net=%s dtype=%s format=tflite threads=%d arena_bytes=%zu "
                "liveness_bound_bytes=%zu\n",
                net.c_str(), s.dtype, threads, arena, bound);
  }
  return small;
}

void add_detail(Runner *r, const std::string &text) {
  r->detail = r->detail.empty() ? text : r->detail + "; " + text;
}

// SMaLL int8 with one rounding, checked byte for byte against `want`.
int add_small_int8(const TfliteModel &m, const std::string &dir,
                   const Setting &s, const char *reference,
                   const std::vector<int8_t> &input,
                   const std::vector<int8_t> &want, int threads,
                   std::vector<Runner> *runners) {
  Runner r;
  std::shared_ptr<SmallTflite> small =
      import_small(m.name, dir + "/" + m.name + ".int8.tflite", s, threads, &r);
  if (small == nullptr) {
    return 1;
  }
  small->in8 = input;
  small->out8.assign(want.size(), 0x55);
  small->run_int8();
  const int steps = max_steps(small->out8, want);
  if (steps != 0) {
    std::printf("net=%s dtype=int8 format=tflite engine=%s threads=%d "
                "MISMATCH against %s: max %d steps: not timed\n",
                m.name, s.engine, threads, reference, steps);
    return 1;
  }
  add_detail(&r, std::string(s.rounding == SMALL_ROUNDING_DOUBLE
                                 ? "double rounding (TFLite reference)"
                                 : "single rounding (LiteRT)") +
                     ", byte-exact against " + reference);
  SmallTflite *raw = small.get();
  r.run = [raw] { raw->run_int8(); };
  r.state = std::move(small);
  runners->push_back(std::move(r));
  return 0;
}

// SMaLL fp32 from the .fp32.tflite model, against LiteRT's fp32 output.
int add_small_fp32(const TfliteModel &m, const std::string &dir, int threads,
                   std::vector<Runner> *runners) {
  const std::string base = dir + "/" + m.sample + ".fp32";
  std::vector<float> input, want;
  if (!read_floats(base + ".input.bin", &input) ||
      !read_floats(base + ".litert.bin", &want)) {
    std::printf("net=%s dtype=fp32 format=tflite engine=small failed: "
                "cannot read %s.{input,litert}.bin\n",
                m.name, base.c_str());
    return 1;
  }
  Runner r;
  const Setting s{"small", "fp32", SMALL_ROUNDING_DOUBLE};
  std::shared_ptr<SmallTflite> small =
      import_small(m.name, dir + "/" + m.name + ".fp32.tflite", s, threads, &r);
  if (small == nullptr) {
    return 1;
  }
  small->in32 = input;
  small->out32.assign(want.size(), std::nanf(""));
  small->run_fp32();
  bool ok = true;
  for (size_t i = 0; i < want.size(); ++i) {
    const double d = std::fabs(double{small->out32[i]} - double{want[i]});
    r.max_abs_diff = std::max(r.max_abs_diff, d);
    ok = ok && d <= m.fp32_atol + m.fp32_rtol * std::fabs(double{want[i]});
  }
  if (!ok) {
    std::printf("net=%s dtype=fp32 format=tflite engine=small threads=%d "
                "MISMATCH max_abs_diff=%.3g against LiteRT (atol %g rtol "
                "%g): not timed\n",
                m.name, threads, r.max_abs_diff, m.fp32_atol, m.fp32_rtol);
    return 1;
  }
  add_detail(&r, "against LiteRT's fp32 output");
  SmallTflite *raw = small.get();
  r.run = [raw] { raw->run_fp32(); };
  r.state = std::move(small);
  runners->push_back(std::move(r));
  return 0;
}

struct PeerRun {
  std::unique_ptr<Int8Engine> engine;
  std::vector<int8_t> input, output;
};

struct Int8Peer {
  const char *name;
  std::unique_ptr<Int8Engine> (*make)(std::string *why);
};
const Int8Peer kInt8Peers[] = {{"xnnpack", make_xnnpack_int8_engine},
                               {"onednn", make_onednn_int8_engine}};

// One int8 peer at each thread count, checked against LiteRT's output.
void add_int8_peer(const TfliteModel &m, const Int8Net &net, const Int8Peer &p,
                   const std::vector<int8_t> &input,
                   const std::vector<int8_t> &litert,
                   const std::vector<int> &thread_counts,
                   std::vector<Runner> *runners) {
  for (int threads : thread_counts) {
    std::string why;
    auto peer = std::make_shared<PeerRun>();
    peer->engine = p.make(&why);
    if (peer->engine == nullptr) {
      std::printf("net=%s dtype=int8 format=tflite engine=%s "
                  "unavailable: %s\n",
                  m.name, p.name, why.c_str());
      return;
    }
    Int8Engine &e = *peer->engine;
    e.set_threads(threads);
    if (!e.prepare(net, &why)) {
      std::printf("net=%s dtype=int8 format=tflite engine=%s threads=%d "
                  "unavailable: %s\n",
                  m.name, e.name(), threads, why.c_str());
      continue;
    }
    peer->input = input;
    peer->output.assign(litert.size(), 0x55);
    e.run(peer->input.data(), peer->output.data());
    const int steps = max_steps(peer->output, litert);
    if (steps > e.tolerance_steps() && !e.known_inexact().empty()) {
      std::printf("net=%s dtype=int8 format=tflite engine=%s threads=%d "
                  "unavailable: %s (max %d steps from LiteRT): not timed\n",
                  m.name, e.name(), threads, e.known_inexact().c_str(), steps);
      continue;
    }
    if (steps > e.tolerance_steps()) {
      std::printf("net=%s dtype=int8 format=tflite engine=%s threads=%d "
                  "MISMATCH against LiteRT: max %d steps (tolerance %d: "
                  "%s): not timed\n",
                  m.name, e.name(), threads, steps, e.tolerance_steps(),
                  e.tolerance_reason());
      continue;
    }
    Runner r;
    r.engine = e.name();
    r.dtype = "int8";
    r.format = "tflite";
    r.threads = threads;
    r.macs = net.macs;
    r.max_abs_diff = steps;
    r.detail = e.detail() + "; within " + std::to_string(e.tolerance_steps()) +
               " steps of LiteRT (" + e.tolerance_reason() + ")";
    if (!e.known_inexact().empty()) {
      r.detail += "; within it on this input only: " + e.known_inexact();
    }
    PeerRun *raw = peer.get();
    r.run = [raw] { raw->engine->run(raw->input.data(), raw->output.data()); };
    r.state = std::move(peer);
    runners->push_back(std::move(r));
  }
}

// The int8 peers, from the same int8 model.
void add_int8_peers(const TfliteModel &m, const std::string &dir,
                    const std::vector<int8_t> &input,
                    const std::vector<int8_t> &litert,
                    const std::vector<int> &thread_counts,
                    std::vector<Runner> *runners) {
  Int8Net net;
  std::string why;
  if (!lower_tflite_int8_model(dir + "/" + m.name + ".int8.tflite", &net,
                               &why)) {
    for (const Int8Peer &p : kInt8Peers) {
      std::printf("net=%s dtype=int8 format=tflite engine=%s unavailable: "
                  "the model cannot be lowered: %s\n",
                  m.name, p.name, why.c_str());
    }
    return;
  }
  for (const Int8Peer &p : kInt8Peers) {
    add_int8_peer(m, net, p, input, litert, thread_counts, runners);
  }
}

} // namespace

int add_tflite_runners(const TfliteModel &m, const std::string &dir,
                       const std::vector<int> &threads,
                       std::vector<Runner> *runners) {
  const std::string base = dir + "/" + m.sample + ".int8";
  std::vector<int8_t> input, expected, litert;
  if (!read_int8(base + ".input.bin", &input) ||
      !read_int8(base + ".expected.bin", &expected) ||
      !read_int8(base + ".litert.bin", &litert)) {
    std::printf("net=%s dtype=int8 format=tflite failed: cannot read "
                "%s.{input,expected,litert}.bin\n",
                m.name, base.c_str());
    return 1;
  }
  const Setting reference{"small", "int8", SMALL_ROUNDING_DOUBLE};
  const Setting single{"small-single", "int8", SMALL_ROUNDING_SINGLE};
  int failures = 0;
  for (int t : threads) {
    failures += add_small_int8(m, dir, reference, "TFLite's reference output",
                               input, expected, t, runners);
    failures += add_small_int8(m, dir, single, "LiteRT's output", input, litert,
                               t, runners);
  }
  add_int8_peers(m, dir, input, litert, threads, runners);
  if (m.fp32_atol >= 0) {
    for (int t : threads) {
      failures += add_small_fp32(m, dir, t, runners);
    }
  }
  return failures;
}

} // namespace small_bench
