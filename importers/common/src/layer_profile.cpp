#include "small_import/layer_profile.h"

#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>

namespace small_import {

namespace {

double gflops(uint64_t macs, double us) {
  return us > 0.0 ? 2.0 * static_cast<double>(macs) / (us * 1e3) : 0.0;
}

} // namespace

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n == 0 ? 0.0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string token(const char *name) {
  std::string t = name != nullptr ? name : "";
  for (char &c : t) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '=' || c == 0x7f) {
      c = '_';
    }
  }
  return t.empty() ? "-" : t;
}

bool print_layer_profile(
    small_network *net, long runs, const std::function<small_status()> &run,
    const std::function<const char *(size_t)> &layer_name) {
  size_t layers = 0;
  if (small_network_layer_count(net, &layers) != SMALL_OK ||
      small_network_enable_profiling(net, 1) != SMALL_OK ||
      run() != SMALL_OK) { // warm-up
    return false;
  }
  std::vector<std::vector<double>> layer_us(layers);
  std::vector<double> total_us, sum_us;
  for (long r = 0; r < runs; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const small_status s = run();
    const auto t1 = std::chrono::steady_clock::now();
    if (s != SMALL_OK) {
      return false;
    }
    total_us.push_back(
        std::chrono::duration<double, std::micro>(t1 - t0).count());
    double sum = 0.0;
    for (size_t i = 0; i < layers; ++i) {
      double us = 0.0;
      if (small_network_layer_time(net, i, &us) != SMALL_OK) {
        return false;
      }
      layer_us[i].push_back(us);
      sum += us;
    }
    sum_us.push_back(sum);
  }
  uint64_t total_macs = 0;
  for (size_t i = 0; i < layers; ++i) {
    small_layer_info info{};
    if (small_network_layer_info(net, i, &info) != SMALL_OK) {
      return false;
    }
    const double us = median(layer_us[i]);
    const char *name = layer_name(i);
    total_macs += info.macs;
    std::printf("profile index=%zu op=%s name=%s median_us=%.2f macs=%" PRIu64
                " gflops=%.2f threads=%u\n",
                i, info.kind_name,
                token(name != nullptr ? name : info.name).c_str(), us,
                info.macs, gflops(info.macs, us), info.threads);
  }
  const double total = median(total_us);
  std::printf("profile total runs=%ld layers=%zu median_us=%.2f "
              "layer_sum_median_us=%.2f macs=%" PRIu64 " gflops=%.2f\n",
              runs, layers, total, median(sum_us), total_macs,
              gflops(total_macs, total));
  return small_network_enable_profiling(net, 0) == SMALL_OK;
}

} // namespace small_import
