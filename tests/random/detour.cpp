#include "random/detour.h"

#include <algorithm>
#include <cmath>

#include "random/reference_int8.h"
#include "random/shapes.h"

namespace rand_net {
namespace {

bool ok(small_status s, const char *what, std::ostringstream &log) {
  if (s != SMALL_OK) {
    log << "  refused: " << what << ": " << small_last_error() << "\n";
  }
  return s == SMALL_OK;
}

// DEQUANTIZE of an int8 reference: (float)(scale * (q - zp)), the product in
// double.
ref64::Tensor dequantized(const ref8::Tensor &t) {
  std::vector<float> values(t.size());
  for (size_t i = 0; i < t.size(); ++i) {
    values[i] = static_cast<float>(double{t.quant.scale} *
                                   (t.q[i] - t.quant.zero_point));
  }
  return ref64::input(t.c, t.h, t.w, values);
}

} // namespace

bool quantized_detour(Rng &rng, const Limits &limits, small_network *net,
                      std::ostringstream &log, small_tensor x,
                      const std::vector<const ref64::Tensor *> &items,
                      small_tensor &out,
                      std::vector<ref64::Tensor> &out_items) {
  // A scale that maps the largest magnitude to 60..200 steps: some values
  // saturate now and then.
  double largest = 1e-3;
  for (const ref64::Tensor *t : items) {
    for (double v : t->value) {
      largest = std::max(largest, std::fabs(v));
    }
  }
  const small_quant q = {
      static_cast<float>(largest / rng.uniform(60.0f, 200.0f)),
      static_cast<int32_t>(rng.range(0, 60)) - 30};
  std::vector<ref8::Tensor> int8_items;
  for (const ref64::Tensor *t : items) {
    const std::vector<float> values(t->value.begin(), t->value.end());
    int8_items.push_back(ref8::quantize(t->c, t->h, t->w, values, q));
  }
  log << "  quantize " << q.scale << "/" << q.zero_point;
  small_tensor quantized = -1, middle = -1;
  if (!ok(small_network_add_quantize(net, x, q, &quantized), "quantize", log)) {
    return false;
  }
  middle = quantized;
  if (rng.chance(0.5)) {
    PoolDraw d;
    draw_pool(rng, limits, static_cast<uint32_t>(items[0]->h),
              static_cast<uint32_t>(items[0]->w), d);
    const small_activation none = small_activation_make(SMALL_ACT_NONE);
    log << ", pool2d_int8 " << describe(d);
    if (!ok(small_network_add_pool2d_int8(net, quantized, &d.api, none,
                                          &middle),
            "pool2d_int8", log)) {
      return false;
    }
    for (ref8::Tensor &t : int8_items) {
      t = ref8::pool2d(t, d.ref, none);
    }
  }
  log << ", dequantize\n";
  if (!ok(small_network_add_dequantize(net, middle, &out), "dequantize", log)) {
    return false;
  }
  out_items.clear();
  for (const ref8::Tensor &t : int8_items) {
    out_items.push_back(dequantized(t));
  }
  return true;
}

} // namespace rand_net
