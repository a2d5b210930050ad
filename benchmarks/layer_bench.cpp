// Per-layer benchmark: every distinct Conv2D / depthwise / Dense shape of the
// MLPerf Tiny networks, through SMaLL's engine and kernels on blocked
// buffers, against im2col + OpenBLAS sgemm in the same process. One
// key=value line per measurement (gflops and peak_pct from the median;
// min_us, the fastest run, alongside); peak_pct is against the FMA peak
// measured right before and after that layer (peak_gflops), as the clock
// drifts.
//
// --dtype int8 (or all, the default) also runs each shape as an int8 layer
// (TFLite's quantized convolution) with GOPS and percent of the measured int8
// peak of the kernels' multiply instruction.
//
// With the TFLite importer, each line also has the same layer's time inside
// its network (in_network_us: the model of models/mlperf_tiny_tflite in the
// same dtype run whole with profiling, the median over 200 runs, and over
// the identical layers of the network: in_network_layers of them), since a
// layer alone runs warmer than after its neighbours.
//
// Usage: OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=SkylakeX (or Haswell)
//        small_layer_bench [--filter substring] [--dtype fp32|int8|all]
//                          [--seconds s]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench_util.h"
#include "layer_shapes.h"
#include "layers/conv2d.h"
#include "layers/conv2d_int8.h"
#if defined(SMALL_BENCH_HAVE_TFLITE)
#include "in_network.h"
#endif
#include "util/aligned_buffer.h"

#if defined(SMALL_BENCH_HAVE_OPENBLAS)
#include <cblas.h>
#endif

namespace small_bench {
namespace {

struct Options {
  std::string filter;
  bool fp32 = true, int8 = true; // --dtype
  double seconds = 0.25;         // target time per measurement
};

#if defined(SMALL_BENCH_HAVE_TFLITE)
// The model file stem of a layer name's network ("mbnet.dw7" ->
// "mobilenet_vww"); empty for a shape of no network (tile_ceiling).
std::string model_stem(const std::string &layer) {
  const std::string net = layer.substr(0, layer.find('.'));
  if (net == "mbnet") {
    return "mobilenet_vww";
  }
  if (net == "ae") {
    return "autoencoder";
  }
  return net == "resnet8" || net == "dscnn" ? net : std::string();
}
#endif

// Appends " in_network_us=... in_network_layers=N" for the layer (its output
// oh x ow) when its network's profile has it; profiles each network and
// dtype once.
void print_in_network(const LayerShape &s, uint32_t oh, uint32_t ow,
                      uint64_t macs, bool int8) {
#if defined(SMALL_BENCH_HAVE_TFLITE)
  static std::vector<std::pair<std::string, std::vector<NetworkLayerTime>>>
      profiles;
  const std::string stem = model_stem(s.name);
  if (stem.empty()) {
    return;
  }
  const std::string key = stem + (int8 ? ".int8" : ".fp32");
  auto it = std::find_if(profiles.begin(), profiles.end(),
                         [&](const auto &p) { return p.first == key; });
  if (it == profiles.end()) {
    const std::string dir = SMALL_BENCH_TFLITE_MODELS_DIR;
    profiles.emplace_back(key, profile_network(dir + "/" + key + ".tflite",
                                               dir + "/" + key + ".input.bin",
                                               int8, 200));
    it = profiles.end() - 1;
  }
  const small_layer_kind kind =
      s.kind == LayerKind::kDepthwise ? SMALL_LAYER_DEPTHWISE
      : s.kind == LayerKind::kDense   ? SMALL_LAYER_DENSE
                                      : SMALL_LAYER_CONV2D;
  size_t count = 0;
  const double us = in_network_median_us(it->second, kind, s.c, s.h, s.w, s.k,
                                         oh, ow, macs, count);
  if (count > 0) {
    std::printf(" in_network_us=%.2f in_network_layers=%zu", us, count);
  }
#else
  (void)s, (void)oh, (void)ow, (void)macs, (void)int8;
#endif
}

int reps_for(double one_run_seconds, double target) {
  const double r = target / std::max(one_run_seconds, 1e-7);
  return static_cast<int>(std::min(5000.0, std::max(15.0, r)));
}

template <typename F> Timing measure(F &&fn, double target) {
  const double once = median_seconds(fn, 2, 3);
  return time_runs(fn, 3, reps_for(once, target));
}

uint32_t out_size(uint32_t in, uint32_t k, uint32_t s, uint32_t pb,
                  uint32_t pa) {
  return (in + pb + pa - k) / s + 1;
}

#if defined(SMALL_BENCH_HAVE_OPENBLAS)
// im2col + sgemm on an NCHW input: the classic baseline.
struct Im2colConv {
  const LayerShape &s;
  uint32_t oh, ow;
  std::vector<float> in, w, col, out;
  Im2colConv(const LayerShape &shape, uint32_t oh_, uint32_t ow_)
      : s(shape), oh(oh_), ow(ow_), in(size_t{s.c} * s.h * s.w, 0.5f),
        w(size_t{s.k} * s.c * s.kh * s.kw, 0.01f),
        col(size_t{s.c} * s.kh * s.kw * oh * ow), out(size_t{s.k} * oh * ow) {}
  void run() {
    const size_t rows = size_t{s.c} * s.kh * s.kw, cols = size_t{oh} * ow;
    if (s.kh == 1 && s.kw == 1 && s.stride == 1) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s.k, cols, rows,
                  1.0f, w.data(), rows, in.data(), cols, 0.0f, out.data(),
                  cols);
      return;
    }
    for (size_t c = 0; c < s.c; ++c) {
      for (size_t r = 0; r < s.kh; ++r) {
        for (size_t q = 0; q < s.kw; ++q) {
          float *dst = col.data() + ((c * s.kh + r) * s.kw + q) * cols;
          for (size_t y = 0; y < oh; ++y) {
            const long iy = long(y * s.stride + r) - long(s.pt);
            for (size_t x = 0; x < ow; ++x) {
              const long ix = long(x * s.stride + q) - long(s.pl);
              dst[y * ow + x] =
                  (iy < 0 || iy >= long(s.h) || ix < 0 || ix >= long(s.w))
                      ? 0.0f
                      : in[(c * s.h + iy) * s.w + ix];
            }
          }
        }
      }
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s.k, cols, rows,
                1.0f, w.data(), rows, col.data(), cols, 0.0f, out.data(), cols);
  }
};
#endif

double stream_bandwidth(size_t bytes, double target) {
  // Read-and-write bandwidth for a working set of this size (it is cache
  // resident for these layers, as the layer's own data is).
  const size_t n = std::max<size_t>(bytes / sizeof(float) / 2, 64);
  small::AlignedBuffer a, b;
  if (a.reset(n * sizeof(float), "a") != SMALL_OK ||
      b.reset(n * sizeof(float), "b") != SMALL_OK) {
    return 0.0;
  }
  const Timing t = measure(
      [&] {
        std::memcpy(b.floats(), a.floats(), n * sizeof(float));
        do_not_optimize(b.floats()[n - 1]);
      },
      target);
  return 2.0 * n * sizeof(float) / t.median; // bytes per second
}

small::ConvSpec conv_spec(const LayerShape &s) {
  small::ConvSpec spec;
  spec.input = {1, s.c, s.h, s.w};
  spec.out_channels = s.k;
  spec.kernel_h = s.kh;
  spec.kernel_w = s.kw;
  spec.stride_h = spec.stride_w = s.stride;
  spec.pad_top = s.pt;
  spec.pad_bottom = s.pb;
  spec.pad_left = s.pl;
  spec.pad_right = s.pr;
  spec.act = {SMALL_ACT_OP_CLIP, 0, 0, 0.0f, INFINITY};
  spec.groups = s.kind == LayerKind::kDepthwise ? s.c : 1;
  return spec;
}

std::string shape_text(const LayerShape &s, uint32_t oh, uint32_t ow) {
  char shape[128];
  std::snprintf(shape, sizeof shape, "%ux%ux%u->%ux%ux%u %ux%u s%u", s.c, s.h,
                s.w, s.k, oh, ow, s.kh, s.kw, s.stride);
  return shape;
}

// A network input with fewer than Cb channels is stored planar (one lane
// per block) when only convolutions read it: the first layers run that way
// inside the networks, so measure them that way.
size_t input_lanes(const LayerShape &s, size_t cb) {
  return s.reads_network_input && s.kind != LayerKind::kDepthwise && s.c < cb
             ? 1
             : cb;
}

void bench_layer(const LayerShape &s, const small_kernel_table &kernels,
                 const Options &opt) {
  const uint32_t oh = out_size(s.h, s.kh, s.stride, s.pt, s.pb);
  const uint32_t ow = out_size(s.w, s.kw, s.stride, s.pl, s.pr);
  const small::ConvSpec spec = conv_spec(s);
  const bool dw = s.kind == LayerKind::kDepthwise;
  const size_t wcount = size_t{s.k} * (s.c / spec.groups) * s.kh * s.kw;
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> dist(-0.1f, 0.1f);
  std::vector<float> w(wcount), bias(s.k);
  for (float &v : w) {
    v = dist(rng);
  }
  std::unique_ptr<small::Conv2DLayer> made;
  if (small::Conv2DLayer::create(dw ? SMALL_LAYER_DEPTHWISE
                                    : SMALL_LAYER_CONV2D,
                                 s.name, spec, w, bias, made) != SMALL_OK) {
    std::fprintf(stderr, "%s\n", small_last_error());
    return;
  }
  small::Conv2DLayer &layer = *made;
  const size_t cb = kernels.channel_block;
  const size_t lanes = input_lanes(s, cb);
  if (lanes == 1) {
    layer.set_input_lanes(1);
  }
  small::AlignedBuffer in, out;
  if (layer.prepare(kernels) != SMALL_OK ||
      in.reset(spec.input.item_floats(lanes) * sizeof(float), "input") !=
          SMALL_OK ||
      out.reset(layer.output_shape().item_floats(cb) * sizeof(float),
                "output") != SMALL_OK) {
    std::fprintf(stderr, "%s\n", small_last_error());
    return;
  }
  const small::Shape out_shape = layer.output_shape();
  const size_t in_floats = spec.input.item_floats(lanes);
  for (size_t i = 0; i < in_floats; ++i) {
    in.floats()[i] = dist(rng);
  }
  const std::vector<const float *> inputs = {in.floats()};
  // Percent of peak against the peak of the moment (the clock drifts).
  const double peak_before = quick_peak_gflops();
  const Timing t = measure(
      [&] {
        layer.run(kernels, inputs, out.floats());
        do_not_optimize(out.floats()[0]);
      },
      opt.seconds);
  const double peak = std::max(peak_before, quick_peak_gflops());
  const double flops = 2.0 * static_cast<double>(layer.macs());
  const double gflops = flops / t.median / 1e9;
  const std::string shape = shape_text(s, oh, ow);
  // min_us too: on a shared host a layer's median moved by up to 25%
  // between runs of this bench while its fastest run stayed within ~3%.
  std::printf("layer=%s engine=small dtype=fp32 isa=%s shape=%s "
              "median_us=%.2f min_us=%.2f gflops=%.2f peak_pct=%.1f "
              "peak_gflops=%.1f",
              s.name, kernels.isa, shape.c_str(), t.median * 1e6, t.min * 1e6,
              gflops, 100.0 * gflops / peak, peak);
  if (dw) {
    const double bytes = 4.0 * (spec.input.item_floats(cb) +
                                out_shape.item_floats(cb) + s.c * s.kh * s.kw);
    const double bound = bytes / stream_bandwidth(bytes, opt.seconds);
    // The FMA floor: the layer's FLOPs at the measured peak. A small image
    // streams so few (cache-resident) bytes that its multiply-adds take
    // longer than its memory traffic; the attainable time is the larger.
    const double fma_floor = flops / (peak * 1e9);
    std::printf(" bound_us=%.2f x_bound=%.2f fma_floor_us=%.2f x_floor=%.2f",
                bound * 1e6, t.median / bound, fma_floor * 1e6,
                t.median / std::max(bound, fma_floor));
  }
  print_in_network(s, oh, ow, layer.macs(), false);
  std::printf("\n");
#if defined(SMALL_BENCH_HAVE_OPENBLAS)
  if (!dw) {
    Im2colConv base(s, oh, ow);
    const Timing tb = measure([&] { base.run(); }, opt.seconds);
    const double gb = flops / tb.median / 1e9;
    std::printf("layer=%s engine=openblas dtype=fp32 isa=%s shape=%s "
                "median_us=%.2f gflops=%.2f peak_pct=%.1f small_speedup=%.2f\n",
                s.name, kernels.isa, shape.c_str(), tb.median * 1e6, gb,
                100.0 * gb / peak, tb.median / t.median);
  }
#endif
  std::fflush(stdout);
}

// The same layer in int8 (TFLite's quantized convolution): random int8
// weights with per-channel scales, a ReLU clamp, through the int8 kernels.
// GOPS count 2 ops per multiply-accumulate; peak_pct is against the int8
// peak of the kernels' multiply instruction (peak_int8.cpp) of the moment.
void bench_layer_int8(const LayerShape &s, const small_kernel_table &kernels,
                      const Options &opt) {
  const uint32_t oh = out_size(s.h, s.kh, s.stride, s.pt, s.pb);
  const uint32_t ow = out_size(s.w, s.kw, s.stride, s.pl, s.pr);
  const small::ConvSpec spec = conv_spec(s);
  const bool dw = s.kind == LayerKind::kDepthwise;
  const size_t wcount = size_t{s.k} * (s.c / spec.groups) * s.kh * s.kw;
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> byte(-128, 127);
  std::vector<int8_t> w(wcount);
  for (int8_t &v : w) {
    v = static_cast<int8_t>(byte(rng));
  }
  std::vector<int32_t> bias(s.k);
  for (int32_t &b : bias) {
    b = byte(rng) * 64;
  }
  small::ConvQuant quant;
  quant.input = {0.05f, -3};
  quant.output = {0.1f, 5};
  quant.weight_scales.assign(s.k, 0.004f);
  quant.range = {5, 127}; // ReLU: the output zero point up
  small::Shape out_shape{1, s.k, oh, ow};
  const small_layer_kind kind = dw ? SMALL_LAYER_DEPTHWISE
                                : s.kind == LayerKind::kDense
                                    ? SMALL_LAYER_DENSE
                                    : SMALL_LAYER_CONV2D;
  small::Conv2DInt8Layer layer(kind, spec, out_shape, std::move(w),
                               std::move(bias), std::move(quant));
  const size_t cb = kernels.channel_block;
  // As narrow_inputs() stores such an input in a network.
  const size_t narrow = layer.narrow_input_lanes(kernels);
  const size_t lanes =
      s.reads_network_input && s.c < cb && narrow != 0 ? narrow : cb;
  if (lanes != cb) {
    layer.set_input_lanes(lanes);
  }
  // int8 tensors take one byte per element of the float layout's size.
  small::AlignedBuffer in, out;
  if (layer.prepare(kernels) != SMALL_OK ||
      in.reset(spec.input.item_floats(lanes), "input") != SMALL_OK ||
      out.reset(out_shape.item_floats(cb), "output") != SMALL_OK) {
    std::fprintf(stderr, "%s\n", small_last_error());
    return;
  }
  int8_t *x = in.as<int8_t>();
  for (size_t i = 0; i < spec.input.item_floats(lanes); ++i) {
    x[i] = static_cast<int8_t>(byte(rng));
  }
  const std::vector<const float *> inputs = {in.floats()};
  const Int8Peak before = quick_peak_int8(kernels.conv_i8_k_group == 4);
  const Timing t = measure(
      [&] {
        layer.run(kernels, inputs, out.floats());
        do_not_optimize(out.as<int8_t>()[0]);
      },
      opt.seconds);
  const Int8Peak after = quick_peak_int8(kernels.conv_i8_k_group == 4);
  const double peak = std::max(before.gops, after.gops);
  const double gops = 2.0 * static_cast<double>(layer.macs()) / t.median / 1e9;
  std::printf("layer=%s engine=small dtype=int8 isa=%s shape=%s "
              "median_us=%.2f gops=%.2f peak_pct=%.1f peak_gops=%.1f "
              "peak_instruction=%s",
              s.name, kernels.isa, shape_text(s, oh, ow).c_str(),
              t.median * 1e6, gops, peak > 0 ? 100.0 * gops / peak : 0.0, peak,
              before.instruction);
  print_in_network(s, oh, ow, layer.macs(), true);
  std::printf("\n");
  std::fflush(stdout);
}

} // namespace
} // namespace small_bench

int main(int argc, char **argv) {
#if defined(SMALL_BENCH_HAVE_OPENBLAS)
  // Single-threaded like SMaLL. Run with OPENBLAS_NUM_THREADS=1 as well:
  // OpenBLAS creates its worker threads at load time, and idle ones spin
  // (sched_yield) on the other core; measurements here were slower and
  // noisier with them (dscnn.dw 6.0 -> 2.8 us without).
  openblas_set_num_threads(1);
#endif
  small_bench::Options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--filter" && i + 1 < argc) {
      opt.filter = argv[++i];
    } else if (a == "--dtype" && i + 1 < argc) {
      const std::string d = argv[++i];
      opt.fp32 = d == "fp32" || d == "all";
      opt.int8 = d == "int8" || d == "all";
      if (!opt.fp32 && !opt.int8) {
        std::fprintf(stderr, "--dtype must be fp32, int8 or all\n");
        return 2;
      }
    } else if (a == "--seconds" && i + 1 < argc) {
      opt.seconds = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr,
                   "usage: %s [--filter substring] [--dtype fp32|int8|all] "
                   "[--seconds per-layer]\n",
                   argv[0]);
      return 2;
    }
  }
  const small_kernel_table &kernels = *small_kernels_active();
  const double peak = small_bench::measure_peak_gflops();
  std::printf("peak isa=%s gflops=%.2f (single core, measured FMA loop)\n",
              kernels.isa, peak);
  const small_bench::Int8Peak peak8 = small_bench::measure_peak_int8(
      10'000'000, 7, kernels.conv_i8_k_group == 4);
  std::printf("peak isa=%s int8_gops=%.2f (single core, measured %s loop)\n",
              kernels.isa, peak8.gops, peak8.instruction);
  for (const auto &s : small_bench::mlperf_tiny_layers()) {
    if (opt.filter.empty() ||
        std::string(s.name).find(opt.filter) != std::string::npos) {
      if (opt.fp32) {
        small_bench::bench_layer(s, kernels, opt);
      }
      if (opt.int8) {
        small_bench::bench_layer_int8(s, kernels, opt);
      }
    }
  }
  return 0;
}
