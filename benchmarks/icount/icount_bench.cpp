// One inference of an MLPerf Tiny network, for counting its aarch64
// instructions under qemu-user with the instruction-count plugin
// (tools/qemu_insn_count; driver: run_icount_bench.sh). The model is the
// reference .tflite (models/mlperf_tiny_tflite), run by SMaLL (its TFLite
// importer) or by XNNPACK (the same layers and weights, lowered as the
// network benchmark lowers them for its peers):
// - fp32 (<net>.fp32.tflite): both engines within the model's tolerance of
//   LiteRT's output;
// - int8 (<net>.int8.tflite): SMaLL byte for byte against TFLite's
//   reference output (*.int8.expected.bin), XNNPACK's QS8/QC8 subgraph
//   within its requantization tolerance of LiteRT's (*.int8.litert.bin).
// Loading, weight packing and one warm-up inference, whose output is
// checked, come first; then exactly one inference runs between the plugin's
// region markers.
//
// Usage: small_icount_bench --net NAME --engine small|xnnpack
//                           [--dtype fp32|int8] [--models DIR]
//                           [--fusion-cache BYTES]
// --fusion-cache: SMaLL fp32 finalized with small_network_set_fusion_cache
// (BYTES; 0 turns depthwise-pointwise fusion off); without it, the
// library's default (the L1 data cache it detects; none under qemu-user
// without hwloc).
// Prints: net=<n> engine=<e> dtype=<d> isa=<isa> macs=<m> <difference>
// Exit status: 0, 1 on a wrong output or failure, 77 when the engine was not
// built (XNNPACK's arm64 packages were not found at configure time).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "icount_marker.h"
#include "network/int8_net.h"
#include "network/lower_description.h"
#include "network/lower_tflite.h"
#include "network/model_files.h"
#include "network/peer_net.h"
#include "small/small.h"
#include "small/small_tflite.h"
#include "small_import/tflite_description.h"

namespace small_bench {
namespace {

struct Model {
  const char *name;
  const char *int8_sample; // <sample>.int8.{input,expected,litert}.bin
  float atol, rtol;        // fp32 vs LiteRT (tests/tflite/test_real_models.cpp)
};

// atol < 0: the network has no fp32 model.
const Model kModels[] = {
    {"resnet8", "resnet8", 1e-5f, 0.0f},
    {"dscnn", "dscnn", 5e-4f, 0.0f},
    {"mobilenet_vww", "mobilenet_vww", 1e-5f, 0.0f},
    {"autoencoder", "autoencoder", 1e-2f, 1e-4f},
    {"streaming_wakeword", "streaming_wakeword.class0", -1.0f, 0.0f}};

struct Options {
  std::string models = SMALL_BENCH_TFLITE_MODELS_DIR;
  std::string net, engine, dtype = "fp32";
  long long fusion_cache = -1; // -1: the library's default
};

bool parse(int argc, char **argv, Options *o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    if (key == "--net") {
      o->net = argv[i + 1];
    } else if (key == "--engine") {
      o->engine = argv[i + 1];
    } else if (key == "--dtype") {
      o->dtype = argv[i + 1];
    } else if (key == "--models") {
      o->models = argv[i + 1];
    } else if (key == "--fusion-cache") {
      char *end = nullptr;
      o->fusion_cache = std::strtoll(argv[i + 1], &end, 10);
      if (*end != '\0' || o->fusion_cache < 0) {
        return false;
      }
    } else {
      return false;
    }
  }
  return argc % 2 == 1 && !o->net.empty() &&
         (o->engine == "small" || o->engine == "xnnpack") &&
         (o->dtype == "fp32" || o->dtype == "int8") &&
         (o->fusion_cache < 0 || (o->engine == "small" && o->dtype == "fp32"));
}

// (c, h, w) planes <-> (h, w, c) pixels, batch 1.
std::vector<float> transpose(const std::vector<float> &in, size_t rows,
                             size_t cols) {
  std::vector<float> out(in.size());
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < cols; ++c) {
      out[c * rows + r] = in[r * cols + c];
    }
  }
  return out;
}

// Elements of the model's input (output) 0.
size_t io_elements(const small_tflite_model *model, bool output) {
  int64_t dims[4];
  const size_t rank = output ? small_tflite_model_output_dims(model, 0, dims)
                             : small_tflite_model_input_dims(model, 0, dims);
  size_t n = rank > 0 ? 1 : 0;
  for (size_t i = 0; i < rank; ++i) {
    n *= static_cast<size_t>(dims[i]);
  }
  return n;
}

// One engine ready to run: run() is the inference that is counted; output()
// then gives its result in TFLite's NHWC order.
struct Runner {
  std::function<void()> run;
  std::function<std::vector<float>()> output;
};

// The counted inference, between the plugin's markers.
void count_one(const std::function<void()> &inference) {
  icount_begin();
  inference();
  icount_end();
}

void print_line(const Options &o, uint64_t macs, const char *difference,
                bool ok) {
  small_kernel_info info;
  small_kernel_config(&info);
  std::printf("net=%s engine=%s dtype=%s isa=%s macs=%llu %s%s\n",
              o.net.c_str(), o.engine.c_str(), o.dtype.c_str(), info.isa,
              static_cast<unsigned long long>(macs), difference,
              ok ? "" : " MISMATCH");
}

int run_fp32(const Options &o, const Model *model) {
  if (model->atol < 0) {
    std::fprintf(stderr, "net=%s has no fp32 model\n", o.net.c_str());
    return 1;
  }
  const std::string base = o.models + "/" + o.net;
  std::vector<float> input, expected;
  if (!read_floats(base + ".fp32.input.bin", &input) ||
      !read_floats(base + ".fp32.litert.bin", &expected)) {
    std::fprintf(stderr, "cannot read %s.fp32.{input,litert}.bin\n",
                 base.c_str());
    return 1;
  }
  small_tflite_model *imported = nullptr;
  small_tflite_options options;
  small_tflite_options_init(&options);
  options.finalize = o.fusion_cache < 0 ? 1 : 0;
  if (small_tflite_import_file((base + ".fp32.tflite").c_str(), &options,
                               &imported) != SMALL_OK) {
    std::fprintf(stderr, "import failed: %s\n", small_tflite_last_error());
    return 1;
  }
  if (o.fusion_cache >= 0) {
    small_network *open = small_tflite_model_network(imported);
    if (small_network_set_fusion_cache(
            open, static_cast<size_t>(o.fusion_cache)) != SMALL_OK ||
        small_network_finalize(open) != SMALL_OK) {
      std::fprintf(stderr, "finalize failed: %s\n", small_last_error());
      small_tflite_model_destroy(imported);
      return 1;
    }
  }
  const uint64_t macs = small_tflite_model_macs(imported);
  if (io_elements(imported, false) != input.size() ||
      io_elements(imported, true) != expected.size()) {
    std::fprintf(stderr,
                 "net=%s: the model's input or output size differs "
                 "from its .bin files\n",
                 o.net.c_str());
    small_tflite_model_destroy(imported);
    return 1;
  }

  small_network *net = small_tflite_model_network(imported);
  std::vector<float> output(expected.size(), std::nanf(""));
  Runner runner;
  runner.run = [&] {
    const float *in = input.data();
    float *out = output.data();
    small_network_run(net, &in, 1, &out, 1, SMALL_LAYOUT_NHWC);
  };
  runner.output = [&] { return output; };

  // The peers take NCHW buffers: the input is converted before and the
  // output after the counted inference (the XNNPACK engine itself then
  // stages them as NHWC inside its run, as SMaLL converts NHWC to its
  // blocked layout inside its own).
  std::unique_ptr<PeerEngine> peer;
  PeerNet peer_net;
  std::vector<float> input_nchw, output_nchw;
  if (o.engine == "xnnpack") {
    peer = make_xnnpack_engine();
    if (peer == nullptr) {
      std::printf("net=%s engine=xnnpack SKIPPED: not built (XNNPACK's arm64 "
                  "packages were not found at configure time)\n",
                  o.net.c_str());
      small_tflite_model_destroy(imported);
      return 77;
    }
    std::string why;
    if (!lower_description(*small_import::tflite_model_description(imported),
                           macs, &peer_net, &why) ||
        !peer->prepare(peer_net, &why)) {
      std::fprintf(stderr, "net=%s engine=xnnpack: %s\n", o.net.c_str(),
                   why.c_str());
      small_tflite_model_destroy(imported);
      return 1;
    }
    const PeerShape in = peer_net.values[0];
    const PeerShape out = peer_net.values[peer_net.output];
    if (in.elements() != input.size() || out.elements() != expected.size()) {
      std::fprintf(stderr,
                   "net=%s engine=xnnpack: lowered input or output "
                   "size differs from the model's\n",
                   o.net.c_str());
      small_tflite_model_destroy(imported);
      return 1;
    }
    input_nchw = transpose(input, size_t{in.h} * in.w, in.c);
    output_nchw.assign(out.elements(), std::nanf(""));
    runner.run = [&] { peer->run(input_nchw.data(), output_nchw.data()); };
    runner.output = [&output_nchw, out] {
      return transpose(output_nchw, out.c, size_t{out.h} * out.w);
    };
  }

  // Warm-up and check: whatever an engine does on its first run only is not
  // part of the count.
  runner.run();
  const std::vector<float> result = runner.output();
  if (result.size() != expected.size()) {
    std::fprintf(stderr, "net=%s: %zu outputs, LiteRT gave %zu\n",
                 o.net.c_str(), result.size(), expected.size());
    small_tflite_model_destroy(imported);
    return 1;
  }
  double max_diff = 0;
  bool ok = true;
  for (size_t i = 0; i < result.size(); ++i) {
    const double d = std::fabs(double{result[i]} - double{expected[i]});
    max_diff = d > max_diff ? d : max_diff;
    ok = ok && d <= model->atol + model->rtol * std::fabs(double{expected[i]});
  }

  count_one(runner.run);

  char difference[64];
  std::snprintf(difference, sizeof difference, "max_abs_diff=%.3g", max_diff);
  print_line(o, macs, difference, ok);
  small_tflite_model_destroy(imported);
  return ok ? 0 : 1;
}

int max_steps(const std::vector<int8_t> &a, const std::vector<int8_t> &b) {
  int d = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    d = std::max(d, std::abs(int{a[i]} - int{b[i]}));
  }
  return d;
}

// int8: SMaLL must match TFLite's reference arithmetic byte for byte (its
// default double rounding); XNNPACK requantizes in fp32 and is held to its
// engine's tolerance against LiteRT's output.
int run_int8(const Options &o, const Model *model) {
  const std::string path = o.models + "/" + o.net + ".int8.tflite";
  const std::string base = o.models + "/" + model->int8_sample + ".int8";
  std::vector<int8_t> input, expected, litert;
  if (!read_int8(base + ".input.bin", &input) ||
      !read_int8(base + ".expected.bin", &expected) ||
      !read_int8(base + ".litert.bin", &litert)) {
    std::fprintf(stderr, "cannot read %s.{input,expected,litert}.bin\n",
                 base.c_str());
    return 1;
  }
  small_tflite_model *imported = nullptr;
  if (small_tflite_import_file(path.c_str(), nullptr, &imported) != SMALL_OK) {
    std::fprintf(stderr, "import failed: %s\n", small_tflite_last_error());
    return 1;
  }
  const uint64_t macs = small_tflite_model_macs(imported);
  const bool sizes_ok = io_elements(imported, false) == input.size() &&
                        io_elements(imported, true) == expected.size() &&
                        litert.size() == expected.size();
  small_network *net = small_tflite_model_network(imported);
  std::vector<int8_t> output(expected.size(), 0x55);
  std::function<void()> inference = [&] {
    const int8_t *in = input.data();
    int8_t *out = output.data();
    small_network_run_int8(net, &in, 1, &out, 1, SMALL_LAYOUT_NHWC);
  };
  const std::vector<int8_t> *want = &expected;
  int tolerance = 0;
  std::unique_ptr<Int8Engine> peer;
  if (sizes_ok && o.engine == "xnnpack") {
    std::string why;
    peer = make_xnnpack_int8_engine(&why);
    if (peer == nullptr) {
      std::printf("net=%s engine=xnnpack SKIPPED: %s\n", o.net.c_str(),
                  why.c_str());
      small_tflite_model_destroy(imported);
      return 77;
    }
    Int8Net peer_net;
    if (!lower_tflite_int8_model(path, &peer_net, &why) ||
        !peer->prepare(peer_net, &why)) {
      std::fprintf(stderr, "net=%s engine=xnnpack: %s\n", o.net.c_str(),
                   why.c_str());
      small_tflite_model_destroy(imported);
      return 1;
    }
    inference = [&] { peer->run(input.data(), output.data()); };
    want = &litert;
    tolerance = peer->tolerance_steps();
  }
  if (!sizes_ok) {
    std::fprintf(stderr,
                 "net=%s: the model's input or output size differs "
                 "from its .bin files\n",
                 o.net.c_str());
    small_tflite_model_destroy(imported);
    return 1;
  }

  inference(); // warm-up and check
  const int steps = max_steps(output, *want);
  const bool ok = steps <= tolerance;
  count_one(inference);

  char difference[64];
  std::snprintf(difference, sizeof difference, "max_steps=%d tolerance=%d",
                steps, tolerance);
  print_line(o, macs, difference, ok);
  small_tflite_model_destroy(imported);
  return ok ? 0 : 1;
}

int run(const Options &o) {
  const Model *model = nullptr;
  for (const Model &m : kModels) {
    model = o.net == m.name ? &m : model;
  }
  if (model == nullptr) {
    std::fprintf(stderr, "unknown net %s\n", o.net.c_str());
    return 1;
  }
  return o.dtype == "int8" ? run_int8(o, model) : run_fp32(o, model);
}

} // namespace
} // namespace small_bench

int main(int argc, char **argv) {
  small_bench::Options o;
  if (!small_bench::parse(argc, argv, &o)) {
    std::fprintf(stderr, "usage: small_icount_bench --net NAME --engine "
                         "small|xnnpack [--dtype fp32|int8] [--models DIR]\n");
    return 2;
  }
  return small_bench::run(o);
}
