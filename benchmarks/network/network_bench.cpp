// End-to-end benchmark of the real MLPerf Tiny models. The four ONNX models
// (fp32): SMaLL (through its ONNX importer) against im2col + OpenBLAS,
// oneDNN and XNNPACK running the same layers with the same trained weights,
// every output checked against ONNX Runtime's (*.expected.bin). The five
// .tflite models (tflite_bench.h): SMaLL int8 with TFLite's reference
// (double) rounding, checked byte for byte against *.int8.expected.bin, and
// with LiteRT's single rounding (engine small-single) against
// *.int8.litert.bin; XNNPACK's int8 subgraph and oneDNN's s8 primitives
// from the same int8 model, within their requantization's tolerance of
// LiteRT's output; SMaLL fp32 from the .fp32.tflite model against LiteRT's
// fp32 output. All engines of a network, both formats, are timed in the same
// interleaved rounds, so that a noisy moment hits them all alike.
//
// Where SMaLL runs a depthwise-pointwise pair as one layer (MobileNet), the
// same network finalized with that fusion off is timed too, as engine
// small-unfused, in the same rounds.
//
// --threads 1,2 runs every engine that has threads at each count (SMaLL with
// a small_threadpool, oneDNN with OpenMP threads, XNNPACK with a
// pthreadpool; OpenBLAS at 1 only), all interleaved in the same rounds.
//
// One key=value line per measurement:
//   net=<n> dtype=<fp32|int8> format=<onnx|tflite> engine=<e> isa=<isa>
//     threads=<t> median_us=<x> min_us=<y> macs=<m> gflops=<g>
//     peak_pct=<p> peak_gflops=<f> max_abs_diff=<d>
// (gflops: 2 * macs per second, int8 operations for int8; peak_pct: of t
// times the single-core FMA peak measured just before and after that
// network, "na" for int8; max_abs_diff: for int8 in quantization steps of
// the output), a line saying why for an engine that cannot run a model:
//   net=<n> dtype=<d> format=<f> engine=<e> [threads=<t>] unavailable: <why>
//   net=<n> dtype=<d> format=<f> threads=<t> arena_bytes=<a>
//     liveness_bound_bytes=<b>
// and a CSV (and, with python3-matplotlib, a PNG chart) of the timings.
//
// Usage: small_network_bench [--models DIR] [--tflite-models DIR]
//                            [--rounds R] [--csv FILE] [--png FILE]
//                            [--net NAME] [--threads 1,2]
// OpenBLAS: Debian's 0.3.21 does not recognise every CPU and then runs SSE3
// kernels; when OPENBLAS_CORETYPE is unset, this program re-executes itself
// with SkylakeX (AVX-512 build) or Haswell (AVX2 build) so the baseline uses
// the same instructions. oneDNN is capped at AVX2 for the AVX2 build and
// at AVX-512 VNNI (no AMX) for the others (ONEDNN_MAX_CPU_ISA). XNNPACK
// (this Debian snapshot) has no such cap and picks its best kernels for the
// CPU: in the AVX2 build it may use AVX-512.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <unistd.h>

#include "bench_rounds.h"
#include "bench_util.h"
#include "lower_onnx.h"
#include "model_files.h"
#include "peer_net.h"
#include "small/small.h"
#include "small/small_onnx.h"
#include "small_import/aligned_vector.h"
#include "tflite_bench.h"

namespace small_bench {
namespace {

// A network of the benchmark: its ONNX model (fp32; atol < 0: none) and
// its .tflite models.
struct Model {
  const char *name;
  float atol, rtol; // vs ONNX Runtime, from models/mlperf_tiny/README.md
  TfliteModel tflite;
};

// fp32 .tflite tolerances against LiteRT: models/mlperf_tiny_tflite's README
// (dscnn's fp32 model is hybrid: LiteRT quantizes its activations).
const Model kModels[] = {
    {"resnet8", 1e-5f, 0.0f, {"resnet8", "resnet8", 1e-5f, 0.0f}},
    {"dscnn", 1e-5f, 0.0f, {"dscnn", "dscnn", 5e-4f, 0.0f}},
    {"mobilenet_vww",
     1e-5f,
     0.0f,
     {"mobilenet_vww", "mobilenet_vww", 1e-5f, 0.0f}},
    {"autoencoder", 1e-2f, 1e-4f, {"autoencoder", "autoencoder", 1e-2f, 1e-4f}},
    {"streaming_wakeword",
     -1.0f,
     0.0f,
     {"streaming_wakeword", "streaming_wakeword.class0", -1.0f, 0.0f}},
};

struct Options {
  std::string models = SMALL_BENCH_MODELS_DIR;
  std::string tflite_models = SMALL_BENCH_TFLITE_MODELS_DIR;
  // Default: the build folder this program was built in.
  std::string csv = SMALL_BENCH_OUTPUT_DIR "/network_bench.csv";
  std::string png = SMALL_BENCH_OUTPUT_DIR "/network_bench.png";
  std::string only;
  int rounds = 30;
  std::vector<int> threads{1};
  double round_seconds = 0.02; // per engine per round
};

bool parse(int argc, char **argv, Options *o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--models" && has_value) {
      o->models = argv[++i];
    } else if (a == "--tflite-models" && has_value) {
      o->tflite_models = argv[++i];
    } else if (a == "--csv" && has_value) {
      o->csv = argv[++i];
    } else if (a == "--png" && has_value) {
      o->png = argv[++i];
    } else if (a == "--net" && has_value) {
      o->only = argv[++i];
    } else if (a == "--threads" && has_value) {
      o->threads.clear();
      const std::string list = argv[++i];
      for (size_t pos = 0; pos < list.size();) {
        const size_t comma = std::min(list.find(',', pos), list.size());
        const int t = std::atoi(list.substr(pos, comma - pos).c_str());
        if (t < 1 || t > SMALL_MAX_THREADS) {
          return false;
        }
        o->threads.push_back(t);
        pos = comma + 1;
      }
      if (o->threads.empty()) {
        return false;
      }
    } else if (a == "--rounds" && has_value) {
      o->rounds = std::atoi(argv[++i]);
      if (o->rounds < 3) {
        return false;
      }
    } else {
      return false;
    }
  }
  return true;
}

// See the header comment: the OpenBLAS core matching the SMaLL build's
// instruction set (so the AVX2 build is compared with AVX2 OpenBLAS).
void reexec_with_openblas_core(char **argv) {
  small_kernel_info info;
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr ||
      small_kernel_config(&info) != SMALL_OK) {
    return;
  }
  const char *core = std::strcmp(info.isa, "avx512") == 0 ? "SkylakeX"
                     : std::strcmp(info.isa, "avx2") == 0 ? "Haswell"
                                                          : nullptr;
  if (core == nullptr) {
    return;
  }
  setenv("OPENBLAS_CORETYPE", core, 1);
  // No OpenBLAS worker threads at all: idle ones spin (sched_yield) on the
  // other core, and measurements here were slower and noisier with them.
  setenv("OPENBLAS_NUM_THREADS", "1", 0);
  execv("/proc/self/exe", argv);
  std::fprintf(stderr, "note: re-exec failed; OpenBLAS keeps its own core\n");
}

double max_abs_diff(const std::vector<float> &a, const std::vector<float> &b) {
  double d = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    d = std::max(d, std::fabs(double{a[i]} - double{b[i]}));
  }
  return d;
}

bool within(const std::vector<float> &got, const std::vector<float> &want,
            const Model &m) {
  for (size_t i = 0; i < got.size(); ++i) {
    const double tol = m.atol + m.rtol * std::fabs(double{want[i]});
    if (!(std::fabs(double{got[i]} - double{want[i]}) <= tol)) {
      return false;
    }
  }
  return true;
}

struct Row {
  std::string net, engine;
  const char *dtype, *format;
  int threads = 1;
  double median_us, min_us, gflops, peak_pct, peak_gflops, max_abs_diff;
  uint64_t macs;
  bool int8() const { return std::strcmp(dtype, "int8") == 0; }
};

// What the ONNX engines of one network use: the SMaLL models (one per
// thread count) and their pools (the models go first, which detaches their
// networks, then the pools), the peers and the network they run (an
// engine may keep pointers into it), and the buffers.
struct OnnxState {
  std::vector<small_onnx_model *> models;
  std::vector<small_threadpool *> pools;
  PeerNet peer_net;
  std::vector<std::unique_ptr<PeerEngine>> peers;
  small_import::AlignedVector<float> input;
  std::vector<float> output;
  OnnxState() = default;
  OnnxState(const OnnxState &) = delete;
  OnnxState &operator=(const OnnxState &) = delete;
  ~OnnxState() {
    for (small_onnx_model *m : models) {
      small_onnx_model_destroy(m);
    }
    for (small_threadpool *p : pools) {
      small_threadpool_destroy(p);
    }
  }
};

// Whether a finalized network runs a depthwise-pointwise pair as one layer.
bool has_fused_pair(small_network *net) {
  size_t layers = 0;
  small_network_layer_count(net, &layers);
  for (size_t i = 0; i < layers; ++i) {
    small_layer_info info{};
    if (small_network_layer_info(net, i, &info) == SMALL_OK &&
        std::strchr(info.kind_name, '+') != nullptr) {
      return true;
    }
  }
  return false;
}

// The model imported open, finalized with depthwise-pointwise fusion off;
// `state` owns it. NULL on failure.
small_network *import_unfused(const std::string &path, OnnxState *state) {
  small_onnx_options options;
  small_onnx_options_init(&options);
  options.finalize = 0;
  small_onnx_model *model = nullptr;
  if (small_onnx_import_file(path.c_str(), &options, &model) != SMALL_OK) {
    return nullptr;
  }
  state->models.push_back(model);
  small_network *net = small_onnx_model_network(model);
  if (small_network_set_fusion_cache(net, 0) != SMALL_OK ||
      small_network_finalize(net) != SMALL_OK) {
    return nullptr;
  }
  return net;
}

// Adds SMaLL and the fp32 peers on the ONNX model, each checked against ONNX
// Runtime's output (an engine that does not reproduce it is reported and not
// timed). Returns the SMaLL failures.
int add_onnx_runners(const Model &m, const Options &o,
                     std::vector<Runner> *runners) {
  const std::string base = o.models + "/" + m.name;
  auto state = std::make_shared<OnnxState>();
  std::vector<float> input, expected;
  if (!read_floats(base + ".input.bin", &input) ||
      !read_floats(base + ".expected.bin", &expected)) {
    std::fprintf(stderr, "net=%s: cannot read %s.{input,expected}.bin\n",
                 m.name, base.c_str());
    return 1;
  }
  state->input.assign(input.begin(), input.end());
  state->output.resize(expected.size());
  OnnxState *raw = state.get();
  std::vector<Runner> candidates;
  uint64_t macs = 0;
  // One SMaLL network per thread count (a network has one pool).
  for (int threads : o.threads) {
    small_onnx_model *model = nullptr;
    if (small_onnx_import_file((base + ".onnx").c_str(), nullptr, &model) !=
        SMALL_OK) {
      std::fprintf(stderr, "net=%s: import failed: %s\n", m.name,
                   small_onnx_last_error());
      return 1;
    }
    state->models.push_back(model);
    small_network *net = small_onnx_model_network(model);
    Runner small_runner;
    small_runner.engine = "small";
    small_runner.threads = threads;
    small_threadpool *pool = nullptr;
    std::string why;
    if (!attach_threadpool(net, threads, &pool, &small_runner.detail, &why)) {
      std::fprintf(stderr, "net=%s: %d threads: %s\n", m.name, threads,
                   why.c_str());
      return 1;
    }
    if (pool != nullptr) {
      state->pools.push_back(pool);
    }
    macs = small_onnx_model_macs(model);
    size_t arena = 0, bound = 0;
    small_network_arena_size(net, &arena);
    small_network_arena_lower_bound(net, &bound);
    std::printf("net=%s dtype=fp32 format=onnx threads=%d arena_bytes=%zu "
                "liveness_bound_bytes=%zu\n",
                m.name, threads, arena, bound);
    small_runner.run = [net, raw] {
      const float *in = raw->input.data();
      float *out = raw->output.data();
      small_network_run(net, &in, 1, &out, 1, SMALL_LAYOUT_NCHW);
    };
    candidates.push_back(std::move(small_runner));
    if (has_fused_pair(net)) {
      // The same network with depthwise-pointwise fusion off, timed in the
      // same rounds: what the fusion gains on this machine.
      small_network *unfused = import_unfused(base + ".onnx", state.get());
      small_threadpool *unfused_pool = nullptr;
      Runner r;
      if (unfused == nullptr ||
          !attach_threadpool(unfused, threads, &unfused_pool, &r.detail,
                             &why)) {
        std::fprintf(stderr, "net=%s: unfused network: %s\n", m.name,
                     unfused == nullptr ? small_last_error() : why.c_str());
        return 1;
      }
      if (unfused_pool != nullptr) {
        state->pools.push_back(unfused_pool);
      }
      r.engine = "small-unfused";
      r.threads = threads;
      r.detail += (r.detail.empty() ? "" : "; ") +
                  std::string("depthwise-pointwise fusion off "
                              "(small_network_set_fusion_cache 0)");
      r.run = [unfused, raw] {
        const float *in = raw->input.data();
        float *out = raw->output.data();
        small_network_run(unfused, &in, 1, &out, 1, SMALL_LAYOUT_NCHW);
      };
      candidates.push_back(std::move(r));
    }
  }

  const PeerNet &peer_net = state->peer_net;
  std::string why;
  if (!lower_onnx_model(base + ".onnx", &state->peer_net, &why)) {
    std::printf("net=%s dtype=fp32 format=onnx peers skipped: %s\n", m.name,
                why.c_str());
  } else {
    for (int threads : o.threads) {
      for (auto make :
           {make_openblas_engine, make_onednn_engine, make_xnnpack_engine}) {
        std::unique_ptr<PeerEngine> e = make();
        if (e == nullptr || (threads > 1 && !e->supports_threads())) {
          continue; // not built (reported once in main) or one thread only
        }
        e->set_threads(threads);
        if (!e->prepare(peer_net, &why)) {
          std::printf("net=%s dtype=fp32 format=onnx engine=%s threads=%d "
                      "skipped: %s\n",
                      m.name, e->name(), threads, why.c_str());
          continue;
        }
        Runner r;
        r.engine = e->name();
        r.threads = threads;
        r.detail = e->detail();
        PeerEngine *peer = e.get();
        r.run = [peer, raw] {
          peer->run(raw->input.data(), raw->output.data());
        };
        candidates.push_back(std::move(r));
        state->peers.push_back(std::move(e));
      }
    }
  }

  int failures = 0;
  for (Runner &r : candidates) {
    std::fill(state->output.begin(), state->output.end(), std::nanf(""));
    r.run();
    r.max_abs_diff = max_abs_diff(state->output, expected);
    if (!within(state->output, expected, m)) {
      std::printf("net=%s dtype=fp32 format=onnx engine=%s threads=%d "
                  "MISMATCH max_abs_diff=%.3g (atol %g rtol %g): not timed\n",
                  m.name, r.engine.c_str(), r.threads, r.max_abs_diff, m.atol,
                  m.rtol);
      failures += r.engine == "small";
      continue;
    }
    r.macs = macs;
    r.state = state;
    runners->push_back(std::move(r));
  }
  return failures;
}

// Every engine of one network, both formats, timed in the same rounds.
int bench_model(const Model &m, const Options &o, const char *isa,
                std::vector<Row> *rows) {
  std::vector<Runner> runners;
  int failures = 0;
  if (m.atol >= 0) {
    failures += add_onnx_runners(m, o, &runners);
  }
#if defined(SMALL_BENCH_HAVE_TFLITE)
  failures +=
      add_tflite_runners(m.tflite, o.tflite_models, o.threads, &runners);
#else
  std::printf("net=%s format=tflite unavailable: built without the TFLite "
              "importer (flatbuffers not found at configure time)\n",
              m.name);
#endif

  // Percent of peak against the FMA peak of the moment: the clock of this
  // kind of machine drifts over seconds.
  const double peak_before = quick_peak_gflops();
  time_interleaved(runners, o.rounds, o.round_seconds);
  const double peak = std::max(peak_before, quick_peak_gflops());
  for (Runner &r : runners) {
    std::sort(r.seconds.begin(), r.seconds.end());
    Row row;
    row.net = m.name;
    row.engine = r.engine;
    row.dtype = r.dtype;
    row.format = r.format;
    row.threads = r.threads;
    row.median_us = r.seconds[r.seconds.size() / 2] * 1e6;
    row.min_us = r.seconds.front() * 1e6;
    row.macs = r.macs;
    row.gflops = 2.0 * r.macs / (row.median_us * 1e3);
    row.peak_gflops = peak * r.threads;
    row.peak_pct = 100.0 * row.gflops / row.peak_gflops;
    row.max_abs_diff = r.max_abs_diff;
    std::printf("net=%s dtype=%s format=%s engine=%s isa=%s threads=%d "
                "median_us=%.1f min_us=%.1f macs=%llu gflops=%.1f ",
                m.name, r.dtype, r.format, r.engine.c_str(), isa, r.threads,
                row.median_us, row.min_us,
                static_cast<unsigned long long>(r.macs), row.gflops);
    // The FMA peak says nothing about int8 throughput (the per-layer bench
    // measures an int8 peak).
    if (row.int8()) {
      std::printf("peak_pct=na peak_gflops=na max_abs_diff=%.0f\n",
                  row.max_abs_diff);
    } else {
      std::printf("peak_pct=%.1f peak_gflops=%.1f max_abs_diff=%.2g\n",
                  row.peak_pct, row.peak_gflops, row.max_abs_diff);
    }
    if (!r.detail.empty()) {
      std::printf("  (%s: %s)\n", r.engine.c_str(), r.detail.c_str());
    }
    rows->push_back(row);
  }
  std::fflush(stdout);
  return failures;
}

void write_csv(const std::string &path, const char *isa,
               const std::vector<Row> &rows) {
  std::FILE *f = std::fopen(path.c_str(), "w");
  if (f == nullptr) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    return;
  }
  std::fprintf(f, "net,engine,isa,threads,median_us,min_us,macs,gflops,"
                  "peak_pct,peak_gflops,max_abs_diff,dtype,format\n");
  for (const Row &r : rows) {
    std::fprintf(f, "%s,%s,%s,%d,%.2f,%.2f,%llu,%.2f,", r.net.c_str(),
                 r.engine.c_str(), isa, r.threads, r.median_us, r.min_us,
                 static_cast<unsigned long long>(r.macs), r.gflops);
    if (r.int8()) {
      std::fprintf(f, ",,");
    } else {
      std::fprintf(f, "%.2f,%.2f,", r.peak_pct, r.peak_gflops);
    }
    std::fprintf(f, "%.3g,%s,%s\n", r.max_abs_diff, r.dtype, r.format);
  }
  std::fclose(f);
  std::printf("csv: %s\n", path.c_str());
  std::fflush(stdout);
}

void plot(const std::string &csv, const std::string &png) {
  const std::string script = SMALL_BENCH_PLOT_SCRIPT;
  const std::string cmd =
      "/usr/bin/python3 '" + script + "' '" + csv + "' '" + png + "'";
  if (std::system(cmd.c_str()) != 0) {
    std::printf("chart: not written (needs /usr/bin/python3 with "
                "python3-matplotlib)\n");
  }
}

int run(int argc, char **argv) {
  Options o;
  if (!parse(argc, argv, &o)) {
    std::fprintf(stderr, "usage: small_network_bench [--models DIR] "
                         "[--tflite-models DIR] [--rounds R>=3] [--csv FILE] "
                         "[--png FILE] [--net NAME] [--threads 1,2]\n");
    return 2;
  }
  small_kernel_info info;
  if (small_kernel_config(&info) != SMALL_OK) {
    std::fprintf(stderr, "this CPU cannot run the build's kernels: %s\n",
                 small_last_error());
    return 77;
  }
  // oneDNN gets the same instruction set as the SMaLL build it is compared
  // with (unless the caller chose one): AVX2 for the AVX2 build, else at
  // most AVX-512 with VNNI, never AMX, which SMaLL has no kernels for and
  // whose int8 path in Debian's oneDNN 3.0 crashed on MobileNet VWW (SIGSEGV
  // inside dnnl_primitive_execute, on an Intel Xeon with AMX).
  setenv("ONEDNN_MAX_CPU_ISA",
         std::strcmp(info.isa, "avx2") == 0 ? "AVX2" : "AVX512_CORE_VNNI", 0);
  const double peak = measure_peak_gflops();
  const char *core = std::getenv("OPENBLAS_CORETYPE");
  std::printf("peak isa=%s gflops=%.1f (single-core FMA, measured)\n", info.isa,
              peak);
  std::printf("openblas_coretype=%s onednn_max_cpu_isa=%s\n",
              core != nullptr ? core : "unset",
              std::getenv("ONEDNN_MAX_CPU_ISA") != nullptr
                  ? std::getenv("ONEDNN_MAX_CPU_ISA")
                  : "unset");
  for (auto [name, make] : {std::pair{"openblas", &make_openblas_engine},
                            std::pair{"onednn", &make_onednn_engine},
                            std::pair{"xnnpack", &make_xnnpack_engine}}) {
    if (make() == nullptr) {
      std::printf("engine=%s not built (its package was not found at "
                  "configure time)\n",
                  name);
    }
  }
  std::vector<Row> rows;
  int failures = 0;
  for (const Model &m : kModels) {
    if (o.only.empty() || o.only == m.name) {
      failures += bench_model(m, o, info.isa, &rows);
    }
  }
  write_csv(o.csv, info.isa, rows);
  plot(o.csv, o.png);
  return failures == 0 ? 0 : 1;
}

} // namespace
} // namespace small_bench

int main(int argc, char **argv) {
  small_bench::reexec_with_openblas_core(argv);
  return small_bench::run(argc, argv);
}
