// small-run for .tflite models:
//
//   small-run model.tflite [--input x.bin] [--output y.bin]
//             [--expected y.bin [--atol A] [--rtol R]]
//             [--rounding double|single] [--bench N] [--threads N]
//             [--profile [--runs N]] [--quiet]
//
// --input and --output are raw bytes in the model's own dtype and NHWC
// layout, as TFLite holds its tensors (float32 little-endian for float
// models), every input (output) concatenated in order; without --input a
// deterministic synthetic input is used. --expected compares the outputs
// with a reference in the same format: exactly for int8 outputs, within
// |got - want| <= atol + rtol * |want| (defaults 1e-5 and 0) for float ones;
// exit 1 on a mismatch. --rounding picks the requantization rounding of
// int8 models (default double: TFLite's reference kernels; single: LiteRT's
// CPU path); float models do not requantize. --bench N prints a latency
// line after N timed runs. --profile prints each executed layer's median
// time over --runs runs (default 20), as the ONNX small-run does.
#include "tflite_run.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "small/small.h"
#include "small/small_tflite.h"
#include "small_import/layer_profile.h"
#include "small_import/tflite_description.h"

namespace {

void usage() {
  std::fprintf(stderr,
               "usage: small-run model.tflite [--input x.bin] [--output "
               "y.bin]\n"
               "                 [--expected y.bin [--atol A] [--rtol R]]\n"
               "                 [--rounding double|single] [--bench N] "
               "[--threads N]\n"
               "                 [--profile [--runs N]] [--quiet]\n");
}

std::string dims4(const uint32_t d[4]) {
  char buf[96];
  std::snprintf(buf, sizeof buf, "(%u,%u,%u,%u)", d[0], d[1], d[2], d[3]);
  return buf;
}

std::string model_name(const std::string &path) {
  std::string base = path.substr(path.find_last_of('/') + 1);
  const size_t dot = base.rfind(".tflite");
  return dot == std::string::npos ? base : base.substr(0, dot);
}

bool read_bytes(const std::string &path, std::vector<char> &out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    return false;
  }
  out.assign(std::istreambuf_iterator<char>(f),
             std::istreambuf_iterator<char>());
  return !f.bad();
}

struct Options {
  std::string model, input, output, expected;
  double atol = 1e-5, rtol = 0.0;
  small_rounding rounding = SMALL_ROUNDING_DOUBLE;
  long bench = 0;
  long threads = 1; // 0: one per physical core
  long runs = 20;   // --profile
  bool profile = false;
  bool quiet = false;
};

// Parses argv; returns -1 to go on, else the exit code.
int parse(int argc, char **argv, Options &o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const char *value = i + 1 < argc ? argv[i + 1] : nullptr;
    const bool takes_value =
        a == "--input" || a == "--output" || a == "--expected" ||
        a == "--atol" || a == "--rtol" || a == "--rounding" || a == "--bench" ||
        a == "--threads" || a == "--runs";
    if (takes_value && value == nullptr) {
      std::fprintf(stderr, "small-run: %s needs a value\n", a.c_str());
      return 2;
    }
    char *end = nullptr;
    if (a == "--input") {
      o.input = argv[++i];
    } else if (a == "--output") {
      o.output = argv[++i];
    } else if (a == "--expected") {
      o.expected = argv[++i];
    } else if (a == "--atol" || a == "--rtol") {
      double &t = a == "--atol" ? o.atol : o.rtol;
      t = std::strtod(argv[++i], &end);
      if (*end != '\0' || !(t >= 0.0)) {
        std::fprintf(stderr, "small-run: %s needs a number >= 0\n", a.c_str());
        return 2;
      }
    } else if (a == "--rounding") {
      const std::string r = argv[++i];
      o.rounding =
          r == "single" ? SMALL_ROUNDING_SINGLE : SMALL_ROUNDING_DOUBLE;
      if (r != "double" && r != "single") {
        std::fprintf(stderr, "small-run: --rounding must be double or "
                             "single\n");
        return 2;
      }
    } else if (a == "--bench") {
      o.bench = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || o.bench < 1) {
        std::fprintf(stderr, "small-run: --bench needs a count >= 1\n");
        return 2;
      }
    } else if (a == "--threads") {
      o.threads = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || o.threads < 0) {
        std::fprintf(stderr, "small-run: --threads needs a count >= 0\n");
        return 2;
      }
    } else if (a == "--runs") {
      o.runs = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || o.runs < 1) {
        std::fprintf(stderr, "small-run: --runs needs a count >= 1\n");
        return 2;
      }
    } else if (a == "--profile") {
      o.profile = true;
    } else if (a == "--quiet") {
      o.quiet = true;
    } else if (a == "-h" || a == "--help") {
      usage();
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "small-run: unknown option %s\n", a.c_str());
      usage();
      return 2;
    } else if (o.model.empty()) {
      o.model = a;
    } else {
      usage();
      return 2;
    }
  }
  if (o.model.empty()) {
    usage();
    return 2;
  }
  return -1;
}

void print_tables(const small_tflite_model *model, small_network *net) {
  small_kernel_info kinfo{};
  small_kernel_config(&kinfo);
  size_t n_in = 0, arena = 0, lower = 0, executed = 0, weights = 0;
  small_network_input_count(net, &n_in);
  small_network_arena_size(net, &arena);
  small_network_arena_lower_bound(net, &lower);
  small_network_weight_bytes(net, &weights);
  small_network_layer_count(net, &executed);
  std::printf("isa %s, Cb %u, layout NHWC\n", kinfo.isa, kinfo.channel_block);
  for (size_t i = 0; i < n_in; ++i) {
    uint32_t d[4];
    small_network_input_shape(net, i, d);
    std::printf("input  %zu %-24s %s\n", i,
                small_tflite_model_input_name(model, i), dims4(d).c_str());
  }
  std::printf("%-4s %-32s %-18s %-15s %-16s %-16s %12s\n", "#", "name",
              "tflite", "op", "in", "out", "macs");
  const size_t rows = small_tflite_model_layer_count(model);
  for (size_t i = 0; i < rows; ++i) {
    small_tflite_layer_info li{};
    small_tflite_model_layer(model, i, &li);
    std::printf("%-4zu %-32.32s %-18s %-15s %-16s %-16s %12" PRIu64 "\n", i,
                li.name, li.tflite_ops, li.op, dims4(li.in_dims).c_str(),
                dims4(li.out_dims).c_str(), li.macs);
  }
  std::printf("layers: %zu added, %zu executed after fusion; macs %" PRIu64
              "; arena %zu bytes (lower bound %zu); weights %zu bytes\n",
              rows, executed, small_tflite_model_macs(model), arena, lower,
              weights);
}

size_t elements(small_network *net, size_t i, bool output) {
  uint32_t d[4] = {0, 0, 0, 0};
  if (output) {
    small_network_output_shape(net, i, d);
  } else {
    small_network_input_shape(net, i, d);
  }
  return size_t{d[0]} * d[1] * d[2] * d[3];
}

// One network input or output as TFLite holds it: raw bytes in its dtype.
struct Buffer {
  small_dtype dtype = SMALL_DTYPE_FLOAT32;
  small_quant quant{};
  size_t count = 0;
  std::vector<float> f;  // float tensors, and int8 ones run through floats
  std::vector<int8_t> q; // int8 tensors
  size_t bytes() const { return dtype == SMALL_DTYPE_INT8 ? count : count * 4; }
  char *data() {
    return dtype == SMALL_DTYPE_INT8 ? reinterpret_cast<char *>(q.data())
                                     : reinterpret_cast<char *>(f.data());
  }
};

Buffer make_buffer(small_network *net, size_t i, bool output) {
  Buffer b;
  if (output) {
    small_network_output_type(net, i, &b.dtype, &b.quant);
  } else {
    small_network_input_type(net, i, &b.dtype, &b.quant);
  }
  b.count = elements(net, i, output);
  b.f.resize(b.count);
  if (b.dtype == SMALL_DTYPE_INT8) {
    b.q.resize(b.count);
  }
  return b;
}

// Compares the outputs with the reference (same format): int8 outputs
// exactly, float ones within the tolerances; prints the verdict.
bool check(const Options &o, std::vector<Buffer> &outs,
           const std::vector<char> &want) {
  double max_diff = 0.0;
  size_t int8_diffs = 0;
  bool within = true, same_argmax = true;
  size_t at = 0;
  for (Buffer &y : outs) {
    size_t got_arg = 0, want_arg = 0;
    double got_best = 0.0, want_best = 0.0;
    for (size_t k = 0; k < y.count; ++k) {
      double got = 0.0, w = 0.0;
      if (y.dtype == SMALL_DTYPE_INT8) {
        got = y.q[k];
        w = static_cast<int8_t>(want[at + k]);
        int8_diffs += got != w;
      } else {
        float wf;
        std::memcpy(&wf, want.data() + at + 4 * k, 4);
        got = y.f[k];
        w = wf;
        within = within && std::abs(got - w) <= o.atol + o.rtol * std::abs(w);
      }
      max_diff = std::max(max_diff, std::abs(got - w));
      if (k == 0 || got > got_best) {
        got_best = got;
        got_arg = k;
      }
      if (k == 0 || w > want_best) {
        want_best = w;
        want_arg = k;
      }
    }
    same_argmax = same_argmax && got_arg == want_arg;
    at += y.bytes();
  }
  within = within && int8_diffs == 0;
  std::printf("check %s: max_abs_diff=%.3g (int8 values differing: %zu; float "
              "atol %g, rtol %g) argmax %s: %s\n",
              model_name(o.model).c_str(), max_diff, int8_diffs, o.atol, o.rtol,
              same_argmax ? "agrees" : "DIFFERS",
              within ? "MATCH" : "MISMATCH");
  return within;
}

// Runs the network once on the buffers: all-int8 I/O through
// small_network_run_int8, anything else through float buffers (int8 ones
// converted exactly at the boundary).
small_status run_once(small_network *net, std::vector<Buffer> &ins,
                      std::vector<Buffer> &outs) {
  bool all_int8 = true;
  for (const Buffer &b : ins) {
    all_int8 = all_int8 && b.dtype == SMALL_DTYPE_INT8;
  }
  for (const Buffer &b : outs) {
    all_int8 = all_int8 && b.dtype == SMALL_DTYPE_INT8;
  }
  if (all_int8) {
    std::vector<const int8_t *> ip;
    std::vector<int8_t *> op;
    for (Buffer &b : ins) {
      ip.push_back(b.q.data());
    }
    for (Buffer &b : outs) {
      op.push_back(b.q.data());
    }
    return small_network_run_int8(net, ip.data(), ip.size(), op.data(),
                                  op.size(), SMALL_LAYOUT_NHWC);
  }
  std::vector<const float *> ip;
  std::vector<float *> op;
  for (Buffer &b : ins) {
    if (b.dtype == SMALL_DTYPE_INT8) {
      for (size_t k = 0; k < b.count; ++k) {
        b.f[k] =
            b.quant.scale * static_cast<float>(b.q[k] - b.quant.zero_point);
      }
    }
    ip.push_back(b.f.data());
  }
  for (Buffer &b : outs) {
    op.push_back(b.f.data());
  }
  const small_status s = small_network_run(net, ip.data(), ip.size(), op.data(),
                                           op.size(), SMALL_LAYOUT_NHWC);
  for (Buffer &b : outs) {
    if (b.dtype == SMALL_DTYPE_INT8) {
      for (size_t k = 0; k < b.count; ++k) {
        const long v = std::lround(b.f[k] / b.quant.scale) + b.quant.zero_point;
        b.q[k] = static_cast<int8_t>(std::min(127L, std::max(-128L, v)));
      }
    }
  }
  return s;
}

int run(const Options &o, small_tflite_model *model, small_threadpool *pool) {
  small_network *net = small_tflite_model_network(model);
  if (pool != nullptr && small_network_set_threadpool(net, pool) != SMALL_OK) {
    std::fprintf(stderr, "small-run: %s\n", small_last_error());
    return 1;
  }
  if (!o.quiet) {
    print_tables(model, net);
  }
  size_t n_in = 0, n_out = 0;
  small_network_input_count(net, &n_in);
  small_network_output_count(net, &n_out);
  std::vector<Buffer> ins, outs;
  size_t in_bytes = 0, out_bytes = 0;
  for (size_t i = 0; i < n_in; ++i) {
    ins.push_back(make_buffer(net, i, false));
    in_bytes += ins.back().bytes();
  }
  for (size_t i = 0; i < n_out; ++i) {
    outs.push_back(make_buffer(net, i, true));
    out_bytes += outs.back().bytes();
  }
  if (!o.input.empty()) {
    std::vector<char> bytes;
    if (!read_bytes(o.input, bytes) || bytes.size() != in_bytes) {
      std::fprintf(stderr,
                   "small-run: %s must hold the inputs' %zu bytes (the "
                   "model's dtypes, NHWC)\n",
                   o.input.c_str(), in_bytes);
      return 1;
    }
    size_t at = 0;
    for (Buffer &b : ins) {
      std::memcpy(b.data(), bytes.data() + at, b.bytes());
      at += b.bytes();
    }
  } else {
    uint32_t x = 12345;
    for (Buffer &b : ins) {
      for (size_t k = 0; k < b.count; ++k) {
        x = x * 1664525u + 1013904223u;
        b.f[k] = static_cast<float>(x >> 8) / 16777216.0f;
        if (b.dtype == SMALL_DTYPE_INT8) {
          b.q[k] = static_cast<int8_t>(x >> 24);
        }
      }
    }
  }
  if (run_once(net, ins, outs) != SMALL_OK) {
    std::fprintf(stderr, "small-run: run failed: %s\n", small_last_error());
    return 1;
  }
  if (!o.quiet) {
    for (size_t i = 0; i < n_out; ++i) {
      const Buffer &y = outs[i];
      size_t arg = 0;
      for (size_t k = 1; k < y.count; ++k) {
        const bool more =
            y.dtype == SMALL_DTYPE_INT8 ? y.q[k] > y.q[arg] : y.f[k] > y.f[arg];
        arg = more ? k : arg;
      }
      std::printf("output %zu %s: %zu %s values, argmax %zu\n", i,
                  small_tflite_model_output_name(model, i), y.count,
                  y.dtype == SMALL_DTYPE_INT8 ? "int8" : "float32", arg);
    }
  }
  if (!o.output.empty()) {
    std::ofstream f(o.output, std::ios::binary);
    for (Buffer &y : outs) {
      f.write(y.data(), static_cast<std::streamsize>(y.bytes()));
    }
    if (!f) {
      std::fprintf(stderr, "small-run: cannot write %s\n", o.output.c_str());
      return 1;
    }
  }
  int verdict = 0;
  if (!o.expected.empty()) {
    std::vector<char> want;
    if (!read_bytes(o.expected, want) || want.size() != out_bytes) {
      std::fprintf(stderr, "small-run: %s must hold the outputs' %zu bytes\n",
                   o.expected.c_str(), out_bytes);
      return 1;
    }
    verdict = check(o, outs, want) ? 0 : 1;
  }
  if (o.bench > 0) {
    std::vector<double> us;
    run_once(net, ins, outs); // warm-up
    for (long k = 0; k < o.bench; ++k) {
      const auto t0 = std::chrono::steady_clock::now();
      run_once(net, ins, outs);
      const auto t1 = std::chrono::steady_clock::now();
      us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    std::sort(us.begin(), us.end());
    small_kernel_info kinfo{};
    small_kernel_config(&kinfo);
    uint32_t threads = 1;
    if (pool != nullptr) {
      small_threadpool_size(pool, &threads);
    }
    std::printf("net=%s engine=small isa=%s threads=%u median_us=%.1f "
                "min_us=%.1f macs=%" PRIu64 "\n",
                model_name(o.model).c_str(), kinfo.isa, threads,
                us[us.size() / 2], us.front(), small_tflite_model_macs(model));
  }
  const auto run_timed = [&] { return run_once(net, ins, outs); };
  const auto core_name = [](size_t) -> const char * { return nullptr; };
  if (o.profile &&
      !small_import::print_layer_profile(net, o.runs, run_timed, core_name)) {
    std::fprintf(stderr, "small-run: profiling failed: %s\n",
                 small_last_error());
    verdict = 1;
  }
  return verdict;
}

} // namespace

bool is_tflite_path(const std::string &path) {
  const std::string ext = ".tflite";
  if (path.size() >= ext.size() &&
      path.compare(path.size() - ext.size(), ext.size(), ext) == 0) {
    return true;
  }
  char head[8];
  std::ifstream f(path, std::ios::binary);
  return f.read(head, sizeof head) && small_tflite_is_model(head, sizeof head);
}

int tflite_run_main(int argc, char **argv) {
  Options o;
  const int parsed = parse(argc, argv, o);
  if (parsed >= 0) {
    return parsed;
  }
  small_threadpool *pool = nullptr;
  if (o.threads != 1 &&
      small_threadpool_create(static_cast<uint32_t>(o.threads), &pool) !=
          SMALL_OK) {
    std::fprintf(stderr, "small-run: %s\n", small_last_error());
    return 1;
  }
  small_tflite_options opt;
  small_tflite_options_init(&opt);
  opt.rounding = o.rounding;
  small_tflite_model *model = nullptr;
  const small_status s =
      small_tflite_import_file(o.model.c_str(), &opt, &model);
  if (s != SMALL_OK) {
    std::fprintf(stderr, "small-run: import failed (%s): %s\n",
                 small_status_string(s), small_tflite_last_error());
    (void)small_threadpool_destroy(pool);
    return 1;
  }
  const int rc = run(o, model, pool);
  // The network goes first: a pool still attached refuses to be destroyed.
  small_tflite_model_destroy(model);
  (void)small_threadpool_destroy(pool);
  return rc;
}
