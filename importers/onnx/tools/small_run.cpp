// small-run: imports an ONNX model, prints the layer table (the importer's
// rows, then the executed layers as small_network_layer_info reports them),
// runs it, and optionally benchmarks or profiles it.
//
//   small-run model.onnx [--input x.bin] [--output y.bin]
//             [--expected y.bin [--atol A] [--rtol R]]
//             [--layout nchw|nhwc] [--bench N] [--threads N] [--quiet]
//             [--profile [--runs N]] [--info]
//   small-run --info
//
// --threads N runs the network on a small_threadpool of N threads (0: one
// per physical core; 1, the default: the calling thread alone). --info
// prints what the library found about the CPU (cores, caches, and whether
// hwloc or sysconf said so) and, with --threads, the pool's size and
// fork/join cost; alone, it prints only that.
// --input: raw float32 little-endian, all network inputs concatenated in
// order (without it a deterministic synthetic input is used). --output
// writes every output, concatenated, in the same format. --layout applies to
// both files (rank-4 tensors). --bench N runs N timed iterations (after one
// warm-up) and prints one machine-readable line. --expected compares the
// outputs (same format as --output) with a reference: it prints the largest
// absolute difference and whether the argmax agrees, and exits 1 when any
// |got - want| > atol + rtol * |want| (defaults 1e-5 and 0). --profile
// times every executed layer over N runs (default 20, after one warm-up)
// and prints one line per layer, `profile index=I op=OP name=NAME
// median_us=T macs=M gflops=G`, then a `profile total` line with the median
// run time and the median over runs of the layers' summed times.
//
// A .tflite model (by extension or file identifier) goes to the TFLite
// importer's small-run (importers/tflite/tools/tflite_run.cpp) when the
// build has it: raw NHWC buffers in the model's dtype, --rounding.
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "small/small.h"
#include "small/small_onnx.h"
#include "small_import/aligned_vector.h"
#include "small_import/layer_profile.h"
#ifdef SMALL_WITH_TFLITE
#include "tflite_run.h"
#endif

namespace {

void usage() {
  std::fprintf(stderr,
               "usage: small-run model.onnx [--input x.bin] [--output y.bin]\n"
               "                 [--expected y.bin [--atol A] [--rtol R]]\n"
               "                 [--layout nchw|nhwc] [--bench N] "
               "[--threads N] [--quiet]\n"
               "                 [--profile [--runs N]] [--info]\n"
               "       small-run --info [--threads N]\n");
}

// The pool of --threads, destroyed after the model (whose network is then
// detached from it).
struct Pool {
  small_threadpool *pool = nullptr;
  Pool() = default;
  Pool(const Pool &) = delete;
  Pool &operator=(const Pool &) = delete;
  ~Pool() { (void)small_threadpool_destroy(pool); }
};

void print_info(const small_threadpool *pool) {
  small_cpu_info cpu{};
  if (small_cpu_info_get(&cpu) == SMALL_OK) {
    std::printf("info cpu source=%s physical_cores=%u logical_cpus=%u "
                "l1d_bytes=%" PRIu64 " l2_bytes=%" PRIu64 " l3_bytes=%" PRIu64
                "\n",
                cpu.source, cpu.physical_cores, cpu.logical_cpus, cpu.l1d_bytes,
                cpu.l2_bytes, cpu.l3_bytes);
  }
  uint32_t threads = 1;
  uint64_t fork_join_ns = 0;
  if (pool != nullptr) {
    small_threadpool_size(pool, &threads);
    small_threadpool_fork_join_ns(pool, &fork_join_ns);
  }
  std::printf("info pool threads=%u fork_join_ns=%" PRIu64 "\n", threads,
              fork_join_ns);
}

std::string dims4(const uint32_t d[4]) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "(%u,%u,%u,%u)", d[0], d[1], d[2], d[3]);
  return buf;
}

std::string model_name(const std::string &path) {
  std::string base = path.substr(path.find_last_of('/') + 1);
  const size_t dot = base.rfind(".onnx");
  return dot == std::string::npos ? base : base.substr(0, dot);
}

bool parse_tolerance(const char *s, double &out) {
  char *end = nullptr;
  out = std::strtod(s, &end);
  return end != s && *end == '\0' && out >= 0.0;
}

bool parse_count(const char *s, long &out) {
  char *end = nullptr;
  out = std::strtol(s, &end, 10);
  return end != s && *end == '\0' && out >= 1;
}

// The executed layers as the core reports them: what each holds and where
// its output lives in the arena.
void print_executed(const small_network *net, const small_onnx_model *model,
                    size_t executed) {
  std::printf("%-4s %-28s %-15s %-16s %12s %12s %12s %7s\n", "run", "name",
              "op", "out", "weight_bytes", "arena_offset", "out_bytes",
              "threads");
  for (size_t i = 0; i < executed; ++i) {
    small_layer_info info{};
    if (small_network_layer_info(net, i, &info) != SMALL_OK) {
      return;
    }
    const char *name = small_onnx_model_executed_layer_name(model, i);
    std::printf("%-4zu %-28s %-15s %-16s %12" PRIu64 " %12" PRIu64 " %12" PRIu64
                " %7u\n",
                i, name != nullptr ? name : info.name, info.kind_name,
                dims4(info.output_dims).c_str(), info.weight_bytes,
                info.arena_offset, info.output_bytes, info.threads);
  }
}

} // namespace

int main(int argc, char **argv) {
#ifdef SMALL_WITH_TFLITE
  // The model is the first argument that is neither an option nor the
  // value of one.
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--input" || a == "--output" || a == "--expected" ||
        a == "--atol" || a == "--rtol" || a == "--layout" || a == "--bench" ||
        a == "--threads" || a == "--runs" || a == "--rounding") {
      ++i;
    } else if (a.empty() || a[0] != '-') {
      if (is_tflite_path(a)) {
        return tflite_run_main(argc, argv);
      }
      break;
    }
  }
#endif
  std::string model_path, input_path, output_path, expected_path;
  double atol = 1e-5, rtol = 0.0;
  small_layout layout = SMALL_LAYOUT_NCHW;
  long bench = 0, threads = 1, runs = 20;
  bool quiet = false, profiling = false, info = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char * {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "small-run: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--input") {
      input_path = next();
    } else if (a == "--output") {
      output_path = next();
    } else if (a == "--expected") {
      expected_path = next();
    } else if (a == "--atol" || a == "--rtol") {
      if (!parse_tolerance(next(), a == "--atol" ? atol : rtol)) {
        std::fprintf(stderr, "small-run: %s needs a number >= 0\n", a.c_str());
        return 2;
      }
    } else if (a == "--layout") {
      const std::string l = next();
      if (l == "nchw") {
        layout = SMALL_LAYOUT_NCHW;
      } else if (l == "nhwc") {
        layout = SMALL_LAYOUT_NHWC;
      } else {
        std::fprintf(stderr, "small-run: --layout must be nchw or nhwc\n");
        return 2;
      }
    } else if (a == "--bench") {
      if (!parse_count(next(), bench)) {
        std::fprintf(stderr, "small-run: --bench needs a count >= 1\n");
        return 2;
      }
    } else if (a == "--threads") {
      // 0 is allowed here: one thread per physical core.
      const char *value = next();
      if (!(std::strcmp(value, "0") == 0 || parse_count(value, threads))) {
        std::fprintf(stderr, "small-run: --threads needs a count >= 0\n");
        return 2;
      }
      threads = std::strcmp(value, "0") == 0 ? 0 : threads;
    } else if (a == "--info") {
      info = true;
    } else if (a == "--profile") {
      profiling = true;
    } else if (a == "--runs") {
      if (!parse_count(next(), runs)) {
        std::fprintf(stderr, "small-run: --runs needs a count >= 1\n");
        return 2;
      }
    } else if (a == "--quiet") {
      quiet = true;
    } else if (a == "-h" || a == "--help") {
      usage();
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "small-run: unknown option %s\n", a.c_str());
      usage();
      return 2;
    } else if (model_path.empty()) {
      model_path = a;
    } else {
      usage();
      return 2;
    }
  }
  if (model_path.empty() && !info) {
    usage();
    return 2;
  }
  Pool pool;
  if (threads != 1) {
    if (small_threadpool_create(static_cast<uint32_t>(threads), &pool.pool) !=
        SMALL_OK) {
      std::fprintf(stderr, "small-run: %s\n", small_last_error());
      return 1;
    }
    uint32_t size = 1;
    small_threadpool_size(pool.pool, &size);
    threads = size;
  }
  if (info) {
    print_info(pool.pool);
    if (model_path.empty()) {
      return 0;
    }
  }

  small_onnx_model *model = nullptr;
  small_status s = small_onnx_import_file(model_path.c_str(), nullptr, &model);
  if (s != SMALL_OK) {
    std::fprintf(stderr, "small-run: import failed (%s): %s\n",
                 small_status_string(s), small_onnx_last_error());
    return 1;
  }
  small_network *net = small_onnx_model_network(model);
  if (pool.pool != nullptr) {
    s = small_network_set_threadpool(net, pool.pool);
    if (s != SMALL_OK) {
      std::fprintf(stderr, "small-run: %s\n", small_last_error());
      small_onnx_model_destroy(model);
      return 1;
    }
  }
  size_t n_in = 0, n_out = 0, arena = 0, lower = 0, executed = 0, weights = 0;
  small_network_input_count(net, &n_in);
  small_network_output_count(net, &n_out);
  small_network_arena_size(net, &arena);
  small_network_arena_lower_bound(net, &lower);
  small_network_weight_bytes(net, &weights);
  small_network_layer_count(net, &executed);
  small_kernel_info kinfo{};
  small_kernel_config(&kinfo);

  if (!quiet) {
    std::printf("model %s (graph '%s'), isa %s, Cb %u\n", model_path.c_str(),
                small_onnx_model_graph_name(model), kinfo.isa,
                kinfo.channel_block);
    for (size_t i = 0; i < n_in; ++i) {
      uint32_t d[4];
      small_network_input_shape(net, i, d);
      std::printf("input  %zu %-24s %s\n", i,
                  small_onnx_model_input_name(model, i), dims4(d).c_str());
    }
    std::printf("%-4s %-28s %-22s %-15s %-16s %-16s %12s  %s\n", "#", "name",
                "onnx", "op", "in", "out", "macs", "fused");
    const size_t rows = small_onnx_model_layer_count(model);
    for (size_t i = 0; i < rows; ++i) {
      small_onnx_layer_info li{};
      small_onnx_model_layer(model, i, &li);
      std::string fused = li.fused_ops;
      if (li.fused_into[0] != '\0') {
        fused = std::string("-> ") + li.fused_into;
      }
      std::printf("%-4zu %-28s %-22s %-15s %-16s %-16s %12" PRIu64 "  %s\n", i,
                  li.name, li.onnx_ops, li.op, dims4(li.in_dims).c_str(),
                  dims4(li.out_dims).c_str(), li.macs,
                  fused.empty() ? "-" : fused.c_str());
    }
    std::printf("layers: %zu added, %zu executed after fusion; macs %" PRIu64
                "; arena %zu bytes (lower bound %zu); weights %zu bytes\n",
                rows, executed, small_onnx_model_macs(model), arena, lower,
                weights);
    print_executed(net, model, executed);
  }

  // Inputs.
  std::vector<small_import::AlignedVector<float>> in_bufs(n_in);
  std::vector<std::vector<float>> out_bufs(n_out);
  size_t total_in = 0;
  for (size_t i = 0; i < n_in; ++i) {
    uint32_t d[4];
    small_network_input_shape(net, i, d);
    in_bufs[i].resize(size_t{d[0]} * d[1] * d[2] * d[3]);
    total_in += in_bufs[i].size();
  }
  if (!input_path.empty()) {
    std::ifstream f(input_path, std::ios::binary | std::ios::ate);
    if (!f) {
      std::fprintf(stderr, "small-run: cannot open %s\n", input_path.c_str());
      small_onnx_model_destroy(model);
      return 1;
    }
    const std::streamsize bytes = f.tellg();
    if (bytes != static_cast<std::streamsize>(total_in * 4)) {
      std::fprintf(
          stderr, "small-run: %s holds %lld bytes, the inputs need %zu\n",
          input_path.c_str(), static_cast<long long>(bytes), total_in * 4);
      small_onnx_model_destroy(model);
      return 1;
    }
    f.seekg(0);
    for (auto &b : in_bufs) {
      f.read(reinterpret_cast<char *>(b.data()),
             static_cast<std::streamsize>(b.size() * 4));
    }
  } else {
    uint32_t x = 12345;
    for (auto &b : in_bufs) {
      for (float &v : b) {
        x = x * 1664525u + 1013904223u;
        v = static_cast<float>(x >> 8) / 16777216.0f;
      }
    }
    if (!quiet) {
      std::printf("input: synthetic (uniform [0,1), fixed seed)\n");
    }
  }
  for (size_t i = 0; i < n_out; ++i) {
    uint32_t d[4];
    small_network_output_shape(net, i, d);
    out_bufs[i].resize(size_t{d[0]} * d[1] * d[2] * d[3]);
  }
  std::vector<const float *> ins;
  std::vector<float *> outs;
  for (auto &b : in_bufs) {
    ins.push_back(b.data());
  }
  for (auto &b : out_bufs) {
    outs.push_back(b.data());
  }
  s = small_network_run(net, ins.data(), ins.size(), outs.data(), outs.size(),
                        layout);
  if (s != SMALL_OK) {
    std::fprintf(stderr, "small-run: run failed (%s): %s\n",
                 small_status_string(s), small_last_error());
    small_onnx_model_destroy(model);
    return 1;
  }
  if (!quiet) {
    for (size_t i = 0; i < n_out; ++i) {
      const auto &o = out_bufs[i];
      const size_t arg =
          static_cast<size_t>(std::max_element(o.begin(), o.end()) - o.begin());
      std::printf("output %zu %s: %zu values, argmax %zu (%g); first:", i,
                  small_onnx_model_output_name(model, i), o.size(), arg,
                  o.empty() ? 0.0 : static_cast<double>(o[arg]));
      for (size_t k = 0; k < o.size() && k < 8; ++k) {
        std::printf(" %.6g", static_cast<double>(o[k]));
      }
      std::printf("\n");
    }
  }
  if (!output_path.empty()) {
    std::ofstream f(output_path, std::ios::binary);
    for (const auto &o : out_bufs) {
      f.write(reinterpret_cast<const char *>(o.data()),
              static_cast<std::streamsize>(o.size() * 4));
    }
    if (!f) {
      std::fprintf(stderr, "small-run: cannot write %s\n", output_path.c_str());
      small_onnx_model_destroy(model);
      return 1;
    }
  }
  int verdict = 0;
  if (!expected_path.empty()) {
    size_t total_out = 0;
    for (const auto &o : out_bufs) {
      total_out += o.size();
    }
    std::vector<float> want(total_out);
    std::ifstream f(expected_path, std::ios::binary | std::ios::ate);
    if (!f || f.tellg() != static_cast<std::streamsize>(total_out * 4)) {
      std::fprintf(stderr, "small-run: %s must hold the %zu output floats\n",
                   expected_path.c_str(), total_out);
      small_onnx_model_destroy(model);
      return 1;
    }
    f.seekg(0);
    f.read(reinterpret_cast<char *>(want.data()),
           static_cast<std::streamsize>(total_out * 4));
    double max_diff = 0.0;
    bool within = true, same_argmax = true;
    size_t at = 0;
    for (const auto &o : out_bufs) {
      const float *w = want.data() + at;
      for (size_t k = 0; k < o.size(); ++k) {
        const double d = std::abs(static_cast<double>(o[k]) - w[k]);
        max_diff = std::max(max_diff, d);
        within = within && d <= atol + rtol * std::abs(w[k]);
      }
      same_argmax =
          same_argmax && std::max_element(o.begin(), o.end()) - o.begin() ==
                             std::max_element(w, w + o.size()) - w;
      at += o.size();
    }
    std::printf("check %s: max_abs_diff=%.3g (atol %g, rtol %g) argmax %s: "
                "%s\n",
                model_name(model_path).c_str(), max_diff, atol, rtol,
                same_argmax ? "agrees" : "DIFFERS",
                within ? "MATCH" : "MISMATCH");
    verdict = within ? 0 : 1;
  }
  if (bench > 0) {
    std::vector<double> us;
    small_network_run(net, ins.data(), ins.size(), outs.data(), outs.size(),
                      layout); // warm-up
    for (long k = 0; k < bench; ++k) {
      const auto t0 = std::chrono::steady_clock::now();
      small_network_run(net, ins.data(), ins.size(), outs.data(), outs.size(),
                        layout);
      const auto t1 = std::chrono::steady_clock::now();
      us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    std::sort(us.begin(), us.end());
    std::printf("net=%s engine=small isa=%s threads=%ld median_us=%.1f "
                "min_us=%.1f macs=%" PRIu64 "\n",
                model_name(model_path).c_str(), kinfo.isa, threads,
                small_import::median(us), us.front(),
                small_onnx_model_macs(model));
  }
  const auto run_once = [&] {
    return small_network_run(net, ins.data(), ins.size(), outs.data(),
                             outs.size(), layout);
  };
  const auto layer_name = [model](size_t i) {
    return small_onnx_model_executed_layer_name(model, i);
  };
  if (profiling &&
      !small_import::print_layer_profile(net, runs, run_once, layer_name)) {
    std::fprintf(stderr, "small-run: profiling failed: %s\n",
                 small_last_error());
    verdict = 1;
  }
  small_onnx_model_destroy(model);
  return verdict;
}
