// small-run for .tflite models:
//
//   small-run model.tflite [--input x.bin] [--output y.bin]
//             [--expected y.bin [--atol A] [--rtol R]]
//             [--rounding double|single] [--bench N] [--quiet]
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
// line after N timed runs.
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

namespace {

void usage() {
  std::fprintf(stderr,
               "usage: small-run model.tflite [--input x.bin] [--output "
               "y.bin]\n"
               "                 [--expected y.bin [--atol A] [--rtol R]]\n"
               "                 [--rounding double|single] [--bench N] "
               "[--quiet]\n");
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
  long bench = 0;
  bool quiet = false;
};

// Parses argv; returns -1 to go on, else the exit code.
int parse(int argc, char **argv, Options &o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const char *value = i + 1 < argc ? argv[i + 1] : nullptr;
    const bool takes_value =
        a == "--input" || a == "--output" || a == "--expected" ||
        a == "--atol" || a == "--rtol" || a == "--rounding" || a == "--bench";
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
  size_t n_in = 0, arena = 0, lower = 0, executed = 0;
  small_network_input_count(net, &n_in);
  small_network_arena_size(net, &arena);
  small_network_arena_lower_bound(net, &lower);
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
              "; arena %zu bytes (lower bound %zu)\n",
              rows, executed, small_tflite_model_macs(model), arena, lower);
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

// Compares float outputs with the reference; prints the verdict.
bool check(const Options &o, const std::vector<std::vector<float>> &outs,
           const std::vector<char> &want_bytes) {
  const float *want = reinterpret_cast<const float *>(want_bytes.data());
  double max_diff = 0.0;
  bool within = true, same_argmax = true;
  size_t at = 0;
  for (const auto &y : outs) {
    const float *w = want + at;
    for (size_t k = 0; k < y.size(); ++k) {
      const double d = std::abs(double{y[k]} - double{w[k]});
      max_diff = std::max(max_diff, d);
      within = within && d <= o.atol + o.rtol * std::abs(double{w[k]});
    }
    same_argmax =
        same_argmax && std::max_element(y.begin(), y.end()) - y.begin() ==
                           std::max_element(w, w + y.size()) - w;
    at += y.size();
  }
  std::printf("check %s: max_abs_diff=%.3g (atol %g, rtol %g) argmax %s: %s\n",
              model_name(o.model).c_str(), max_diff, o.atol, o.rtol,
              same_argmax ? "agrees" : "DIFFERS",
              within ? "MATCH" : "MISMATCH");
  return within;
}

int run(const Options &o, small_tflite_model *model) {
  small_network *net = small_tflite_model_network(model);
  if (!o.quiet) {
    print_tables(model, net);
  }
  size_t n_in = 0, n_out = 0;
  small_network_input_count(net, &n_in);
  small_network_output_count(net, &n_out);
  std::vector<std::vector<float>> ins(n_in), outs(n_out);
  size_t total_in = 0, total_out = 0;
  for (size_t i = 0; i < n_in; ++i) {
    ins[i].resize(elements(net, i, false));
    total_in += ins[i].size();
  }
  for (size_t i = 0; i < n_out; ++i) {
    outs[i].resize(elements(net, i, true));
    total_out += outs[i].size();
  }
  if (!o.input.empty()) {
    std::vector<char> bytes;
    if (!read_bytes(o.input, bytes) || bytes.size() != total_in * 4) {
      std::fprintf(stderr,
                   "small-run: %s must hold the inputs' %zu float32 values "
                   "(NHWC)\n",
                   o.input.c_str(), total_in);
      return 1;
    }
    size_t at = 0;
    for (auto &b : ins) {
      std::memcpy(b.data(), bytes.data() + at, b.size() * 4);
      at += b.size() * 4;
    }
  } else {
    uint32_t x = 12345;
    for (auto &b : ins) {
      for (float &v : b) {
        x = x * 1664525u + 1013904223u;
        v = static_cast<float>(x >> 8) / 16777216.0f;
      }
    }
  }
  std::vector<const float *> ip;
  std::vector<float *> op;
  for (auto &b : ins) {
    ip.push_back(b.data());
  }
  for (auto &b : outs) {
    op.push_back(b.data());
  }
  const auto run_once = [&] {
    return small_network_run(net, ip.data(), ip.size(), op.data(), op.size(),
                             SMALL_LAYOUT_NHWC);
  };
  if (run_once() != SMALL_OK) {
    std::fprintf(stderr, "small-run: run failed: %s\n", small_last_error());
    return 1;
  }
  if (!o.quiet) {
    for (size_t i = 0; i < n_out; ++i) {
      const auto &y = outs[i];
      const size_t arg =
          static_cast<size_t>(std::max_element(y.begin(), y.end()) - y.begin());
      std::printf("output %zu %s: %zu values, argmax %zu (%g)\n", i,
                  small_tflite_model_output_name(model, i), y.size(), arg,
                  y.empty() ? 0.0 : double{y[arg]});
    }
  }
  if (!o.output.empty()) {
    std::ofstream f(o.output, std::ios::binary);
    for (const auto &y : outs) {
      f.write(reinterpret_cast<const char *>(y.data()),
              static_cast<std::streamsize>(y.size() * 4));
    }
    if (!f) {
      std::fprintf(stderr, "small-run: cannot write %s\n", o.output.c_str());
      return 1;
    }
  }
  int verdict = 0;
  if (!o.expected.empty()) {
    std::vector<char> want;
    if (!read_bytes(o.expected, want) || want.size() != total_out * 4) {
      std::fprintf(stderr, "small-run: %s must hold the %zu output floats\n",
                   o.expected.c_str(), total_out);
      return 1;
    }
    verdict = check(o, outs, want) ? 0 : 1;
  }
  if (o.bench > 0) {
    std::vector<double> us;
    run_once(); // warm-up
    for (long k = 0; k < o.bench; ++k) {
      const auto t0 = std::chrono::steady_clock::now();
      run_once();
      const auto t1 = std::chrono::steady_clock::now();
      us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    std::sort(us.begin(), us.end());
    small_kernel_info kinfo{};
    small_kernel_config(&kinfo);
    std::printf("net=%s engine=small isa=%s threads=1 median_us=%.1f "
                "min_us=%.1f macs=%" PRIu64 "\n",
                model_name(o.model).c_str(), kinfo.isa, us[us.size() / 2],
                us.front(), small_tflite_model_macs(model));
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
  small_tflite_model *model = nullptr;
  const small_status s =
      small_tflite_import_file(o.model.c_str(), nullptr, &model);
  if (s != SMALL_OK) {
    std::fprintf(stderr, "small-run: import failed (%s): %s\n",
                 small_status_string(s), small_tflite_last_error());
    return 1;
  }
  const int rc = run(o, model);
  small_tflite_model_destroy(model);
  return rc;
}

int tflite_codegen(const std::string &model_path, const std::string &c_path,
                   const std::string &h_path, const std::string &prefix) {
  small_tflite_options opt;
  small_tflite_options_init(&opt);
  opt.finalize = 0; // the description is all the generator needs
  small_tflite_model *model = nullptr;
  small_status s = small_tflite_import_file(model_path.c_str(), &opt, &model);
  if (s == SMALL_OK) {
    s = small_tflite_model_write_c(model, prefix.c_str(), c_path.c_str(),
                                   h_path.c_str());
  }
  small_tflite_model_destroy(model);
  if (s != SMALL_OK) {
    std::fprintf(stderr, "small-codegen: %s: %s\n", small_status_string(s),
                 small_tflite_last_error());
    return 1;
  }
  std::printf("small-codegen: wrote %s and %s (%s_build)\n", c_path.c_str(),
              h_path.c_str(), prefix.c_str());
  return 0;
}
