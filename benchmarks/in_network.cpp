#include "in_network.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>

#include "small/small_tflite.h"

namespace small_bench {

namespace {

double median(std::vector<double> v) {
  if (v.empty()) {
    return 0.0;
  }
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 != 0 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

} // namespace

std::vector<NetworkLayerTime> profile_network(const std::string &model,
                                              const std::string &input,
                                              bool int8, int runs) {
  std::vector<NetworkLayerTime> layers;
  std::ifstream f(input, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(f)),
                                std::istreambuf_iterator<char>());
  // Imported open and finalized with depthwise-pointwise fusion off: the
  // layer benchmark times each layer alone, so the network runs every
  // layer as one too.
  small_tflite_options options;
  small_tflite_options_init(&options);
  options.finalize = 0;
  small_tflite_model *m = nullptr;
  if (bytes.empty() ||
      small_tflite_import_file(model.c_str(), &options, &m) != SMALL_OK) {
    std::fprintf(stderr, "in-network: cannot load %s or %s: %s\n",
                 model.c_str(), input.c_str(), small_tflite_last_error());
    return layers;
  }
  small_network *net = small_tflite_model_network(m);
  if (small_network_set_fusion_cache(net, 0) != SMALL_OK ||
      small_network_finalize(net) != SMALL_OK) {
    std::fprintf(stderr, "in-network: %s: %s\n", model.c_str(),
                 small_last_error());
    small_tflite_model_destroy(m);
    return layers;
  }
  uint32_t dims[4] = {0, 0, 0, 0};
  size_t count = 0;
  (void)small_network_output_shape(net, 0, dims);
  const size_t out_elements = size_t{dims[0]} * dims[1] * dims[2] * dims[3];
  std::vector<char> out(out_elements * (int8 ? 1 : sizeof(float)));
  const auto run = [&] {
    if (int8) {
      const int8_t *ins[1] = {reinterpret_cast<const int8_t *>(bytes.data())};
      int8_t *outs[1] = {reinterpret_cast<int8_t *>(out.data())};
      return small_network_run_int8(net, ins, 1, outs, 1, SMALL_LAYOUT_NHWC);
    }
    const float *ins[1] = {reinterpret_cast<const float *>(bytes.data())};
    float *outs[1] = {reinterpret_cast<float *>(out.data())};
    return small_network_run(net, ins, 1, outs, 1, SMALL_LAYOUT_NHWC);
  };
  bool ok = small_network_layer_count(net, &count) == SMALL_OK &&
            small_network_enable_profiling(net, 1) == SMALL_OK;
  for (int i = 0; ok && i < 20; ++i) {
    ok = run() == SMALL_OK;
  }
  std::vector<std::vector<double>> times(count);
  for (int r = 0; ok && r < runs; ++r) {
    ok = run() == SMALL_OK;
    for (size_t i = 0; ok && i < count; ++i) {
      double us = 0;
      ok = small_network_layer_time(net, i, &us) == SMALL_OK;
      times[i].push_back(us);
    }
  }
  for (size_t i = 0; ok && i < count; ++i) {
    small_layer_info info;
    ok = small_network_layer_info(net, i, &info) == SMALL_OK;
    layers.push_back({info.kind, info.input_dims[1], info.input_dims[2],
                      info.input_dims[3], info.output_dims[1],
                      info.output_dims[2], info.output_dims[3], info.macs,
                      median(times[i])});
  }
  if (!ok) {
    std::fprintf(stderr, "in-network: %s: %s\n", model.c_str(),
                 small_last_error());
    layers.clear();
  }
  small_tflite_model_destroy(m);
  return layers;
}

double in_network_median_us(const std::vector<NetworkLayerTime> &layers,
                            small_layer_kind kind, uint32_t in_c, uint32_t in_h,
                            uint32_t in_w, uint32_t out_c, uint32_t out_h,
                            uint32_t out_w, uint64_t macs, size_t &count) {
  std::vector<double> matched;
  for (const NetworkLayerTime &l : layers) {
    if (l.kind == kind && l.in_c == in_c && l.in_h == in_h && l.in_w == in_w &&
        l.out_c == out_c && l.out_h == out_h && l.out_w == out_w &&
        l.macs == macs) {
      matched.push_back(l.median_us);
    }
  }
  count = matched.size();
  return median(matched);
}

} // namespace small_bench
